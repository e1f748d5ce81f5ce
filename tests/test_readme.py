"""README stays current: quick start shape and the verdict table generated from the registry."""
from __future__ import annotations

import re
from pathlib import Path

from sslverify.verdicts.cli import markdown_table
from sslverify.verdicts.registry import builtin_claims

README = Path(__file__).resolve().parents[1] / "README.md"


def test_quick_start_is_two_commands_in_one_block():
    text = README.read_text()
    block = re.search(r"## Quick start\s+```(?:bash)?\n(.*?)```", text, flags=re.S)
    assert block, "README needs a '## Quick start' heading followed by one fenced block"
    commands = [ln for ln in block.group(1).splitlines() if ln.strip()]
    assert len(commands) == 2
    assert "torch==2.13.0" in commands[0] and "sslverify report" in commands[0]
    assert "torch==2.13.0" in commands[1] and "pytest" in commands[1]
    ci = (README.parent / ".ci" / "run").read_text()
    assert commands[1].strip() in ci, ".ci/run must run the README's second command"


def test_verdict_table_matches_registry():
    text = README.read_text()
    block = re.search(r"<!-- verdict-table:start -->\n(.*?)\n<!-- verdict-table:end -->", text, flags=re.S)
    assert block, "README lacks the verdict-table markers"
    assert block.group(1).strip() == markdown_table(list(builtin_claims().values())).strip(), (
        "README verdict table is stale: run `python -m sslverify.verdicts.readme`")
