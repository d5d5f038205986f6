"""Writing scored outputs, all or nothing, and reading them back.

``outputs/<ruleset>/<year>/`` holds ``manifest.json`` (the stamp and the files written),
``countries/<ISO3>.json`` (one canonical JSON trace per country), ``scores.csv`` and
``summary.md``, laid out for ``git diff``. The output folder is hostile ground (it comes from
git, a pull request can carry anything), so:

- the whole set is written into a staging folder beside the old one and swapped in with one
  atomic exchange of the two folders (``renameat2``), or two renames where the system has no
  exchange, which the next run repairs; a crash, a full disk or a kill leaves the previous set
  whole, never a mixture; everything is flushed to disk once per set, not once per file;
- a lock file makes a concurrent run wait its turn; leftovers of a crashed run are cleaned up;
- nothing outside the output folder is ever written, deleted or followed: a symlink where a
  folder should be is refused, and the previous manifest is never used to delete anything
  (files a person added to the folder are carried over into the new set);
- ``write_file`` never replaces a special file (a device, FIFO, folder or symlink);
- ``read_scored`` reads only regular files inside the folder, bounded in size, and validates
  what it reads with the same care as any input, so a damaged output is an error, not a crash.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import math
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..analysis.diff import Scored, from_traces
from ..engine.canonical import dump_bytes
from ..engine.parallel import mapped
from ..engine.reader import read_bounded
from ..engine.results import Assessment, CountryResult
from ..errors import InputErrors, OutputError, SourceError, UsageError, location_of
from .formats import View, csv_format, markdown_format
from .views import scores_view

MANIFEST = "manifest.json"
MAX_OUTPUT_BYTES = 16 * 1024 * 1024  # one country's trace is a few hundred kB at most
COUNTRY_FILE = re.compile(r"^countries/[A-Za-z0-9_-]{1,64}\.json$")


def write_outputs(assessment: Assessment, out: Path) -> Path:
    """Write one assessment as a whole new set under ``out/<ruleset>/<year>/``; returns that folder."""
    parent = _own_folder(_own_folder(out, create=True) / assessment.stamp.ruleset_id, create=True)
    year = str(assessment.stamp.year)
    folder = parent / year
    try:
        with locked(parent / f".{year}.lock"):
            repair(parent, year)
            # mkdtemp makes 0700; the folder should read like any other
            with replacing(folder, "new", 0o777 & ~_umask()) as staging:
                written = _write_set(staging, assessment)
                _carry_over(folder, staging, written)
    except OSError as exc:
        raise OutputError(f"cannot write {location_of(folder)}: {exc.strerror or exc}; the previous output is "
                          "unchanged") from None
    return folder


def each_output(assessment: Assessment) -> Iterator[tuple[str, bytes]]:
    """Each output file's name and content, one at a time (what ``write_outputs`` writes)."""
    stamp = _short_stamp(assessment)
    names = []
    for country in assessment.countries:
        names.append(_country_file(country))
        yield names[-1], _country_trace(stamp, country)
    yield from _set_outputs(assessment, names)


def _short_stamp(assessment: Assessment) -> dict[str, Any]:
    stamp = assessment.stamp
    return {"ruleset_id": stamp.ruleset_id, "ruleset_version": stamp.ruleset_version,
            "ruleset_hash": stamp.ruleset_hash, "year": stamp.year, "engine_version": stamp.engine_version}


def _country_file(country: CountryResult) -> str:
    return f"countries/{country.country}.json"


def _country_trace(stamp: dict[str, Any], country: CountryResult) -> bytes:
    return dump_bytes({"stamp": stamp, **country.to_json()})


def _set_outputs(assessment: Assessment, names: list[str]) -> Iterator[tuple[str, bytes]]:
    """The files about the whole set: the summary, the scores table and the manifest."""
    stamp = assessment.stamp
    view = scores_view(assessment)
    yield "summary.md", markdown_format.render(view).encode()
    stamp_values = {"ruleset_version": stamp.ruleset_version, "ruleset_hash": stamp.ruleset_hash,
                    "engine_version": stamp.engine_version}
    records = [{**record, **stamp_values} for record in view.records or []]
    yield "scores.csv", csv_format.render(View([], [], records=records)).encode()
    yield MANIFEST, dump_bytes({"stamp": stamp.to_json(), "files": sorted([*names, "summary.md", "scores.csv", MANIFEST])})


def _own_folder(path: Path, *, create: bool = False) -> Path:
    """A real folder (created if asked); a symlink or a file in its place is refused."""
    if path.is_symlink():
        raise OutputError(f"{location_of(path)} is a symbolic link: refusing to write through it")
    if path.exists() and not path.is_dir():
        raise OutputError(f"{location_of(path)} is not a folder")
    if create:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot create {location_of(path)}: {exc.strerror or exc}") from None
    return path


