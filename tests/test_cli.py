"""The CLI through click's runner and through a real subprocess."""

import csv
import datetime as dt
import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import assess
from assess.cli import main
from helpers import FIXTURES, MINI, REPO, invoke, shipped_args, workspace_args


def test_run_writes_outputs_and_prints_table(tmp_path: Path):
    result = invoke("run", "--year", "2019", "--year", "2024", *workspace_args(), "--out", str(tmp_path))
    assert result.exit_code == 0
    assert "NOR" in result.output and "Scores as of 2019" in result.output and "Scores as of 2024" in result.output
    assert (tmp_path / "mini/2024/countries/NOR.json").is_file()
    assert json.loads((tmp_path / "mini/2019/manifest.json").read_text())["stamp"]["year"] == 2019


def test_explain_json_is_the_full_trace():
    result = invoke("explain", "nor", "--year", "2024", *workspace_args(), "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["country"] == "NOR" and data["result"]["goals"][0]["criteria"][0]["rules"][0]["facts"][0]["source"]


def explain_in(fmt: str) -> str:
    result = invoke("explain", "NOR", "--year", "2019", *workspace_args(), "--format", fmt)
    assert result.exit_code == 0
    return result.output


def test_explain_as_table_groups_rules_by_goal():
    lines = explain_in("table").splitlines()
    assert lines[0] == "Norway (NOR) as of 2019: 40.0 [20.0–45.8] (low, coverage 83%); expected 40.0"
    assert lines[-1].startswith("not assessed") is False  # the goals' tables come last
    goal_a = lines.index("A Goal A: 30.0 (low, coverage 100%); expected 30.0; adds 20.0 points; cap A.cap1 at 30: Without A, goal A is low.")
    assert lines[goal_a + 1].split() == ["rule", "score", "estimate", "weight", "points", "why", "facts", "read",
                                         "recommends"]
    assert any(line.startswith("c1.r1 ") and " 8.3% " in line and "a is true: does not hold (0 points)" in line for line in lines)
    assert any(line.startswith("c3.r5 ") and "— [0.0–100.0]" in line and "not known whether" in line for line in lines)
    assert "not assessed: 17% of the weight; facts that would settle it: d (16.7%)" in lines


def test_explain_wraps_to_the_terminal_width(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("COLUMNS", "100")
    assert max(map(len, explain_in("table").splitlines())) <= 100
    monkeypatch.delenv("COLUMNS")
    assert max(map(len, explain_in("table").splitlines())) > 100  # piped, unwrapped


def test_columns_wraps_every_table_even_when_piped():
    """The shipped Mexico, whose facts-read column holds URLs, through a pipe: COLUMNS still rules."""
    env = {**os.environ, "COLUMNS": "100"}
    done = subprocess.run([sys.executable, "-m", "assess", "explain", "MEX", "--year", "2024"], cwd=REPO, env=env,
                          capture_output=True, text=True, check=True)
    lines = done.stdout.splitlines()
    assert max(map(len, lines)) <= 100 and any(line.startswith("rule ") and "facts read" in line for line in lines)


def test_explain_as_json_is_the_trace():
    data = json.loads(explain_in("json"))
    assert (data["country"], data["year"], data["result"]["score"]) == ("NOR", 2019, pytest.approx(40.0))


def test_explain_as_csv_is_data_a_row_per_rule():
    rows = list(csv.DictReader(io.StringIO(explain_in("csv"))))
    assert [row["rule"] for row in rows] == ["A.c1.r1", "A.c1.r2", "A.c2.r3", "A.c2.r4", "A (cap)", "B.c3.r5", "B.c4.r6"]
    first = rows[0]
    assert (first["goal"], first["score"], first["status"]) == ("A", "0.0", "scored")
    assert float(first["weight_share"]) == pytest.approx(1 / 12)  # a number at full precision, not "8.3%"


def test_explain_as_markdown_has_a_table_per_goal():
    text = explain_in("markdown")
    assert text.startswith("## Norway (NOR) as of 2019: 40.0 [20.0–45.8] (low, coverage 83%); expected 40.0")
    assert "<details><summary>A Goal A: 30.0" in text and "| c1.r1 " in text and "| rule " in text


def test_explain_points_add_up_to_the_score_in_every_format():
    """Goal A's cap is a row of its own, so that the rules' points and it add up to the overall 40.0."""
    rows = list(csv.DictReader(io.StringIO(explain_in("csv"))))
    assert math.fsum(float(row["points"]) for row in rows if row["points"]) == pytest.approx(40.0)
    assert next(row for row in rows if row["status"] == "cap")["why"] == "cap A.cap1 at 30: a is false"
    table = explain_in("table").splitlines()
    cap = next(line for line in table if line.startswith("A (cap) "))
    assert cap.split()[5] == "-9.2" and "cap A.cap1 at 30: a is false" in cap
    assert "| A (cap) " in explain_in("markdown")
    trace = json.loads(explain_in("json"))["result"]
    nodes = [trace]
    for level in nodes:
        nodes += level.get("goals", []) + level.get("criteria", []) + level.get("rules", [])
    points = [node["contribution"] or 0.0 for node in nodes if node["kind"] == "rule"]
    points += [adjustment["contribution"] for node in nodes for adjustment in node.get("adjustments", [])]
    assert math.fsum(points) == pytest.approx(trace["score"])


def test_check_clean_workspace_exits_0():
    result = invoke("check", *workspace_args())
    assert result.exit_code == 0, result.output
    assert "coverage as of 2024: FRA 25%, NOR 100%" in result.output


def test_check_findings_exit_1(tmp_path: Path):
    result = invoke("check", *workspace_args(), "--year", "2030", "--stale-after", "5")
    assert result.exit_code == 1
    assert "stale-fact" in result.output and "NOR.yaml:lvl" in result.output


def test_check_unused_fact_is_a_finding(mini: Path):
    facts = mini / "rules/facts.yaml"
    facts.write_text(facts.read_text() + "  unused: {description: Nobody reads this., type: boolean}\n")
    result = invoke("check", "--rules", str(mini / "rules"), "--profiles", str(mini / "profiles"))
    assert result.exit_code == 1 and "fact 'unused' is declared but no rule reads it" in result.output


def test_bad_input_exits_2_and_writes_nothing(mini: Path, tmp_path: Path):
    (mini / "profiles/FRA.yaml").write_text("country: FRA\nfacts:\n  a:\n    - {value: maybe, as_of: 2019-01-01, source: s}\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", "--rules", str(mini / "rules"), "--profiles", str(mini / "profiles"),
                                       "--out", str(out)])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)  # exited, did not raise
    assert "FRA.yaml:4:15: error: 'maybe' is not a boolean" in result.output
    assert not out.exists()


