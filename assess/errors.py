"""One error hierarchy for every stage.

Every error a user can act on carries structured fields (file, line, column, dotted field
path, what was allowed, a "did you mean" suggestion) and renders in the
``path:line:col: error: message`` form that editors parse.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate to a misspelt word, or None when nothing is close."""
    matches = difflib.get_close_matches(str(word), sorted(set(candidates)), n=1, cutoff=0.6)
    return matches[0] if matches else None


@dataclass(frozen=True)
class SourceError:
    """One problem at one place in one input file."""

    path: str
    line: int
    col: int
    message: str
    field: str = ""
    allowed: tuple[str, ...] = ()
    suggestion: str | None = None

    def render(self) -> str:
        parts = [self.message]
        if self.field:
            parts.append(f"at '{self.field}'")
        text = " ".join(parts)
        if self.allowed:
            text += f"; allowed: {', '.join(map(str, self.allowed))}"
        if self.suggestion:
            text += f"; did you mean '{self.suggestion}'?"
        return f"{self.path}:{self.line}:{self.col}: error: {text}"

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


def location_of(path: Path | str) -> str:
    """How a file is named in messages: relative to the working directory when inside it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