@contextlib.contextmanager
def locked(lock: Path) -> Iterator[None]:
    """Hold an exclusive lock for one year's output set: a concurrent run waits until it is free."""
    handle = os.open(lock, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0), 0o644)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)


def repair(parent: Path, name: str, staged: str = "new") -> None:
    """Undo what a crashed swap of ``parent/name`` left (see ``swap_folder``): restore the folder
    moved aside, drop unfinished staging folders (``.{name}.{staged}-*``)."""
    folder = parent / name
    aside = sorted(parent.glob(f".{name}.old-*"))
    if not folder.exists() and aside:
        os.rename(aside[-1], folder)
        aside = aside[:-1]
    for leftover in [*aside, *parent.glob(f".{name}.{staged}-*")]:
        remove_tree(leftover)


def _write_set(staging: Path, assessment: Assessment) -> list[str]:
    """Write every output file into the staging folder, each trace as it is made (a run never holds
    every country's trace as text at once: hundreds of MB at 5,000 countries), thousands of them
    over the machine's cores; returns the files' names."""
    if assessment.countries:
        (staging / "countries").mkdir()
    traces = mapped(partial(_write_country, staging, _short_stamp(assessment)), assessment.countries)
    written = list(traces)
    for name, content in _set_outputs(assessment, traces):
        _write_new(staging / name, content)
        written.append(name)
    return written


def _write_country(staging: Path, stamp: dict[str, Any], country: CountryResult) -> str:
    name = _country_file(country)
    _write_new(staging / name, _country_trace(stamp, country))
    return name


def _write_new(path: Path, content: bytes) -> None:
    with open(path, "xb") as stream:
        stream.write(content)


def _carry_over(folder: Path, staging: Path, files: list[str]) -> None:
    """Move what a person added to the folder (anything this run does not write) into the new set."""
    if not folder.is_dir() or folder.is_symlink():
        return
    ours = {name.split("/", 1)[0] for name in files}
    for entry in sorted(folder.iterdir()):
        if entry.name not in ours:
            os.rename(entry, staging / entry.name)


@contextlib.contextmanager
def replacing(folder: Path, staged: str, mode: int) -> Iterator[Path]:
    """A staging folder (``.{name}.{staged}-*`` beside ``folder``, with ``mode``) to fill; when the
    block ends, it is synced to disk and swapped in as ``folder`` in one step, and the old content
    removed. On any error the staging folder goes and ``folder`` is as it was."""
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.{staged}-"))
    try:
        os.chmod(staging, mode)
        yield staging
        os.sync()  # once per set: every file is on disk before the folder becomes visible
        swap_folder(staging, folder)
    finally:
        remove_tree(staging)


def swap_folder(staging: Path, folder: Path) -> None:
    """Make the staging folder ``folder`` in one step (an output set, the profiles of an import); the
    old content ends up in ``staging``. A crash between the fallback's renames is repaired by the
    next run's ``repair``."""
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise OutputError(f"{location_of(folder)} is not a real folder: refusing to replace it")
    if not folder.exists():
        os.rename(staging, folder)
        staging.mkdir()  # so the caller's cleanup has something to remove
        return
    if exchange_folders(staging, folder):
        return
    aside = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.old-"))
    os.rmdir(aside)
    os.rename(folder, aside)  # a crash from here to the next rename is repaired by repair
    os.rename(staging, folder)
    os.rename(aside, staging)


