"""Fuzzing ``assess import`` with generated tables (Hypothesis): the import and its ``--dry-run`` agree on
every table, neither ever ends in a traceback, a refused table changes nothing, an accepted one loads
and importing it again adds nothing. CI runs a few dozen tables; ``pytest --slow`` runs 1,000."""

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import assess
from helpers import MINI, invoke, workspace_args

COUNTRIES = ["NOR", "FRA", "Norway", "France", "nor", "Sonora, Norway", "Norway; DROP TABLE", "Norway Delta", "SWE",
             "Atlantis", "", "NOR-OSL", "\x1b[31mNOR", "Frnace", " NOR ", "Korea"]
FACTS = ["a", "lvl", "n", "d", "s", "lvll", "", "fact", "A"]
VALUES = ["true", "false", "unknown", "high", "low", "mid", "hihg", "5", "-1", "1e999", "nan", "x;y", "[]", "x;x",
          "2021-06-01", "", "=1+1", "7.5"]
DATES = ["2020-01-01", "2023", "2023-02", "2020-13-01", "9999-12-31", "1066-01-01", "", "2019-05-01", "2024-12-31",
         "20-01-01"]
SOURCES = ["r", "", "Ministry, report", "x" * 2100, "a\nb", "\u202e", "\u0085", "https://example.org/a?b=1"]
HEADERS = [["country", "fact", "value", "as_of", "source"], ["country", "fact", "value", "as_of", "source", "note"],
           ["country", "fact", "value", "fact", "as_of", "source"], ["country", "as_of", "source", "lvl", "n"],
           ["country", "fact", "source", "2021", "2022"], ["Country", "Fact", "Value", "As_Of", "Source"],
           ["country", "", "value", "as_of", "source"], ["country", "fact", "value"]]


GOOD = {"a": ["true", "false", "unknown"], "lvl": ["low", "mid", "high", "unknown"], "n": ["0", "5", "7.5", "unknown"],
        "d": ["2021-06-01", "unknown"], "s": ["x;y", "[]", "z", "unknown"]}


def cell_text(cell: str, quoting: str) -> str:
    if quoting == "quoted":
        return '"' + cell.replace('"', '""') + '"'
    if quoting == "open":
        return '"' + cell
    return cell if not set(cell) & set(',"\r\n') else '"' + cell.replace('"', '""') + '"'


@st.composite
def rows_of(draw) -> list[list[str]]:
    """Rows that are mostly good, some with one cell of junk, some ragged; a header first."""
    header = draw(st.sampled_from([HEADERS[0]] * 4 + [HEADERS[1]] * 4 + HEADERS))
    rows = [header]
    for _ in range(draw(st.integers(0, 6))):
        fact = draw(st.sampled_from(sorted(GOOD)))
        good = {"country": draw(st.sampled_from(["NOR", "FRA", "Norway", "France"])), "fact": fact,
                "value": draw(st.sampled_from(GOOD[fact])), "source": draw(st.sampled_from(["r", "Ministry, report"])),
                "as_of": f"{draw(st.integers(1990, 2025))}-{draw(st.integers(1, 12)):02d}-{draw(st.integers(1, 28)):02d}",
                "note": draw(st.sampled_from(["", "n"])), "lvl": draw(st.sampled_from(GOOD["lvl"] + [""])),
                "n": draw(st.sampled_from(GOOD["n"] + [""])), "2021": draw(st.sampled_from(GOOD["n"] + [""])),
                "2022": draw(st.sampled_from(GOOD["n"] + [""]))}
        row = [good.get(column.lower(), "") for column in header]
        if row and draw(st.integers(0, 3)) == 0:  # one cell of junk
            at = draw(st.integers(0, len(row) - 1))
            pools = {"country": COUNTRIES, "fact": FACTS, "as_of": DATES, "source": SOURCES, "note": SOURCES}
            row[at] = draw(st.sampled_from(pools.get(header[at].lower(), VALUES)))
        shape = draw(st.integers(0, 9))
        if shape == 0:
            row.append(draw(st.sampled_from(["", "x"])))
        elif shape == 1 and row:
            row.pop()
        rows.append(row)
    return rows