def test_check_reports_one_error_per_cause_in_every_file(mini: Path, monkeypatch: pytest.MonkeyPatch):
    """A goal that fails validation causes no errors elsewhere and hides none: the profile's and the
    scenario's typos are reported with it, each once."""
    case = FIXTURES / "bad/error_hides_no_other"
    for source in case.rglob("*.yaml"):
        (mini / source.relative_to(case)).write_text(source.read_text())
    monkeypatch.chdir(mini)
    (mini / "profiles").rename(mini / "country_profiles")  # a workspace's layout: its own scenarios are checked
    result = invoke("check")
    assert result.exit_code == 2
    expected = (case / "expected.txt").read_text().replace("profiles/", "country_profiles/").splitlines()
    assert result.stderr.splitlines() == expected and result.stdout == ""


def test_unknown_command_option_is_usage_error():
    result = CliRunner().invoke(main, ["run", "--bogus"])
    assert result.exit_code == 2 and "No such option '--bogus'" in result.output


def test_schema_prints_every_kind():
    data = json.loads(invoke("schema").output)
    assert set(data) == {"profile", "ruleset", "goal", "facts", "interventions", "network", "trafficking", "partnerships",
                         "scenario", "strategy", "groupings", "pinned"}


def test_committed_schemas_are_current(tmp_path: Path):
    assert invoke("schema", "--out", str(tmp_path)).exit_code == 0
    for generated in tmp_path.iterdir():
        assert generated.read_text() == (REPO / "assess/schemas" / generated.name).read_text(), generated.name


