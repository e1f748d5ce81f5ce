"""found.*: decision edges and gather plumbing that test_decisions_found.py / test_decision_edges_found.py leave open.

- decide_srank: a numeric stable rank exactly F64 (relative) away from the exact rational still agrees;
- decide_bn_variance: each non-primary reading is "corrected" only when its numbers show the correction;
- gathers (monkeypatched dependencies, so each test is fast): the EM derivation passes the SymPy finding on,
  simplex_etf's sum_norm is ‖Σ_b z_b‖, gaussian-mi runs the quick Adam budget by default and measures the
  alignment with the TOP-2 eigenvectors, ntxent runs the quick sizes by default.
"""
from __future__ import annotations

import copy
import json
import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from sslverify.theory.found import em_predictor, infomax, uniformity
from sslverify.verdicts.builtin import found as fd

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"


def snapshot_evidence(cid: str) -> dict:
    """The reviewed evidence of a real run (tests/theory/snapshots/<id>.json)."""
    return json.loads((SNAPSHOTS / f"{cid}.json").read_text(encoding="utf-8"))["evidence"]


# ----------------------------------------------------------------------------- found.srank
# λ = (1, x): srank = (1 + x)²/(1 + x²). x was chosen so that E = float(srank) = 1.1102230246251565 and
# F64·E = 5000·2⁻⁵² exactly, i.e. E + F64·E is a float whose distance to E is exactly F64·E (the rational
# reading of x — exact binary value, or limit_denominator(1e9) = 31577003/571220067 — gives the same E).
X_EDGE = 0.055279925941397294


def _srank_on_edge() -> tuple[float, float]:
    f = Fraction(X_EDGE)
    exact = float((1 + f) ** 2 / (1 + f * f))
    on = exact + fd.F64 * exact
    assert abs(on - exact) == fd.F64 * exact  # the construction: exactly on the tolerance
    return exact, on


@pytest.mark.parametrize("offset, verdict", [(0, "proved"), (1, "inconclusive")])
def test_srank_numeric_agreement_edge(offset, verdict):
    """|stable_rank − exact| = F64·exact is still agreement (strict '>' rejects); one ulp further is not."""
    exact, on = _srank_on_edge()
    num = on if offset == 0 else math.nextafter(on, math.inf)
    ev = snapshot_evidence("found.srank")
    ev["cases"].append({"eigenvalues": [1.0, X_EDGE], "srank": num})
    assert fd.decide_srank(ev).verdict == verdict


# ----------------------------------------------------------------------------- found.bn-variance readings
def _readings(edit) -> dict:
    ev = copy.deepcopy(snapshot_evidence("found.bn-variance"))
    edit(ev)
    return fd.decide_bn_variance(ev).details["readings"]


def test_bn_variance_readings_on_the_recorded_run():
    """The recorded run (γ = 2, v = 5.25e-8, ε = 1e-5, N = 8) shows every correction: γ²v/(v+ε) = 0.021 ≠ 4,
    γ²N/(N−1) = 4.571 ≠ 4, and the ε-BN variance → 0 as v → 0."""
    assert _readings(lambda e: None) == {"as_defined_no_eps": "proved", "torch_eps": "corrected",
                                         "unbiased_var": "corrected", "gloss_inputs_cannot_collapse": "corrected"}


def test_torch_eps_reading_needs_the_symbolic_variance():
    """The ε reading rests on SymPy's γ²v/(v+ε): without it the torch number alone decides nothing."""
    assert _readings(lambda e: e.__setitem__("with_eps_variance_ok", False))["torch_eps"] == "inconclusive"


def test_torch_eps_reading_when_v_dominates_eps():
    """v = 1 ≫ ε = 1e-5: γ²v/(v+ε) = γ²(1 − 1e-5 + …) is within GAMMA2_GAP = 1e-3 of γ², so torch's ε changes
    nothing visible and the reading is not 'corrected' (torch value set to the formula, γ = 2)."""
    def edit(e):
        n = e["numeric"]
        n["v"] = 1.0
        n["var_torch_eps"] = 4.0 * 1.0 / (1.0 + n["eps"])
    assert _readings(edit)["torch_eps"] == "inconclusive"


@pytest.mark.parametrize("N, ratio", [
    (8, 1.5),              # 1.5·γ²: neither γ²N/(N−1) = 8/7·γ² nor γ² — not the unbiased variance
    (2000, 2000 / 1999),   # the unbiased value, but N/(N−1) − 1 = 5.0e-4 < GAMMA2_GAP: no visible correction
])
def test_unbiased_reading_is_corrected_only_when_shown(N, ratio):
    """'corrected' needs var_unbiased/γ² = N/(N−1) (REL_F64) AND N/(N−1) off 1 by more than GAMMA2_GAP."""
    def edit(e):
        n = e["numeric"]
        n["N"] = N
        n["var_eps0_unbiased"] = ratio * n["gamma"] ** 2
    assert _readings(edit)["unbiased_var"] == "inconclusive"


def test_gloss_reading_uses_gamma_squared():
    """γ = 3 (γ² = 9 ≠ 2γ = 6): ε-BN output variances 9v/(v + ε), exactly 0 at v = 0, follow the formula."""
    def edit(e):
        gl = e["gloss"]
        gl["gamma"] = 3.0
        gl["torch_eps"] = [{"v": v, "var_torch_eps": 9.0 * v / (v + gl["eps"])} for v in (1e-2, 1e-4, 1e-6, 1e-8, 0.0)]
    assert _readings(edit)["gloss_inputs_cannot_collapse"] == "corrected"


