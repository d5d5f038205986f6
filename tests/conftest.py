"""Fixtures shared by every test; helpers to import live in ``helpers.py``."""

import functools
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

import assess
from helpers import MINI, SHIPPED_PROFILES, SHIPPED_RULES

# Property tests search the same examples every run, so main never turns red by chance (CI runs
# this suite on every landing); `--hypothesis-profile explore` searches afresh, `--slow` longer.
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile("repeatable")


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A writable copy of the mini workspace (rules/ and profiles/)."""
    target = tmp_path / "mini"
    shutil.copytree(MINI, target)
    return target


@pytest.fixture
def mini_workspace() -> assess.Workspace:
    return assess.load_workspace(MINI / "rules", MINI / "profiles")


@pytest.fixture(scope="session")
def shipped_workspace() -> assess.Workspace:
    """The bundled rule set and profiles, loaded once per test session (read-only)."""
    return assess.load_workspace(SHIPPED_RULES, SHIPPED_PROFILES)


@pytest.fixture(scope="session")
def shipped_scores(shipped_workspace: assess.Workspace) -> Callable[[int], assess.Assessment]:
    """The bundled world's assessment of a year, scored once per test process (read-only): a
    year is about a second to score, and a dozen tests read the same one."""
    return functools.cache(lambda year: assess.score(shipped_workspace, year))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--slow", action="store_true", help="Run property tests with many more examples.")


@pytest.fixture
def hypothesis_examples(request: pytest.FixtureRequest) -> int:
    """Examples per property: bounded in CI (the suite stays under 90 s on 2 cores), many more with --slow."""
    return 1000 if request.config.getoption("--slow") else 30


@pytest.fixture(autouse=True, scope="session")
def _no_terminal_width() -> Iterator[None]:
    """Tables wrap to ``COLUMNS`` where it is set: a test sees none unless it sets one itself
    (pytest-xdist's workers inherit one from the terminal that started them). Session-wide, so
    that fixtures of every scope see the same."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("COLUMNS", raising=False)
        yield



# The slowest files first (they hold a browser, a report of the bundled world, subprocesses killed
# mid-run): each goes to a worker whole (--dist loadfile, pyproject.toml) at the start, so no worker
# is left alone with one at the end; the rest follow in collection order.
SLOWEST_FIRST = ("tests/render/test_report.py", "tests/analysis/test_properties.py", "tests/test_shipped_content.py",
                 "tests/render/test_outputs_faults.py", "tests/analysis/test_portfolio.py", "tests/test_golden.py",
                 "tests/edit/test_importer_faults.py", "tests/test_contributing.py", "tests/analysis/test_sensitivity.py",
                 "tests/test_docs.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: place for place, name in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))
