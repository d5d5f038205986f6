"""``assess import``, the writing half: a plan's new entries inserted into the profiles.

Profiles are edited in place, not rewritten: each new entry is rendered by ruamel.yaml (which
does the quoting) and inserted at its line, found from the positions the strict reader keeps,
so comments, order and formatting of everything else stay byte for byte.

An import is one transaction over the profiles folder:

- one lock per profiles folder (``flock`` on ``.<folder>.lock`` beside it): a concurrent import
  waits its turn, then plans again against what the first one wrote, so no entry is lost;
- the whole folder is staged beside itself (unchanged files hard-linked, changed ones written),
  the staged folder is loaded and validated as a workspace, and only then swapped in with one
  atomic exchange of the two folders (``renameat2``; two renames where the system has none,
  which the next import repairs): a bad row, a full disk or a kill changes nothing;
- nothing is followed: a changed profile that is a symbolic link is refused, the lock is opened
  without following links, and links elsewhere in the folder are carried over as links;
- ``--dry-run`` stages and validates the same way (in a scratch folder) and only skips the swap,
  so it refuses exactly what the import refuses.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import stat
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from ..analysis.importing import ImportPlan, Observation, replan
from ..engine.reader import MAX_FILE_BYTES, Document, parse_yaml, read_bounded
from ..engine.values import UNKNOWN
from ..engine.workspace import Workspace, load_workspace, reload_profiles
from ..errors import InputErrors, OutputError, SourceError, location_of
from ..render.outputs import locked, repair, replacing


def apply_import(workspace: Workspace, plan: ImportPlan, *, dry_run: bool = False) -> ImportPlan:
    """Insert the plan's new entries into the profiles as one transaction (see the module's notes);
    with ``dry_run``, everything but the swap."""
    profiles = Path(os.path.abspath(workspace.profiles_dir))
    if profiles.is_symlink():
        raise OutputError(f"{location_of(profiles)} is a symbolic link: refusing to import through it")
    if dry_run:
        with tempfile.TemporaryDirectory() as scratch:
            _stage(workspace, plan, profiles, Path(scratch) / profiles.name)
        plan.dry_run = True
        return plan
    parent, name = profiles.parent, profiles.name
    try:
        with locked(parent / f".{name}.lock"):
            repair(parent, name, staged="import")
            if plan.count("add"):  # another import may have written since this one planned
                workspace = reload_profiles(workspace, sorted({c.observation.country for c in plan.changes}))
                plan = replan(plan, workspace)
            written: list[str] = []
            if plan.count("add"):
                with replacing(profiles, "import", stat.S_IMODE(os.stat(profiles).st_mode)) as staging:
                    written = _stage(workspace, plan, profiles, staging)
    except OSError as exc:
        raise OutputError(f"cannot import into {location_of(profiles)}: {exc.strerror or exc}; no profile was "
                          "changed") from None
    plan.written, plan.dry_run = written, False
    return plan


# --- The transaction: stage, validate, swap -----------------------------------------------------------


def _stage(workspace: Workspace, plan: ImportPlan, profiles: Path, staging: Path) -> list[str]:
    """The profiles folder as it would be after the import, built in ``staging`` and validated as a
    whole workspace; returns the names of the profiles changed."""
    adds = defaultdict(list)
    for change in plan.changes:
        if change.kind == "add":
            adds[change.observation.country].append(change.observation)
    texts = {f"{code}.yaml": _insert(profiles / f"{code}.yaml", observations) for code, observations in adds.items()}
    _copy_tree(profiles, staging, set(texts))
    for file_name, text in sorted(texts.items()):
        with open(staging / file_name, "x", encoding="utf-8", newline="") as stream:
            stream.write(text)
    _validate(workspace, profiles, staging)
    return sorted(texts)


def _copy_tree(source: Path, target: Path, skip: set[str]) -> None:
    """``source`` rebuilt in ``target`` without following anything: files hard-linked (copied across
    file systems), links carried over as links, folders recreated; ``skip`` (top level) left out."""
    target.mkdir(exist_ok=True)
    for entry in sorted(os.scandir(source), key=lambda item: item.name):
        here, there = Path(entry.path), target / entry.name
        if entry.name in skip:
            continue
        if entry.is_symlink():
            os.symlink(os.readlink(here), there)
        elif entry.is_dir(follow_symlinks=False):
            _copy_tree(here, there, set())
            shutil.copystat(here, there, follow_symlinks=False)
        elif entry.is_file(follow_symlinks=False):
            try:
                os.link(here, there, follow_symlinks=False)
            except OSError:
                shutil.copy2(here, there, follow_symlinks=False)
        else:
            raise OutputError(f"{location_of(here)} is not a regular file, folder or link: refusing to import "
                              "into a folder that holds it")


def _validate(workspace: Workspace, profiles: Path, staging: Path) -> None:
    """Load the workspace as it would be after the import; nothing is swapped in if it does not load."""
    try:
        load_workspace(workspace.ruleset.directory, staging)
    except InputErrors as exc:
        staged, real = location_of(staging), location_of(profiles)
        raise InputErrors([SourceError(error.path.replace(staged, real, 1), error.line, error.col,
                                       f"after the import: {error.message}", field=error.field)
                           for error in exc.errors]) from None


# --- Writing: new entries inserted at their lines ---------------------------------------------------


def _insert(path: Path, observations: list[Observation]) -> str:
    """The profile's text with each observation inserted in date order; everything else untouched."""
    if path.is_symlink():
        raise InputErrors([SourceError(location_of(path), 1, 1, "the profile is a symbolic link: an import never "
                                       "writes through a link (replace it with the file it points to)")])
    text = read_bounded(path, MAX_FILE_BYTES).decode("utf-8")
    for o in sorted(observations, key=lambda item: (item.fact, item.as_of)):
        text = _insert_one(text, _parse(text, path), o)  # positions are read again after every insertion
    return text


