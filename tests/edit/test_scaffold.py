"""``assess new``: what it writes always loads; what would not load is refused before writing."""

import shutil
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import assess
from helpers import MINI, invoke, workspace_args

OUTCOMES: Counter[str] = Counter()


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


def test_whatever_new_writes_loads(tmp_path_factory: pytest.TempPathFactory, hypothesis_examples: int):
    """Any id, kind and name: a usage error, or a profile the workspace loads (60 in CI, 1,000 with --slow)."""
    names = st.sampled_from(["Sonora", "Île-de-France", "O'Hare \"x\" #1: {a}", "  padded  "]) | st.text(max_size=300)
    kinds = st.sampled_from(["state", "city", "port_2"]) | st.text(max_size=20)
    countries = st.tuples(st.sampled_from(["SWE", "mex", "DEU", "XYZ", "MEX-"]) | st.text(max_size=12),
                          st.just(None), st.just(None))
    entities = st.tuples(st.sampled_from(["MEX-SON", "NOR-OSL", "fra-75", "DEU-BY", "MEX-S N", "MEX-" + "S" * 25])
                         | st.from_regex(r"[A-Za-z]{3}-[A-Za-z0-9 -]{0,30}", fullmatch=True), kinds, names)
    anything = st.tuples(st.text(max_size=12), st.none() | st.text(max_size=20), st.none() | st.text(max_size=300))
    plausible = st.tuples(st.sampled_from(["MEX-SON", "NOR-OSL", "fra-75", "DEU-BY", "SWE-1"]),
                          st.sampled_from(["state", "city", "port_2"]),
                          st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=60))

    @settings(max_examples=hypothesis_examples if hypothesis_examples > 100 else 60, deadline=None, database=None,
              derandomize=hypothesis_examples <= 100)
    @given(case=st.one_of(countries, entities, anything, plausible, plausible))
    def loads(case: tuple[str, str | None, str | None]) -> None:
        code, kind, name = case
        root = tmp_path_factory.mktemp("ws")
        shutil.copytree(MINI, root, dirs_exist_ok=True)
        workspace = assess.load_workspace(root / "rules", root / "profiles")
        try:
            path = assess.api.new_profile(workspace, code, kind, name)
        except assess.UsageError as error:
            assert "\x1b" not in str(error)
            OUTCOMES["refused"] += 1
            return
        loaded = assess.load_workspace(root / "rules", root / "profiles")
        assert path.stem in loaded.profiles
        OUTCOMES["written and loaded"] += 1

    loads()
    print(f"new fuzz: {dict(OUTCOMES)}")


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
