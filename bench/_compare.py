"""Two result files of ``bench/speed.py`` side by side: before and after a change, or SQLite and
PostgreSQL of one run. Rows are matched by their label.

    python bench/_compare.py before.json after.json              # plain text
    python bench/_compare.py before.json after.json --markdown   # for bench/README.md
    python bench/_compare.py a.json b.json --over                # only rows OVER budget in either

(A ``_`` file, so ``bench/run.py`` does not take it for a benchmark.)
"""

import argparse
import json
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:] = [str(BENCH.parent)] + [p for p in sys.path if Path(p or ".").resolve() != BENCH]

from bench._report import fmt, table  # noqa: E402


def load(path: str) -> dict:
    return json.loads(Path(path).read_text())


def cell(record: dict | None) -> str:
    """``median / p95 (queries q) xN VERDICT`` of one side (xN: times its floor)."""
    if not record:
        return "-"
    if "error" in record:
        return "ERROR"
    text = f"{fmt(record.get('median_ms'))} / {fmt(record.get('p95_ms'))}"
    if record.get("queries") is not None:
        text += f" ({record['queries']} q)"
    if record.get("x_floor") is not None:
        text += f" x{fmt(record['x_floor'])}"
    verdict = record.get("verdict")
    return f"{text} {verdict}" if verdict else text


def ordering_cell(record: dict | None) -> str:
    if not record:
        return "-"
    first, last = record.get("first", {}), record.get("last", {})
    text = f"{fmt(first.get('median_ms'))} / {fmt(last.get('median_ms'))}"
    return f"{text} {record.get('verdict', '')}".strip()


def paired(a: list[dict], b: list[dict], key, name=None) -> list[tuple]:
    """Rows of both sides in the order of ``a`` (then those only in ``b``), matched by ``key``
    and shown by ``name`` (default: the key)."""
    name = name or key
    left, right = {key(r): r for r in a}, {key(r): r for r in b}
    keys = list(left) + [k for k in right if k not in left]
    return [(name(left.get(k) or right.get(k)), left.get(k), right.get(k)) for k in keys]


def is_over(*records) -> bool:
    return any(r and r.get("verdict") in ("OVER", "ERROR") for r in records)


def sections(a: dict, b: dict, only_over: bool) -> list[tuple[str, list[str], list[list]]]:
    out = []
    for name, key, show in (
        ("requests", lambda r: r.get("key", r["label"]), cell),
        ("actions", lambda r: r["label"], cell),
        ("orderings", lambda r: f"{r['list']} ordering={r['ordering']}", ordering_cell),
    ):
        label_of = (lambda r: r["label"]) if name == "requests" else None
        rows = [
            [label, show(x), show(y)]
            for label, x, y in paired(a.get(name, []), b.get(name, []), key, label_of)
            if not only_over or is_over(x, y)
        ]
        if rows:
            out.append((name, ["measurement", "A", "B"], rows))
    by_label = lambda r: r["label"]  # noqa: E731
    rows = [
        [label, fmt(x and x.get("ops_per_s")), fmt(y and y.get("ops_per_s"))]
        for label, x, y in paired(a.get("throughput", []), b.get("throughput", []), by_label)
    ]
    out.append(("throughput (restocks/s)", ["measurement", "A", "B"], rows))
    rows = [
        [label, load_cell(x), load_cell(y)]
        for label, x, y in paired(
            a.get("load", []), b.get("load", []), lambda r: f"{r['label']} c={r.get('concurrency')}"
        )
    ]
    out.append(("load (req/s, median ms)", ["measurement", "A", "B"], rows))
    return out


def load_cell(record: dict | None) -> str:
    if not record or "error" in record:
        return "-" if not record else "ERROR"
    return f"{fmt(record.get('rps'))} req/s, {fmt(record.get('median_ms'))} ms"


def markdown(title: str, headers: list[str], rows: list[list]) -> str:
    lines = [f"**{title}**", "", "| " + " | ".join(headers) + " |"]
    lines.append("|" + "|".join("---" for _ in headers) + "|")
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def describe(data: dict) -> str:
    database = data.get("database", "?").split(";")[0]
    return f"{database}, code {data.get('revision')}, {data.get('date')}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--over", action="store_true", help="only rows OVER budget in A or B")
    args = parser.parse_args(argv)
    a, b = load(args.a), load(args.b)
    print(f"A: {describe(a)}\nB: {describe(b)}")
    print("cells: median / p95 ms (queries), or for orderings: page-1 median / last-page median")
    for title, headers, rows in sections(a, b, args.over):
        print(markdown(title, headers, rows) if args.markdown else table(title, headers, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
