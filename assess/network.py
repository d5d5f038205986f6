"""The network's data: loading and validating trafficking and partnership links.

``country_profiles/network/trafficking.yaml`` and ``partnerships.yaml`` are validated like
profiles (path:line:col errors, did-you-mean), against the vocabulary in the rule set's
``network.yaml``. Graph algorithms live in ``prioritize``; this module never imports networkx.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pycountry

from .errors import SourceError, did_you_mean
from .load import Document
from .models import NetworkConfig, Partnership, PartnershipFile, TraffickingFile, TraffickingLink

NETWORK_DIR = "network"


@dataclass(frozen=True)
class Network:
    regions: dict[str, str]  # region id -> name
    links: tuple[TraffickingLink, ...]
    partnerships: tuple[Partnership, ...]

    def active_links(self, year: int, commodity: str | None = None) -> list[TraffickingLink]:
        """Links documented as active at some point in ``year``."""
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        return [link for link in self.links
                if link.since <= end and (link.until is None or link.until >= start)
                and (commodity is None or link.commodity == commodity)]


def check_config(doc: Document, config: NetworkConfig, goal_ids: set[str], checker, errors: list[SourceError]) -> None:
    """Cross-references inside ``network.yaml``: volumes, goals, membership facts."""
    if config.unknown_volume not in config.volumes:
        errors.append(doc.error(("unknown_volume",), f"'{config.unknown_volume}' is not a declared volume",
                                allowed=tuple(config.volumes), suggestion=did_you_mean(config.unknown_volume, config.volumes)))
    for goal in config.interdiction.goals:
        if goal not in goal_ids:
            errors.append(doc.error(("interdiction", "goals", goal), f"unknown goal '{goal}'", key=True,
                                    allowed=tuple(sorted(goal_ids)), suggestion=did_you_mean(goal, goal_ids)))
    for kind, test in config.memberships.items():
        checker.check_condition(doc, ("memberships", kind), test)
        if kind not in config.priority.partnership_weights:
            errors.append(doc.error(("memberships", kind), f"membership '{kind}' has no weight in priority.partnership_weights",
                                    key=True))


def check_trafficking(doc: Document, data: TraffickingFile, config: NetworkConfig, profiled: set[str],
                      errors: list[SourceError]) -> None:
    nodes = set(data.regions)
    for i, link in enumerate(data.links):
        where = ("links", i)
        for key, node in (("from", link.from_), ("to", link.to)):
            if node not in nodes and not _is_country(node):
                # the workspace's own regions and countries are the likeliest intended names
                suggestion = did_you_mean(node, nodes | profiled) or did_you_mean(node, _country_codes())
                errors.append(doc.error((*where, key), f"'{node}' is neither an ISO 3166-1 alpha-3 code nor a declared region",
                                        suggestion=suggestion))
        if link.from_ == link.to:
            errors.append(doc.error((*where, "to"), "a link cannot lead from a node to itself"))
        _in_vocabulary(doc, (*where, "commodity"), link.commodity, config.commodities, "commodity", errors)
        for j, modality in enumerate(link.modalities):
            _in_vocabulary(doc, (*where, "modalities", j), modality, config.modalities, "modality", errors)
        if link.volume != "unknown":
            _in_vocabulary(doc, (*where, "volume"), link.volume, [*config.volumes, "unknown"], "volume", errors)
        if link.until is not None and link.until < link.since:
            errors.append(doc.error((*where, "until"), f"until ({link.until}) is before since ({link.since})"))


def check_partnerships(doc: Document, data: PartnershipFile, config: NetworkConfig, errors: list[SourceError]) -> None:
    kinds = [kind for kind in config.priority.partnership_weights if kind not in config.memberships]
    for i, partnership in enumerate(data.partnerships):
        where = ("partnerships", i)
        _in_vocabulary(doc, (*where, "kind"), partnership.kind, kinds, "partnership kind", errors)
        for j, code in enumerate(partnership.between):
            if not _is_country(code):
                errors.append(doc.error((*where, "between", j), f"'{code}' is not an ISO 3166-1 alpha-3 country code",
                                        suggestion=did_you_mean(code, _country_codes())))
        if partnership.between[0] == partnership.between[1]:
            errors.append(doc.error((*where, "between"), "a partnership needs two different countries"))
        if partnership.until is not None and partnership.until < partnership.since:
            errors.append(doc.error((*where, "until"), f"until ({partnership.until}) is before since ({partnership.since})"))


def _in_vocabulary(doc: Document, where: tuple, value: str, allowed: list[str], what: str, errors: list[SourceError]) -> None:
    if value not in allowed:
        errors.append(doc.error(where, f"unknown {what} '{value}'", allowed=tuple(allowed),
                                suggestion=did_you_mean(value, allowed)))


def _is_country(code: str) -> bool:
    return len(code) == 3 and code.isupper() and pycountry.countries.get(alpha_3=code) is not None


def _country_codes() -> set[str]:
    return {country.alpha_3 for country in pycountry.countries}


def network_files(profiles_dir: Path) -> tuple[Path, Path]:
    folder = profiles_dir / NETWORK_DIR
    return folder / "trafficking.yaml", folder / "partnerships.yaml"
