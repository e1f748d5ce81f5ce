"""ziyin.norm-collapse (verdicts/builtin/ziyin_experiments.py): the evidence extraction on a hand-made result dict,
the gather function's argument passing, the a_min boundary of the decision (the interval must lie strictly below
a_min), and that every verdict carries the evidence as its details."""
from __future__ import annotations

import math
import pathlib

import pytest

from sslverify.verdicts.builtin import ziyin_experiments as ze
from sslverify.verdicts.registry import get_claim

CID = "ziyin.norm-collapse"


def _result():
    """A minimal experiment result: 2 replicas × 3 σ² values (r_min·d as exact integers, as a JSON writer may
    store 0 and 1), no 'summary' key, one check entry without a key."""
    return {"normalized_rel": [[0, 1, 2], [1, 0, 3]], "a_min_per_replica": [0.2, 0.25], "sigma2s": [0.0, 0.1, 0.3],
            "onset_ratio_interval": [0.5, math.inf], "onset_ratio": 0.8, "onset_ratio_coverage": 0.75,
            "onset_ratios": [0.5, math.inf], "far_below_threshold": 0.25, "config": {"collapse_frac": 0.01},
            "checks": [{"key": "converged", "passed": True}, {"name": "unkeyed", "passed": False}],
            "normalized_collapsed_at_sigma0": 1, "unnormalized_collapsed": 0}


def test_extract_norm_collapse_fields():
    """Replicas = rows of normalized_rel (2, not the 3 grid columns); shares at σ = 0 = first column and the minimum
    over the grid per row, as floats; top σ²/a_min = 0.3/0.2, 0.3/0.25; a missing summary is ''; checks by key only."""
    ev = ze.extract_norm_collapse(_result())
    assert ev["replicas"] == 2
    assert ev["rel_at_sigma0"] == [0.0, 1.0] and ev["rel_min_over_grid"] == [0.0, 0.0]
    assert all(type(x) is float for x in ev["rel_at_sigma0"] + ev["rel_min_over_grid"])
    assert ev["top_over_amin"] == pytest.approx([1.5, 1.2], rel=1e-15)  # one float64 division each
    assert ev["summary"] == ""
    assert ev["checks"] == {"converged": True}


@pytest.mark.parametrize("quick", [True, False])
def test_norm_collapse_evidence_passes_its_arguments(monkeypatch, tmp_path, quick):
    """The gather function runs experiments/ziyin_norm_collapse with the caller's quick flag and output folder."""
    import sslverify.experiments as exps

    calls = []

    def fake(name, **kw):
        calls.append((name, kw))
        return _result()

    monkeypatch.setattr(exps, "run_experiment", fake)
    out = pathlib.Path(tmp_path)
    ev = ze.norm_collapse_evidence(quick, out)
    assert calls == [("ziyin_norm_collapse", {"quick": quick, "out_dir": out})]
    assert ev["replicas"] == 2


@pytest.fixture
def ev(evidence_of):
    return evidence_of(get_claim(CID))


@pytest.mark.parametrize("hi", [1.0, 1.5])
def test_interval_reaching_amin_is_not_before_amin(ev, hi):
    """An onset interval [0.6, hi] with hi ≥ 1 does not place the collapse before a_min: the decision falls to the
    existence facts (the recorded run has both: a replica collapsed at σ = 0, one open beyond a_min) —
    underspecified, not 'corrected' (which needs the whole interval in [½, 1))."""
    out = get_claim(CID).decide(dict(ev, onset_ratio_interval=[0.6, hi]))
    assert out.verdict == "underspecified"


@pytest.mark.parametrize("lo, hi, verdict", [(0.01, ze.MUCH_ANY, "confirmed"), (ze.MUCH_NONE, 0.99, "corrected"),
                                             (ze.MUCH_ANY, ze.MUCH_NONE, "underspecified"),
                                             (1.0, math.inf, "refuted")])
def test_every_verdict_carries_the_evidence(ev, lo, hi, verdict):
    """Each branch's Outcome has the evidence dict as its details (the report shows them)."""
    e = dict(ev, onset_ratio_interval=[lo, hi])
    out = get_claim(CID).decide(e)
    assert out.verdict == verdict and out.details == e
