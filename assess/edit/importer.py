"""``assess import``, the writing half: a plan's new entries inserted into the profiles.

Profiles are edited in place, not rewritten: each new entry is rendered by ruamel.yaml (which
does the quoting) and inserted at its line, found from the positions the strict reader keeps,
so comments, order and formatting of everything else stay byte for byte. The result is
validated as a whole workspace before any file is written.
"""

from __future__ import annotations

import io
import re
import shutil
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from ..analysis.importing import ImportPlan, Observation
from ..engine.reader import Document, parse_yaml
from ..engine.values import UNKNOWN
from ..engine.workspace import Workspace, load_workspace
from ..errors import InputErrors, SourceError, location_of
from ..render.outputs import write_file


def apply_import(workspace: Workspace, plan: ImportPlan) -> ImportPlan:
    """Insert the plan's new entries into the profiles; the whole workspace is validated first."""
    adds = defaultdict(list)
    for change in plan.changes:
        if change.kind == "add":
            adds[change.observation.country].append(change.observation)
    texts = {code: _insert(workspace.profiles_dir / f"{code}.yaml", observations) for code, observations in adds.items()}
    _validate(workspace, texts)
    for code, text in sorted(texts.items()):
        write_file(workspace.profiles_dir / f"{code}.yaml", text)
    plan.written, plan.dry_run = sorted(f"{code}.yaml" for code in texts), False
    return plan


# --- Writing: new entries inserted at their lines ---------------------------------------------------


def _insert(path: Path, observations: list[Observation]) -> str:
    """The profile's text with each observation inserted in date order; everything else untouched."""
    text = path.read_text("utf-8")
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


def _validate(workspace: Workspace, texts: dict[str, str]) -> None:
    """Load the workspace as it would be after the import; nothing is written if it does not load."""
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "profiles"
        shutil.copytree(workspace.profiles_dir, copy, symlinks=True)
        for code, text in texts.items():
            (copy / f"{code}.yaml").write_text(text, "utf-8")
        try:
            load_workspace(workspace.ruleset.directory, copy)
        except InputErrors as exc:
            real = location_of(workspace.profiles_dir)
            raise InputErrors([SourceError(error.path.replace(location_of(copy), real), error.line, error.col,
                                           f"after the import: {error.message}", field=error.field)
                               for error in exc.errors]) from None


