"""Writing scored outputs: atomic, deterministic, and laid out for ``git diff``.

``outputs/<ruleset>/<year>/`` holds ``manifest.json`` (the stamp and the files written),
``countries/<ISO3>.json`` (one canonical JSON trace per country), ``scores.csv`` and
``summary.md``; ``read_scored`` reads such a folder back for ``diff``. Each file is written to a
temporary name and renamed into place, so a crash leaves the previous output whole. Files a
previous run listed in its manifest and this run does not produce are removed; no other file is
ever touched.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from ..analysis.diff import Scored
from ..engine.canonical import dumps
from ..engine.results import Assessment, JSONObject
from ..errors import InputErrors, SourceError, location_of
from .formats import View, csv_format, markdown_format
from .views import scores_view

MANIFEST = "manifest.json"


def write_outputs(assessment: Assessment, out: Path) -> Path:
    """Write one assessment; returns its folder."""
    folder = out / assessment.stamp.ruleset_id / str(assessment.stamp.year)
    files = render_outputs(assessment)
    previous = _previous_files(folder)
    for name, text in files.items():
        write_atomic(folder / name, text)
    for stale in sorted(previous - set(files)):
        (folder / stale).unlink(missing_ok=True)
    return folder


def render_outputs(assessment: Assessment) -> dict[str, str]:
    """Every output file's name and text (nothing written)."""
    stamp = assessment.stamp
    short_stamp = {"ruleset_id": stamp.ruleset_id, "ruleset_version": stamp.ruleset_version,
                   "ruleset_hash": stamp.ruleset_hash, "year": stamp.year, "engine_version": stamp.engine_version}
    files = {f"countries/{c.country}.json": dumps({"stamp": short_stamp, **c.to_json()}) for c in assessment.countries}
    view = scores_view(assessment)
    files["summary.md"] = markdown_format.render(view)
    stamp_values = {"ruleset_version": stamp.ruleset_version, "ruleset_hash": stamp.ruleset_hash,
                    "engine_version": stamp.engine_version}
    records = [{**record, **stamp_values} for record in view.records or []]
    files["scores.csv"] = csv_format.render(View([], [], records=records))
    manifest = {"stamp": stamp.to_json(), "files": sorted([*files, MANIFEST])}
    files[MANIFEST] = dumps(manifest)
    return files


def read_scored(path: Path) -> Scored:
    """An ``outputs/<ruleset>/<year>/`` folder (or its manifest.json)."""
    folder = path.parent if path.name == MANIFEST else path
    manifest = _read_json(folder / MANIFEST)
    countries = {}
    for name in manifest.get("files", []):
        if name.startswith("countries/") and name.endswith(".json"):
            data = _read_json(folder / name)
            countries[data["country"]] = data
    return Scored(str(folder), manifest["stamp"], countries)


def _read_json(path: Path) -> JSONObject:
    try:
        data: JSONObject = json.loads(path.read_text("utf-8"))
        return data
    except OSError as exc:
        raise InputErrors([SourceError(location_of(path), 1, 1, f"cannot read scored output: {exc.strerror}")]) from None
    except json.JSONDecodeError as exc:
        raise InputErrors([SourceError(location_of(path), exc.lineno, exc.colno, f"invalid JSON: {exc.msg}")]) from None



def _previous_files(folder: Path) -> set[str]:
    try:
        listed = json.loads((folder / MANIFEST).read_text("utf-8")).get("files", [])
    except (OSError, ValueError, AttributeError):
        return set()
    return {name for name in listed if isinstance(name, str) and ".." not in Path(name).parts}


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes 0600; the file should read like any other
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
