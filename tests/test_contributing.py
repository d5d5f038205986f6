"""CONTRIBUTING.md's walkthrough, followed on a copy of the repository: each code block appended to
the file its title names, each line of its shell block run. The fact type and scoring kind it adds
must then pass their tests and every command (``tests/test_kinds.py`` in the copy), and the
change must touch exactly the files the walkthrough writes and the files its commands regenerate,
so the walkthrough cannot drift from what adding a kind takes."""

import filecmp
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from helpers import REPO

SECTION = "## Adding a fact type and a scoring kind"
BLOCK = re.compile(r'^```(\w+) title="([^"]+)"\n(.*?)^```$', re.MULTILINE | re.DOTALL)
COPIED = ("assess", "tests", "rules", "docs/reference", "pyproject.toml")
GENERATED = {"assess/schemas/facts.schema.json", "assess/schemas/goal.schema.json", "docs/reference/formats.md"}
SCRATCH = ("__pycache__", ".hypothesis", ".pytest_cache", "test-artifacts")  # written by running, not by the walkthrough


def walkthrough() -> list[tuple[str, str, str]]:
    """The (language, title, code) of each titled block of the walkthrough, in order."""
    text = (REPO / "CONTRIBUTING.md").read_text("utf-8")
    section = text[text.index(SECTION):]
    return BLOCK.findall(section[:section.index("\n## ", len(SECTION))])


def copy_of_repository(target: Path) -> Path:
    for name in COPIED:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, target / name, ignore=shutil.ignore_patterns(*SCRATCH))
        else:
            shutil.copy2(REPO / name, target / name)
    return target


def changed(copy: Path) -> set[str]:
    """The files of the copy that differ from the repository's, or are new."""
    files = {path.relative_to(copy).as_posix() for path in copy.rglob("*")
             if path.is_file() and not set(path.relative_to(copy).parts) & set(SCRATCH)}
    return {name for name in files if not (REPO / name).is_file() or not filecmp.cmp(REPO / name, copy / name, shallow=False)}


def test_the_walkthrough_is_the_whole_change_and_every_command_runs_over_its_kinds(tmp_path: Path):
    copy = copy_of_repository(tmp_path / "repository")
    blocks = walkthrough()
    written = set()
    for language, title, code in blocks:
        if language == "python":
            (copy / title).write_text((copy / title).read_text("utf-8") + "\n\n" + code, "utf-8")
            written.add(title)
    assert written == {"assess/engine/facttypes.py", "assess/engine/scorings.py",
                       "tests/engine/test_facttypes.py", "tests/engine/test_scorings.py"}
    environment = {**os.environ, "PYTHONPATH": str(copy)}
    commands = [line for language, _, code in blocks if language == "sh" for line in code.splitlines() if line.strip()]
    assert len(commands) == 3
    for command in commands:
        done = subprocess.run(re.sub(r"^python ", f"{sys.executable} ", command), shell=True, cwd=copy, env=environment,
                              capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, f"{command}\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
        if "pytest" in command:  # the new kinds' own tests and every command over each of them
            assert int(re.search(r"(\d+) passed", done.stdout).group(1)) >= 4, done.stdout[-4000:]
    assert changed(copy) == written | GENERATED
    registered = subprocess.run([sys.executable, "-c", REGISTERED], cwd=copy, env=environment, capture_output=True, text=True)
    assert registered.stdout.split() == ["share", "thresholds", "True"], registered.stderr  # tests/test_kinds.py ran over both


REGISTERED = """
from assess.engine.facttypes import FACT_TYPES
from assess.engine.scorings import SCORING_KINDS
share = FACT_TYPES["share"].model_validate(FACT_TYPES["share"].example())
print(list(FACT_TYPES)[-1], list(SCORING_KINDS)[-1], SCORING_KINDS["thresholds"].example("x", share) is not None)
"""


def test_property_tests_search_the_same_examples_every_run_as_contributing_says():
    from hypothesis import settings

    assert settings.default.derandomize, "the repeatable profile is not loaded"
    assert "--hypothesis-profile explore" in " ".join((REPO / "CONTRIBUTING.md").read_text("utf-8").split())
