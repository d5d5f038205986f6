"""``assess new``: what it writes always loads; what would not load is refused before writing."""

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import assess
from helpers import MINI, invoke, workspace_args


@pytest.mark.parametrize("code,kind,name,message", [
    ("MEX-", None, None, "'MEX-' is not a profile id"),
    ("MEX--SON", "state", "Sonora", "is not a profile id"),
    ("ME\x1bX", None, None, "'ME\\x1bX' is not a profile id"),
    ("MEX-SON", "state", "Son\nora", "--name (printable text on one line"),
    ("MEX-SON", "state", "Son\u2028ora", "--name (printable text on one line"),
    ("MEX-SON", "state", "Son\x85ora", "--name (printable text on one line"),
    ("MEX-SON", "state", "   ", "--name (printable text on one line"),
    ("MEX-SON", "state", "x" * 2500, "--name (printable text on one line"),
    ("MEX-SON", "State", "Sonora", "--kind (a lowercase identifier"),
])
def test_new_refuses_what_would_not_load(mini: Path, code: str, kind: str | None, name: str | None, message: str):
    args = [code, *(["--kind", kind] if kind else []), *(["--name", name] if name else [])]
    result = invoke("new", *args, *workspace_args(mini))
    assert result.exit_code == 2 and message in result.output, result.output
    assert "\x1b" not in result.output and "Traceback" not in result.output
    assert sorted(p.name for p in (mini / "profiles").glob("*.yaml")) == ["FRA.yaml", "NOR.yaml"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(code=st.from_regex(r"[A-Za-z]{3}(-[A-Za-z0-9 -]{0,30})?", fullmatch=True) | st.text(max_size=12),
       kind=st.none() | st.text(max_size=20), name=st.none() | st.text(max_size=300))
def test_whatever_new_writes_loads(tmp_path_factory: pytest.TempPathFactory, code: str, kind: str | None,
                                   name: str | None):
    root = tmp_path_factory.mktemp("ws")
    shutil.copytree(MINI, root, dirs_exist_ok=True)
    workspace = assess.load_workspace(root / "rules", root / "profiles")
    try:
        path = assess.api.new_profile(workspace, code, kind, name)
    except assess.UsageError as error:
        assert "\x1b" not in str(error) and "Traceback" not in str(error)
        return
    loaded = assess.load_workspace(root / "rules", root / "profiles")
    assert path.stem in loaded.profiles


def test_init_onto_a_file_or_a_link_is_a_clean_error(tmp_path: Path):
    (tmp_path / "file").write_text("mine")
    (tmp_path / "link").symlink_to(tmp_path / "elsewhere")
    for name, message in (("file", "exists and is not a folder"), ("link", "is a symbolic link")):
        result = invoke("init", str(tmp_path / name))
        assert result.exit_code == 2 and message in result.output, result.output
    assert (tmp_path / "file").read_text() == "mine" and not (tmp_path / "elsewhere").exists()


def test_init_on_a_full_disk_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import errno

    from assess.edit import scaffold

    real = scaffold._fill

    def fill_up(target: Path, rules: Path, profiles: Path) -> None:
        real(target, rules, profiles)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(scaffold, "_fill", fill_up)
    result = invoke("init", str(tmp_path / "ws"))
    assert result.exit_code == 2 and "No space left on device; nothing was written" in result.output
    assert list(tmp_path.iterdir()) == []


def test_check_with_a_scenarios_folder_that_does_not_exist_is_a_usage_error(mini: Path):
    result = invoke("check", "--scenarios", str(mini / "no-such-folder"), *workspace_args(mini))
    assert result.exit_code == 2 and "no-such-folder' does not exist" in result.output
