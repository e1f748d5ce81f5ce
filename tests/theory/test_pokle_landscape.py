"""pokle.thm1a / pokle.thm1b: landscapes of Thm 1 (App. A.1)."""
from __future__ import annotations

import math

import sympy as sp
import torch

from sslverify.verdicts.builtin import pokle as checks
from sslverify.theory.pokle import landscape as LS


def test_thm1a_symbolic():
    # eq. 6 with masks enumerated (d = 2): L = 2 − (2α²/d)ΣReLU(W)², gap = (2α²/d)ΣReLU(−W)², minimum 2 − 2α² on W ≥ 0
    r = LS.thm1a_symbolic(2)
    assert r["exact_equals_closed_form"] and r["relu_split"] and r["gap_identity"] and r["nonneg_is_minimum"]


def test_thm1a_numeric_minimisers():
    # Thm 1(a): PGD minimisers over U are non-negative and mostly not permutations
    n = checks.thm1a_numeric(d=3, starts=24, steps=200)
    assert n["n_at_min"] >= 6 and n["max_negative_entry_at_min"] < 1e-3  # PGD stopping rule (gap < 1e-6)
    assert n["fraction_permutation_at_min"] < 0.5


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
