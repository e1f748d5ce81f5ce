"""The claim registry: the 72 built-in ids of CLAIMS.md, well-formed records, evidence that exists."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from sslverify.verdicts.builtin import FAMILIES, SEED_FILES
from sslverify.verdicts.record import VERDICTS, Claim, ClaimDeclarationError, Reading, Source, claim
from sslverify.verdicts.registry import builtin_claims, claim_ids, get_claim, registry, select

ROOT = Path(__file__).resolve().parents[2]
CLAIMS_MD = ROOT.parent / "shared" / "CLAIMS.md"


def test_builtin_registry_holds_exactly_the_register_ids():
    ids = claim_ids()
    assert len(ids) == 72 and len(set(ids)) == 72
    assert list(builtin_claims()) == ids
    assert {c.family for c in builtin_claims().values()} == set(FAMILIES)
    if CLAIMS_MD.exists():  # the register beside the checkout (CI and dev machines have it)
        md_ids = re.findall(r"^\| `([a-z]+\.[^`]+)` \|", CLAIMS_MD.read_text(), flags=re.M)
        assert len(md_ids) == 72 and set(md_ids) == set(ids)


def test_unknown_id_is_a_value_error_naming_close_matches():
    with pytest.raises(ValueError, match=r"claim id 'ziyin\.thm9' does not exist.*ziyin\.thm1"):
        get_claim("ziyin.thm9")


def test_select_families_and_patterns():
    assert {c.family for c in select(["ziyin.*"])} == {"ziyin"}
    assert len(select(["ziyin"])) == 20
    assert [c.id for c in select(["ziyin.thm1"])] == ["ziyin.thm1"]
    assert {c.id for c in select(["*.prop2"])} == {"ziyin.prop2", "rusak.prop2", "lastlayer.prop2"}
    assert len(select(["ziyin.thm1", "ziyin.*"])) == 20  # no duplicates
    with pytest.raises(ValueError, match="matches no claim"):
        select(["nothing.*"])


@pytest.mark.parametrize("rec", list(builtin_claims().values()), ids=lambda c: c.id)
def test_record_is_well_formed(rec: Claim):
    assert rec.builtin and rec.verdict in VERDICTS
    assert not rec.problems()
    assert rec.source.file == SEED_FILES[rec.family]
    seeds = ROOT.parent / "shared" / "seeds"
    assert not seeds.exists() or (seeds / rec.source.file).exists()
    assert callable(rec.check) and rec.location
    assert rec.evidence, "a derived claim must name its evidence"
    for ev in rec.evidence + rec.second_method + tuple(e for r in rec.readings for e in r.evidence):
        path, _, test = ev.partition("::")
        file = ROOT / path
        assert file.exists(), f"{rec.id}: evidence file {path} does not exist"
        if test:
            names = {n.name for n in ast.walk(ast.parse(file.read_text()))
                     if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
            assert test.split("[")[0].split("::")[0] in names, f"{rec.id}: {ev} names no test in {path}"


def _declare(**kw):
    base = dict(id="a.b", source=Source("x.txt", "§1"), statement="s")
    base.update(kw)

    @claim(**base)
    def check():
        raise AssertionError("not called")

    return check.__sslverify_claim__


def test_declaration_rules_are_enforced_with_file_and_rule():
    with pytest.raises(ClaimDeclarationError, match=r"test_registry\.py:\d+: claim 'a\.b': .*must say what was wrong"):
        _declare(verdict="corrected")
    with pytest.raises(ClaimDeclarationError, match="counterexample"):
        _declare(verdict="refuted", correction="x")
    with pytest.raises(ClaimDeclarationError, match="verdict must be one of"):
        _declare(verdict="true")
    with pytest.raises(ClaimDeclarationError, match="never a recorded verdict"):
        _declare(verdict="inconclusive")
    with pytest.raises(ClaimDeclarationError, match="id must look like 'family.name'"):
        _declare(id="NoFamily")
    with pytest.raises(ClaimDeclarationError, match="exactly one reading must be primary"):
        _declare(verdict="proved", readings=(Reading("r1", "proved"), Reading("r2", "refuted")))
    with pytest.raises(ClaimDeclarationError, match="must equal the primary reading's verdict"):
        _declare(verdict="proved", readings=(Reading("r1", "refuted", primary=True), Reading("r2", "proved")))
    ok = _declare(verdict="proved", readings=(Reading("r1", "proved", primary=True), Reading("r2", "refuted")))
    assert ok.verdict == "proved" and ok.location.endswith(tuple("0123456789"))


def test_user_claims_cannot_clash_with_builtin_ids(tmp_path):
    f = tmp_path / "clash.py"
    f.write_text("from sslverify import claim, Outcome\n"
                 "@claim('ziyin.thm1', 'mine', 'a statement', verdict='proved')\n"
                 "def check():\n    return Outcome('proved', 'x')\n")
    with pytest.raises(ClaimDeclarationError, match=r"clash.py:2: claim 'ziyin.thm1' .* built-in claims are reserved"):
        registry((f,))


# ----------------------------------------------------------------------------- how verdicts are decided (issue 9)
def _runs_experiment(rec: Claim) -> bool:
    """The claim's evidence function (or one-piece check) runs an experiment (found in its code)."""
    from sslverify.experiments import EXPERIMENTS
    from sslverify.verdicts.show import _references
    import sys

    fn = rec.gather or rec.check
    _, strings = _references(fn, sys.modules[fn.__module__], set())
    return any(s in EXPERIMENTS for s in strings)


BUILTIN = list(builtin_claims().values())


@pytest.mark.parametrize("rec", [c for c in BUILTIN if c.verdict in ("corrected", "refuted")], ids=lambda c: c.id)
def test_every_correction_has_a_second_method_scope_and_the_sources_definitions(rec: Claim):
    assert rec.second_method, f"{rec.id}: a {rec.verdict} record needs a second-method test (second_method=...)"
    assert all(e.startswith("tests/") for e in rec.second_method)
    assert rec.scope, f"{rec.id}: a {rec.verdict} record states the model class it covers (scope=...)"
    assert rec.definitions, f"{rec.id}: quote the source's definitions of the symbols used (definitions=...)"


@pytest.mark.parametrize("rec", [c for c in BUILTIN if c.verdict == "underspecified"], ids=lambda c: c.id)
def test_underspecified_records_name_what_is_missing(rec: Claim):
    assert rec.correction and rec.definitions


@pytest.mark.parametrize("rec", [c for c in BUILTIN if _runs_experiment(c)], ids=lambda c: c.id)
def test_every_empirical_record_states_its_power(rec: Claim):
    assert rec.power and len(rec.power) > 40, f"{rec.id}: state the smallest detectable effect (power=...)"


def test_every_builtin_claim_is_split_into_evidence_and_decision():
    assert [c.id for c in BUILTIN if c.gather is None] == []
    assert sum(_runs_experiment(c) for c in BUILTIN) >= 15  # the experiment-backed claims are found
