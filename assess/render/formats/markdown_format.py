"""GitHub-flavoured Markdown: profile text is escaped so it cannot break the table or inject HTML."""

import html
import re

from ...errors import visible
from . import View, cell_text
from .tabulated import tabulate

LINKISH = re.compile(r"\][(\[:]")


def escape(value: object) -> str:
    """A cell as literal text: no HTML, no link or image (``[x](...)``, ``![p](...)``), no code span,
    no table break, no control character."""
    text = html.escape(visible(str(cell_text(value)), newlines=False).replace("\\x0a", " "), quote=False)
    text = text.replace("\\", "\\\\").replace("`", "\\`").replace("|", "\\|")
    # a link, image or link definition needs "](", "][" or "]:"; where one could form, every bracket
    # is escaped (and with no definition anywhere, a lone [x] can never link); [41.0–88.5] stays as is
    return text.replace("[", "\\[").replace("]", "\\]") if LINKISH.search(text) else text


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
