"""The claim registry: all 72 ids of CLAIMS.md, well-formed records, evidence that exists."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from theory.claims import PENDING, VERDICTS, Claim, Source
from theory.registry import claim_ids, get_claim, registry, select

ROOT = Path(__file__).resolve().parents[2]
CLAIMS_MD = ROOT.parent / "shared" / "CLAIMS.md"


def test_registry_holds_exactly_the_register_ids():
    ids = claim_ids()
    assert len(ids) == 72 and len(set(ids)) == 72
    assert list(registry()) == ids
    if CLAIMS_MD.exists():  # the register beside the checkout (CI and dev machines have it)
        md_ids = re.findall(r"^\| `([a-z]+\.[^`]+)` \|", CLAIMS_MD.read_text(), flags=re.M)
        assert md_ids == ids


def test_unknown_id_is_a_value_error_naming_close_matches():
    with pytest.raises(ValueError, match=r"claim_id 'ziyin\.thm9' does not exist.*ziyin\.thm1"):
        get_claim("ziyin.thm9")


def test_select_families():
    assert {c.id.split(".")[0] for c in select(["ziyin.*"])} == {"ziyin"}
    assert len(select(["ziyin"])) == 20
    assert [c.id for c in select(["ziyin.thm1"])] == ["ziyin.thm1"]


@pytest.mark.parametrize("claim", list(registry().values()), ids=lambda c: c.id)
def test_record_is_well_formed(claim: Claim):
    assert claim.verdict in VERDICTS + (PENDING,)
    assert claim.statement.strip()
    assert claim.source.file.endswith(".txt") and (ROOT.parent / "shared" / "seeds" / claim.source.file).exists() \
        or not (ROOT.parent / "shared" / "seeds").exists()
    if claim.verdict == PENDING:
        assert claim.covered_by
        return
    claim.check_fn()  # importable
    assert claim.evidence, "a derived claim must name its evidence"
    for ev in claim.evidence:
        path, _, test = ev.partition("::")
        file = ROOT / path
        assert file.exists(), f"{claim.id}: evidence file {path} does not exist"
        if test:
            names = {n.name for n in ast.walk(ast.parse(file.read_text())) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
            assert test.split("[")[0].split("::")[0] in names, f"{claim.id}: {ev} names no test in {path}"


def test_record_rules_are_enforced():
    src = Source("x.txt", "§1")
    with pytest.raises(ValueError, match="must say what was wrong"):
        Claim("a.b", src, "s", verdict="corrected", check="m:f")
    with pytest.raises(ValueError, match="counterexample"):
        Claim("a.b", src, "s", verdict="refuted", correction="x", check="m:f")
    with pytest.raises(ValueError, match="needs a check"):
        Claim("a.b", src, "s", verdict="proved")
    with pytest.raises(ValueError, match="verdict must be one of"):
        Claim("a.b", src, "s", verdict="true", check="m:f")
