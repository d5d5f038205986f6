"""Fuzzing the loaders and every command: success, findings, or the documented error; never a traceback.

Random bytes, and mutations of real rule and profile files, go through the YAML loader, the
workspace loader and each command (FUZZ_EXAMPLES=600 for a longer run; atheris is not used:
Hypothesis's mutations reach every command, which a byte-level fuzzer on one loader would not). Allowed outcomes: exit 0 or 1, or exit 2 with every
stderr line in the form ``path:line:col: error: message`` (or a usage message).
"""

import os
import re
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assess.cli import main
from assess.engine.reader import parse_yaml
from assess.errors import InputErrors
from helpers import MINI, REPO

ERROR_LINE = re.compile(r"^\S.*:\d+:\d+: error: \S.*$")
FUZZ = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", 60)), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.nested_given,
                                                                       HealthCheck.too_slow])
TARGETS = ["profiles/NOR.yaml", "profiles/FRA.yaml", "rules/goals/a.yaml", "rules/goals/b.yaml", "rules/facts.yaml",
           "rules/ruleset.yaml", "rules/interventions.yaml", "rules/network.yaml", "profiles/network/trafficking.yaml",
           "profiles/network/partnerships.yaml"]
COMMANDS = [["check"], ["run", "--year", "2024"], ["explain", "NOR"], ["prioritize", "--destination", "NOR"],
            ["graph", "--format", "json"], ["diff", "--from", "2019", "--to", "2024"], ["sensitivity", "--samples", "20"],
            ["check", "--properties", "--examples", "5"], ["report", "--destination", "NOR"]]


@st.composite
def mutations(draw, text: str) -> str:
    """A real file, damaged the way people and tools damage files."""
    lines = text.splitlines(keepends=True)
    kind = draw(st.sampled_from(["delete", "insert", "duplicate", "swap", "replace", "truncate"]))
    at = draw(st.integers(0, max(len(text) - 1, 0)))
    if kind == "delete":
        return text[:at] + text[at + draw(st.integers(1, 40)):]
    if kind == "insert":
        junk = draw(st.text(alphabet=st.sampled_from([*list(":-[]{}&*!|>'\"#%@`, \n\tyesNO0.1e5~"), "é", "\x00"]),
                            min_size=1, max_size=12))
        return text[:at] + junk + text[at:]
    if kind == "duplicate" and lines:
        i = draw(st.integers(0, len(lines) - 1))
        return "".join([*lines[:i + 1], lines[i], *lines[i + 1:]])
    if kind == "swap" and len(lines) > 1:
        i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]
        return "".join(lines)
    if kind == "replace":
        tokens = re.findall(r"[A-Za-z_][A-Za-z0-9_]*|\d[\d.-]*", text)
        if tokens:
            token = draw(st.sampled_from(tokens))
            replacement = draw(st.sampled_from(["", "unknown", "true", "no", "NO", "1.10", "-1", "1e999", "nan", "ZZZ",
                                                "<script>alert(1)</script>", "=cmd|' /C calc'!A0", "~"]))
            return text.replace(token, replacement, 1)
    return text[:at]


