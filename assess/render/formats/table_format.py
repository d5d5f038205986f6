"""Plain terminal table (tabulate)."""

from tabulate import tabulate

from ...errors import visible
from . import View, cell_text


def render(view: View) -> str:
    rows = [[cell_text(cell) for cell in row] for row in view.rows]
    parts = [visible(view.title)] if view.title else []
    if view.columns:
        parts.append(tabulate(rows, headers=view.columns, tablefmt="simple", disable_numparse=True))
    parts.extend(visible(note) for note in view.notes)
    if view.preformatted:
        parts.append(visible(view.preformatted.rstrip("\n")))
    parts.extend(f"\n{visible(heading)}\n" + render(section) for heading, section in view.sections)
    return "\n".join(parts) + "\n"
