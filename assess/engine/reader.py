"""Stage 1, load: read YAML as plain data, strictly, keeping where every node came from.

YAML is data, never code: no tag constructs anything (explicit tags are errors), every plain
scalar stays text (``NO``, ``yes``, ``1.10`` and dates keep their spelling; the models decide
types), duplicate keys are errors, and file size, nesting depth and alias expansion are
bounded. The parser is PyYAML's event stream; composing is done here without recursion so a
hostile file cannot exhaust the stack.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import InputErrors, SourceError, first_hidden, location_of

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 200_000  # counted with aliases expanded, so an alias bomb is refused
NULL_SPELLINGS = {"", "~", "null", "Null", "NULL"}
DataPath = tuple[str | int, ...]  # keys and indices from a document's root to one of its nodes

_Parser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

@dataclass
class Document:
    """Plain data (dicts, lists, str, None) and the position of each node.

    The positions are found when first asked for (an error to report, an edit to place): a file
    that reads cleanly is composed once without them, and its text parsed again only if needed.
    """

    file: str
    data: Any
    _value_positions: dict[DataPath, tuple[int, int]] | None = field(default=None, repr=False)
    _key_positions: dict[DataPath, tuple[int, int]] | None = field(default=None, repr=False)
    text: str | None = field(default=None, repr=False)  # kept to find the positions later

    @property
    def value_positions(self) -> dict[DataPath, tuple[int, int]]:
        return self._positions()[0]

    @property
    def key_positions(self) -> dict[DataPath, tuple[int, int]]:
        return self._positions()[1]

    def _positions(self) -> tuple[dict[DataPath, tuple[int, int]], dict[DataPath, tuple[int, int]]]:
        """The positions of values and of keys, found the first time either is asked for."""
        if self._value_positions is None or self._key_positions is None:
            composer = _compose(self.text or "", self.file)  # the same text composed cleanly once already
            self._value_positions, self._key_positions, self.text = composer.values, composer.keys, None
        return self._value_positions, self._key_positions

    def position(self, path: DataPath, *, key: bool = False) -> tuple[int, int]:
        """Line and column (1-based) of the deepest known node on ``path``."""
        table = self.key_positions if key else self.value_positions
        for end in range(len(path), -1, -1):
            prefix = tuple(path[:end])
            if prefix in table:
                return table[prefix]
            if key and prefix in self.value_positions:
                return self.value_positions[prefix]
        return (1, 1)

    def error(self, path: DataPath, message: str, *, key: bool = False, **extra: Any) -> SourceError:
        line, col = self.position(path, key=key)
        dotted = ".".join(str(part) for part in path)
        return SourceError(self.file, line, col, message, field=dotted, **extra)

    def warning(self, path: DataPath, message: str) -> SourceError:
        """A problem the file is read in spite of (an older format's), at its key's position."""
        line, col = self.position(path, key=True)
        return SourceError(self.file, line, col, message, severity="warning")


def read_yaml(path: Path) -> Document:
    """Load one YAML file as a Document, or raise InputErrors."""
    return parse_yaml(read_bounded(path, MAX_FILE_BYTES), location_of(path))


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of a regular file, never more than ``limit`` + 1 read (so a symlink to /dev/zero or
    a huge file costs nothing), never blocking (a FIFO is refused, not waited on)."""
    name = location_of(path)
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise InputErrors([SourceError(name, 1, 1, f"cannot read file: {exc.strerror}")]) from None
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            raise InputErrors([SourceError(name, 1, 1, "not a regular file (a device, FIFO or folder): refused")])
        chunks, size = [], 0
        while size <= limit and (chunk := os.read(handle, min(1 << 20, limit + 1 - size))):
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise InputErrors([SourceError(name, 1, 1, f"cannot read file: {exc.strerror}")]) from None
    finally:
        os.close(handle)
    raw = b"".join(chunks)
    if len(raw) > limit:
        raise InputErrors([SourceError(name, 1, 1, f"file is larger than the limit of {limit} bytes")])
    return raw


def parse_yaml(raw: bytes, name: str) -> Document:
    """Parse YAML bytes (one document) into plain data with positions."""
    if len(raw) > MAX_FILE_BYTES:
        raise InputErrors([SourceError(name, 1, 1, f"file is larger than the limit of {MAX_FILE_BYTES} bytes")])
    text = _decode(raw, name)
    try:
        return Document(name, _compose_data(text), text=text)
    except _Unusual:  # anything the fast pass does not take: composed with positions, errors reported
        pass
    return _compose(text, name).document()


def _compose(text: str, name: str) -> _Composer:
    composer, parser = _Composer(name), _Parser(text)
    try:
        # the parser's own loop, without yaml.parse's generator around it: a profile is thousands of events
        while (event := parser.get_event()) is not None:
            composer.feed(event)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputErrors([*composer.errors, SourceError(name, line, col, f"invalid YAML: {problem}")]) from None
    except yaml.reader.ReaderError as exc:  # a forbidden character: no mark, an offset
        before = text[: exc.position]
        line, col = before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1
        message = f"invalid YAML: {exc.reason} (character #x{exc.character:04x})"
        raise InputErrors([SourceError(name, line, col, message)]) from None
    except _Abort:
        pass
    finally:
        parser.dispose()
    if composer.errors:
        raise InputErrors(composer.errors)
    return composer


class _Unusual(Exception):
    """The fast pass met something it leaves to the full composer: an error, a tag, an anchor."""


_SCALAR, _MAPPING, _SEQUENCE = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
_ENDS = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
_PASSED = (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentEndEvent)


def _compose_data(text: str) -> Any:
    """The data of a file that breaks no rule, composed without positions; ``_Unusual`` for anything
    else (a problem, a tag, an anchor or alias, a bound reached), so that ``_Composer`` composes it
    with positions and reports each problem where it is. Accepts exactly what ``_Composer`` accepts
    without errors, and gives the same data."""
    # A hidden character in a plain, single-quoted or block scalar is in the text as it is: one scan
    # of the text (line breaks aside, which no scalar keeps raw) stands for a check of each of them;
    # a double-quoted scalar can spell one as an escape ("\e"), so those are checked one by one.
    if first_hidden(text.replace("\r", "")) is not None:
        raise _Unusual
    parser = _Parser(text)
    stack: list[Any] = []  # open collections; a mapping's pending key follows it
    keys: list[Any] = []  # per open collection: the pending key of a mapping (_NO_KEY: none yet)
    root: Any = None
    documents = nodes = 0
    try:
        while (event := parser.get_event()) is not None:
            kind = type(event)
            if kind is _SCALAR:
                if (event.tag is not None and not event.implicit[0] and not event.implicit[1]) or event.anchor:
                    raise _Unusual
                value: Any = event.value
                if not event.style and value in NULL_SPELLINGS:
                    value = None
                if event.style == '"' and first_hidden(value) is not None:
                    raise _Unusual
            elif kind is _MAPPING or kind is _SEQUENCE:
                if (event.tag is not None and not event.implicit) or event.anchor or len(stack) >= MAX_DEPTH:
                    raise _Unusual
                stack.append({} if kind is _MAPPING else [])
                keys.append(_NO_KEY)
                continue
            elif kind in _ENDS:
                value = stack.pop()
                keys.pop()
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise _Unusual
                continue
            elif kind in _PASSED:
                continue
            else:  # an alias
                raise _Unusual
            nodes += 1
            if nodes > MAX_NODES:
                raise _Unusual
            if not stack:
                root = value
                continue
            parent = stack[-1]
            if type(parent) is list:
                parent.append(value)
                continue
            key = keys[-1]
            if key is _NO_KEY:
                if kind is not _SCALAR or type(value) is not str or value in parent:
                    raise _Unusual  # a key that is not plain text, or a duplicate
                keys[-1] = value
            else:
                parent[key] = value
                keys[-1] = _NO_KEY
    except (yaml.YAMLError, yaml.reader.ReaderError):
        raise _Unusual from None
    finally:
        parser.dispose()
    return root


_NO_KEY = object()


def _decode(raw: bytes, name: str) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise InputErrors([SourceError(name, line, col, "file is not valid UTF-8")]) from None
    return text.removeprefix("\ufeff")


class _Abort(Exception):
    """Stop composing: a bound was exceeded (already recorded as an error)."""


@dataclass
class _Open:
    """A collection being built: its value, its path, and for mappings the pending key."""

    value: Any
    path: DataPath
    anchor: str | None
    mark: tuple[int, int]
    size: int = 1
    key: str | None = None
    key_mark: tuple[int, int] | None = None


class _Composer:
    def __init__(self, name: str) -> None:
        self.name = name
        self.errors: list[SourceError] = []
        self.stack: list[_Open] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.root: Any = None
        self.documents = 0
        self.nodes = 0
        self.values: dict[DataPath, tuple[int, int]] = {}
        self.keys: dict[DataPath, tuple[int, int]] = {}
        self.handlers: dict[type, Callable[[Any, tuple[int, int]], None]] = {
            yaml.ScalarEvent: self._scalar, yaml.MappingStartEvent: self._start, yaml.SequenceStartEvent: self._start,
            yaml.MappingEndEvent: self._end, yaml.SequenceEndEvent: self._end, yaml.AliasEvent: self._alias,
            yaml.DocumentStartEvent: self._document}  # by exact type: one lookup per event, not a chain of tests

    def document(self) -> Document:
        return Document(self.name, self.root, self.values, self.keys)

    def fail(self, mark: tuple[int, int], message: str, *, abort: bool = False) -> None:
        self.errors.append(SourceError(self.name, mark[0], mark[1], message))
        if abort:
            raise _Abort

    def feed(self, event: yaml.Event) -> None:
        handler = self.handlers.get(type(event))
        if handler is not None:  # stream and document ends carry nothing to compose
            start = event.start_mark
            handler(event, (start.line + 1, start.column + 1) if start is not None else (1, 1))

    def _document(self, event: yaml.DocumentStartEvent, mark: tuple[int, int]) -> None:
        self.documents += 1
        if self.documents > 1:
            self.fail(mark, "only one YAML document is allowed per file", abort=True)

    def _end(self, event: yaml.CollectionEndEvent, mark: tuple[int, int]) -> None:
        done = self.stack.pop()
        if done.anchor:
            self.anchors[done.anchor] = (done.value, done.size)
        self._place(done.value, done.size, done.mark, new_nodes=1)  # its children were counted as placed

    def _alias(self, event: yaml.AliasEvent, mark: tuple[int, int]) -> None:
        if event.anchor not in self.anchors:
            self.fail(mark, f"unknown alias '*{event.anchor}'")
            return
        value, size = self.anchors[event.anchor]
        self._place(value, size, mark, new_nodes=size)  # an alias expands to its whole subtree

    def _scalar(self, event: yaml.ScalarEvent, mark: tuple[int, int]) -> None:
        if event.tag is not None and not event.implicit[0] and not event.implicit[1]:
            self.fail(mark, f"YAML tags are not allowed (found '{event.tag}'): files are data, never code")
        value: str | None = event.value
        if not event.style and event.value in NULL_SPELLINGS:
            value = None
        hidden = first_hidden(event.value)
        if hidden is not None:  # an escape such as "\e[2J" passes the reader; it must not reach a terminal
            self.fail(mark, f"control character U+{ord(hidden):04X} in a value: not allowed in data "
                            "(only newlines and tabs are)")
        if event.anchor:
            self.anchors[event.anchor] = (value, 1)
        self._place(value, 1, mark, new_nodes=1, scalar=True)

    def _start(self, event: yaml.CollectionStartEvent, mark: tuple[int, int]) -> None:
        if event.tag is not None and not event.implicit:
            self.fail(mark, f"YAML tags are not allowed (found '{event.tag}'): files are data, never code")
        if len(self.stack) >= MAX_DEPTH:
            self.fail(mark, f"nesting deeper than {MAX_DEPTH} levels", abort=True)
        path = self._child_path()
        container: Any = {} if isinstance(event, yaml.MappingStartEvent) else []
        self.stack.append(_Open(container, path, event.anchor, mark))
        self.values[path] = mark

    def _child_path(self) -> DataPath:
        if not self.stack:
            return ()
        parent = self.stack[-1]
        if isinstance(parent.value, list):
            return (*parent.path, len(parent.value))
        if parent.key is None:
            return (*parent.path, "?")  # a collection used as a mapping key: refused when placed
        return (*parent.path, parent.key)

    def _place(self, value: Any, size: int, mark: tuple[int, int], *, new_nodes: int, scalar: bool = False) -> None:
        """Attach a finished node (``size`` nodes, ``new_nodes`` of them not yet counted) to its parent."""
        self.nodes += new_nodes
        if self.nodes > MAX_NODES:
            self.fail(mark, f"more than {MAX_NODES} nodes once aliases are expanded", abort=True)
        if not self.stack:
            self.root = value
            self.values.setdefault((), mark)
            return
        parent = self.stack[-1]
        parent.size += size
        if isinstance(parent.value, list):
            self.values.setdefault((*parent.path, len(parent.value)), mark)
            parent.value.append(value)
        elif parent.key is None and parent.key_mark is None:
            self._take_key(parent, value, mark, scalar)
        else:
            if parent.key is not None:
                child = (*parent.path, parent.key)
                self.values.setdefault(child, mark)
                parent.value[parent.key] = value
            parent.key, parent.key_mark = None, None

    def _take_key(self, parent: _Open, key: Any, mark: tuple[int, int], scalar: bool) -> None:
        parent.key_mark = mark
        if not scalar or not isinstance(key, str):
            self.fail(mark, "mapping keys must be plain text")
            return
        if key in parent.value:
            first = self.keys.get((*parent.path, key), mark)
            self.fail(mark, f"duplicate key '{key}' (first defined at line {first[0]})")
            return
        parent.key = key
        self.keys[(*parent.path, key)] = mark
