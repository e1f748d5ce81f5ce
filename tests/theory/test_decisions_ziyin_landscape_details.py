"""Ziyin landscape family (verdicts/builtin/ziyin_landscape.py): the parts of the gathers and decisions that the
recorded evidence leaves open. These are the strict threshold boundaries (each decision on a committed snapshot of
its real evidence, edited to a value exactly at the threshold), evidence kept as details, the gathers' default size
and reproducibility, and that each gather passes on failures of its own machinery (stubbed). The Prop 2 census is
checked on designed diagonal problems whose stationary points are worked by hand.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from sslverify.verdicts.builtin import ziyin_landscape as ck

HERE = Path(__file__).resolve().parent


def _snapshot(cid: str) -> dict:
    """The reviewed evidence of a real quick run (tests/theory/snapshots), deep-copied for editing."""
    return copy.deepcopy(json.loads((HERE / "snapshots" / f"{cid}.json").read_text(encoding="utf-8"))["evidence"])


DECIDE = {"ziyin.thm1-commuting": ck.decide_thm1_commuting, "ziyin.prop3": ck.decide_prop3, "ziyin.prop5": ck.decide_prop5,
          "ziyin.norm-limit": ck.decide_norm_limit, "ziyin.thm4": ck.decide_thm4, "ziyin.barlow": ck.decide_barlow}


def _decide(cid: str, ev: dict):
    """The claim's decision (the decorated function, called directly: a pure function of the evidence)."""
    return DECIDE[cid](ev)


# ----------------------------------------------------------------------------- strict thresholds
@pytest.mark.parametrize("cid, path, value", [
    ("ziyin.thm1-commuting", ("distinct", "worst_commutator"), 1e-8),  # FORM_TOL: must be strictly below
    ("ziyin.prop3", ("general_form", "worst_grad"), 1e-9),  # GRAD_TOL: must be strictly below
    ("ziyin.prop5", ("newton", "worst_vs_source"), 1e-8),  # FORM_TOL: Newton vs eq. 15 must be strictly below
])
def test_value_exactly_at_tolerance_is_inconclusive(cid, path, value):
    """A round-off bound is a strict upper limit: a value equal to it does not re-check (inconclusive)."""
    ev = _snapshot(cid)
    ev[path[0]][path[1]] = value
    assert _decide(cid, ev).verdict == "inconclusive"


def test_prop5_correction_needs_newton_strictly_below_tolerance():
    """Prop 5 'corrected' needs the Newton points to match the derived form strictly below FORM_TOL = 1e-8; when it
    does, the whole evidence is kept as the outcome's details."""
    ev = _snapshot("ziyin.prop5")
    ev["symbolic_zero"] = False
    ev["newton"].update(worst_vs_derived=1e-8, worst_vs_source=1e-3)
    assert _decide("ziyin.prop5", ev).verdict == "inconclusive"
    ev["newton"]["worst_vs_derived"] = 1e-12
    out = _decide("ziyin.prop5", ev)
    assert out.verdict == "corrected" and out.details == ev


def test_norm_limit_mismatch_keeps_evidence():
    """A masked-mean mismatch (against the numeric stationary point, which matches the formula) makes eq. 8
    'corrected'; the mismatch stays in the details."""
    ev = _snapshot("ziyin.norm-limit")
    ev["readings"].update(masked_mean_mismatches=1, first_mismatch={"lam": [1.0], "c": 0.1, "d": 2, "h": [-0.1],
                                                                    "h_numeric": [-0.1]})
    out = _decide("ziyin.norm-limit", ev)
    assert out.verdict == "corrected" and out.details == ev


def test_norm_limit_snapshot_evidence_is_independent():
    """The reviewed evidence carries the second method: a numeric value per limit eigenvalue (not a condition
    restated), and the census compares the masked reading with the numeric signs only."""
    ev = _snapshot("ziyin.norm-limit")
    assert "full_mask_readings_coincide" not in ev["unmasked_counterexample"]
    for k in ("literal_counterexample", "unmasked_counterexample", "full_mask"):
        assert all(isinstance(x, float) for x in ev[k]["numeric_limit_eigenvalues"])
    assert "masked_mean_formula_mismatches" not in ev["readings"]
    # the census can disagree: the other readings are contradicted by the numeric signs in some problems
    r = ev["readings"]
    assert r["all_d_mean_mismatches"] > 0 and r["unmasked_B_mean_mismatches"] > 0 and r["masked_mean_mismatches"] == 0