def _subprocess_run(out: Path, seed: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    return subprocess.run([sys.executable, "-m", "assess", "run", "--year", "2019", "--year", "2024", *workspace_args(),
                           "--out", str(out)], capture_output=True, text=True, env=env, cwd=REPO)


def test_subprocess_outputs_are_byte_identical_across_hash_seeds(tmp_path: Path):
    first, second = tmp_path / "one", tmp_path / "two"
    assert _subprocess_run(first, "1").returncode == 0
    assert _subprocess_run(second, "4242").returncode == 0
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files and files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_subprocess_bad_input_has_no_traceback(tmp_path: Path):
    result = subprocess.run([sys.executable, "-m", "assess", "check", "--rules", str(FIXTURES / "bad"),
                             "--profiles", str(MINI / "profiles")], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_prioritize_prints_a_ranked_explained_list():
    result = invoke("prioritize", *workspace_args(), "--destination", "NOR", "--year", "2022", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    first = data["picks"][0]
    # FRA's goal A is insufficient data: its capacity is a range, 0.30-1.00, ranked at 1.00 (so it
    # already stops what it could, and has no leverage), with the leverage its unknowns leave open
    # reported. DEU has no profile: it is listed, never ranked. Not knowing never raises priority.
    assert first["country"] == "FRA" and data["not_profiled"] == ["DEU"]
    assert first["routes"] == ["FRA -> NOR (cocaine, 60.0%)", "north_sea -> FRA (cocaine, 60.0%)"]
    assert (first["capacity_low"], first["capacity"], first["capacity_high"]) == (0.3, 1.0, 1.0)
    assert first["leverage"] == 0.0 < first["leverage_high"]
    assert first["why"][0].endswith("learn its unknown facts first")
    assert data["harm"] == {"cocaine": 0.3}


def test_prioritize_with_a_dollar_budget_prints_a_costed_portfolio(mini: Path):
    profile = mini / "profiles" / "FRA.yaml"
    profile.write_text(profile.read_text().replace("{value: unknown, as_of: 2019-01-01}",
                                                   "{value: false, as_of: 2019-01-01, source: test}"))
    result = invoke("prioritize", *workspace_args(mini), "--destination", "NOR", "--year", "2022",
                    "--budget-usd", "1000000", "--format", "json")
    data = json.loads(result.output)
    pick = data["picks"][0]
    assert (pick["country"], pick["package"], pick["lead"], pick["channel"]) == ("FRA", "fix_a", "INL", "bilateral_inl")
    assert pick["effects"]["a"] == "false -> true" and pick["flow_stopped"] > 0
    assert data["spent_usd"] <= 1_000_000 and data["exact"]["gap"] == 0.0
    both = CliRunner().invoke(main, ["prioritize", *workspace_args(mini), "--budget", "2", "--budget-usd", "5"])
    assert both.exit_code == 2 and "give one of them" in both.output


def test_prioritize_unknown_commodity_is_usage_error():
    result = CliRunner().invoke(main, ["prioritize", *workspace_args(), "--commodity", "heroin"])
    assert result.exit_code == 2 and "unknown commodity 'heroin'" in result.output


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json", "dot"])
def test_graph_export_to_file(fmt: str, tmp_path: Path):
    target = tmp_path / f"network.{fmt}"
    result = invoke("graph", "--format", fmt, *workspace_args(), "-o", str(target))
    assert result.exit_code == 0 and "NOR" in target.read_text()


def test_json_stays_one_document_with_several_results(tmp_path: Path):
    run = invoke("run", "--year", "2019", "--year", "2024", *workspace_args(), "--out", str(tmp_path), "--format", "json")
    assert [item["stamp"]["year"] for item in json.loads(run.stdout)] == [2019, 2024]
    check = CliRunner().invoke(main, ["check", "--properties", "--examples", "5", *workspace_args(), "--format", "json"])
    first, second = json.loads(check.stdout)
    assert "coverage" in first and second["checked"][0] == "range"


def test_check_lists_rules_no_profile_has_facts_for(mini: Path):
    for name in ("NOR", "FRA"):
        profile = mini / f"profiles/{name}.yaml"
        profile.write_text("\n".join(line for line in profile.read_text().splitlines() if not line.startswith("  d:")
                                     and "2021-06-01" not in line) + "\n")
    result = invoke("check", "--rules", str(mini / "rules"), "--profiles", str(mini / "profiles"))
    assert result.exit_code == 0
    assert "rules no profile has facts for as of 2024 (data gaps): B.c3.r5" in result.output


def test_run_shows_bounds_and_csv_carries_them_as_numbers(tmp_path: Path):
    table = invoke("run", "--year", "2024", *workspace_args(), "--out", str(tmp_path))
    lines = table.output[table.output.index("Scores as of"):].splitlines()
    # fully known: no interval, the estimate is the score
    assert lines[3].split() == ["1", "NOR", "Norway", "63.3", "63.3", "mid", "100%", "56.2", "77.5"]
    # the mini rule set declares no estimates: France's unknowns drop out, and it is listed last, with no estimate
    assert lines[4].split() == ["—", "FRA", "France", "insufficient", "data", "—", "[20.0–100.0]", "insufficient_data",
                                "25%", "(low", "confidence)", "insufficient", "data", "insufficient", "data"]
    rows = list(csv.DictReader(io.StringIO((tmp_path / "mini/2024/scores.csv").read_text())))
    nor = next(row for row in rows if row["country"] == "NOR")
    assert float(nor["low"]) == float(nor["score"]) == float(nor["high"])
    assert {"rank_best", "rank_worst", "A_low", "A_high"} <= set(rows[0])


# --- Arguments at and beyond their range ----------------------------------------------------------


@pytest.mark.parametrize("args", [["run", "--year", "-1"], ["run", "--year", "0"], ["run", "--year", "99999999999999999999"],
                                  ["explain", "NOR", "--year", "1800"], ["diff", "--from", "2019", "--to", "20244"],
                                  ["diff", "--from", "2019", "--to", "2024", "--fail-above", "nan"],
                                  ["diff", "--from", "2019", "--to", "2024", "--fail-above", "inf"],
                                  ["sensitivity", "--samples", "0"], ["check", "--stale-after", "-3"]])
def test_out_of_range_arguments_are_usage_errors(args: list[str]):
    result = CliRunner().invoke(main, [*args, *workspace_args()])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit) and "Error: Invalid value" in result.output


def test_a_sample_count_that_would_exhaust_memory_is_refused_before_allocating():
    result = invoke("sensitivity", "--samples", "100000000", *workspace_args())
    assert result.exit_code == 2
    assert "100,000,000 samples x 2 countries would hold more than 50,000,000 ranks in memory" in result.output


def test_an_unknown_destination_gets_did_you_mean():
    result = invoke("prioritize", *workspace_args(), "--destination", "NRO")
    assert result.exit_code == 2
    assert result.output.strip().endswith("unknown destination 'NRO': no trafficking link reaches or leaves it; did you mean 'NOR'?")


def test_years_outside_the_evidence_are_warned_about():
    early = invoke("explain", "NOR", "--year", "2001", *workspace_args())
    assert early.exit_code == 0 and "warning: no fact is dated in or before 2001 (the evidence starts in 2018)" in early.output
    late = invoke("explain", "NOR", "--year", "2030", *workspace_args())
    assert "warning: no fact is dated after 2024: 2030 reads the latest known values" in late.output


def test_a_full_disk_on_standard_output_is_a_clean_error():
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "assess", "explain", "NOR", *workspace_args()], stdout=full,
                              stderr=subprocess.PIPE, text=True, cwd=REPO)
    assert done.returncode == 2 and done.stderr.strip() == "cannot write to standard output: No space left on device"


