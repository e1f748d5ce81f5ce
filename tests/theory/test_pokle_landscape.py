"""pokle.thm1a / pokle.thm1b: landscapes of Thm 1 (App. A.1)."""
from __future__ import annotations

import math

import pytest
import torch

from sslverify.theory.pokle import landscape as LS
from sslverify.theory.pokle import negatives as NG
from sslverify.verdicts.builtin import pokle as checks


def test_thm1a_symbolic():
    # eq. 6 with masks enumerated (d = 2): L = 2 − (2α²/d)ΣReLU(W)², gap = (2α²/d)ΣReLU(−W)², minimum 2 − 2α² on W ≥ 0
    r = LS.thm1a_symbolic(2)
    assert r["exact_equals_closed_form"] and r["relu_split"] and r["gap_identity"] and r["nonneg_is_minimum"]


def test_thm1a_numeric_minimisers():
    # Thm 1(a): PGD minimisers over U are non-negative and mostly not permutations
    n = checks.thm1a_numeric(d=3, starts=24, steps=200)
    assert n["n_at_min"] >= 6 and n["max_negative_entry_at_min"] < 1e-3  # PGD stopping rule (gap < 1e-6)
    assert n["fraction_permutation_at_min"] < 0.5  # "many far-from-ground-truth W": most minimisers found are not permutations


def test_thm1a_enumeration_second_method():
    # second method for (a), no SymPy: float64 enumeration of all mask pairs (d = 3) equals the closed form, gives
    # exactly 2 − 2α² at random non-negative unit-column W and more at W with a negative entry
    e = LS.thm1a_enumerated(d=3, n=50)
    assert e["max_abs_closed_form_error"] < 1e-12  # float64 sum of 64 mask pairs × 3 latents: round-off ~1e-15
    assert e["max_abs_gap_nonnegative"] < 1e-12  # same round-off bound
    assert e["n_with_negative_entry"] == 50 and e["min_gap_with_negative_entry"] > 1e-6  # strictly above the minimum


def test_a17_monotone():
    # A.17: ∂L̃/∂G_ii < 0, ∂L̃/∂G_ij > 0 (d = 2, τ > 0, α ∈ (0, 1))
    m = LS.a17_monotonicity(2)
    assert m["dGii_negative"] and m["dGij_positive"]


def test_thm1b_numeric_permutations():
    # Thm 1(b) for A.17 (d = 3): every PGD run reaching the minimum is a permutation; nothing beats W = I
    n = checks.thm1b_numeric(d=3, starts=12, steps=200)
    assert n["n_at_min"] > 0 and n["all_minimisers_permutations"] and not n["any_below_I"]


def test_thm1b_limit_counterexample():
    # |B| → ∞ limit of eq. 9: ∂/∂G_ii changes sign at g* = log((d−α)/(1−α))/τ; W = −I beats W = I for τ = 5, α = ½, d = 2
    der = LS.limit_derivative()
    assert der["matches_closed_form"] and der["derivative_zero_at_g_star"]
    ce = checks.thm1b_counterexample()
    assert ce["limit_loss_minus_I"] == 0.0
    assert abs(ce["limit_loss_I"] - (-5 / 4 + 0.5 * math.log((1.5 + 0.5 * math.exp(5)) / 2))) < 1e-12  # closed form by hand
    assert ce["limit_loss_W_gstar"] < ce["limit_loss_minus_I"] < ce["limit_loss_I"]
    assert ce["finite_B1e5_LI_minus_LnegI"] > 0.5  # exact at B = 1e5 (binomial sum), not an asymptotic statement
    # and the surrogate A.17 still prefers I: the disagreement is between A.17 and the limit
    assert ce["A17_I"] < ce["A17_minus_I"]
    # with α = 1 (no masking) the condition e^τ(1−α) ≤ d − α holds and I wins again
    eye = torch.eye(2, dtype=torch.float64)
    assert LS.limit_eq9(LS.relu_gram(eye), 5.0, 1.0) < LS.limit_eq9(LS.relu_gram(-eye), 5.0, 1.0)


# ----------------------------------------------------------------------------- Thm 1(b), the two readings of "negative"
def test_thm1b_distinct_symbolic():
    # x′ ≠ x (a different latent): L∞ + τα² = (τα²/d)Σ(1 − G_ii) + (α/d)Σ log mean_{j≠i}(1 − α + αe^{τG_ij}) ≥ 0, L(I) = −τα²,
    # ∂L/∂G_ii = −τα²/d < 0, ∂L/∂G_ij = α²τe^{τG_ij}/(d(d−1)·mean) > 0 (symbolic τ, α, G; d = 2 and 3)
    for d in (2, 3):
        s = NG.distinct_symbolic(d)
        assert all(v for v in s.values() if isinstance(v, bool)), s


