"""``assess init DIR``: a new workspace with the strategy rules, sample profiles and a README;
``assess new CODE``: a new profile with every fact of the catalogue unknown.

Schemas are copied into the workspace and every file's ``yaml-language-server`` line is
pointed at them, so editors validate and complete rule and profile files out of the box.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from ..engine.canonical import dumps
from ..engine.models import AGGREGATE, Profile
from ..engine.reader import parse_yaml
from ..engine.validate import check_profile, is_country, validate_model
from ..engine.workspace import UNKNOWN_SINCE, Workspace, load_ruleset, resolve_rules, shipped
from ..errors import InputErrors, OutputError, SourceError, UsageError, did_you_mean, first_hidden, location_of, visible
from ..render.outputs import _umask, write_file
from ..render.schema import KINDS, schema_of

README = """# An assess workspace

```
rules/synthetic-drugs-2019/   the strategy rule set: ruleset.yaml, facts.yaml, interventions.yaml,
                              network.yaml, goals/*.yaml, seeds/ (the strategy texts rules cite)
country_profiles/             one YAML file per country; network/ holds trafficking and partnership links
scenarios/                    what-ifs: dated fact changes, funded packages, route changes
schemas/                      JSON Schema for every file, for your editor
outputs/                      written by `assess run`; commit it so reviewers can diff runs
```

Run everything from this folder:

```sh
assess check                  # validate rules and profiles (exit 1 on findings, 2 on bad input)
assess run --year 2024        # score every country; writes outputs/
assess explain MEX            # every rule for one country, with the facts behind it
assess prioritize --budget 5  # where assistance buys the most
assess prioritize --budget-usd 25000000   # what to fund with $25M a year, and what it buys
assess scenario fund-mexico-fy2026        # a what-if, year by year against the baseline
assess report -o report.html  # a briefing (report.html) and its annex (report-annex.html)
```

## Editors

Every YAML file starts with a `# yaml-language-server: $schema=...` line pointing into
`schemas/`. VS Code with the Red Hat YAML extension (or any editor using yaml-language-server)
then validates and completes the files as you type. Regenerate the schemas after upgrading
assess with `assess schema --out schemas`.

## Pre-commit

To run `assess check` before every commit, add to `.pre-commit-config.yaml`:

```yaml
repos:
  - repo: local
    hooks:
      - id: assess-check
        name: assess check
        entry: assess check --quiet
        language: system
        pass_filenames: false
        files: ^(rules|country_profiles)/
```

The profiles are a starting point: every known value carries its source and date; where a
fact was not found with certainty it is `unknown`. Add your own sourced facts.
"""


def _content() -> tuple[Path, Path]:
    """The rule sets and profiles shipped with this installation."""
    rules, profiles = shipped("rules"), shipped("country_profiles")
    if rules.is_dir() and profiles.is_dir():
        return rules, profiles
    raise UsageError("this installation has no bundled rules or profiles to copy")


def init_workspace(target: Path) -> list[Path]:
    """Create the workspace, all or nothing: built in a folder beside ``target`` and renamed into
    place; refuses a file, a link or a folder that already has files in it."""
    shown = visible(str(target), newlines=False)
    if target.is_symlink():
        raise OutputError(f"'{shown}' is a symbolic link: refusing to write through it")
    if target.exists() and not target.is_dir():
        raise UsageError(f"'{shown}' exists and is not a folder; choose a new folder")
    try:
        if target.is_dir() and any(target.iterdir()):
            raise UsageError(f"'{shown}' is not empty; choose a new folder")
        rules, profiles = _content()
        parent = Path(os.path.abspath(target)).parent
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=parent, prefix=f".{target.name}.init-"))
        try:
            _fill(staging, rules, profiles)
            os.chmod(staging, 0o777 & ~_umask())
            os.rename(staging, target)  # onto nothing, or onto an empty folder
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    except OSError as exc:
        raise OutputError(f"cannot create '{shown}': {exc.strerror or exc}; nothing was written") from None
    return sorted(p for p in target.rglob("*") if p.is_file())


def _fill(target: Path, rules: Path, profiles: Path) -> None:
    shutil.copytree(rules, target / "rules", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(profiles, target / "country_profiles")
    if (profiles.parent / "scenarios").is_dir():
        shutil.copytree(profiles.parent / "scenarios", target / "scenarios")
    errors: list[SourceError] = []
    ruleset = load_ruleset(resolve_rules(target / "rules"), errors)
    (target / "schemas").mkdir()
    for kind in KINDS:  # the profile schema names this rule set's facts
        write_file(target / "schemas" / f"{kind}.schema.json", dumps(schema_of(kind, ruleset.facts if ruleset else None)))
    for path in sorted(target.rglob("*.yaml")):
        text = path.read_text("utf-8")
        if "assess/schemas/" in text:
            path.write_text(text.replace("assess/schemas/", "schemas/", 1), "utf-8")
    write_file(target / "README.md", README)


PROFILE_SCHEMA = "profile.schema.json"


def profile_schema_for(folder: Path) -> str:
    """The profile schema a file written in ``folder`` points its editor at, relative to it: the
    nearest ``schemas/`` (a workspace made by ``assess init``) or ``assess/schemas/`` (this
    repository) in the folder or above it, else the schema installed with assess."""
    start = Path(os.path.abspath(folder))
    for base in (start, *start.parents):
        for schemas in (base / "schemas", base / "assess" / "schemas"):
            if (schemas / PROFILE_SCHEMA).is_file():
                return Path(os.path.relpath(schemas / PROFILE_SCHEMA, start)).as_posix()
    installed = Path(__file__).resolve().parent.parent / "schemas" / PROFILE_SCHEMA
    return Path(os.path.relpath(installed, start)).as_posix()


def new_profile(workspace: Workspace, code: str, kind: str | None = None, name: str | None = None) -> Path:
    """A profile for ``code`` with every fact of the catalogue unknown, each with a comment saying what
    it means and which values it takes; refuses to replace an existing profile. An entity's id (its
    country's code, a hyphen and a local code) needs its ``kind`` and ``name``."""
    text = profile_text(workspace, code, kind, name)
    path = workspace.profiles_dir / f"{code.upper()}.yaml"
    if path.exists() or path.is_symlink():
        raise UsageError(f"{location_of(path)} exists already: edit it, or import a table into it")
    _must_load(text, path, workspace)
    write_file(path, text)
    return path


