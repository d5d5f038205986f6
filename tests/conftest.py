import shutil
from pathlib import Path

import pytest

import assess

FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "mini"
REPO = Path(__file__).parent.parent


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A writable copy of the mini workspace (rules/ and profiles/)."""
    target = tmp_path / "mini"
    shutil.copytree(MINI, target)
    return target


@pytest.fixture
def mini_workspace() -> assess.Workspace:
    return assess.load_workspace(MINI / "rules", MINI / "profiles")


def errors_of(rules: Path, profiles: Path) -> list[str]:
    """The rendered error lines of loading a workspace that must fail."""
    with pytest.raises(assess.InputErrors) as caught:
        assess.load_workspace(rules, profiles)
    return caught.value.render().splitlines()


def pytest_addoption(parser):
    parser.addoption("--slow", action="store_true", help="Run property tests with many more examples.")


@pytest.fixture
def hypothesis_examples(request) -> int:
    """Examples per property: bounded in CI, many more with --slow."""
    return 1000 if request.config.getoption("--slow") else 100