# ----------------------------------------------------------------------------- ziyin.thm4
def _thm4(edit):
    ev = _snapshot("ziyin.thm4")  # d = 1, B = 4, Σ = κ = c = 1: (L, w², b²) = (−7/2, 3/2, 0), (0, 0, 1), (1, 0, 0)
    edit(ev)
    return _decide("ziyin.thm4", ev).verdict


@pytest.mark.parametrize("edit, verdict", [
    (lambda ev: ev.update(critical_values=[]), "inconclusive"),  # no critical point found: nothing re-checks
    (lambda ev: ev.update(hessian_eigs=[0.5, 24.0]), "corrected"),  # any positive curvature is a strict minimum
    (lambda ev: ev["critical_values"][0].__setitem__(1, 1.0), "inconclusive"),  # w² = c: not ρ > c
    (lambda ev: ev["critical_values"].append([-3.5, 0.0, 1.0]), "inconclusive"),  # a b ≠ 0 point as low: not unique
])
def test_thm4_boundaries(edit, verdict):
    """The b = 0 global minimum must have ρ > c strictly and lie strictly below every b ≠ 0 critical value."""
    assert _thm4(edit) == verdict


# ----------------------------------------------------------------------------- ziyin.barlow
def _barlow(differs: bool, a0: float, sigma: float, mean: float = 5.0, **extra):
    """Snapshot evidence with se = 1 so that z = mean − value exactly: z_ours = 5 − a0, z_src = 5 − sigma."""
    ev = _snapshot("ziyin.barlow")
    ev["second_order_source_differs"] = differs
    ev["mc"].update(mean=mean, se=1.0, tr_WA0W=a0, tr_WSigmaW=sigma)
    ev.update(extra)
    return ev


@pytest.mark.parametrize("ev, verdict", [
    (_barlow(True, 0.0, 100.0), "corrected"),  # |z_ours| = 5 exactly: within the 5 SE agreement band
    (_barlow(True, 5.0, 4.0), "inconclusive"),  # the source's term differs symbolically but MC can't reject it (z = 1)
    (_barlow(True, 5.0, 0.0), "inconclusive"),  # |z_src| = 5 exactly: not rejected (needs > 5 SE)
    (_barlow(False, 5.0, 0.0), "proved"),  # source reproduced: |z_src| = 5 exactly is agreement
    (_barlow(True, 5.0, 100.0, global_min_loss=1e-24), "inconclusive"),  # not below the squared round-off 1e-24
])
def test_barlow_monte_carlo_bands(ev, verdict):
    """MC agreement is |z| ≤ 5, rejection |z| > 5; the zero-loss minimum must be below 1e-24; details keep the evidence."""
    out = _decide("ziyin.barlow", ev)
    assert out.verdict == verdict
    assert out.details == ev


# ----------------------------------------------------------------------------- gathers: sizes, reproducibility, failures
def test_thm1_commuting_gather(monkeypatch):
    """Default size = quick (4 draws); max|∇L| exactly NEWTON_GTOL is not 'below' it (not converged); the
    counterexample's own matches_any_form reaches the evidence (so a failing re-check can be seen)."""
    monkeypatch.setattr(ck.la, "commuting_counterexample",
                        lambda: {"commutes": True, "grad": sp.zeros(1, 2), "matches_any_form": True, "G": "G"})
    monkeypatch.setattr(ck.la, "newton_stationary", lambda W0, B, S: (np.zeros((2, 3)), ck.NEWTON_GTOL))
    ev = ck.thm1_commuting_evidence()
    assert ev["distinct"] == {"tried": ck.THM1_COMMUTING_SIZES.at(True).n, "converged": 0, "worst_commutator": 0.0}
    assert ev["counterexample"]["matches_any_form"] is True


def test_thm1_commuting_gather_is_reproducible(monkeypatch):
    """Two gathers draw the same seeded problems and Newton starts: identical evidence, round-off included."""
    monkeypatch.setattr(ck.la, "commuting_counterexample",
                        lambda: {"commutes": True, "grad": sp.zeros(1, 2), "matches_any_form": False, "G": "G"})
    assert ck.thm1_commuting_evidence(True) == ck.thm1_commuting_evidence(True)


def _stub_prop3_sympy(monkeypatch):
    monkeypatch.setattr(ck.no, "prop3_symbolic",
                        lambda: {"prop3": [0], "drho_true": [0], "eq37_is_drho2": [0], "eq37_minus_true": [1]})
    monkeypatch.setattr(ck.no, "prop3_counterexample",
                        lambda: {"grad": sp.zeros(1, 2), "matches_any_form": True, "rho": 0, "G": 0})


