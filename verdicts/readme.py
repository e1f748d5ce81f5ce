"""Regenerate the verdict table of README.md from the registry: ``python -m sslverify.verdicts.readme``."""
from __future__ import annotations

import re
from pathlib import Path

from sslverify.numerics.io import atomic_write_text
from sslverify.verdicts.cli import markdown_table
from sslverify.verdicts.registry import builtin_claims

README = Path(__file__).resolve().parents[1] / "README.md"


def update(path: Path = README) -> bool:
    """Rewrite the block between the verdict-table markers; True if it changed."""
    text = path.read_text()
    table = markdown_table(list(builtin_claims().values()))
    new = re.sub(r"(<!-- verdict-table:start -->\n).*?(\n<!-- verdict-table:end -->)",
                 lambda m: m.group(1) + table + m.group(2), text, flags=re.S)
    if new != text:
        atomic_write_text(path, new)
    return new != text


if __name__ == "__main__":
    print("README.md updated" if update() else "README.md already current")
