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
  so it refuses exactly what the import refuses;
- with ``--create``, the profile of a country the table names and the folder lacks is written by
  ``assess new``'s code into the staged folder, its values inserted, and validated and swapped in
  with the rest: a refused import leaves no profile half created.

At scale (a table of tens of thousands of rows), each profile is parsed once and every new entry
placed against that parse, and each distinct value, date and text is rendered once.
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
from .scaffold import profile_text


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
            if plan.count("add") or plan.created:  # another import may have written since this one planned
                workspace = reload_profiles(workspace, _existing(profiles, plan))
                plan = replan(plan, workspace)
            written: list[str] = []
            if plan.count("add") or plan.created:
                with replacing(profiles, "import", stat.S_IMODE(os.stat(profiles).st_mode)) as staging:
                    written = _stage(workspace, plan, profiles, staging)
    except OSError as exc:
        raise OutputError(f"cannot import into {location_of(profiles)}: {exc.strerror or exc}; no profile was "
                          "changed") from None
    plan.written, plan.dry_run = written, False
    return plan


# --- The transaction: stage, validate, swap -----------------------------------------------------------


def _existing(profiles: Path, plan: ImportPlan) -> list[str]:
    """The countries of the plan that have a profile on disk now (another import may have created one)."""
    return sorted(code for code in {c.observation.country for c in plan.changes}
                  if os.path.lexists(profiles / f"{code}.yaml"))


def _stage(workspace: Workspace, plan: ImportPlan, profiles: Path, staging: Path) -> list[str]:
    """The profiles folder as it would be after the import, built in ``staging`` and validated as a
    whole workspace; returns the names of the profiles changed or created."""
    adds: dict[str, list[Observation]] = defaultdict(list)
    for change in plan.changes:
        if change.kind == "add":
            adds[change.observation.country].append(change.observation)
    entries = _Entries()
    texts = {f"{code}.yaml": _insert(_text(workspace, profiles, code, code in plan.created), profiles / f"{code}.yaml",
                                     adds[code], entries)
             for code in sorted({*adds, *plan.created})}
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


def _text(workspace: Workspace, profiles: Path, code: str, create: bool) -> str:
    """The profile as it is, or as ``assess new`` writes it for a country the import creates."""
    if create:
        return profile_text(workspace, code)
    path = profiles / f"{code}.yaml"
    if path.is_symlink():
        raise InputErrors([SourceError(location_of(path), 1, 1, "the profile is a symbolic link: an import never "
                                       "writes through a link (replace it with the file it points to)")])
    return read_bounded(path, MAX_FILE_BYTES).decode("utf-8")


def _insert(text: str, path: Path, observations: list[Observation], entries: _Entries) -> str:
    """The profile's text with the observations inserted, each fact's in date order; everything else
    untouched. The text is parsed once: a new entry goes before the first entry already recorded
    that is dated later, or after the fact's last one; a fact the profile lacks is added at the end."""
    doc = parse_yaml(text.encode("utf-8"), location_of(path))
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    facts = doc.data.get("facts") if isinstance(doc.data, dict) else None
    blocks: list[tuple[int, str]] = []  # (the line index it goes before, the block)
    appended = []
    by_fact: dict[str, list[Observation]] = defaultdict(list)
    for o in sorted(observations, key=lambda item: (item.fact, item.as_of)):
        by_fact[o.fact].append(o)
    for fact, new in by_fact.items():
        recorded = facts.get(fact) if isinstance(facts, dict) else None
        if isinstance(recorded, list) and recorded:
            blocks += _among(lines, doc, fact, recorded, new, entries)
        else:
            key_indent = _fact_indent(doc)
            appended.append(" " * key_indent + f"{fact}:\n" + entries.block(new, key_indent + 2))
    out = _spliced(lines, blocks)
    if appended and (facts is None or (isinstance(facts, dict) and not facts)):
        return _with_empty_facts_opened(out) + "".join(appended)
    return "".join(out + appended)


def _spliced(lines: list[str], blocks: list[tuple[int, str]]) -> list[str]:
    """``lines`` with each block inserted before the line of its index (all indices of the original)."""
    out, start = [], 0
    for at, block in sorted(blocks, key=lambda item: item[0]):  # stable: blocks at one line keep their order
        out += [*lines[start:at], block]
        start = at
    return out + lines[start:]


