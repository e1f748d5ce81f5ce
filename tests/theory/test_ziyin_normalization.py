"""Ziyin et al. §1.2 and App. D.1–D.3, E.4–E.5: Prop 3, Prop 5, eq. 8–14, VICReg, Thm 4."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
import torch
from hypothesis import given
from hypothesis import strategies as st

from sslverify.numerics.tolerance import assert_rel_close
from sslverify.verdicts.builtin import ziyin_landscape as ck
from sslverify.theory.ziyin import landscape as la
from sslverify.theory.ziyin import normalization as no


def problem(seed: int, d0: int = 3):
    return ck._random_problem(np.random.default_rng(seed), d0)


def test_prop3_gradient_symbolic():
    # eq. 37–38: ∇L = −2WB' + 4WΣWᵀWΣ, B' = B + 2κ(c−ρ)Σ; eq. 37's 4ρWΣ is d(ρ²)/dW, not dρ/dW = 2WΣ
    s = no.prop3_symbolic()
    assert all(x == 0 for x in s["prop3"]) and all(x == 0 for x in s["drho_true"])
    assert all(x == 0 for x in s["eq37_is_drho2"]) and any(x != 0 for x in s["eq37_minus_true"])


def test_prop3_counterexample_exact():
    # Prop 3 commuting form (eq. 39) fails for degenerate B̃ = I/4: ρ = 9/16 at κ = c = 1
    ce = no.prop3_counterexample()
    assert ce["rho"] == sp.Rational(9, 16) and ce["rho_W"] == ce["rho"]
    assert ce["grad"] == sp.zeros(1, 2) and not ce["matches_any_form"]
    ce2 = no.prop3_counterexample(kappa=2, c=3)  # ρ = (1/8 + 6)/3
    assert ce2["rho"] == sp.Rational(49, 24) and ce2["grad"] == sp.zeros(1, 2)


@given(st.integers(0, 10_000), st.floats(0.0, 3.0), st.floats(0.3, 2.0), st.integers(1, 3))
def test_prop3_general_form_property(seed, kappa, c, d1):
    # Prop 3 (corrected): G from B̃'s eigenbasis with shifted eigenvalues is stationary for eq. 5
    B, S = problem(seed)
    lam = np.linalg.eigvalsh(la.whitened(B, S))
    for k in range(1, min(3, d1) + 1):
        mask = np.zeros(3, bool)
        mask[3 - k:] = True
        try:
            G, rho = no.stationary_normalized(B, S, mask, kappa, c)
        except ValueError:
            assert np.any(lam[mask] + 2 * kappa * (c - no.prop5_rho(lam[mask], kappa, c)) < 0)
            continue
        W = la.weights_from_gram(G, d1)
        assert np.abs(la.quartic_grad(W, B, S, kappa=kappa, c=c)).max() < 1e-9  # float64 round-off
        assert_rel_close(np.trace(W @ S @ W.T), rho, 1e-10, floor=1.0, reason="float64 round-off")


def test_prop5_symbolic():
    # eq. 15 / 44: c − ρ = (c − ½Tr[Σ⁻¹B_M])/(1 + κ d_M)
    derived, source = no.prop5_derivation()
    assert sp.simplify(derived - source) == 0
    assert no.prop5_rho([1.0, 3.0], kappa=1.0, c=1.0) == pytest.approx(1 - (1 - 2.0) / 3, rel=1e-14)
    with pytest.raises(ValueError, match="kappa must be >= 0"):
        no.prop5_rho([1.0], -1.0, 1.0)


@given(st.integers(0, 10_000), st.floats(0.1, 3.0), st.floats(0.3, 2.0))
def test_prop5_newton_property(seed, kappa, c):
    # Prop 5 for non-commuting Σ, B: ρ at Newton-found stationary points (saddles too) matches eq. 15
    B, S = problem(seed)
    W, g = la.newton_stationary(np.random.default_rng(seed).normal(size=(2, 3)), B, S, kappa=kappa, c=c)
    if g < 1e-10:  # Newton's stopping rule
        Sh, _ = la.sqrt_pair(S)
        H = Sh @ W.T @ W @ Sh
        lam, U = np.linalg.eigh(la.whitened(B, S))
        mask = np.einsum("ij,ik,kj->j", U, H, U) > 1e-8  # occupied directions, above round-off
        assert abs(np.trace(W @ S @ W.T) - no.prop5_rho(lam[mask], kappa, c)) < 1e-8  # ∝ gradient tolerance


def test_norm_limit_symbolic():
    # App. D.1: lim_{κ→∞} WᵀW = ½Σ⁻¹[B_M + (2c − Tr[Σ⁻¹B_M])/d_M Σ_M]Σ⁻¹
    r = no.norm_limit_symbolic()
    assert all(x == 0 for x in r["residual"]) and r["limit"][2, 2] == 0


def test_eq8_masked_mean_counterexample():
    # eq. 8: λ̄ = mean over masked directions; the all-d mean misjudges λ = (1, ½), c = 0.1, d = 3
    lam = [1.0, 0.5]
    assert no.eq8_condition(lam, 0.1, n_total=3).all()
    assert no.eq8_condition(lam, 0.1).tolist() == [True, False]
    assert_rel_close(no.limit_eigenvalues(lam, 0.1), [0.175, -0.075], 1e-12, reason="float64 round-off")
    # the (masked-mean) condition is exactly positivity of the limit eigenvalues
    rng = np.random.default_rng(8)
    for _ in range(20):
        lam, c = rng.uniform(-1, 1, rng.integers(1, 5)), rng.uniform(0.01, 1)
        assert np.array_equal(no.eq8_condition(lam, c), no.limit_eigenvalues(lam, c) > 0)


@given(st.integers(0, 10_000), st.floats(0.3, 2.0))
def test_limit_matches_large_kappa_property(seed, c):
    # eq. 8: H eigenvalues at κ = 1e6 approach the limit ½(λ_i + (2c − Σλ)/d_M) at rate 1/κ
    B, S = problem(seed)
    lam = np.linalg.eigvalsh(la.whitened(B, S))
    mask = np.array([False, True, True])
    lim = no.limit_eigenvalues(lam[mask], c)
    if lim.min() <= 0:
        return
    G, _ = no.stationary_normalized(B, S, mask, kappa=1e6, c=c)
    Sh, _ = la.sqrt_pair(S)
    h = np.sort(np.linalg.eigvalsh(Sh @ G @ Sh))[1:]
    assert_rel_close(h, np.sort(lim), 1e-4, floor=1.0, reason="O(1/κ) = 1e-6 times O(1) spectrum")


def test_eq9_to_13_symbolic():
    # eq. 9–13 with λ = (a−c)/(a+c), c = 1 as in the source
    s = no.eq9_14_symbolic()
    d = sp.Symbol("d_M", positive=True, integer=True)
    assert s["eq9_upper_gap"] == 0 and s["eq9_lower_gap"] == 0
    assert s["eq9_limit_c_big"] == -1 and s["eq9_limit_a_big"] == 1
    assert sp.simplify(s["eq10"] - 2 / d) == 0 and sp.simplify(s["eq11"] - 4 / d) == 0 and s["eq11_mean"] == 0
    assert s["eq12_source_form"] == 0 and s["eq12_solution"] == sp.Interval.open(0, 2)
    assert sp.simplify(s["eq13"] - 1 / d) == 0


def test_eq14_threshold():
    # eq. 14: correct λ̄ has ε/(a+c); violated iff ε ≤ (a+c)(d_M−3)/(d_M−1); source's threshold is wrong
    s = no.eq9_14_symbolic()
    eps, sv = sp.symbols("epsilon s", positive=True)
    d = sp.Symbol("d_M", positive=True, integer=True)
    assert sp.simplify(s["eq14_correct"] - ((eps / sv) * (d - 1) - (d - 3)) / d) == 0
    t = no.eq14_violation_threshold()
    assert t["violated_set"] == sp.Interval(-sp.oo, sp.Rational(1, 2))
    assert t["correct_threshold"] == sp.Rational(1, 2) and t["source_threshold"] == sp.Rational(1, 3)
    assert t["cond_at_counterexample"] == sp.Rational(-2, 25)
    assert no.limit_eigenvalues([0.4, 1, 1, 1, 1], 1.0)[0] == pytest.approx(-0.04, rel=1e-12)


@given(st.integers(0, 10_000), st.floats(0.3, 2.0))
def test_vicreg_threshold_property(seed, c):
    # §1.2 VICReg (B = −A0): origin curvature A0 − 2κcΣ changes sign exactly at κ* = λ_min(Σ⁻¹A0)/(2c)
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(3, 3))
    A0 = A @ A.T + 0.1 * np.eye(3)
    S = A0 + np.diag(rng.uniform(0, 2, 3))
    k = no.vicreg_threshold(A0, S, c)
    assert no.vicreg_origin_curvature(A0, S, 0.99 * k, c).min() > 0
    assert no.vicreg_origin_curvature(A0, S, 1.01 * k, c).min() < 0
    # below κ*: no nonzero stationary point (no admissible mask)
    lam = np.linalg.eigvalsh(la.whitened(-A0, S))
    for mask in ([0, 0, 1], [0, 1, 1], [1, 1, 1]):
        m = np.array(mask, bool)
        with pytest.raises(ValueError, match="non-negative shifted"):
            no.stationary_normalized(-A0, S, m, 0.99 * k, c)
        assert np.any(lam[m] + 2 * 0.99 * k * (c - no.prop5_rho(lam[m], 0.99 * k, c)) < 0)


def test_vicreg_counterexample():
    # §1.2: κ = 0.01‖A0‖/(c‖Σ‖) "≪" the source's scale, yet the origin is a saddle
    A0, C = np.diag([1.0, 1e-3]), np.diag([0.0, 1.0])
    S = A0 + C
    kappa = 0.01 * no.vicreg_source_scale(A0, S, 1.0)
    assert kappa == pytest.approx(0.01 / 1.001, rel=1e-12)
    assert no.vicreg_threshold(A0, S, 1.0) == pytest.approx(1e-3 / 1.001 / 2, rel=1e-12)
    assert no.vicreg_origin_curvature(A0, S, kappa, 1.0).min() == pytest.approx(1e-3 - 0.02, rel=1e-9)
    assert ck.check_vicreg(True, None).verdict == "corrected"


def test_thm4_counterexample():
    # Thm 4: b = 0 branch omitted — global minimum w² = 3/2, b = 0, ρ = 3/2 > c = 1
    ce = no.thm4_scalar_counterexample()
    assert ce["critical_values"][0] == (sp.Rational(-7, 2), sp.Rational(3, 2), 0)
    assert ce["grad_at_point"] == [0, 0] and sorted(ce["hessian_eigs"]) == [2, 24]
    assert (0, 0, 1) in ce["critical_values"]  # the b ≠ 0 branch: W = 0, b² = c


@given(st.integers(0, 10_000), st.floats(0.1, 2.0), st.floats(0.2, 2.0))
def test_thm4_one_sided_penalty(seed, kappa, c):
    # Thm 4 (corrected): ∂_b L = 4κ(ρ+‖b‖²−c)b, matches autograd; min_b gives κ·max(ρ−c, 0)²
    pen = no.one_sided_penalty()
    assert pen["below_value"] == 0 and pen["above_slope_nonneg"]
    B, S = problem(seed)
    rng = np.random.default_rng(seed)
    W, b = rng.normal(size=(2, 3)), rng.normal(size=2)
    Wt, bt = torch.tensor(W, requires_grad=True), torch.tensor(b, requires_grad=True)
    P = Wt @ torch.tensor(S) @ Wt.T
    L = -torch.trace(Wt @ torch.tensor(B) @ Wt.T) + torch.trace(P @ P) + kappa * (torch.trace(P) + bt @ bt - c) ** 2
    gW, gb = torch.autograd.grad(L, (Wt, bt))
    assert no.bias_loss(W, b, B, S, kappa, c) == pytest.approx(L.item(), rel=1e-12)
    ours = no.bias_grad(W, b, B, S, kappa, c)
    assert_rel_close(ours[0], gW.numpy(), 1e-10, floor=1.0, reason="float64 round-off")
    assert_rel_close(ours[1], gb.numpy(), 1e-10, floor=1.0, reason="float64 round-off")
    rho = float(np.trace(W @ S @ W.T))
    best_b = np.sqrt(max(c - rho, 0.0)) * np.array([1.0, 0.0])
    base = no.bias_loss(W, best_b, B, S, kappa, c) - la.quartic_loss(W, B, S)
    assert base == pytest.approx(kappa * max(rho - c, 0.0) ** 2, abs=1e-10)  # float64 round-off


def test_stationary_normalized_with_given_eigenbasis():
    """Prop 3 + Prop 5 with an explicit eigenbasis U of B̃ (the path the degenerate checks use):
    the same stationary point as the default eigh basis, and ∇L = 0 in a rotated basis of a
    degenerate B̃ (B = Σ/4 gives B̃ = I/4)."""
    B, S = problem(3)
    lam, U = np.linalg.eigh(la.whitened(B, S))
    compared = 0
    for mask in ([False, False, True], [False, True, True], [True, True, True]):
        mask = np.array(mask)
        try:
            G0, rho0 = no.stationary_normalized(B, S, mask, 0.7, 1.0)
        except ValueError:  # mask not admissible for this B, Σ
            continue
        G1, rho1 = no.stationary_normalized(B, S, mask, 0.7, 1.0, U=U)
        # float64 eigh round-off only
        assert np.allclose(G0, G1, atol=1e-12) and rho0 == pytest.approx(rho1, rel=1e-12)
        compared += 1
    assert compared >= 1
    Sig = np.diag([1.0, 2.0])
    c, s = np.cos(0.3), np.sin(0.3)
    R = np.array([[c, -s], [s, c]])  # any basis is an eigenbasis of B̃ = I/4
    G, rho = no.stationary_normalized(Sig / 4, Sig, np.array([True, False]), 1.0, 1.0, U=R)
    assert abs(G[0, 1]) > 1e-3  # non-diagonal: not of the commuting form
    W = la.weights_from_gram(G, 1)
    rho_w = float(np.trace(W @ Sig @ W.T))
    grad = -2 * W @ (Sig / 4) + 4 * W @ Sig @ W.T @ W @ Sig + 4 * 1.0 * (rho_w - 1.0) * W @ Sig
    assert np.abs(grad).max() < 1e-12  # exact stationary point up to float64 round-off


def test_eq14_counterexample_violates_only_the_corrected_condition():
    """eq. 14: ε = 2/5 lies below the corrected threshold 1/2 (so collapse) but above the source's 1/3."""
    t = no.eq14_violation_threshold()
    e = t["counterexample_eps"]
    assert e == sp.Rational(2, 5)
    assert t["source_threshold"] < e <= t["correct_threshold"] and t["cond_at_counterexample"] < 0
