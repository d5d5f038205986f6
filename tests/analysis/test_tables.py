"""Reading tables strictly: every doubtful table is refused with ``file:line``, never taken silently,
and hostile workbooks are refused before they are read (never a traceback, never a hang)."""

import io
import re
import time
import zipfile
from pathlib import Path

import pytest

import assess
from assess.analysis.countrynames import resolve_country
from assess.analysis.tables import read_table
from helpers import invoke, workspace_args

HEAD = "country,fact,value,as_of,source\n"


def refused(path: Path) -> str:
    with pytest.raises(assess.InputErrors) as caught:
        read_table(path)
    return caught.value.render()


@pytest.mark.parametrize("text,line,message", [
    ("country,fact,value,fact,as_of,source\nNOR,lvl,high,n,2023,x\n", 1, "names column 'fact' twice"),
    ("country,,value,as_of,source\nNOR,lvl,high,2023,x\n", 1, "column 2 of the header has no name"),
    (HEAD + "NOR,lvl,high,2023,x,extra\n", 2, "a cell beyond the header"),
    (HEAD + "NOR,lvl,high,2023\n", 2, "a cell is missing"),
    (HEAD + "NOR,lvl,high,2023,x\n\"NOR,lvl,high,2024,x\n", 3, "a quote is opened and never closed"),
    (HEAD + "NOR,lvl,\"high\"x,2023,x\n", 2, "invalid CSV"),
    (HEAD + "NOR,lvl,high,2023,x\x1b[31m\n", 2, "a control character in a cell"),
    (HEAD + "NOR,lvl,high,2023," + "x" * 10_001 + "\n", 2, "a cell of 10001 characters"),
])
def test_doubtful_csv_is_refused_at_its_line(tmp_path: Path, text: str, line: int, message: str):
    path = tmp_path / "t.csv"
    path.write_text(text)
    rendered = refused(path)
    assert f"t.csv:{line}:1: error: " in rendered and message in rendered, rendered
    assert "\x1b" not in rendered


@pytest.mark.parametrize("raw,message", [
    (b"country,fact\n\xff\xfe,x\n", "t.csv:2:1: error: the table is not valid UTF-8"),
    ("country,fact\nNOR,x\n".encode("utf-16"), "not valid UTF-8"),
    (b"country,fact\nNOR,\x00\n", "t.csv:2:1: error: a NUL character"),
])
def test_undecodable_text_is_refused(tmp_path: Path, raw: bytes, message: str):
    path = tmp_path / "t.csv"
    path.write_bytes(raw)
    assert message in refused(path)


def test_a_trailing_comma_on_every_line_is_a_trailing_empty_column(tmp_path: Path):
    path = tmp_path / "t.csv"
    path.write_text("country,fact,value,as_of,source,\nNOR,lvl,high,2023,x,\n")
    header, rows = read_table(path)
    assert header == ["country", "fact", "value", "as_of", "source"] and rows[0].cells["source"] == "x"


@pytest.mark.parametrize("name,code", [
    ("Sonora, Mexico", None), ("Mexico; DROP TABLE", None), ("Niger Delta", None), ("Greater Mexico", None),
    ("Mexico", "MEX"), ("mexico", "MEX"), ("Niger", "NER"), ("Nigeria", "NGA"), ("Côte d’Ivoire", "CIV"),
    ("St. Lucia", "LCA"), ("Korea", None), ("United States of America", "USA"), ("Viet Nam", "VNM"),
])
def test_a_country_is_an_exact_name_never_a_name_found_inside_text(name: str, code: str | None):
    assert resolve_country(name) == code


def test_import_refuses_names_that_only_contain_a_country(mini: Path, tmp_path: Path):
    path = tmp_path / "t.csv"
    path.write_text(HEAD + "\"Sonora, Norway\",lvl,high,2023,x\nNorway Delta,lvl,high,2023,x\nNorwya,lvl,high,2023,x\n")
    for extra in ([], ["--dry-run"]):
        result = invoke("import", str(path), *workspace_args(mini), *extra)
        assert result.exit_code == 2, result.output
        assert "t.csv:2:1: error: 'Sonora, Norway' is not a country code or name" in result.output
        assert "t.csv:3:1: error: 'Norway Delta'" in result.output
        assert "t.csv:4:1: error: 'Norwya' is not a country code or name; did you mean 'Norway'?" in result.output


# --- Workbooks -------------------------------------------------------------------------------------


def workbook(tmp_path: Path, replace: dict[str, bytes] | None = None, name: str = "t.xlsx") -> Path:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.append(["country", "fact", "value", "as_of", "source"])
    book.active.append(["Norway", "n", 12, "2023-12-31", "Customs annual report"])
    buffer = io.BytesIO()
    book.save(buffer)
    if replace:
        source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
            for member in source.infolist():
                target.writestr(member.filename, replace.get(member.filename, source.read(member.filename)))
            for extra in sorted(set(replace) - set(source.namelist())):
                target.writestr(extra, replace[extra])
    path = tmp_path / name
    path.write_bytes(buffer.getvalue())
    return path


SHEET = "xl/worksheets/sheet1.xml"
LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;'
          b'&lol;&lol;&lol;&lol;&lol;">]><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
          b'main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>')
WIDE = (b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>country</t></is>'
        b'</c></row></sheetData></worksheet>')

SPARSE = (b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
          b'<sheetData><row r="ROW"><c r="WHERE" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>')


@pytest.mark.parametrize("damage,message", [
    ("not a zip", "not a readable XLSX workbook"),
    ("truncated", "not a readable XLSX workbook"),
    ("bad xml", "not a readable XLSX workbook"),
    ("entities", "a DTD in xl/worksheets/sheet1.xml"),
    ("dimension", "declares 1048576 rows and 16384 columns"),
    ("inflates", "the workbook inflates to"),
    ("no sheet", "not a readable XLSX workbook"),
    ("far row", "t.xlsx:1048576:1: error: the table has more than 200000 lines"),
    ("far column", "t.xlsx:1:1: error: a cell in column 16384"),
])
def test_a_hostile_workbook_is_refused_quickly_with_a_location(tmp_path: Path, damage: str, message: str):
    if damage == "not a zip":
        path = tmp_path / "t.xlsx"
        path.write_bytes(b"country,fact\nNOR,x\n")
    elif damage == "truncated":
        whole = workbook(tmp_path, name="whole.xlsx").read_bytes()
        path = tmp_path / "t.xlsx"
        path.write_bytes(whole[: len(whole) // 2])
    elif damage == "bad xml":
        path = workbook(tmp_path, {SHEET: b"<worksheet><sheetData><row>"})
    elif damage == "entities":
        path = workbook(tmp_path, {SHEET: LAUGHS})
    elif damage == "dimension":
        path = workbook(tmp_path, {SHEET: WIDE})
    elif damage in ("far row", "far column"):
        where = "A1048576" if damage == "far row" else "XFD1"
        path = workbook(tmp_path, {SHEET: SPARSE.replace(b"WHERE", where.encode()).replace(
            b"ROW", where.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ").encode())})
    elif damage == "inflates":
        path = workbook(tmp_path, {"xl/padding.xml": b" " * (65 * 1024 * 1024)})
    else:
        path = workbook(tmp_path, {"xl/workbook.xml": b'<?xml version="1.0"?><workbook xmlns="http://schemas.'
                                                      b'openxmlformats.org/spreadsheetml/2006/main"/>'})
    started = time.perf_counter()
    rendered = refused(path)
    assert time.perf_counter() - started < 5
    assert re.search(r"t\.xlsx:\d+:1: error: ", rendered), rendered
    assert message in rendered, rendered