def test_prop3_gather_counts_admissible_masks(monkeypatch):
    """Full size (10 problems): the top-two mask is admissible iff λ₂ + 2κ(c − ρ) ≥ 0 with Prop 5's closed form
    c − ρ = (c − ½(λ₂ + λ₃))/(1 + 2κ), κ = 0.7, c = 1. The count is replayed from the same seeded draws, and each
    admissible point is stationary. The default is the quick size; the counterexample's flag is passed on."""
    _stub_prop3_sympy(monkeypatch)
    rng, expected = np.random.default_rng(3), 0
    for _ in range(ck.PROP3_SIZES.at(False).n):
        B, S = ck.la.random_problem(rng, 3)
        lam = np.linalg.eigvalsh(ck.la.whitened(B, S))
        expected += bool(lam[1] + 2 * 0.7 * (1.0 - (lam[1] + lam[2]) / 2) / (1 + 2 * 0.7) >= 0)
    g = ck.prop3_evidence(quick=False)["general_form"]
    assert expected >= 2 and g["admissible"] == expected and g["tried"] == ck.PROP3_SIZES.at(False).n
    assert g["worst_grad"] < ck.GRAD_TOL
    ev = ck.prop3_evidence()
    assert ev["general_form"]["tried"] == ck.PROP3_SIZES.at(True).n and ev["counterexample"]["matches_any_form"] is True


def test_prop5_gather_skips_only_failed_draws(monkeypatch):
    """One Newton draw that does not converge is skipped; the other draws are still used. Default size = quick."""
    S_M, kap, c, d_M = sp.symbols("S_M kappa c d_M", real=True)
    form = (c - S_M / 2) / (1 + kap * d_M)
    monkeypatch.setattr(ck.no, "prop5_derivation", lambda: (form, form))
    calls = []

    def newton(W0, B, S, kappa, c):
        calls.append(1)
        return np.zeros((2, 3)), (1.0 if len(calls) == 1 else 0.0)
    monkeypatch.setattr(ck.la, "newton_stationary", newton)
    n = ck.prop5_evidence()["newton"]
    assert n["tried"] == ck.PROP5_SIZES.at(True).n and n["converged"] == n["tried"] - 1


@pytest.mark.parametrize("g", [1e-10, float("nan")])
def test_prop5_gather_skips_newton_not_strictly_converged(monkeypatch, g):
    """Converged means max|∇L| strictly below NEWTON_GTOL = 1e-10 (as in the other gathers): a draw exactly at it, or
    with a NaN gradient, is skipped."""
    S_M, kap, c, d_M = sp.symbols("S_M kappa c d_M", real=True)
    form = (c - S_M / 2) / (1 + kap * d_M)
    monkeypatch.setattr(ck.no, "prop5_derivation", lambda: (form, form))
    calls = []

    def newton(W0, B, S, kappa, c):
        calls.append(1)
        return np.zeros((2, 3)), (g if len(calls) == 1 else 0.99e-10)
    monkeypatch.setattr(ck.la, "newton_stationary", newton)
    n = ck.prop5_evidence()["newton"]
    assert n["converged"] == n["tried"] - 1


def _diag_problem(rng, d=4):
    s = rng.uniform(0.5, 2.0, d)
    return s, rng.uniform(-1.0, 1.0, d) * rng.uniform(0.5, 2.0, d) * s, float(rng.uniform(0.05, 1.0))


def test_numeric_limit_eigenvalues_match_the_formula_and_are_stationary():
    """The second method of ziyin.norm-limit.  (a) At finite κ the numerically solved point, where all its G entries are
    positive, is a stationary point of eq. 5 by la.quartic_grad (max|∇L| < 1e-10: round-off of forward differences
    of O(1)–O(10) loss values over step² = ¼ is ~1e-13) and is Prop 3 + 5's point (stationary_normalized, 1e-10).
    (b) Its κ → ∞ extrapolation matches App. D.1's limit eigenvalues within 1e-6 (the gather's tolerance; the
    measured error is ~1e-8), signs included: negative ones are found, so the sign comparison is not vacuous."""
    rng = np.random.default_rng(11)
    mask = np.array([True, True, False, True])
    stationary = negative = 0
    for _ in range(40):
        s, b, c = _diag_problem(rng)
        for kappa in (0.5, 3.0):
            g = ck._stationary_gram_numeric(b, s, mask, kappa, c)
            if g.min() > 0:
                gf = np.zeros(4)
                gf[mask] = g
                W = np.diag(np.sqrt(gf))
                assert np.abs(ck.la.quartic_grad(W, np.diag(b), np.diag(s), kappa=kappa, c=c)).max() < 1e-10
                G, _ = ck.no.stationary_normalized(np.diag(b), np.diag(s), mask, kappa, c, U=np.eye(4))
                assert np.abs(G - np.diag(gf)).max() < 1e-10
                stationary += 1
        h_num = ck.numeric_limit_eigenvalues(b, s, mask, c)
        h = ck.no.limit_eigenvalues((b / s)[mask], c)
        assert np.abs(h_num - h).max() < 1e-6
        negative += int(h.min() < -1e-3)
    assert stationary >= 10 and negative >= 5