@st.composite
def tables(draw) -> tuple[str, list[list[str]], bytes]:
    """A table as CSV bytes (mostly well formed, sometimes damaged) or as a workbook's rows."""
    rows = draw(rows_of())
    damage = draw(st.sampled_from(["none"] * 6 + ["open quote", "encoding", "junk byte"]))
    lines = []
    for row in rows:
        cells = [cell_text(cell, draw(st.sampled_from(["raw", "raw", "quoted"]))) for cell in row]
        lines.append(",".join(cells) + draw(st.sampled_from(["\n", "\n", "\r\n"])))
    if damage == "open quote" and len(lines) > 1:
        at = draw(st.integers(1, len(lines) - 1))
        lines[at] = '"' + lines[at]
    encoding = draw(st.sampled_from(["latin-1", "utf-16", "cp1252"])) if damage == "encoding" else \
        draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig"]))
    raw = "".join(lines).encode(encoding, "replace")
    if damage == "junk byte":
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.sampled_from([b"\xff", b"\x00", b"\xc3", b'"', b","])) + raw[at:]
    return draw(st.sampled_from([".csv", ".csv", ".csv", ".xlsx"])), rows, raw


def write_table(path: Path, suffix: str, rows: list[list[str]], raw: bytes) -> None:
    if suffix == ".csv":
        path.write_bytes(raw)
        return
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = openpyxl.Workbook()
    for row in rows:  # a workbook cannot hold control characters: the CSV form tests those
        book.active.append([ILLEGAL_CHARACTERS_RE.sub("?", cell) if not cell.startswith("=") else "'" + cell
                            for cell in row])
    book.save(path)


OUTCOMES: dict[int, int] = {}  # for the figures a --slow run prints (pytest -s)


def profiles_of(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "profiles").glob("*.yaml"))}


def summary(output: str) -> str:
    """What an import says it would do or did, without the part that differs (written or not)."""
    return "\n".join(line.split("; dry run:")[0].split("; wrote")[0] for line in output.splitlines())


def fuzz_examples(hypothesis_examples: int, ci: int = 25) -> int:
    return hypothesis_examples if hypothesis_examples > 100 else ci


def test_import_and_dry_run_agree_on_any_table(tmp_path_factory: pytest.TempPathFactory, hypothesis_examples: int):
    @settings(max_examples=fuzz_examples(hypothesis_examples), deadline=None, database=None,
              derandomize=hypothesis_examples <= 100,  # the same calls on every CI run; --slow explores
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(drawn=tables(), closed=st.integers(0, 4))
    def agree(drawn: tuple[str, list[list[str]], bytes], closed: int) -> None:
        root = tmp_path_factory.mktemp("ws")
        shutil.copytree(MINI, root, dirs_exist_ok=True)
        suffix, rows, raw = drawn
        table = root / f"t{suffix}"
        write_table(table, suffix, rows, raw)
        before = profiles_of(root)
        extra = ["--closed-list"] if closed == 0 else []
        dry = invoke("import", str(table), *workspace_args(root), *extra, "--dry-run")
        assert profiles_of(root) == before
        real = invoke("import", str(table), *workspace_args(root), *extra)
        for result in (dry, real):
            assert "Traceback" not in result.output
            assert not any(ch in result.output for ch in "\x1b\u202e\u0085\x00"), result.output
        assert dry.exit_code == real.exit_code, (dry.output, real.output)
        event(f"exit {real.exit_code}")
        OUTCOMES[real.exit_code] = OUTCOMES.get(real.exit_code, 0) + 1
        if real.exit_code == 2:
            assert dry.output == real.output
            assert profiles_of(root) == before
            return
        assert summary(dry.output) == summary(real.output)
        assess.load_workspace(root / "rules", root / "profiles")
        again = invoke("import", str(table), *workspace_args(root), *extra, "--dry-run")
        assert again.exit_code in (0, 1) and " 0 to add," in again.output, again.output

    agree()
    print(f"import fuzz: {sum(OUTCOMES.values())} tables, by exit code {dict(sorted(OUTCOMES.items()))}")
