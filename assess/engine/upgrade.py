"""Format versions: what changed in a rule set's files since the first release, and how a rule set
written for an older format is read.

``ruleset.yaml`` declares the format its files were written for (``format: 2``); a rule set that
declares none is read as format 1, the format of the first release (0.1.0), which had no such key.
``CHANGES`` lists every change since then that an older file trips on. Where the older file can
still be read as its author meant it, it is, with one warning per change and file; where it cannot
(no default is safe), the file is refused with one error per change and file that says exactly what
to add or remove, instead of one "missing required key" per entry. The loader's messages and the
"Format versions" section of the generated reference (``docs/reference/formats.md``) both come from
this table, so they cannot disagree.

The format number goes up with the first release that changes a rule-set file's format; changes
made between two releases share the number, since no rule set was released in between.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import SourceError

if TYPE_CHECKING:  # the models import this module for its version numbers, and need no parser
    from .reader import DataPath, Document

FIRST_FORMAT = 1  # 0.1.0's, which declared no format
CURRENT_FORMAT = 2
LISTED = 3  # entries named in a message before "and N more"


@dataclass(frozen=True)
class FormatChange:
    """One change of one file's format: from ``version`` on, files are written the new way."""

    version: int  # the first format with the change
    file: str  # the rule-set file it concerns (a pattern within the rule-set folder)
    what: str  # what changed, completing "since format N, ..."
    how: str  # what the author of an older file adds, removes or changes
    at: str = ""  # where the keys are: the top level (""), or every entry of a mapping ("interventions.*")
    added: tuple[str, ...] = ()  # keys required from ``version`` on (dotted below ``at``)
    removed: tuple[str, ...] = ()  # keys no longer read from ``version`` on
    # False: an older file is read as written, with a warning (its meaning is whole); True: refused
    refused: bool = True


CHANGES = (
    FormatChange(
        2, "interventions.yaml", at="interventions.*", added=("kind", "lead"),
        what="every intervention declares its `kind` and its `lead` agency (packages are offered, costed and "
             "funded by them)",
        how="add `kind` (assistance or diplomacy: offered to a partner; us_internal: a US measure, never offered) "
            "and `lead` (the agency that leads it: INL, DEA, DHS/CBP, Treasury, State, UNODC, INCB, WCO ...) to "
            "each; no default is safe, since a US-internal measure would be offered to partners"),
    FormatChange(
        2, "network.yaml", added=("confidence", "harm", "portfolio"),
        removed=("flow_algorithm", "interdiction.unknown_capacity", "priority.unknown_need"),
        what="`network.yaml` describes the harm-weighted flow model, not the maximum-flow model",
        how="add `confidence` (how much a link counts by its evidence: a share for low, medium and high), `harm` "
            "(every commodity's harm weight at the destination, with its basis and rationale) and `portfolio` "
            "(`capacity_weight` and its `rationale`), and remove `flow_algorithm`, `interdiction.unknown_capacity` "
            "and `priority.unknown_need` (unknown capacity and need are estimated from the facts' priors now)"),
    FormatChange(
        2, "goals/*.yaml", refused=False,
        what="a rule whose levels or goalposts score less for more capacity is refused unless it declares "
             "`non_monotone`",
        how="reverse the scoring, or declare non_monotone with the reason if that is meant"),
)
SCORING_DIRECTION = CHANGES[2]  # checked where scorings are checked (``validate``), not by keys


def declared_format(doc: Document | None, errors: list[SourceError], warnings: list[SourceError]) -> int | None:
    """The format ``ruleset.yaml`` declares: the first format, with a warning, when it declares none;
    None, with an error, for a format newer than this engine reads (nothing else of the rule set is
    then read: its new keys would only be reported as unknown). A value that is not a format at all
    is left to the model, and the files are read as the current format meanwhile."""
    if doc is None or not isinstance(doc.data, dict):
        return CURRENT_FORMAT  # the file's own errors say why; the other files are read strictly meanwhile
    if "format" not in doc.data:
        warnings.append(doc.warning((), f"no format declared: read as format {FIRST_FORMAT}, the first release's; "
                                    f"declare `format: {CURRENT_FORMAT}` once it is written for this engine"))
        return FIRST_FORMAT
    raw = doc.data["format"]
    if not (isinstance(raw, str) and re.fullmatch(r"[0-9]{1,9}", raw)) or int(raw) < FIRST_FORMAT:
        return CURRENT_FORMAT  # not a format at all: the model says so
    if int(raw) > CURRENT_FORMAT:
        errors.append(doc.error(("format",), f"format {raw} is newer than this engine reads (formats "
                                f"{FIRST_FORMAT} to {CURRENT_FORMAT}): install a newer assess, or write the rule set "
                                f"for format {CURRENT_FORMAT}"))
        return None
    return int(raw)