def test_numeric_limit_eigenvalues_of_the_counterexamples():
    """The two counterexamples' limit eigenvalues, by the numeric method: (0.175, −0.075) for d = 3, M = {1, 2} and
    Σ = diag(1, 2, ½); 0.1 for d = 2, M = {2}, Σ = diag(1, 2) (within 1e-6, the gather's tolerance)."""
    got = ck.numeric_limit_eigenvalues([1.0, 1.0, -0.25], [1.0, 2.0, 0.5], np.array([True, True, False]), 0.1)
    assert np.abs(got - [0.175, -0.075]).max() < 1e-6
    got = ck.numeric_limit_eigenvalues([1.0, 1.0], [1.0, 2.0], np.array([False, True]), 0.1)
    assert np.abs(got - [0.1]).max() < 1e-6


def test_norm_limit_second_method_can_disagree(monkeypatch):
    """The numeric re-check is independent of the limit formula and of eq. 8: if the loss it solves were different
    (the normalization target 2c instead of c, i.e. a limit ½(λ_i + (4c − Σλ)/d_M)), it contradicts the masked
    reading in some problems and the decision is no longer 'proved' (the two methods disagree: inconclusive)."""
    monkeypatch.setattr(ck.no, "norm_limit_symbolic", lambda: {"residual": [0]})
    ev = ck.norm_limit_evidence()
    assert ev["readings"]["masked_mean_mismatches"] == 0 and ck.decide_norm_limit(ev).verdict == "proved"
    loss = ck.la.quartic_loss

    def other_loss(W, B, Sigma, gamma=0.0, kappa=0.0, c=1.0):
        return loss(W, B, Sigma, gamma=gamma, kappa=kappa, c=2 * c)
    monkeypatch.setattr(ck.la, "quartic_loss", other_loss)
    ev = ck.norm_limit_evidence()
    r = ev["readings"]
    assert r["masked_mean_mismatches"] > 0 and r["first_mismatch"]["h_numeric"] != r["first_mismatch"]["h"]
    assert r["worst_limit_vs_numeric"] > 1e-3
    assert ck.decide_norm_limit(ev).verdict == "inconclusive"


def test_norm_limit_gather_default_is_quick(monkeypatch):
    """Without arguments the κ → ∞ reading census draws the quick 200 problems (each counted at most once)."""
    monkeypatch.setattr(ck.no, "norm_limit_symbolic", lambda: {"residual": [0]})
    r = ck.norm_limit_evidence()["readings"]
    assert 0 < r["samples"] <= ck.NORM_LIMIT_SIZES.at(True).samples < ck.NORM_LIMIT_SIZES.at(False).samples


@pytest.mark.parametrize("quick", [True, False])
def test_prop2_gather_runs_the_experiment_at_its_size(monkeypatch, tmp_path, quick):
    """The ziyin_prop2 experiment runs at the requested size and writes into the given folder."""
    import sslverify.experiments as experiments

    monkeypatch.setattr(ck.la, "prop2_identity_residuals", lambda: (0, 0))
    monkeypatch.setattr(ck, "prop2_enumeration", lambda n: {"n": n})
    seen = {}
    power = {k: 1 for k in ("runs", "min_pred_nonzero", "rank_threshold", "optimizer_floor", "margin",
                            "worst_err_over_tol")}

    def run(name, quick="(not given)", out_dir="(not given)", **kw):
        seen.update(name=name, quick=quick, out_dir=out_dir)
        return {"passed": True, "checks": [{"key": "quartic_rank", "passed": True}], "quartic_power": power}
    monkeypatch.setattr(experiments, "run_experiment", run)
    ev = ck.prop2_evidence(quick, tmp_path)
    assert seen == {"name": "ziyin_prop2", "quick": quick, "out_dir": tmp_path}
    assert ev["census"] == {"n": ck.PROP2_SIZES.at(quick).census}
    assert ev["experiment"] == {"passed": True, "summary": "", "checks": {"quartic_rank": True}, "power": power}


