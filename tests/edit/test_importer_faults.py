"""Imports as one transaction over the profiles folder: kills, concurrent imports, full disks and
symbolic links. Each case is one the previous importer got wrong (lost entries, a file outside
the workspace rewritten, some profiles changed although the import failed)."""

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pycountry
import pytest

import assess
from assess.edit import importer
from assess.render import outputs
from assess.render.outputs import repair
from helpers import REPO, invoke, workspace_args


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted((root / "profiles").rglob("*")) if p.is_file()}


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".profiles"))


def csv(tmp_path: Path, text: str, name: str = "t.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_symlinked_profile_is_refused_and_nothing_changes(mini: Path, tmp_path: Path):
    outside = tmp_path / "outside.yaml"
    shutil.move(mini / "profiles/NOR.yaml", outside)
    (mini / "profiles/NOR.yaml").symlink_to(outside)
    before, outside_before = snapshot(mini), outside.read_bytes()
    table = csv(tmp_path, "country,fact,value,as_of,source\nFRA,lvl,high,2023-01-01,r\nNOR,lvl,high,2023-01-01,r\n")
    for extra in ([], ["--dry-run"]):
        result = invoke("import", str(table), *workspace_args(mini), *extra)
        assert result.exit_code == 2, result.output
        assert "profiles/NOR.yaml:1:1: error: the profile is a symbolic link" in result.output
        assert "Traceback" not in result.output
    assert snapshot(mini) == before and outside.read_bytes() == outside_before
    assert (mini / "profiles/NOR.yaml").is_symlink()


def test_a_symlinked_profile_the_import_does_not_touch_is_carried_over_as_a_link(mini: Path, tmp_path: Path):
    outside = tmp_path / "outside.yaml"
    shutil.move(mini / "profiles/NOR.yaml", outside)
    (mini / "profiles/NOR.yaml").symlink_to(outside)
    table = csv(tmp_path, "country,fact,value,as_of,source\nFRA,lvl,high,2023-01-01,r\n")
    assert invoke("import", str(table), *workspace_args(mini)).exit_code == 0
    assert (mini / "profiles/NOR.yaml").is_symlink() and "high" in (mini / "profiles/FRA.yaml").read_text()


@pytest.mark.parametrize("create", [False, True])
@pytest.mark.parametrize(("module", "step", "code", "text"), [
    (importer, "_copy_tree", errno.ENOSPC, "No space left on device"),
    (outputs, "swap_folder", errno.EACCES, "Permission denied")])
def test_a_failure_staging_or_swapping_changes_no_profile(mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          module: object, step: str, code: int, text: str, create: bool):
    """A full disk while staging (after the copy was made) or a refused swap: nothing changed, and
    with --create no profile was created."""
    before = snapshot(mini)
    real = getattr(module, step)

    def fail(*args: object) -> None:
        if step == "_copy_tree":
            real(*args)
        raise OSError(code, text)

    monkeypatch.setattr(module, step, fail)
    first = "Sweden" if create else "FRA"  # Sweden has no profile in the mini workspace
    table = csv(tmp_path, f"country,fact,value,as_of,source\n{first},lvl,high,2023-01-01,r\nNOR,lvl,high,2023-01-01,r\n")
    result = invoke("import", *(["--create"] if create else []), str(table), *workspace_args(mini))
    assert result.exit_code == 2 and f"{text}; no profile was changed" in result.output
    assert snapshot(mini) == before and leftovers(mini) == [".profiles.lock"]


def test_a_kill_between_the_fallback_renames_is_repaired_by_the_next_import(mini: Path, tmp_path: Path):
    before = snapshot(mini)
    os.rename(mini / "profiles", mini / ".profiles.old-crashed")  # what a kill between the two renames leaves
    (mini / ".profiles.import-crashed").mkdir()
    repair(mini, "profiles", staged="import")
    assert snapshot(mini) == before and leftovers(mini) == []


def _big_workspace(tmp_path: Path) -> Path:
    """The mini workspace with enough profiles that a kill lands in loading, staging and swapping."""
    root = tmp_path / "ws"
    shutil.copytree(REPO / "tests/fixtures/mini", root)
    norway = (root / "profiles/NOR.yaml").read_text()
    for country in list(pycountry.countries)[:150]:
        if country.alpha_3 not in ("NOR", "FRA"):
            (root / f"profiles/{country.alpha_3}.yaml").write_text(norway.replace("NOR", country.alpha_3))
    return root


def _import(root: Path, table: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "assess", "-q", "import", *extra, str(table), *workspace_args(root)],
                            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


CODES = ("NOR", "FRA", "AFG", "ALB", "DZA")
UNPROFILED = ("SWE", "ZWE")  # not among _big_workspace's profiles: --create makes them


@pytest.mark.parametrize("extra", [[], ["--create"]])
def test_kill_9_at_any_moment_leaves_every_profile_or_none_changed(tmp_path: Path, extra: list[str],
                                                                   request: pytest.FixtureRequest):
    """Kills spread over the same 0.2-0.69 s window (5 of them, 8 with --slow)."""
    root = _big_workspace(tmp_path)
    codes = CODES + (UNPROFILED if extra else ())
    attempts = 8 if request.config.getoption("--slow") else 5
    for attempt in range(attempts):  # an import takes about 0.6 s: kills land in loading, staging and swapping
        before = snapshot(root)
        table = csv(tmp_path, "country,fact,value,as_of,source\n" + "".join(
            f"{code},lvl,high,{2000 + attempt}-01-01,r\n" for code in codes), f"t{attempt}.csv")
        process = _import(root, table, *extra)
        time.sleep(0.2 + 0.49 * attempt / (attempts - 1))
        process.send_signal(signal.SIGKILL)
        process.wait()
        repair(root, "profiles", staged="import")  # what the next import does first
        changed = {name for name, content in snapshot(root).items() if before.get(name) != content}
        assert changed in (set(), {f"profiles/{code}.yaml" for code in codes}), changed
    assess.load_workspace(root / "rules", root / "profiles")  # whatever the moments, the workspace loads
    assert _import(root, csv(tmp_path, "country,fact,value,as_of,source\nNOR,lvl,low,1999-01-01,r\n")).wait() == 0
    assert leftovers(root) == [".profiles.lock"]


def test_concurrent_imports_into_one_profile_keep_every_entry(tmp_path: Path):
    root = _big_workspace(tmp_path)
    first = csv(tmp_path, "country,fact,value,as_of,source\nNOR,lvl,high,2023-01-01,first\n", "a.csv")
    second = csv(tmp_path, "country,fact,value,as_of,source\nNOR,lvl,low,2022-01-01,second\n", "b.csv")
    one, two = _import(root, first), _import(root, second)
    assert (one.wait(), two.wait()) == (0, 0)
    history = assess.load_workspace(root / "rules", root / "profiles").profiles["NOR"].history["lvl"]
    assert {(r.value, r.source) for r in history} >= {("high", "first"), ("low", "second")}
    assert leftovers(root) == [".profiles.lock"]


def test_concurrent_imports_of_the_same_entry_both_succeed_and_record_it_once(tmp_path: Path):
    root = _big_workspace(tmp_path)
    same = csv(tmp_path, "country,fact,value,as_of,source\nNOR,lvl,high,2023-01-01,same\n")
    one, two = _import(root, same), _import(root, same)
    assert (one.wait(), two.wait()) == (0, 0)  # the second plans again under the lock: already recorded
    history = assess.load_workspace(root / "rules", root / "profiles").profiles["NOR"].history["lvl"]
    assert [(r.value, r.source) for r in history].count(("high", "same")) == 1


def test_concurrent_creates_of_one_country_create_it_once_and_keep_every_entry(tmp_path: Path):
    """The second import plans again under the lock: the profile the first created is now there to add to."""
    root = _big_workspace(tmp_path)
    first = csv(tmp_path, "country,fact,value,as_of,source\nSweden,lvl,high,2023-01-01,first\n", "a.csv")
    second = csv(tmp_path, "country,fact,value,as_of,source\nSWE,lvl,low,2022-01-01,second\n", "b.csv")
    one, two = _import(root, first, "--create"), _import(root, second, "--create")
    assert (one.wait(), two.wait()) == (0, 0)
    history = assess.load_workspace(root / "rules", root / "profiles").profiles["SWE"].history["lvl"]
    assert [(r.value, r.source) for r in history][1:] == [("low", "second"), ("high", "first")]
    assert leftovers(root) == [".profiles.lock"]


def test_a_row_refused_after_staging_leaves_no_profile_created(mini: Path, tmp_path: Path):
    """A created profile is validated with the rest: one bad value anywhere and none is created."""
    before = snapshot(mini)
    table = csv(tmp_path, "country,fact,value,as_of,source\nSweden,lvl,high,2023-01-01,r\nGermany,a,true,2020-01-01,r\n"
                          f'NOR,lvl,high,2023-01-01,"{"x" * 2500}"\n')
    for extra in (["--dry-run"], []):
        result = invoke("import", "--create", *extra, str(table), *workspace_args(mini))
        assert result.exit_code == 2 and "after the import:" in result.output and "at most 2000 characters" in result.output
        assert "Traceback" not in result.output
    assert snapshot(mini) == before and leftovers(mini) == [".profiles.lock"]
