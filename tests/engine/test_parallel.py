"""Work over several processes gives what one loop gives: the same results and errors, in order."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import assess
from assess.engine import parallel
from helpers import FIXTURES, SHIPPED_PROFILES, SHIPPED_RULES, bad_case_workspace, errors_of, invoke, workspace_args

BAD = FIXTURES / "bad"


@pytest.fixture
def two_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every call of ``mapped`` spreads its items over two forked workers, however few."""
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 1)
    monkeypatch.setenv("ASSESS_WORKERS", "2")


def _pid_and_square(item: int) -> tuple[int, int]:
    return os.getpid(), item * item


def _fails(item: int) -> int:
    raise ValueError(f"item {item}")


@pytest.mark.usefixtures("two_workers")
def test_the_items_are_worked_in_other_processes_and_come_back_in_order():
    results = parallel.mapped(_pid_and_square, list(range(50)))
    assert [square for _, square in results] == [i * i for i in range(50)]
    assert {pid for pid, _ in results} - {os.getpid()}, "no item was worked in a worker"


def test_one_worker_or_few_items_stay_in_this_process(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ASSESS_WORKERS", "1")
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 1)
    assert {pid for pid, _ in parallel.mapped(_pid_and_square, list(range(10)))} == {os.getpid()}
    monkeypatch.setenv("ASSESS_WORKERS", "2")
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 1_000)
    assert {pid for pid, _ in parallel.mapped(_pid_and_square, list(range(10)))} == {os.getpid()}


@pytest.mark.usefixtures("two_workers")
def test_a_workers_failure_is_raised_here():
    with pytest.raises(ValueError, match="item 0"):
        parallel.mapped(_fails, [0, 1, 2])


@pytest.mark.usefixtures("two_workers")
def test_workers_end_on_their_own_after_a_failure_or_a_success(monkeypatch: pytest.MonkeyPatch):
    """Terminating a worker while it sends a result leaves the results queue's lock held, and the
    pool's shutdown waits on it for ever (the suite hung so once): only Ctrl-C terminates them."""
    import multiprocessing.pool

    def terminate(self: multiprocessing.pool.Pool) -> None:
        raise AssertionError("the workers were terminated")

    monkeypatch.setattr(multiprocessing.pool.Pool, "terminate", terminate)
    with pytest.raises(ValueError, match="item 0"):
        parallel.mapped(_fails, list(range(40)))
    assert parallel.mapped(_pid_and_square, list(range(40)))[-1][1] == 39 * 39


def test_the_slices_cover_every_item_once():
    for total in (0, 1, 7, 1000):
        for parts in (1, 3, 8):
            covered = [i for start, end in parallel._slices(total, parts) for i in range(start, end)]
            assert covered == list(range(total))


@pytest.mark.usefixtures("two_workers")
def test_profiles_read_over_two_workers_are_the_profiles_read_in_one(shipped_workspace: assess.Workspace):
    assert assess.load_workspace(SHIPPED_RULES, SHIPPED_PROFILES).profiles == shipped_workspace.profiles


@pytest.mark.usefixtures("two_workers")
def test_every_bad_profile_fixture_reports_the_same_errors_over_two_workers(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch):
    cases = sorted(case for case in BAD.iterdir() if (case / "profiles").is_dir())
    assert len(cases) > 10
    for case in cases:
        scenarios = bad_case_workspace(case, tmp_path / case.name)
        monkeypatch.chdir(tmp_path / case.name)
        expected = (case / "expected.txt").read_text().splitlines()
        assert errors_of(Path("rules"), Path("profiles"), scenarios) == expected, case.name


def test_ctrl_c_stops_the_workers_without_a_traceback_from_any_of_them():
    script = ("import os, sys, time\nfrom assess.engine import parallel\nparallel.PARALLEL_FROM = 1\n"
              "os.environ['ASSESS_WORKERS'] = '2'\ntry:\n    parallel.mapped(time.sleep, [30] * 4)\n"
              "except KeyboardInterrupt:\n    print('stopped', file=sys.stderr)\n")
    process = subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE, text=True,
                               start_new_session=True)  # its own process group, as a terminal's Ctrl-C reaches it
    time.sleep(1.5)  # the workers are sleeping in their first item
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert stderr.strip() == "stopped"


@pytest.mark.parametrize("setting", ["0", "two", "-1", "1.5"])
def test_a_workers_setting_that_is_not_a_count_is_a_usage_error(setting: str, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ASSESS_WORKERS", setting)
    result = invoke("run", *workspace_args(), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2 and "ASSESS_WORKERS must be a whole number" in result.stderr
    assert "Traceback" not in result.stderr