def exchange_folders(first: Path, second: Path) -> bool:
    """Swap two folders atomically (Linux renameat2 RENAME_EXCHANGE); False where not available."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    at_cwd, exchange = -100, 2
    if renameat2(at_cwd, os.fsencode(first), at_cwd, os.fsencode(second), exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def remove_tree(path: Path) -> None:
    """Remove one of our own staging folders (never following a link out of it)."""
    if path.is_symlink():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


# --- Reading an output set back ------------------------------------------------------------------


class _Lenient(BaseModel):
    """Outputs may carry more than diff reads (newer engines add fields); what it reads is checked."""

    model_config = ConfigDict(extra="allow")


class _StampOut(_Lenient):
    ruleset_id: str
    ruleset_version: str
    ruleset_hash: str
    component_hashes: dict[str, str] = {}
    year: int
    engine_version: str


class _ManifestOut(_Lenient):
    stamp: _StampOut
    files: list[str]


class _ReadOut(_Lenient):
    fact: str
    value: Any = None
    as_of: str | None = None
    source: str | None = None


Score = float | None


class _NodeOut(_Lenient):
    kind: Literal["overall", "goal", "criterion", "rule"]
    id: str
    title: str
    score: Score = Field(allow_inf_nan=False, ge=0, le=100)  # capacity, 0-100 whatever the published scale
    coverage: float = Field(allow_inf_nan=False, ge=0, le=1)
    status: str
    tier: str | None = None
    facts: list[_ReadOut] = []
    goals: list[_NodeOut] = []
    criteria: list[_NodeOut] = []
    rules: list[_NodeOut] = []

    @model_validator(mode="after")
    def _bounds_in_range(self) -> _NodeOut:
        """``low`` and ``high`` (read by diff through the trace) are scores too: 0-100, low <= high."""
        extra = self.model_extra or {}
        bounds = [extra.get(key) for key in ("low", "high")]
        for key, value in zip(("low", "high"), bounds, strict=True):
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                      or not math.isfinite(value) or not 0 <= value <= 100):
                raise ValueError(f"'{key}' must be a score from 0 to 100")
        if None not in bounds and bounds[0] > bounds[1]:  # type: ignore[operator]
            raise ValueError("'low' is above 'high'")
        return self


class _CountryOut(_Lenient):
    country: str
    name: str
    year: int
    result: _NodeOut


def read_scored(path: Path) -> Scored:
    """Scored outputs: an ``outputs/<ruleset>/<year>/`` folder, its manifest.json, or a folder above
    it holding exactly one rule set and year (``outputs`` after one run); checked as they are read."""
    folder = output_folder(path)
    manifest = _read_model(_within(folder, folder / MANIFEST, path), _ManifestOut)
    countries = {}
    for name in manifest.files:
        if COUNTRY_FILE.match(name):
            data = _read_model(_within(folder, folder / name, path), _CountryOut)
            countries[data.country] = data.model_dump(mode="json")
    return from_traces(str(folder), manifest.stamp.model_dump(mode="json"), countries)


def _within(folder: Path, path: Path, given: Path) -> Path:
    """``path``, unless a link takes it (or ``folder``) out of the folder the user gave: refused, located."""
    base = os.path.realpath(given.parent if given.name == MANIFEST else given)
    real = os.path.realpath(path)
    if os.path.commonpath([base, real]) != base:
        raise InputErrors([SourceError(location_of(path), 1, 1, f"a link out of '{location_of(given)}' (to "
                                       f"{real}): a diff reads only what is inside the folders it is given")])
    return path


def output_folder(path: Path) -> Path:
    """The one folder of scored outputs at or under ``path`` (two levels down at most); a usage
    error saying what was found when there is none, or several."""
    folder = path.parent if path.name == MANIFEST else path
    if not folder.is_dir():
        raise UsageError(f"'{folder}' is not a folder of scored outputs: give outputs/<ruleset>/<year> "
                         "(written by assess run), or a year to score the workspace as of")
    found = sorted({m.parent for depth in ("", "*/", "*/*/") for m in folder.glob(f"{depth}{MANIFEST}")
                    if m.is_file() and not m.parent.name.startswith(".")})
    if len(found) == 1:
        return found[0]
    if not found:
        raise UsageError(f"no scored outputs ({MANIFEST}) in or under '{folder}': give outputs/<ruleset>/<year> "
                         "(written by assess run), or a year to score the workspace as of")
    shown = ", ".join(str(f.relative_to(folder)) for f in found[:8]) + (" ..." if len(found) > 8 else "")
    raise UsageError(f"'{folder}' holds {len(found)} sets of scored outputs ({shown}): give one of them")


def _read_model(path: Path, model: type[_Lenient]) -> Any:
    raw = read_bounded(path, MAX_OUTPUT_BYTES)
    where = location_of(path)
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InputErrors([SourceError(where, exc.lineno, exc.colno, f"invalid JSON in a scored output: {exc.msg}")]) from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        dotted = ".".join(str(part) for part in first["loc"])
        raise InputErrors([SourceError(where, 1, 1, f"damaged scored output: {first['msg']}", field=dotted)]) from None


def check_destination(path: Path) -> None:
    """Raise OutputError unless ``path`` names a file that ``write_file`` may write: a regular file
    or none, in a folder that exists."""
    if not str(path) or path.name in ("", ".", ".."):
        raise OutputError(f"'{path}' is not a file name")
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise OutputError(f"{location_of(path)} is not a regular file: refusing to replace it")
    if not path.parent.is_dir():
        why = "is not a folder" if path.parent.exists() else "does not exist (create it first)"
        raise OutputError(f"cannot write {location_of(path)}: {location_of(path.parent)} {why}")


def write_file(path: Path, text: str) -> None:
    """Replace one regular file with ``text`` in one rename; never a device, FIFO, folder or link,
    and never in a folder that does not exist (a typo in ``-o`` must not create a tree of folders)."""
    check_destination(path)
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"cannot write {location_of(path)}: {exc.strerror or exc}") from None
    try:
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes 0600; the file should read like any other
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise OutputError(f"cannot write {location_of(path)}: {exc.strerror or exc}") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