def _among(lines: list[str], doc: Document, fact: str, recorded: list[Any], new: list[Observation],
           entries: _Entries) -> list[tuple[int, str]]:
    """The blocks of new entries placed among a fact's recorded ones, in date order."""
    dates = [str(entry.get("as_of")) if isinstance(entry, dict) else "" for entry in recorded]
    before: dict[int | None, list[Observation]] = defaultdict(list)  # the recorded entry each goes before
    for o in new:
        later = next((i for i, date in enumerate(dates) if date > o.as_of.isoformat()), None)
        before[later].append(o)
    blocks = []
    for first, group in before.items():
        anchor = doc.position(("facts", fact, first if first is not None else len(recorded) - 1))
        at = anchor[0] - 1 if first is not None else _end_of(lines, doc, ("facts", fact), after=anchor[0])
        blocks.append((at, entries.block(group, anchor[1] - 3)))  # "- {...}" or "- value: ...": the dash is 2 before
    return blocks


def _end_of(lines: list[str], doc: Document, path: tuple[str, str], after: int) -> int:
    """The line index just after the last content line of the node at ``path``: before the next key
    at its own indentation or less (comments and blank lines before that key belong to it)."""
    column = doc.position(path, key=True)[1]
    following = [line for line, col in doc.key_positions.values() if line > after and col <= column]
    stop = min(following) - 1 if following else len(lines)
    while stop > after and (not lines[stop - 1].strip() or lines[stop - 1].lstrip().startswith("#")):
        stop -= 1
    return stop


def _fact_indent(doc: Document) -> int:
    columns = [col for (*parent, _key), (_line, col) in doc.key_positions.items() if tuple(parent) == ("facts",)]
    return min(columns) - 1 if columns else 2


def _with_empty_facts_opened(lines: list[str]) -> str:
    """``facts: {}`` (or no facts at all) made ready for a first fact."""
    out = [re.sub(r"^facts:\s*\{\s*\}\s*$", "facts:", line.rstrip("\n")) + "\n" for line in lines]
    if not any(line.startswith("facts:") for line in out):
        out.append("facts:\n")
    return "".join(out)


class _Entries:
    """New entries as YAML, in the block style profiles use, indented to sit under their fact.

    Quoting is ruamel.yaml's: each distinct ``key: value`` line (a table repeats its values, dates
    and sources on thousands of rows) is rendered by it once and reused; an entry with a value that
    takes more than one line is rendered by it whole, at its indentation."""

    def __init__(self) -> None:
        from ruamel.yaml import YAML

        self.yaml = YAML(typ="rt")
        self.yaml.width = 4096  # never fold a long source over lines
        self.yaml.indent(mapping=2, sequence=2, offset=0)
        self.yaml.default_flow_style = False
        self.lines: dict[tuple[str, type, Any], str | None] = {}

    def block(self, observations: list[Observation], indent: int) -> str:
        return "".join(self._entry(o, indent) for o in observations)

    def _entry(self, o: Observation, indent: int) -> str:
        fields = [("value", o.value), ("as_of", o.as_of), ("source", o.source), ("note", o.note)]
        fields = [(key, value) for key, value in fields if key in ("value", "as_of") or value]
        lines = [self._line(key, value) for key, value in fields]
        if None in lines:
            return self._dump([{key: _yaml_value(value) for key, value in fields}], indent)
        pad = " " * indent
        return "".join(f"{pad}{'  ' if i else '- '}{line}" for i, line in enumerate(lines))

    def _line(self, key: str, value: Any) -> str | None:
        """``key: value`` and its line break as ruamel.yaml writes it, or None if it takes more lines."""
        cached = (key, type(value), value)  # the type too: True == 1 == 1.0, but they are written apart
        if cached not in self.lines:
            text = self._dump({key: _yaml_value(value)}, 0)
            # any line break counts, not only \n: YAML also breaks lines at NEL, LS and PS
            self.lines[cached] = text if len(text.splitlines()) == 1 and text.endswith("\n") else None
        return self.lines[cached]

    def _dump(self, data: Any, indent: int) -> str:
        out = io.StringIO()
        self.yaml.dump(data, out)
        return "".join(" " * indent + line if line.strip() else line for line in out.getvalue().splitlines(keepends=True))


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
