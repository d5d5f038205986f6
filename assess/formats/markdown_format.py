"""GitHub-flavoured Markdown: profile text is escaped so it cannot break the table or inject HTML."""

import html

from tabulate import tabulate

from . import View, display


def escape(value: object) -> str:
    text = html.escape(str(display(value)), quote=False)
    return text.replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def render(view: View) -> str:
    rows = [[escape(value) for value in row] for row in view.rows]
    parts = [f"## {escape(view.title)}\n"] if view.title else []
    parts.append(tabulate(rows, headers=[escape(c) for c in view.columns], tablefmt="github", disable_numparse=True))
    parts.extend(f"\n{escape(note)}" for note in view.notes)
    parts.extend(f"\n<details><summary>{escape(heading)}</summary>\n\n{render(section)}\n</details>"
                 for heading, section in view.sections)
    return "\n".join(parts) + "\n"
