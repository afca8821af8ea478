"""Write one benchmark's figures into its own section of bench/RESULTS.md, leaving the
other benchmarks' sections as they are."""

from __future__ import annotations

import platform
import re
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "RESULTS.md"
HEADER = (
    "# Benchmark results\n\nWritten by `make bench`. Each figure is a ratio against a baseline "
    "measured in the same run, because these machines are noisy; absolute times are for context.\n"
)


def write_section(name: str, body: str) -> None:
    text = RESULTS.read_text() if RESULTS.exists() else HEADER
    stamp = f"_{time.strftime('%Y-%m-%d %H:%M')} UTC, Python {platform.python_version()}, {platform.machine()}_"
    section = f"<!-- {name} -->\n## {name}\n\n{stamp}\n\n{body.strip()}\n<!-- /{name} -->\n"
    pattern = re.compile(rf"<!-- {re.escape(name)} -->.*?<!-- /{re.escape(name)} -->\n", re.S)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(text)
    print(body.strip())