def assert_documented(result) -> None:
    """Exit 0 or 1; or exit 2 with located errors (or one usage message): never an exception."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code in (0, 1, 2), result.output
    if result.exit_code == 2:
        lines = [line for line in result.output.splitlines() if line]
        located = [line for line in lines if ERROR_LINE.match(line)]
        assert located == lines or len(lines) == 1 or result.output.startswith("Usage:"), result.output


@FUZZ
@given(st.binary(max_size=400))
def test_random_bytes_load_or_fail_cleanly(raw: bytes):
    try:
        parse_yaml(raw, "f.yaml")
    except InputErrors as errors:
        assert all(ERROR_LINE.match(line) for line in errors.render().splitlines())


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
@settings(FUZZ, max_examples=-(-FUZZ.max_examples // len(COMMANDS)))  # every command as often, in parallel
@given(st.data())
def test_mutated_files_through_every_command(tmp_path_factory, command, data):
    workspace = tmp_path_factory.mktemp("fuzz") / "ws"
    shutil.copytree(MINI, workspace)
    target = workspace / data.draw(st.sampled_from(TARGETS))
    target.write_text(data.draw(mutations(target.read_text())), encoding="utf-8", errors="surrogatepass")
    args = [*command, "--rules", str(workspace / "rules"), "--profiles", str(workspace / "profiles")]
    if command[0] == "run":
        args += ["--out", str(workspace / "out")]
    if command[0] == "report":
        args += ["-o", str(workspace / "report.html")]
    result = CliRunner().invoke(main, args, catch_exceptions=True)
    assert_documented(result)
    if result.exit_code == 2:
        # nothing is written on bad input
        assert not (workspace / "out").exists() and not (workspace / "report.html").exists()


def test_hostile_text_in_a_profile_is_escaped(mini: Path):
    profile = mini / "profiles/NOR.yaml"
    profile.write_text(profile.read_text().replace('source: "test source 1"',
                                                   'source: "=cmd|\' /C calc\'!A0", note: "<script>alert(1)</script> | x"'))
    args = ["--rules", str(mini / "rules"), "--profiles", str(mini / "profiles"), "--year", "2019"]
    markdown = CliRunner().invoke(main, ["explain", "NOR", *args, "--format", "markdown"]).output
    assert "<script>" not in markdown and "=cmd\\|" in markdown
    run = CliRunner().invoke(main, ["run", *args, "--out", str(mini / "out")])
    assert run.exit_code == 0
    summary = (mini / "out/mini/2019/summary.md").read_text()
    assert "<script>" not in summary


def _limited(seconds: int, megabytes: int):
    def apply():
        resource.setrlimit(resource.RLIMIT_AS, (megabytes << 20, megabytes << 20))
    return {"timeout": seconds, "preexec_fn": apply}


@pytest.mark.parametrize("content", [
    b"country: NOR\nfacts:\n" + b"".join(b"  a%d: &x%d [*x%d, *x%d, *x%d, *x%d, *x%d, *x%d, *x%d, *x%d]\n" % ((i, i) + (i - 1,) * 8)
                                         for i in range(1, 12)).replace(b"*x0", b"1"),
    b"country: NOR\nfacts: " + b"[" * 5000 + b"]" * 5000 + b"\n",
    b"country: NOR\nnote: " + b"x" * (3 << 20) + b"\n",
    b"country: !!python/object/apply:os.system ['echo pwned']\n",
    b"country: NOR\n\xff\xfe\x00bad\n",
], ids=["alias-bomb", "deep-nesting", "huge-scalar", "python-tag", "non-utf8"])
def test_hostile_files_end_quickly_within_memory(content: bytes, mini: Path):
    (mini / "profiles/NOR.yaml").write_bytes(content)
    done = subprocess.run([sys.executable, "-m", "assess", "check", "--rules", str(mini / "rules"), "--profiles",
                           str(mini / "profiles")], capture_output=True, text=True, cwd=REPO, **_limited(30, 1024))
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert all(ERROR_LINE.match(line) for line in done.stderr.splitlines()), done.stderr


ARGUMENT_VALUES = st.one_of(st.integers(-10**20, 10**20).map(str), st.sampled_from(
    ["", "-", ".", "..", "nan", "inf", "-0", "1e999", "NOR", "nor", "USS", "heroin", "cocaine", "\x1b[2J", "../x", "/dev/null"]))


ARGUMENTS = [
    ["run", "--out", "{out}/o", "--year"], ["explain", "NOR", "--year"], ["explain"],
    ["prioritize", "--destination"], ["prioritize", "--commodity"], ["prioritize", "--budget"],
    ["sensitivity", "--samples"], ["sensitivity", "--spread"], ["check", "--stale-after"], ["check", "--examples"],
    ["diff", "--from", "2019", "--to"], ["diff", "--from", "2019", "--to", "2024", "--fail-above"],
    ["graph", "--format", "json", "--year"], ["report", "--destination", "NOR", "-o", "{out}/r.html", "--year"]]


@pytest.mark.parametrize("template", ARGUMENTS, ids=" ".join)
@settings(FUZZ, max_examples=-(-FUZZ.max_examples // len(ARGUMENTS)))  # every option as often, in parallel
@given(st.data())
def test_command_arguments_at_any_value_end_in_a_documented_way(tmp_path_factory, template, data):
    """Every option of every command with values from its edge: a number, a result or exit 2."""
    out = tmp_path_factory.mktemp("args")
    command = [part.format(out=out) for part in template]
    value = data.draw(ARGUMENT_VALUES)
    result = CliRunner().invoke(main, [*command, value, "--rules", str(MINI / "rules"), "--profiles",
                                       str(MINI / "profiles")], catch_exceptions=True)
    assert_documented(result)
    assert "\x1b" not in result.output  # a control character in an argument never reaches the terminal live