# ----------------------------------------------------------------------------- Prop 2 census
def test_prop2_census_default_matches_recorded_quick_run():
    """The default census is the quick one (6 problems, seed 2) of the committed ziyin.prop2 fixture."""
    fx = json.loads((HERE / "fixtures" / "ziyin.prop2.json").read_text(encoding="utf-8"))["evidence"]["census"]
    assert ck.prop2_enumeration() == fx


def test_prop2_census_is_scale_invariant(monkeypatch):
    """L(√t W; tB) = t² L(W; B): scaling B by t = 10⁶ maps stationary points to stationary points of the same kind,
    and the global-min test is relative, so the census equals the recorded one."""
    fx = json.loads((HERE / "fixtures" / "ziyin.prop2.json").read_text(encoding="utf-8"))["evidence"]["census"]
    real = ck.la.random_problem

    def scaled(rng, d0, commuting=False):
        B, S = real(rng, d0, commuting)
        return 1e6 * B, S
    monkeypatch.setattr(ck.la, "random_problem", scaled)
    assert ck.prop2_enumeration(6) == fx


@pytest.fixture
def designed(monkeypatch):
    """Problems 0 and 1 of the census (d0 = 2, 3; d1 = 1) become B = diag(3, 2) and diag(3, 2, 1), Σ = I: m = d0,
    r* = 1; stationary points W = 0 and √(b/2)·e_bᵀ for each b (masks in eigh order: ascending b)."""
    monkeypatch.setattr(ck.la, "random_problem", lambda rng, d0, commuting=False: (np.diag([3.0, 2.0, 1.0][:d0]),
                                                                                  np.eye(d0)))
    return monkeypatch


MASKS = [(0, [0, 0], 0), (0, [1, 0], 1), (0, [0, 1], 1),
         (1, [0, 0, 0], 0), (1, [1, 0, 0], 1), (1, [0, 1, 0], 1), (1, [0, 0, 1], 1)]


def test_prop2_census_on_designed_problems(designed):
    """Hand count: 3 + 4 points; the top direction is the minimum (2); the other rank-1 points are saddles
    (negative curvature −2(b_top − b) toward the top direction): 1 + 2 = 3; W = 0 is a saddle with a descent direction."""
    assert ck.prop2_enumeration(2) == {"points": 7, "minima": 2, "bad": [], "minima_not_global": 0,
                                       "full_rank_saddles": 3}


def test_prop2_census_reports_degenerate_points(designed):
    """Each point the Hessian test calls 'degenerate' is reported as [problem, mask, kind, rank, r*]."""
    designed.setattr(ck.la, "classify_stationary", lambda W, B, S: "degenerate")
    assert ck.prop2_enumeration(2)["bad"] == [[k, m, "degenerate", r, 1] for k, m, r in MASKS]


def test_prop2_census_reports_wrong_rank_and_non_global_minima(designed):
    """If every point were a minimum, the rank-0 points would be reported as wrong-rank minima (r* = 1), and all points
    except the top one per problem (loss −b²/4 or 0 above −9/4) would count as not global: 2 + 3 = 5."""
    designed.setattr(ck.la, "classify_stationary", lambda W, B, S: "min")
    c = ck.prop2_enumeration(2)
    assert c["minima"] == 7 and c["minima_not_global"] == 5
    assert c["bad"] == [[0, [0, 0], "min", 0, 1], [1, [0, 0, 0], "min", 0, 1]]


def test_prop2_census_reports_missing_descent(designed):
    """A rank < r* saddle (W = 0 here) without Prop 2's descent direction is reported."""
    designed.setattr(ck.la, "descent_direction", lambda W, B, S: None)
    assert ck.prop2_enumeration(2)["bad"] == [[0, [0, 0], "no descent direction", 0, 1],
                                             [1, [0, 0, 0], "no descent direction", 0, 1]]


def test_prop2_census_round_off_floor_is_absolute_below_one(monkeypatch):
    """B = diag(b₁, b₂), b₂ = 10⁻⁵, b₁² = 7·10⁻¹⁰, d1 = 1: global value −b₁²/4 = −1.75·10⁻¹⁰. The b₂ point lies
    (b₁² − b₂²)/4 = 1.5·10⁻¹⁰ and W = 0 lies 1.75·10⁻¹⁰ above it, both above the floor 1e-10·max(1, |best|) = 1e-10.
    So with every point called a minimum, both count as not global."""
    B = np.diag([np.sqrt(7e-10), 1e-5])
    monkeypatch.setattr(ck.la, "random_problem", lambda rng, d0, commuting=False: (B, np.eye(2)))
    monkeypatch.setattr(ck.la, "classify_stationary", lambda W, B, S: "min")
    assert ck.prop2_enumeration(1)["minima_not_global"] == 2
