"""The output side as hostile ground: manifests, symlinks, special files, full disks, kills and
concurrent runs. Each case is one the previous engine got wrong; each must leave the previous
output set whole and never touch anything outside the output folder."""

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pycountry
import pytest
from click.testing import CliRunner

import assess
from assess.cli import main
from assess.engine import parallel
from assess.render import outputs
from assess.render.outputs import read_scored, write_file, write_outputs
from helpers import MINI, REPO, invoke, workspace_args


def score(root: Path = MINI, year: int = 2024):
    return assess.score(assess.load_workspace(root / "rules", root / "profiles"), year)


def consistent(folder: Path) -> str:
    """The rule-set hash every file of the set carries; fails on a set that mixes two runs."""
    manifest = json.loads((folder / "manifest.json").read_text())
    listed = sorted(manifest["files"])
    present = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert present == listed, "files on disk differ from the manifest"
    hashes = {json.loads((folder / name).read_text())["stamp"]["ruleset_hash"] for name in listed
              if name.startswith("countries/")}
    assert hashes == {manifest["stamp"]["ruleset_hash"]}, "country files from another run"
    return manifest["stamp"]["ruleset_hash"]


def test_a_hostile_manifest_deletes_nothing(tmp_path: Path):
    precious = tmp_path / "thesis.tex"
    precious.write_text("years of work")
    folder = write_outputs(score(), tmp_path / "out")
    manifest = folder / "manifest.json"
    data = json.loads(manifest.read_text())
    data["files"] += [str(precious), "../../thesis.tex", "countries/../../../thesis.tex"]
    manifest.write_text(json.dumps(data))
    write_outputs(score(), tmp_path / "out")
    assert precious.read_text() == "years of work"
    consistent(folder)