def _parse(text: str, path: Path) -> Document:
    return parse_yaml(text.encode("utf-8"), location_of(path))


def _insert_one(text: str, doc: Document, o: Observation) -> str:
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    facts = doc.data.get("facts") if isinstance(doc.data, dict) else None
    entries = facts.get(o.fact) if isinstance(facts, dict) else None
    if isinstance(entries, list) and entries:
        later = [i for i, entry in enumerate(entries) if str(entry.get("as_of")) > o.as_of.isoformat()]
        first = later[0] if later else None
        anchor = doc.position(("facts", o.fact, first if first is not None else len(entries) - 1))
        block = _render([_entry(o)], anchor[1] - 3)  # entries are "- {...}" or "- value: ...": the dash is 2 before
        at = anchor[0] - 1 if first is not None else _end_of(lines, doc, ("facts", o.fact), after=anchor[0])
        return "".join([*lines[:at], block, *lines[at:]])
    key_indent = _fact_indent(doc, lines)
    block = " " * key_indent + f"{o.fact}:\n" + _render([_entry(o)], key_indent + 2)
    if facts is None or (isinstance(facts, dict) and not facts):
        return _with_empty_facts_opened(lines) + block
    return "".join(lines) + block


def _end_of(lines: list[str], doc: Document, path: tuple[str, str], after: int) -> int:
    """The line index just after the last content line of the node at ``path``: before the next key
    at its own indentation or less (comments and blank lines before that key belong to it)."""
    column = doc.position(path, key=True)[1]
    following = [line for line, col in doc.key_positions.values() if line > after and col <= column]
    stop = min(following) - 1 if following else len(lines)
    while stop > after and (not lines[stop - 1].strip() or lines[stop - 1].lstrip().startswith("#")):
        stop -= 1
    return stop


def _fact_indent(doc: Document, lines: list[str]) -> int:
    columns = [col for (*parent, _key), (_line, col) in doc.key_positions.items() if tuple(parent) == ("facts",)]
    return min(columns) - 1 if columns else 2


def _with_empty_facts_opened(lines: list[str]) -> str:
    """``facts: {}`` (or no facts at all) made ready for a first fact."""
    out = [re.sub(r"^facts:\s*\{\s*\}\s*$", "facts:", line.rstrip("\n")) + "\n" for line in lines]
    if not any(line.startswith("facts:") for line in out):
        out.append("facts:\n")
    return "".join(out)


def _entry(o: Observation) -> dict[str, Any]:
    entry: dict[str, Any] = {"value": _yaml_value(o.value), "as_of": o.as_of}
    if o.source:
        entry["source"] = o.source
    if o.note:
        entry["note"] = o.note
    return entry


def _yaml_value(value: Any) -> Any:
    from ruamel.yaml.comments import CommentedSeq

    if value is UNKNOWN:
        return "unknown"
    if isinstance(value, frozenset):
        items = CommentedSeq(sorted(value))
        items.fa.set_flow_style()  # [x, y], as people write sets
        return items
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _render(entries: list[dict[str, Any]], indent: int) -> str:
    """YAML for a list of entries, indented to sit under a fact (quoting is ruamel.yaml's)."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.width = 4096  # never fold a long source over lines
    yaml.indent(mapping=2, sequence=2, offset=0)
    yaml.default_flow_style = False
    out = io.StringIO()
    yaml.dump(entries, out)
    return "".join(" " * indent + line if line.strip() else line for line in out.getvalue().splitlines(keepends=True))