def test_thm1b_distinct_brute_force():
    # second method (no SymPy): the limit loss over ALL unit-column W — a 180×180 angle grid at d = 2 (permutations on
    # the grid) and 20000 random W + projected GD at d = 3 — never goes below −τα² and attains it only at permutations
    tau, alpha = 5.0, 0.5
    f = lambda G: NG.limit_distinct(G, tau, alpha)  # noqa: E731
    for d, kw in ((2, dict(grid=180)), (3, dict(samples=20000, starts=48, steps=400))):
        r = NG.brute_force(f, d, **kw)
        assert abs(r["loss_at_I"] + tau * alpha**2) < 1e-12  # float64 evaluation of log(1) and −τα²
        assert r["best"] >= -tau * alpha**2 - 1e-12  # same round-off: nothing below the bound
        assert r["n_near_best"] >= 1 and r["max_perm_distance_near_best"] < 1e-6  # grid: exact; PGD: converged to ~1e-12


def test_thm1b_distinct_finite_batch():
    # third method: the exact eq.-9 loss at finite B (multinomial over the negatives' latents and masks), x′ ≠ x,
    # is minimised by the permutations too (B = 4, d = 2 grid; B = 3, d = 3 against random W)
    tau, alpha = 5.0, 0.5
    Wg = NG._unit_columns_d2(72)
    L = NG.finite_batch_distinct(LS.relu_gram(Wg), 4, tau, alpha)
    near = L <= L.min() + 1e-9  # float64 sums of 5 × 4 terms; the grid's permutations are exact
    assert NG.perm_distance(Wg[near]).max() < 1e-12 and int(near.sum()) == 2  # I and the swap
    g = torch.Generator().manual_seed(3)
    W3 = LS.project_unit_columns(torch.randn(3000, 3, 3, generator=g, dtype=torch.float64))
    L3 = NG.finite_batch_distinct(LS.relu_gram(W3), 3, tau, alpha)
    LI = float(NG.finite_batch_distinct(torch.eye(3, dtype=torch.float64), 3, tau, alpha))
    assert float(L3.min()) > LI  # random W (a.s. not permutations) are strictly worse
    # B → ∞: the finite-B loss minus log B approaches the limit at W = I from above; the leading correction is
    # log(e^{τS⁺} + Bm) − log(Bm) ≤ e^{τS⁺}/(Bm) with m = E e^{τS⁻} ≥ 1, so the gap is at most E e^{τS⁺}/B = (1 − α² + α²e^τ)/B
    lim = float(NG.limit_distinct(torch.eye(2, dtype=torch.float64), tau, alpha))
    for B in (10, 100, 2000):
        gap = float(NG.finite_batch_distinct(torch.eye(2, dtype=torch.float64), B, tau, alpha)) - lim
        assert 0 < gap <= (1 - alpha**2 + alpha**2 * math.exp(tau)) / B, (B, gap)


def test_thm1b_iid_brute_force():
    # second method for the i.i.d.-negatives counterexample: a 180×180 grid over all unit-column W (d = 2, τ = 5, α = ½)
    # finds the limit loss's minimum −0.0715 (the stationary W(g*)), far below W = I (0.567) and far from a permutation
    f = lambda G: LS.limit_eq9(G, 5.0, 0.5)  # noqa: E731
    r = NG.brute_force(f, 2, grid=180)
    ce = checks.thm1b_counterexample()
    assert r["best"] < ce["limit_loss_minus_I"] < r["loss_at_I"]
    # grid spacing 2°: the grid minimum is within 1e-3 of the analytic stationary value (quadratic in the angle error)
    assert abs(r["best"] - ce["limit_loss_W_gstar"]) < 1e-3 and r["max_perm_distance_near_best"] > 0.5


def test_negatives_bad_input():
    G = torch.eye(2, dtype=torch.float64)
    with pytest.raises(ValueError, match="tau"):
        NG.limit_distinct(G, 0.0, 0.5)
    with pytest.raises(ValueError, match="alpha"):
        NG.limit_distinct(G, 1.0, 1.5)
    with pytest.raises(ValueError, match="d must"):
        NG.limit_distinct(torch.ones(1, 1, dtype=torch.float64), 1.0, 0.5)
    with pytest.raises(ValueError, match="B must"):
        NG.finite_batch_distinct(G, 0, 1.0, 0.5)