def test_a_symlinked_folder_in_the_set_is_never_written_through(tmp_path: Path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    folder = write_outputs(score(), tmp_path / "out")
    shutil.rmtree(folder / "countries")
    (folder / "countries").symlink_to(elsewhere)
    write_outputs(score(), tmp_path / "out")
    assert list(elsewhere.iterdir()) == []
    assert not (folder / "countries").is_symlink()
    consistent(folder)


def test_a_symlink_in_place_of_the_output_folder_is_refused(tmp_path: Path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "out").mkdir()
    (tmp_path / "out/mini").symlink_to(elsewhere)
    with pytest.raises(assess.OutputError, match="is a symbolic link: refusing to write through it"):
        write_outputs(score(), tmp_path / "out")
    assert list(elsewhere.iterdir()) == []


def test_out_that_is_a_file_is_a_clean_error(tmp_path: Path):
    (tmp_path / "out").write_text("not a folder")
    result = invoke("run", *workspace_args(), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit) and "out is not a folder" in result.output


@pytest.mark.parametrize("target", ["device", "fifo", "symlink", "folder"])
def test_write_file_never_replaces_a_special_file(tmp_path: Path, target: str):
    path = tmp_path / "target"
    if target == "device":
        path = Path("/dev/null")
    elif target == "fifo":
        os.mkfifo(path)
    elif target == "symlink":
        (tmp_path / "real").write_text("real")
        path.symlink_to(tmp_path / "real")
    else:
        path.mkdir()
    with pytest.raises(assess.OutputError, match="not a regular file: refusing to replace it"):
        write_file(path, "text")
    if target == "symlink":
        assert (tmp_path / "real").read_text() == "real" and path.is_symlink()
    assert Path("/dev/null").is_char_device()


@pytest.mark.parametrize("name", [".", "", ".."])
def test_report_to_a_non_file_is_a_usage_error(tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("report", *workspace_args(), "--destination", "NOR", "-o", name)
    assert result.exit_code == 2 and result.stderr == f"'{Path(name)}' is not a file name\n" and result.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_dash_means_standard_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("graph", "--format", "json", *workspace_args(), "-o", "-")
    assert result.exit_code == 0 and json.loads(result.stdout)["graph"]["year"] == 2024
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize("workers", [1, 2])
def test_a_full_disk_leaves_the_previous_set_whole(workers: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    folder = write_outputs(score(MINI, 2024), tmp_path)
    before = consistent(folder)
    real = outputs._write_new
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 1)  # with 2, the traces are written by two workers
    monkeypatch.setenv("ASSESS_WORKERS", str(workers))

    def fill_up(path: Path, content: bytes) -> None:
        if path.name != "FRA.json":  # the first country's file is written, the disk is full at the next
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, content)

    monkeypatch.setattr(outputs, "_write_new", fill_up)
    with pytest.raises(assess.OutputError, match="No space left on device; the previous output is unchanged"):
        write_outputs(score(MINI, 2019), tmp_path)
    assert consistent(folder) == before and json.loads((folder / "manifest.json").read_text())["stamp"]["year"] == 2024
    assert [p.name for p in folder.parent.iterdir() if not p.name.endswith(".lock")] == ["2024"]


def test_a_read_only_folder_is_a_clean_error_with_nothing_half_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    folder = write_outputs(score(), tmp_path)
    before = consistent(folder)

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(outputs, "swap_folder", refuse)
    result = invoke("run", *workspace_args(), "--out", str(tmp_path))
    assert result.exit_code == 2 and "Permission denied; the previous output is unchanged" in result.output
    assert consistent(folder) == before


def test_a_crash_between_two_renames_is_repaired_by_the_next_run(tmp_path: Path):
    folder = write_outputs(score(), tmp_path)
    before = consistent(folder)
    aside = folder.parent / ".2024.old-crashed"
    os.rename(folder, aside)  # what a kill between the fallback's two renames leaves
    (folder.parent / ".2024.new-crashed").mkdir()
    outputs.repair(folder.parent, "2024")
    assert consistent(folder) == before
    assert sorted(p.name for p in folder.parent.iterdir()) == [".2024.lock", "2024"]


def _workspace_with_version(tmp_path: Path, version: str) -> Path:
    root = tmp_path / version
    shutil.copytree(MINI, root)
    header = root / "rules/ruleset.yaml"
    header.write_text(header.read_text().replace('version: "1.10"', f'version: "{version}"'))
    norway = (root / "profiles/NOR.yaml").read_text()
    for country in list(pycountry.countries)[:200]:  # enough countries that a kill can land mid-write
        (root / f"profiles/{country.alpha_3}.yaml").write_text(norway.replace("NOR", country.alpha_3))
    return root


def _run(root: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "assess", "-q", "run", "--year", "2024", *workspace_args(root),
                             "--out", str(out)], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_kill_9_at_any_moment_leaves_one_whole_set(tmp_path: Path, request: pytest.FixtureRequest):
    """Kills spread over the same 0.25-0.53 s window (5 of them, 15 with --slow)."""
    old, new = _workspace_with_version(tmp_path, "1.0"), _workspace_with_version(tmp_path, "2.0")
    out = tmp_path / "out"
    assert _run(old, out).wait() == 0
    folder = out / "mini/2024"
    hashes = {consistent(folder)}
    attempts = 15 if request.config.getoption("--slow") else 5
    for attempt in range(attempts):  # a run takes about 0.6 s: kills land in loading, scoring and writing
        process = _run(new if attempt % 2 == 0 else old, out)
        time.sleep(0.25 + 0.28 * attempt / (attempts - 1))
        process.send_signal(signal.SIGKILL)
        process.wait()
        hashes.add(consistent(folder))  # never a mixture, whatever moment the kill hit
    assert _run(new, out).wait() == 0
    assert [p.name for p in folder.parent.iterdir() if not p.name.endswith(".lock")] == ["2024"]  # leftovers cleaned


def test_concurrent_runs_take_turns(tmp_path: Path):
    old, new = _workspace_with_version(tmp_path, "1.0"), _workspace_with_version(tmp_path, "2.0")
    out = tmp_path / "out"
    for _ in range(2):
        first, second = _run(old, out), _run(new, out)
        assert (first.wait(), second.wait()) == (0, 0)
        consistent(out / "mini/2024")


@pytest.mark.parametrize("damage", [
    "{}", "[]", '{"stamp": {}, "files": []}', "not json", "\xff\xfe", "[" * 5000 + "]" * 5000,
    "country:{}", "score:abc", "files:../../x",
])
def test_diff_on_damaged_outputs_is_a_clean_error(tmp_path: Path, damage: str):
    folder = write_outputs(score(), tmp_path / "a")
    other = write_outputs(score(MINI, 2019), tmp_path / "b")
    if damage.startswith("country:"):
        (folder / "countries/NOR.json").write_text("{}")
    elif damage.startswith("score:"):
        text = (folder / "countries/NOR.json").read_text()
        (folder / "countries/NOR.json").write_text(text.replace('"score": 63', '"score": "abc", "x": 63', 1))
    elif damage.startswith("files:"):
        data = json.loads((folder / "manifest.json").read_text())
        data["files"].append("countries/../../../etc/passwd.json")
        (folder / "manifest.json").write_text(json.dumps(data))
    else:
        (folder / "manifest.json").write_bytes(damage.encode("utf-8", "surrogateescape") if damage != "\xff\xfe"
                                               else b"\xff\xfe")
    result = invoke("diff", str(folder), str(other))
    if damage.startswith("files:"):  # a path outside the set is never read: the diff goes on without it
        assert result.exit_code == 0
        return
    assert result.exit_code == 2, result.output
    assert all(line.split(": error: ")[0].count(":") == 2 for line in result.output.splitlines()), result.output


def test_read_scored_reads_only_regular_files(tmp_path: Path):
    folder = write_outputs(score(), tmp_path)
    os.unlink(folder / "countries/NOR.json")
    os.mkfifo(folder / "countries/NOR.json")  # reading it would block forever
    with pytest.raises(assess.InputErrors, match="not a regular file"):
        read_scored(folder)


@pytest.mark.parametrize("command", [["report", "--year", "2024", "--destination", "NOR"], ["graph", "--format", "json"]])
def test_output_into_a_missing_folder_is_one_line_and_creates_nothing(command: list[str], tmp_path: Path):
    target = tmp_path / "no/such/dir/out.file"
    result = CliRunner().invoke(main, [*command, *workspace_args(), "-o", str(target)])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [f"cannot write {target}: {target.parent} does not exist (create it first)"]
    assert not (tmp_path / "no").exists()


def test_write_file_into_a_missing_folder_creates_no_folder(tmp_path: Path):
    with pytest.raises(assess.OutputError, match="does not exist"):
        write_file(tmp_path / "missing/file.txt", "text")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("where", ["country file", "countries folder", "manifest"])
def test_diff_never_reads_through_a_link_out_of_the_folders_given(tmp_path: Path, where: str):
    folder = write_outputs(score(), tmp_path / "a")
    other = write_outputs(score(MINI, 2019), tmp_path / "b")
    outside = write_outputs(score(MINI, 2019), tmp_path / "outside")
    if where == "country file":
        (folder / "countries/NOR.json").unlink()
        (folder / "countries/NOR.json").symlink_to(outside / "countries/NOR.json")
    elif where == "countries folder":
        shutil.rmtree(folder / "countries")
        (folder / "countries").symlink_to(outside / "countries")
    else:
        (folder / "manifest.json").unlink()
        (folder / "manifest.json").symlink_to(outside / "manifest.json")
    result = invoke("diff", str(folder), str(other))
    assert result.exit_code == 2 and "a link out of" in result.output, result.output
    assert all(line.split(": error: ")[0].count(":") == 2 for line in result.output.splitlines()), result.output


@pytest.mark.parametrize("field,value", [("score", -50), ("score", 150), ("low", -1), ("high", 1e9), ("low", "x")])
def test_diff_refuses_scores_out_of_range_in_a_scored_output(tmp_path: Path, field: str, value: object):
    folder = write_outputs(score(), tmp_path / "a")
    other = write_outputs(score(MINI, 2019), tmp_path / "b")
    data = json.loads((folder / "countries/NOR.json").read_text())
    data["result"][field] = value
    (folder / "countries/NOR.json").write_text(json.dumps(data))
    result = invoke("diff", str(folder), str(other))
    assert result.exit_code == 2 and "damaged scored output" in result.output, result.output


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "markdown"])
def test_diff_shows_control_characters_of_a_damaged_output_escaped(tmp_path: Path, fmt: str):
    folder = write_outputs(score(), tmp_path / "a")
    other = write_outputs(score(MINI, 2019), tmp_path / "b")
    data = json.loads((folder / "countries/NOR.json").read_text())
    data["name"], data["result"]["title"] = "Nor\u202eway\u0085x\u009by\x1b[2J", "Over\u202eall"
    (folder / "countries/NOR.json").write_text(json.dumps(data))
    result = invoke("diff", str(other), str(folder), "--format", fmt)
    assert result.exit_code == 0
    assert not any(ch in result.output for ch in "\u202e\u0085\u009b\x1b"), result.output
    if fmt == "json":
        json.loads(result.stdout)


@pytest.mark.parametrize("command", [["diff", "{name}", "{name}"], ["scenario", "x", "--scenarios", "{name}"],
                                     ["check", "--scenarios", "{name}"]])
def test_file_names_with_escape_sequences_are_shown_escaped(tmp_path: Path, command: list[str]):
    name = str(tmp_path / "evil\x1b[2J\u202e")
    result = invoke(*[part.format(name=name) for part in command], *workspace_args())
    assert result.exit_code == 2 and "\\x1b[2J\\u202e" in result.output, result.output
    assert not any(ch in result.output for ch in "\u202e\x1b"), result.output
