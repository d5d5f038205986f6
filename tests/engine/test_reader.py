"""Strict YAML: data only, positions kept, hostile input refused with path:line:col."""

import os

import pytest

from assess.engine.reader import MAX_DEPTH, MAX_FILE_BYTES, parse_yaml, read_yaml
from assess.errors import InputErrors


def error_lines(raw: bytes) -> list[str]:
    with pytest.raises(InputErrors) as caught:
        parse_yaml(raw, "f.yaml")
    return caught.value.render().splitlines()


def test_scalars_keep_their_text():
    doc = parse_yaml(b"country: NO\nflags: [yes, on, off, 1.10, 2019-01-01, 0x1F]\nempty:\n", "f.yaml")
    assert doc.data == {"country": "NO", "flags": ["yes", "on", "off", "1.10", "2019-01-01", "0x1F"], "empty": None}


def test_positions_of_keys_and_values_are_one_based():
    doc = parse_yaml(b"a:\n  b: [1, 2]\n", "f.yaml")
    assert doc.key_positions[("a", "b")] == (2, 3)
    assert doc.value_positions[("a", "b", 1)] == (2, 10)


def test_duplicate_key():
    assert error_lines(b"a: 1\nb: 2\na: 3\n") == ["f.yaml:3:1: error: duplicate key 'a' (first defined at line 1)"]


def test_object_constructing_tag_is_refused():
    assert error_lines(b"a: !!python/object/apply:os.system [ls]\n") == [
        "f.yaml:1:4: error: YAML tags are not allowed (found 'tag:yaml.org,2002:python/object/apply:os.system'): "
        "files are data, never code"]


def test_alias_bomb_is_bounded():
    lines = [b'a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 7):
        refs = ",".join([f"*a{i - 1}"] * 10).encode()
        lines.append(b"a%d: &a%d [" % (i, i) + refs + b"]")
    (line,) = error_lines(b"\n".join(lines) + b"\n")
    assert "nodes once aliases are expanded" in line and line.startswith("f.yaml:")


def test_deep_nesting_is_bounded():
    (line,) = error_lines(b"[" * (MAX_DEPTH + 5))
    assert line == f"f.yaml:1:{MAX_DEPTH + 1}: error: nesting deeper than {MAX_DEPTH} levels"


def test_huge_file_is_refused():
    (line,) = error_lines(b"a: " + b"x" * MAX_FILE_BYTES)
    assert line == f"f.yaml:1:1: error: file is larger than the limit of {MAX_FILE_BYTES} bytes"


def test_non_utf8_bytes():
    assert error_lines(b"a: ok\nb: \xff\xfe\n") == ["f.yaml:2:4: error: file is not valid UTF-8"]


def test_syntax_error_has_position():
    assert error_lines(b"a: [1, 2\nb: 3\n") == ["f.yaml:2:2: error: invalid YAML: did not find expected ',' or ']'"]


def test_one_document_only():
    assert error_lines(b"a: 1\n---\nb: 2\n") == ["f.yaml:2:1: error: only one YAML document is allowed per file"]


def test_unknown_alias():
    assert error_lines(b"a: *nowhere\n") == ["f.yaml:1:4: error: unknown alias '*nowhere'"]


def test_control_character():
    assert error_lines(b"a: b\nc: \x07\n") == ["f.yaml:2:4: error: invalid YAML: control characters are not allowed (character #x0007)"]


# --- Special files and realistic sizes ------------------------------------------------------------


@pytest.mark.parametrize("make", [os.mkfifo, lambda path: path.symlink_to("/dev/zero")],
                         ids=["a FIFO is not waited on", "a link to an endless device reads nothing"])
def test_a_special_file_is_refused(tmp_path, make):
    special = tmp_path / "NOR.yaml"
    make(special)
    with pytest.raises(InputErrors, match="not a regular file"):
        read_yaml(special)


def test_a_symlink_loop_is_a_clean_error(tmp_path):
    loop = tmp_path / "NOR.yaml"
    loop.symlink_to(loop)
    with pytest.raises(InputErrors, match="cannot read file: Too many levels of symbolic links"):
        read_yaml(loop)


def test_reading_stops_one_byte_past_the_limit(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: " + b"x" * (MAX_FILE_BYTES * 2))
    with pytest.raises(InputErrors, match="larger than the limit"):
        read_yaml(big)


def test_a_5000_link_network_is_within_the_node_limit():
    links = "".join(f"  - {{from: A{i:04d}, to: B{i:04d}, commodity: cocaine, confidence: low, since: 2019-01-01, "
                    f"source: test}}\n" for i in range(5000))
    document = parse_yaml(("links:\n" + links).encode(), "trafficking.yaml")
    assert len(document.data["links"]) == 5000


def test_aliases_still_count_their_whole_expansion():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 7)]
    (line,) = error_lines("\n".join(lines).encode())
    assert "nodes once aliases are expanded" in line


@pytest.mark.parametrize("escape,code", [("\\e[2J", "001B"), ("\\a", "0007"), ("\\0", "0000"), ("\\u202e", "202E"),
                                         ("\\x9b", "009B")])
def test_control_characters_written_as_yaml_escapes_are_refused(escape: str, code: str):
    (line,) = error_lines(f'a: "safe{escape}text"\n'.encode())
    assert line == f"f.yaml:1:4: error: control character U+{code} in a value: not allowed in data (only newlines and tabs are)"


@pytest.mark.parametrize("scalar", ["safe\u202etext", "'safe\u202etext'", "|\n  safe\u202etext", '"safe\u202etext"'])
def test_a_hidden_character_written_as_it_is_is_refused_in_every_style(scalar: str):
    """The fast pass scans a file's text once for these (a double-quoted value is checked as read):
    every style of scalar still gets the error, where the value starts."""
    (line,) = error_lines(f"a: {scalar}\n".encode())
    assert line == "f.yaml:1:4: error: control character U+202E in a value: not allowed in data (only newlines and tabs are)"


def test_a_hidden_character_in_a_comment_is_no_error():
    assert parse_yaml("a: text  # note \u202e\n".encode(), "f.yaml").data == {"a": "text"}


def test_newlines_and_tabs_in_text_are_kept():
    assert parse_yaml(b'a: "one\\ntwo\\tthree"\n', "f.yaml").data == {"a": "one\ntwo\tthree"}
