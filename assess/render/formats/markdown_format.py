"""GitHub-flavoured Markdown: profile text is escaped so it cannot break the table or inject HTML."""

import html
import re

from tabulate import tabulate

from . import View, cell_text


def escape(value: object) -> str:
    text = html.escape(str(cell_text(value)), quote=False)
    return text.replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def fenced(text: str) -> str:
    """A code block no line of the text can close early."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"\n{fence}\n{text.rstrip()}\n{fence}"


def render(view: View) -> str:
    rows = [[escape(value) for value in row] for row in view.rows]
    parts = [f"## {escape(view.title)}\n"] if view.title else []
    if view.columns:
        parts.append(tabulate(rows, headers=[escape(c) for c in view.columns], tablefmt="github", disable_numparse=True))
    parts.extend(f"\n{escape(note)}" for note in view.notes)
    if view.preformatted:
        parts.append(fenced(view.preformatted))
    parts.extend(f"\n<details><summary>{escape(heading)}</summary>\n\n{render(section)}\n</details>"
                 for heading, section in view.sections)
    return "\n".join(parts) + "\n"
