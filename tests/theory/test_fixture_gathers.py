"""Recorded evidence that tests/theory can still afford to re-gather: the gather reproduces its fixture.

Claims decided from a recorded fixture (tests/theory/fixtures/<id>.json) have their decision tested on that
fixture, but their gather never runs in the proof checker, so a change in what it computes (an example matrix,
a size, a seed, a derived number) went unnoticed (mutation testing: whole gathers without a covering test).
For the fixture-backed claims whose quick gather takes about a second, this re-gathers at the fixture's size and
compares with the fixture, number by number (test_snapshots.differences: float64 round-off margins).
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from sslverify.verdicts.evidence import fixture_settings, load_fixture
from sslverify.verdicts.registry import builtin_claims

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_snapshots import differences  # noqa: E402

#: fixture-backed claims whose quick gather is cheap (idle 2-core machine, one thread): pokle.thm3 ≈ 1 s
#: (exact enumeration, float64), found.gaussian-mi ≈ 2 s (150 Adam steps of a 6-d problem + SymPy's Schur step)
CHEAP = ("pokle.thm3", "found.gaussian-mi")


@pytest.mark.parametrize("cid", CHEAP)
def test_quick_gather_reproduces_its_fixture(cid, tmp_path):
    rec = builtin_claims()[cid]
    fx = load_fixture(cid)
    assert fx is not None and fixture_settings(cid) == "quick", f"{cid}: expected a quick fixture"
    diffs = differences(fx, rec.gather_evidence(quick=True, out_dir=tmp_path), "evidence")
    assert not diffs, f"{cid}: " + "; ".join(diffs[:8])
