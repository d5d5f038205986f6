"""Plain terminal table (tabulate)."""

from tabulate import tabulate

from . import View, cell_text


def render(view: View) -> str:
    rows = [[cell_text(cell) for cell in row] for row in view.rows]
    parts = [view.title] if view.title else []
    if view.columns:
        parts.append(tabulate(rows, headers=view.columns, tablefmt="simple", disable_numparse=True))
    parts.extend(view.notes)
    if view.preformatted:
        parts.append(view.preformatted.rstrip("\n"))
    parts.extend(f"\n{heading}\n" + render(section) for heading, section in view.sections)
    return "\n".join(parts) + "\n"