def test_a_closed_pipe_ends_the_run_quietly(tmp_path: Path):
    """The reader of standard output is gone before anything is written (``| head -c 0``): the run
    ends with exit 0 and says nothing on stderr (no traceback, no "Broken pipe" at exit)."""
    process = subprocess.Popen([sys.executable, "-m", "assess", "-q", "run", "--year", "2024", *workspace_args(),
                                "--out", str(tmp_path / "out")], cwd=REPO, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # nobody reads: the first write fails with EPIPE
    stderr = process.stderr.read()
    assert (process.wait(timeout=60), stderr) == (0, "")
    assert (tmp_path / "out/mini/2024/manifest.json").is_file()  # the run did its work before printing


def test_the_default_year_ignores_facts_dated_in_the_future(mini: Path):
    profile = mini / "profiles/NOR.yaml"
    next_year = dt.date.today().year + 1
    profile.write_text(profile.read_text().replace(
        "  lvl:\n    - {value: mid, as_of: 2019-05-01, source: \"test\"}\n",
        f"  lvl:\n    - {{value: mid, as_of: 2019-05-01, source: \"test\"}}\n"
        f"    - {{value: high, as_of: {next_year}-01-01, source: \"enters into force next year\"}}\n"))
    workspace = assess.load_workspace(mini / "rules", mini / "profiles")
    assert workspace.latest_year() == 2024  # not next year: a planned change does not move the default


def test_csv_carries_data_not_display_strings():
    check = list(csv.DictReader(io.StringIO(invoke("-q", "check", *workspace_args(), "--format", "csv").output)))
    assert {"kind": "coverage", "where": "NOR", "value": "1.0", "message": "as of 2024"} in check
    ranked = list(csv.DictReader(io.StringIO(invoke("-q", "prioritize", *workspace_args(), "--destination", "NOR",
                                                    "--format", "csv").output)))
    assert ranked[0]["country"] == "FRA" and float(ranked[0]["leverage_high"]) > 0  # a number, not "0.0% (0.0%–62.7%)"
    moves = list(csv.DictReader(io.StringIO(invoke("-q", "diff", "--from", "2019", "--to", "2024", *workspace_args(),
                                                   "--format", "csv").output)))
    scored = [row for row in moves if row["delta"]]
    assert scored and all(abs(float(row["delta"]) - (float(row["new_score"]) - float(row["old_score"]))) < 1e-9
                          for row in scored)  # numbers, at full precision
    assert not any(row["delta"].startswith("'") for row in moves)


def test_diff_csv_has_a_row_per_changed_fact(mini: Path):
    """Each changed fact of a move in its own row: fact, old value and date, new value and date."""
    profile = mini / "profiles/NOR.yaml"
    profile.write_text(profile.read_text().replace(
        '    - {value: 5, as_of: 2019-05-01, source: "test"}\n',
        '    - {value: 5, as_of: 2019-05-01, source: "test"}\n    - {value: 9, as_of: 2024-02-01, source: "test"}\n'))
    result = invoke("-q", "diff", "--from", "2019", "--to", "2024", *workspace_args(mini), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    overall = [row for row in rows if row["country"] == "NOR" and row["level"] == "overall"]
    assert {(row["fact"], row["old_value"], row["old_as_of"], row["new_value"], row["new_as_of"]) for row in overall} == {
        ("a", "false", "2018-01-01", "true", "2024-12-31"), ("n", "5.0", "2019-05-01", "9.0", "2024-02-01"),
        ("d", "unknown", "", "2021-06-01", "2021-06-01")}
    assert len({(row["old_score"], row["new_score"], row["cause"]) for row in overall}) == 1  # one move, two rows
    assert "facts_changed" not in rows[0] and "→" not in result.stdout


def test_diff_takes_years_and_output_folders_at_any_level(tmp_path: Path):
    assert invoke("-q", "diff", "2019", "2024", *workspace_args()).output.startswith("1 country changed")
    out = tmp_path / "out"
    invoke("-q", "run", *workspace_args(), "--year", "2024", "--out", str(out))
    same = invoke("-q", "diff", str(out), str(out / "mini"))  # one rule set and year under each
    assert same.exit_code == 0 and same.output.startswith("No score changed")
    mixed = invoke("-q", "diff", "2019", str(out), *workspace_args())
    assert mixed.exit_code == 0 and "changed" in mixed.output
    invoke("-q", "run", *workspace_args(), "--year", "2019", "--out", str(out))
    several = CliRunner().invoke(main, ["diff", str(out), str(out)])
    assert several.exit_code == 2 and "holds 2 sets of scored outputs (mini/2019, mini/2024): give one of them" in several.output
    nothing = CliRunner().invoke(main, ["diff", str(tmp_path), "2024"])
    assert nothing.exit_code == 2 and "no scored outputs" in nothing.output


def test_outside_a_workspace_the_shipped_copy_is_named_on_stderr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["explain", "NOR", "--year", "2024"])
    assert result.exit_code == 0
    assert "note: no rules/ or country_profiles/ here: using the copy shipped with assess" in result.stderr
    assert "note:" not in result.stdout


def test_check_properties_reports_progress():
    from assess.api import check_properties, load_workspace

    calls: list[tuple[int, int]] = []
    check_properties(load_workspace(MINI / "rules", MINI / "profiles"), examples=5, progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (8, 8) and len(calls) == 8


QUIET_COMMANDS = {  # every command, with what it would say besides its result
    "run": (["run", "--year", "2024", "--out", "{tmp}/out"], ["wrote ", "score [low–high]"]),
    "explain": (["explain", "NOR", "--year", "2024"], ["weight: the rule's share"]),
    "prioritize": (["prioritize", "--destination", "NOR"], ["harm weights:", "priority = leverage"]),
    "portfolio": (["prioritize", "--destination", "NOR", "--budget-usd", "1000000"], ["value = share", "greedy gets"]),
    "scenario": (["scenario", "fund-fra", "--scenarios", str(MINI / "scenarios")], []),
    "check": (["check", "--properties", "--examples", "5"], ["coverage as of"]),
    "coverage": (["check", "--coverage"], []),
    "sensitivity": (["sensitivity", "--samples", "20"], ["nominal: the rank", "drivers: correlation"]),
    "diff": (["diff", "--from", "2019", "--to", "2024"], []),
    "graph": (["graph", "--format", "json", "-o", "{tmp}/g.json"], ["wrote "]),
    "report": (["report", "--year", "2024", "--destination", "NOR", "-o", "{tmp}/r.html"], ["wrote "]),
    "facts": (["facts"], []),
    "new": (["new", "SWE"], ["wrote "]),
}


@pytest.mark.parametrize("name", sorted(QUIET_COMMANDS))
def test_quiet_leaves_results_and_errors_only(name: str, mini: Path, tmp_path: Path):
    args, remarks = QUIET_COMMANDS[name]
    args = [arg.replace("{tmp}", str(tmp_path)) for arg in args]
    if name == "coverage":
        (mini / "rules/strategy.yaml").write_text(
            "items:\n  ONE:\n    seed: mini.txt\n    section: \"SECTION ONE: CONTROLS\"\n    quote: \"control things\"\n"
            "    partner_facing: true\n    implemented_by: [A.c1.r1]\n")
    loud = CliRunner().invoke(main, [*args, *workspace_args(mini)], catch_exceptions=False)
    quiet = CliRunner().invoke(main, ["-q", *args, *workspace_args(mini)] if name != "new" else
                               ["-q", "new", "DNK", *workspace_args(mini)], catch_exceptions=False)
    assert quiet.exit_code == loud.exit_code and loud.exit_code in (0, 1), loud.output
    assert quiet.stderr == ""
    for remark in remarks:
        assert remark in loud.output and remark not in quiet.output, remark
    assert set(quiet.stdout.splitlines()) <= set(loud.stdout.splitlines())  # only left out, never reworded


def test_check_quiet_on_a_clean_workspace_says_ok_and_nothing_else():
    result = invoke("-q", "check", *shipped_args())  # the shipped data: no findings and no warnings
    assert (result.exit_code, result.stdout, result.stderr) == (0, "ok: rules and profiles are valid; no findings\n", "")


def test_check_quiet_counts_the_warnings_it_leaves_out(mini: Path):
    def warnings() -> int:
        result = invoke("-q", "check", *workspace_args(mini))
        status = "ok: rules and profiles are valid; no findings"
        assert result.exit_code == 0 and result.stdout.startswith(status), result.stdout
        return int(result.stdout.removeprefix(status).removeprefix("; ").split(" ")[0] or 0)

    before = warnings()
    profile = mini / "profiles/NOR.yaml"
    sourced = "Ministry of Health, Decree 5/2019, https://www.gov.example/decrees/5-2019.pdf"
    profile.write_text(profile.read_text().replace('source: "test source 1"', f'source: "{sourced}"'))
    assert before > 0 and warnings() == before - 1  # "test source 1" names no publisher and no URL


def test_import_help_shows_every_form_with_an_example_that_imports(tmp_path: Path, shipped_workspace):
    """Each example of the help is a table `import --dry-run` reads in the form the help names."""
    text = invoke("import", "--help").stdout
    forms = {"Long form": ("long", []), "Wide by fact": ("facts", []), "Wide by year": ("years", []),
             "Closed list": ("long", ["--closed-list"])}
    lines = text.splitlines()
    for title, (form, extra) in forms.items():
        start = next(i for i, line in enumerate(lines) if line.strip().startswith(title))
        example = []
        for line in lines[start + 1:]:
            if line.startswith("    ") and "," in line:
                example.append(line.strip())
            elif example:
                break
        assert len(example) == 2, (title, example)  # a header and a row
        table = tmp_path / f"{form}{len(extra)}.csv"
        table.write_text("\n".join(example) + "\n")
        plan = assess.api.import_table(shipped_workspace, table, bool(extra), dry_run=True).to_json()
        read = plan["added"] + plan["unchanged"] + plan["conflicts"]
        assert plan["form"] == form and read >= (2 if form in ("facts", "years") else 1), title
        assert not extra or plan["closed_lists"], title


def test_an_older_rule_set_is_scored_with_its_warnings_on_stderr(mini: Path):
    """A rule set that declares no format is read as format 1 and says so, on stderr only (-q: not at all)."""
    header = mini / "rules/ruleset.yaml"
    header.write_text(header.read_text().replace("format: 2\n", ""))
    loud = invoke("explain", "FRA", "--year", "2024", "--format", "json", *workspace_args(mini))
    quiet = invoke("-q", "explain", "FRA", "--year", "2024", "--format", "json", *workspace_args(mini))
    assert (loud.exit_code, quiet.exit_code, loud.stdout) == (0, 0, quiet.stdout)
    assert loud.stderr.splitlines() == [f"{mini / 'rules/ruleset.yaml'}:1:1: warning: no format declared: read as "
                                        "format 1, the first release's; declare `format: 2` once it is written for "
                                        "this engine"]
    assert quiet.stderr == ""
