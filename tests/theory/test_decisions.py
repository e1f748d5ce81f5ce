"""Every built-in claim's decision runs here, on evidence (fixture or live) that must give the recorded verdict.

Per-family files (``test_decisions_<family>.py``) add, for each claim, evidence that must give a
*different* verdict (a counterexample that does not re-check, a residual that is not zero, a fitted
exponent outside its band, an underpowered null), so that a decision that always answers the same fails.
"""
from __future__ import annotations

import pytest

from sslverify.verdicts.registry import builtin_claims

SPLIT = [c for c in builtin_claims().values() if c.gather is not None]


@pytest.mark.parametrize("rec", SPLIT, ids=lambda c: c.id)
def test_decision_reproduces_recorded_verdict(rec, evidence_of):
    out = rec.decide(evidence_of(rec))
    assert out.verdict == rec.verdict, out.reason


@pytest.mark.parametrize("rec", SPLIT, ids=lambda c: c.id)
def test_decision_is_pure(rec, evidence_of):
    # the same evidence decides the same way twice and is not modified by the decision
    ev = evidence_of(rec)
    before = repr(ev)
    first = rec.decide(ev)
    assert repr(ev) == before, "a decision must not modify its evidence"
    assert rec.decide(ev).verdict == first.verdict
