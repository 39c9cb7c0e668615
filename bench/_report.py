"""Printing the tables and writing the JSON file of a run."""

import json
from pathlib import Path


def fmt(value, digits: int = 1) -> str:
    """A table cell: numbers rounded, missing values as a dash."""
    if value is None or value == "":
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(title: str, headers: list[str], rows: list[list], left: int = 1, notes=()) -> str:
    """A plain-text table: the first ``left`` columns aligned left, the others right."""
    cells = [[fmt(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in [headers, *cells]) for i in range(len(headers))]
    rule = "  ".join("-" * w for w in widths)

    def line(row: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i < left else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()

    out = ["", title, rule, line(headers), rule, *(line(r) for r in cells), rule]
    out += [f"  {note}" for note in notes]
    return "\n".join(out)


def write_json(path: str, data: dict) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(data, indent=2, default=str) + "\n")
