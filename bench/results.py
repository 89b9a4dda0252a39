"""Each benchmark owns one section of bench/results.md, between markers, and rewrites only that."""
from __future__ import annotations

import re
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results.md"
HEADER = "# Benchmark results\n\nMachines here are shared and noisy: compare figures of one run, not across runs.\n"


def write_section(name: str, text: str, path: Path = RESULTS) -> None:
    begin, end = f"<!-- begin {name} -->", f"<!-- end {name} -->"
    current = path.read_text() if path.exists() else HEADER
    if not current.startswith("# Benchmark results"):
        current = HEADER
    block = f"{begin}\n{text.strip()}\n{end}"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    current = pattern.sub(lambda _: block, current) if pattern.search(current) else current.rstrip() + "\n\n" + block + "\n"
    path.write_text(current)