def tripped(doc: Document, name: str, version: int, errors: list[SourceError]) -> frozenset[tuple[DataPath, str]]:
    """One error for each refused change since ``version`` that ``doc`` (the rule-set file ``name``)
    trips on; returns the model's (location, error type) pairs those errors stand for, so that its
    "missing required key" and "unknown key" for them are not reported again."""
    excused: set[tuple[DataPath, str]] = set()
    for change in CHANGES:
        if change.version <= version or not change.refused or not fnmatch.fnmatch(name, change.file):
            continue
        found = [(path, _absent(node, change.added), _present(node, change.removed))
                 for path, node in _entries(doc.data, change.at)]
        found = [(path, absent, present) for path, absent, present in found if absent or present]
        if not found:
            continue
        errors.append(_refusal(doc, change, version, found))
        for path, absent, present in found:
            excused |= {((*path, *key.split(".")), "missing") for key in absent}
            excused |= {((*path, *key.split(".")), "extra_forbidden") for key in present}
    return frozenset(excused)


def _refusal(doc: Document, change: FormatChange, version: int,
             found: list[tuple[DataPath, list[str], list[str]]]) -> SourceError:
    path, absent, present = found[0]
    # placed at the first entry that trips on it, or at the first key to remove from the top level
    line, col = doc.position((*path, *present[0].split(".")) if present and not change.at else path, key=True)
    if change.at:
        names = [f"{entry[-1]} (line {doc.position(entry, key=True)[0]})" for entry, _, _ in found[:LISTED]]
        more = f" and {len(found) - LISTED} more" if len(found) > LISTED else ""
        detail = f"{len(found)} {'lacks' if len(found) == 1 else 'lack'} them: {', '.join(names)}{more}"
    else:
        detail = "; ".join(([f"it lacks {_words(absent)}"] if absent else [])
                           + ([f"it still has {_words(present)}"] if present else []))
    return SourceError(doc.file, line, col, f"read as format {version}, but since format {change.version} "
                       f"{change.what}; {detail}: {change.how}; then declare `format: {CURRENT_FORMAT}` in ruleset.yaml")


def older_scorings(doc: Document, version: int, rules: list[tuple[DataPath, str]]) -> SourceError:
    """The one warning for a goal file of an older format whose ``rules`` (where each is, and what in
    it runs against its fact's direction) are scored as written."""
    change = SCORING_DIRECTION
    listed = "; ".join(problem for _, problem in rules)
    return doc.warning(rules[0][0], f"read as format {version}, so scored as written, but since format "
                       f"{change.version} {change.what} ({listed}): {change.how}")


def _entries(data: Any, at: str) -> list[tuple[DataPath, Any]]:
    """The mappings a change's keys belong to: the document, or every entry of one of its mappings."""
    if not at:
        return [((), data)] if isinstance(data, dict) else []
    parent = at.removesuffix(".*")
    entries = data.get(parent) if isinstance(data, dict) else None
    return [((parent, key), entry) for key, entry in entries.items() if isinstance(entry, dict)] \
        if isinstance(entries, dict) else []


def _absent(node: Any, keys: tuple[str, ...]) -> list[str]:
    return [key for key in keys if not _has(node, key)]


def _present(node: Any, keys: tuple[str, ...]) -> list[str]:
    return [key for key in keys if _has(node, key)]


def _has(node: Any, dotted: str) -> bool:
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def _words(keys: list[str]) -> str:
    quoted = [f"`{key}`" for key in keys]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} and {quoted[-1]}"