def profile_text(workspace: Workspace, code: str, kind: str | None = None, name: str | None = None) -> str:
    """What ``new_profile`` writes for ``code`` (``assess import --create`` writes the same); a usage
    error for an id that is not a country's code, a declared entity's or a declared aggregate's."""
    country = code.upper()
    if not re.fullmatch(r"[A-Z]{3}(-[A-Z0-9]{1,24})?", country):
        shown = visible(code, newlines=False)
        raise UsageError(f"'{shown}' is not a profile id: an ISO 3166-1 alpha-3 code (MEX), an entity's id, "
                         "its country's code, a hyphen and a local code of 1-24 letters and digits (MEX-SON), "
                         "or an aggregate's, three letters that are no country's code (WLD)")
    heading, entity = _declaration(code, country, kind, name)
    lines = [f"# yaml-language-server: $schema={profile_schema_for(workspace.profiles_dir)}",
             f"# {heading}: every fact starts unknown (it holds from 1900 until a",
             "# dated, sourced value follows). Add values below each, or import a table: assess import FILE.",
             f"country: {country}"]
    if entity:
        lines.append(entity)
    lines.append("facts:")
    for fact, spec in workspace.ruleset.facts.items():
        lines += [f"  # {spec.description} {spec.values_hint()}", f"  {fact}:",
                  f"    - {{value: unknown, as_of: {UNKNOWN_SINCE.isoformat()}}}"]
    return "\n".join(lines) + "\n"


def _declaration(code: str, country: str, kind: str | None, name: str | None) -> tuple[str, str | None]:
    """The profile's heading and its entity line (None for a country), or a usage error."""
    if kind == AGGREGATE:
        return _aggregate(code, country, name)
    parent, _, local = country.partition("-")
    known = _country_name(parent, code, "does not start with" if local else "is not")
    if not local:
        if kind or name:
            raise UsageError(f"'{code}' is a country: --kind and --name are for entities (such as {country}-ABC)")
        return known, None
    if not _is_name(name) or not re.fullmatch(r"[a-z][a-z0-9_]{0,63}", kind or ""):
        raise UsageError(f"'{code}' names an entity: give its local code in letters and digits, --kind (a lowercase "
                         "identifier: state, port, scenario) and --name (printable text on one line, 1-200 characters)")
    return f"{name} ({known})", f"entity: {{kind: {kind}, parent: {parent}, name: {json.dumps(name, ensure_ascii=False)}}}"


def _aggregate(code: str, country: str, name: str | None) -> tuple[str, str]:
    """An aggregate of countries (the world, a region, an income group): its id is three letters that
    are no country's code, and it has a name."""
    if "-" in country or is_country(country):
        raise UsageError(f"'{code}' cannot name an aggregate: an aggregate's id is three letters that are no "
                         "country's code (WLD, LCN, HIC, or XAA-XZZ)")
    if not _is_name(name):
        raise UsageError(f"'{code}' names an aggregate: give --name (printable text on one line, 1-200 characters)")
    return f"{name} (an aggregate of countries)", f"entity: {{kind: {AGGREGATE}, name: {json.dumps(name, ensure_ascii=False)}}}"


def _is_name(name: str | None) -> bool:
    """Printable text on one line, 1-200 characters."""
    return bool(name and name.strip() and not first_hidden(name) and len(name) <= 200
                and not any(ch in name for ch in LINE_BREAKS))


LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"  # every character str.splitlines breaks a line at


def _must_load(text: str, path: Path, workspace: Workspace) -> None:
    """What ``new`` writes is read back by the same reader and models as every profile first: a file
    that would not load is never written."""
    errors: list[SourceError] = []
    try:
        doc = parse_yaml(text.encode("utf-8"), location_of(path))
    except InputErrors as exc:
        errors = list(exc.errors)
    else:
        profile = validate_model(doc, Profile, errors)
        if profile is not None:
            check_profile(doc, profile, workspace.ruleset.facts, path.stem, errors)
    if errors:
        raise UsageError("the profile would not load, so it was not written: "
                         + "; ".join(error.message for error in errors[:3]))


def _country_name(parent: str, code: str, relation: str) -> str:
    """The name of an ISO 3166-1 alpha-3 country, or a usage error with a suggestion."""
    import pycountry

    known = pycountry.countries.get(alpha_3=parent)
    if known is None:
        suggestion = did_you_mean(parent, [c.alpha_3 for c in pycountry.countries])
        hint = f"; did you mean '{suggestion}'?" if suggestion else ""
        aggregate = "" if "-" in code else f" (an aggregate of countries: --kind {AGGREGATE} --name ...)"
        raise UsageError(f"'{code}' {relation} an ISO 3166-1 alpha-3 code{hint}{aggregate}")
    return str(known.name)


