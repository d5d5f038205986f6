"""One error hierarchy for every stage.

Every error a user can act on carries structured fields (file, line, column, dotted field
path, what was allowed, a "did you mean" suggestion) and renders in the
``path:line:col: error: message`` form that editors parse.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

# Characters that must never reach a terminal, a document or a message as they are: C0 and C1
# controls (escape sequences, NUL, bells) other than newline and tab, and the bidirectional
# overrides that make text display in another order than it reads.
_HIDDEN = {*range(0x20), 0x7F, *range(0x80, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A)} - {0x09, 0x0A}


_HIDDEN_RE = re.compile("[" + "".join(re.escape(chr(code)) for code in sorted(_HIDDEN)) + "]")
_SHOWN_RE = re.compile(_HIDDEN_RE.pattern[:-1] + "\n\t\r]")  # one scan, in C, over every value read


def first_hidden(text: str) -> str | None:
    """The first character of ``text`` that must not reach a terminal as it is, if any."""
    found = _HIDDEN_RE.search(text)
    return found.group() if found else None


def visible(text: str, *, newlines: bool = True) -> str:
    """Text with every hidden character shown as an escape (``\\x1b``, ``\\u202e``); with
    ``newlines=False`` newlines and tabs too, so one message can never pose as several."""
    def shown(ch: str) -> str:
        code = ord(ch)
        if code in _HIDDEN or (not newlines and ch in "\n\t\r"):
            return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
        return ch

    return "".join(shown(ch) for ch in text) if _SHOWN_RE.search(text) else text


def json_visible(text: str) -> str:
    """JSON text with every hidden character written as its ``\\uXXXX`` escape: the same data for a
    parser, nothing live for a terminal (in JSON such characters can only stand inside strings)."""
    return _HIDDEN_RE.sub(lambda found: f"\\u{ord(found.group()):04x}", text) if _HIDDEN_RE.search(text) else text


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate to a misspelt word, or None when nothing is close."""
    matches = difflib.get_close_matches(str(word), sorted(set(candidates)), n=1, cutoff=0.6)
    return matches[0] if matches else None


@dataclass(frozen=True)
class SourceError:
    """One problem at one place in one input file: an error, or a warning (the file is read in spite of it)."""

    path: str
    line: int
    col: int
    message: str
    field: str = ""
    allowed: tuple[str, ...] = ()
    suggestion: str | None = None
    severity: Literal["error", "warning"] = "error"

    def render(self) -> str:
        parts = [self.message]
        if self.field:
            parts.append(f"at '{self.field}'")
        text = " ".join(parts)
        if self.allowed:
            text += f"; allowed: {', '.join(map(str, self.allowed))}"
        if self.suggestion:
            text += f"; did you mean '{self.suggestion}'?"
        return visible(f"{self.path}:{self.line}:{self.col}: {self.severity}: {text}", newlines=False)

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.col, self.message)


class AssessError(Exception):
    """Base of every error the engine raises on purpose."""

    exit_code = 2


@dataclass
class InputErrors(AssessError):
    """Bad input: all the problems found, reported together (exit code 2)."""

    errors: list[SourceError] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.render())

    def render(self) -> str:
        ordered = sorted(set(self.errors), key=SourceError.sort_key)
        return "\n".join(error.render() for error in ordered)


class UsageError(AssessError):
    """A command was asked for something that cannot be done (exit code 2)."""


class OutputError(AssessError):
    """An output could not be written where asked; the previous output is left whole (exit code 2)."""


def location_of(path: Path | str) -> str:
    """How a file is named in messages: relative to the working directory when inside it."""
    path = Path(path)
    try:  # abspath, not resolve: a symlink loop must still have a name
        return str(Path(os.path.abspath(path)).relative_to(os.path.abspath(Path.cwd())))
    except (ValueError, OSError):
        return str(path)