# ----------------------------------------------------------------------------- gathers
@pytest.mark.parametrize("finding", [True, False])
def test_em_derivation_passes_on_the_sympy_finding(monkeypatch, finding):
    """The evidence's stopgrad_equals_grad_var is the SymPy derivation's own finding, whichever it is."""
    real = em_predictor.mstep_stopgrad_1d()
    monkeypatch.setattr(em_predictor, "mstep_stopgrad_1d", lambda: {**real, "stopgrad_equals_grad_var": finding})
    # the other two derivations are not read here (they are tested in test_found_em.py); stubbed for speed
    monkeypatch.setattr(em_predictor, "discrete_em", lambda: {})
    monkeypatch.setattr(em_predictor, "mstep_general_position", lambda: {})
    assert fd._em_derivation()["mstep_1d"]["stopgrad_equals_grad_var"] is finding


def test_simplex_sum_norm_is_the_norm_of_the_vector_sum(monkeypatch):
    """sum_norm = ‖Σ_b z_b‖: rows of the simplex (sum 0) each shifted by e₀ − e₁ sum to N(e₀ − e₁), norm N√2 —
    while the coordinates of that sum add to 0 and every row's coordinates add to 0 as well."""
    real = uniformity.simplex_vectors
    monkeypatch.setattr(uniformity, "simplex_vectors", lambda n: real(n) + (np.eye(n)[0] - np.eye(n)[1]))
    for row in fd.simplex_etf_evidence()["explicit"]:
        n = row["N"]
        assert abs(row["sum_norm"] - n * math.sqrt(2)) < 1e-12 * n  # float64 sums of n ≤ 7 entries of O(1)


@pytest.fixture
def mi_stubs(monkeypatch):
    """infomax.maximize_mi replaced by a recorder returning two fixed encoders built from Σ_x's eigenvectors:
    rows (v₁, v₂) — the top-2 eigenvectors — and rows (v₂, v₃); the SymPy formula check is stubbed (not read here)."""
    calls = []

    def maximize_mi(Sigma_x, C, d, seeds=(0, 1, 2, 3), steps=600, lr=0.05):
        calls.append(steps)
        _, V = np.linalg.eigh(Sigma_x)
        v1, v2, v3 = V[:, -1], V[:, -2], V[:, -3]
        return [np.stack([v1, v2]), np.stack([v2, v3])], [0.0, 0.0]

    monkeypatch.setattr(infomax, "maximize_mi", maximize_mi)
    monkeypatch.setattr(infomax, "mi_formula", lambda: {})
    return calls


def test_gaussian_mi_measures_alignment_with_the_top_two(mi_stubs):
    """Principal cosines of span(v₁, v₂) with the top-2 eigenspace are (1, 1), min 1; span(v₂, v₃) shares only v₂
    with it, cosines (1, 0), min 0 (eigenvalues 5 > 4 > 3 well separated: eigh round-off ~1e-15)."""
    cos = fd.gaussian_mi_evidence(quick=True)["min_cos_to_top"]
    assert abs(cos[0] - 1) < 1e-12 and abs(cos[1]) < 1e-12


def test_gaussian_mi_runs_the_declared_adam_budget(mi_stubs):
    """quick (and the default call, which is quick like the recorded fixture) runs the quick step count, the full
    gather the default one — both as declared in GAUSSIAN_MI_SIZES."""
    fd.gaussian_mi_evidence(quick=True)
    fd.gaussian_mi_evidence()
    fd.gaussian_mi_evidence(quick=False)
    quick, default = fd.GAUSSIAN_MI_SIZES.at(quick=True).steps, fd.GAUSSIAN_MI_SIZES.at().steps
    assert quick != default
    assert mi_stubs == [quick, quick, default]


def test_gaussian_mi_example_covariance_is_seeded(mi_stubs, monkeypatch):
    """The example Σ_x = Q diag(5, 4, 3, 1, ½, ⅕) Qᵀ is drawn from its own seeded generator: two gathers see the
    bit-identical Σ_x (the evidence is recorded and re-decided), with the documented spectrum."""
    seen = []
    real = infomax.maximize_mi

    def record(Sigma_x, C, d, **kw):
        seen.append(np.array(Sigma_x))
        return real(Sigma_x, C, d, **kw)

    monkeypatch.setattr(infomax, "maximize_mi", record)
    fd.gaussian_mi_evidence(quick=True)
    np.random.seed(123)  # a global state must not matter
    fd.gaussian_mi_evidence(quick=True)
    assert np.array_equal(seen[0], seen[1])
    # eigh of a 6×6 SPD matrix with separated eigenvalues: round-off ~1e-15
    assert np.allclose(np.linalg.eigvalsh(seen[0]), [0.2, 0.5, 1.0, 3.0, 4.0, 5.0], rtol=0, atol=1e-12)


def test_ntxent_default_call_uses_the_quick_sizes(monkeypatch):
    """ntxent_evidence() samples and reports NTXENT_SIZES' quick n and reps (sampling and the closed-form
    populations stubbed: only the sizes are read)."""
    seen = []

    def sample_views(kappa, s, n, seed):
        seen.append(n)
        return np.zeros((2, 2)), np.zeros((2, 2))

    monkeypatch.setattr(uniformity, "sample_views", sample_views)
    monkeypatch.setattr(uniformity, "ntxent_numpy", lambda z1, z2, tau: float(len(seen)))
    monkeypatch.setattr(uniformity, "circle_population", lambda k, s, tau: {})
    q = fd.NTXENT_SIZES.at(quick=True)
    mc = fd.ntxent_evidence()["monte_carlo"]
    assert {(v["n"], v["reps"]) for v in mc.values()} == {(q.n, q.reps)}
    assert seen == [q.n] * (2 * q.reps)
