"""Ziyin et al. §1.2 and App. D.1–D.3, E.4–E.5: Prop 3, Prop 5, eq. 8–14, VICReg, Thm 4."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
import torch
from hypothesis import assume, given
from hypothesis import strategies as st

from sslverify.numerics.tolerance import assert_rel_close
from sslverify.verdicts.builtin import ziyin_landscape as ck
from sslverify.theory.ziyin import landscape as la
from sslverify.theory.ziyin import normalization as no


def problem(seed: int, d0: int = 3):
    return la.random_problem(np.random.default_rng(seed), d0)


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
    assert no.prop5_rho([1.0, 3.0], kappa=1.0, c=1.0) == pytest.approx(1 - (1 - 2.0) / 3, rel=1e-14)  # round-off
    with pytest.raises(ValueError, match="kappa must be >= 0"):
        no.prop5_rho([1.0], -1.0, 1.0)


@given(st.integers(0, 10_000), st.floats(0.1, 3.0), st.floats(0.3, 2.0))
def test_prop5_newton_property(seed, kappa, c):
    # Prop 5 for non-commuting Σ, B: ρ at Newton-found stationary points (saddles too) matches eq. 15
    B, S = problem(seed)
    W, g = la.newton_stationary(np.random.default_rng(seed).normal(size=(2, 3)), B, S, kappa=kappa, c=c)
    assume(g < ck.NEWTON_GTOL)  # Newton's stopping rule; rate asserted in test_ziyin_landscape::test_newton_convergence_rate
    Sh, _ = la.sqrt_pair(S)
    H = Sh @ W.T @ W @ Sh
    lam, U = np.linalg.eigh(la.whitened(B, S))
    mask = np.einsum("ij,ik,kj->j", U, H, U) > 1e-8  # occupied directions: 1e-8 ≫ the 1e-10 Newton residual
    # ρ error ∝ Newton's gradient tolerance 1e-10 times the O(1)-O(10) conditioning
    assert abs(np.trace(W @ S @ W.T) - no.prop5_rho(lam[mask], kappa, c)) < ck.FORM_TOL


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


def test_eq8_unmasked_mean_counterexample():
    # the reading "λ̄ = mean eigenvalue of Σ⁻¹B (B unmasked)": d = 2, λ = (1, ½), c = 0.1, mask M = {2}: 0.5 + 0.2 > 0.75
    # fails, yet the limit eigenvalue ½(0.5 + 0.2 − 0.5) = 0.1 > 0; with M = {1, 2} all readings coincide
    lam, c = np.array([1.0, 0.5]), 0.1
    assert not (lam[1] + 2 * c / 1 > lam.mean())
    assert no.eq8_condition(lam[1:], c).all() and no.eq8_condition(lam[1:], c, n_total=2).all()
    assert_rel_close(no.limit_eigenvalues(lam[1:], c), [0.1], 1e-12, reason="float64 round-off")
    full = no.eq8_condition(lam, c)
    assert np.array_equal(full, no.eq8_condition(lam, c, n_total=2)) and np.array_equal(full, lam + c > lam.mean())
    # second method: the stationary point of eq. 5 with mask {2} at κ = 1e6 (Prop 3 + Prop 5 solved numerically) has
    # Σ^{1/2}WᵀWΣ^{1/2} eigenvalues (0, 0.1): the direction the unmasked-mean reading calls collapsed is occupied
    G, _ = no.stationary_normalized(np.diag(lam), np.eye(2), np.array([False, True]), kappa=1e6, c=c)
    assert_rel_close(np.sort(np.linalg.eigvalsh(G)), [0.0, 0.1], 1e-4, floor=1e-3, reason="O(1/κ) = 1e-6 times O(1)")


@given(st.integers(0, 10_000), st.floats(0.3, 2.0))
def test_limit_matches_large_kappa_property(seed, c):
    # eq. 8: H eigenvalues at κ = 1e6 approach the limit ½(λ_i + (2c − Σλ)/d_M) at rate 1/κ
    B, S = problem(seed)
    lam = np.linalg.eigvalsh(la.whitened(B, S))
    mask = np.array([False, True, True])
    lim = no.limit_eigenvalues(lam[mask], c)
    if lim.min() <= 0:  # the two-direction mask has no limit point: use the top direction (limit eigenvalue c > 0)
        mask = np.array([False, False, True])
        lim = no.limit_eigenvalues(lam[mask], c)
    assert lim.min() > 0
    G, _ = no.stationary_normalized(B, S, mask, kappa=1e6, c=c)
    Sh, _ = la.sqrt_pair(S)
    h = np.sort(np.linalg.eigvalsh(Sh @ G @ Sh))[3 - mask.sum():]
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
    # eq. 14: correct λ̄ has ε/(a+c); violated iff ε ≤ (a+c)(d_M−3)/(d_M−1); the stated threshold is not the solution (only sufficient)
    s = no.eq9_14_symbolic()
    eps, sv = sp.symbols("epsilon s", positive=True)
    d = sp.Symbol("d_M", positive=True, integer=True)
    assert sp.simplify(s["eq14_correct"] - ((eps / sv) * (d - 1) - (d - 3)) / d) == 0
    t = no.eq14_violation_threshold()
    assert t["violated_set"] == sp.Interval(-sp.oo, sp.Rational(1, 2))
    assert t["correct_threshold"] == sp.Rational(1, 2) and t["source_threshold"] == sp.Rational(1, 3)
    assert t["cond_at_counterexample"] == sp.Rational(-2, 25)
    assert no.limit_eigenvalues([0.4, 1, 1, 1, 1], 1.0)[0] == pytest.approx(-0.04, rel=1e-12)  # float64 round-off


@given(st.integers(0, 10_000), st.floats(0.3, 2.0), st.floats(0.5, 30.0))
def test_vicreg_threshold_property(seed, c, lam_inv):
    # §1.2 VICReg, derived B = −2λC: origin matrix 2λC − 2κcΣ changes sign exactly at κ* = λ·λ_min(Σ⁻¹C)/c; up to and
    # including κ* ⟨∇L(W), W⟩ > 0 for every W ≠ 0 (the origin is the only stationary point), above it L decreases from 0
    rng = np.random.default_rng(seed)
    A, Cf = rng.normal(size=(3, 3)), rng.normal(size=(3, 3))
    A0, C = A @ A.T + 0.1 * np.eye(3), Cf @ Cf.T + 0.1 * np.eye(3)
    S = A0 + C
    k = no.vicreg_threshold(C, S, c, lam_inv)
    assert k > 0
    assert no.vicreg_origin_matrix(C, S, 0.99 * k, c, lam_inv).min() > 0
    assert no.vicreg_origin_matrix(C, S, 1.01 * k, c, lam_inv).min() < 0
    for _ in range(20):
        W = rng.normal(size=(2, 3)) * 10.0 ** rng.uniform(-3, 1)
        assert np.sum(no.vicreg_population_grad(W, A0, C, 0.99 * k, c, lam_inv) * W) > 0
        assert np.sum(no.vicreg_population_grad(W, A0, C, k, c, lam_inv) * W) > 0  # equality collapses too
    # at κ = κ* the origin matrix is PSD and singular (float64 eigvalsh of an O(λ) matrix: |eig| ≤ 1e-12·‖M‖), and L rises
    # along its null direction by the quartic κ(vᵀΣv)²t⁴ (the W² term vanishes there): W = 0 stays the unique minimum
    eig = no.vicreg_origin_matrix(C, S, k, c, lam_inv)
    assert abs(eig.min()) <= 1e-12 * np.abs(eig).max()
    v0 = np.linalg.eigh(2 * lam_inv * C - 2 * k * c * S)[1][:, 0]
    Wv = 1e-2 * v0[None, :]
    assert no.vicreg_population_loss(Wv, A0, C, k, c, lam_inv) > no.vicreg_population_loss(0 * Wv, A0, C, k, c, lam_inv)
    M = 2 * lam_inv * C - 2 * 1.01 * k * c * S
    v = np.linalg.eigh(M)[1][:, 0]
    for t in (1e-3, 3e-3):  # small enough that the W² term (∝ 0.02κ*c·t²) beats the quartic (∝ κ*t⁴)
        W = t * v[None, :]
        assert no.vicreg_population_loss(W, A0, C, 1.01 * k, c, lam_inv) < no.vicreg_population_loss(
            0 * W, A0, C, 1.01 * k, c, lam_inv)
    # the threshold is linear in the invariance weight λ
    assert no.vicreg_threshold(C, S, c, 2 * lam_inv) == pytest.approx(2 * k, rel=1e-12)  # float64 round-off


def test_vicreg_counterexamples():
    # (i) the former record's A0 = diag(1, 1e-3), C = diag(0, 1): derived κ* = 0, a saddle at κ = 1e-4 although
    #     κ ≪ ‖A0‖/(c‖Σ‖) and κ < the B = −A0 threshold 5e-4 (which would call the origin a complete collapse)
    A0, C = np.diag([1.0, 1e-3]), np.diag([0.0, 1.0])
    S = A0 + C
    assert no.vicreg_threshold(C, S, 1.0) == 0.0
    assert no.vicreg_source_model_threshold(A0, S, 1.0) == pytest.approx(1e-3 / 1.001 / 2, rel=1e-12)  # round-off
    assert no.vicreg_source_scale(A0, S, 1.0) == pytest.approx(1 / 1.001, rel=1e-12)  # float64 round-off
    eig = no.vicreg_origin_matrix(C, S, 1e-4, 1.0)
    assert eig.min() == pytest.approx(-2e-4, rel=1e-12)  # −2κcΣ_11 exactly, float64 round-off
    W = np.array([[1e-2, 0.0]])
    assert no.vicreg_population_loss(W, A0, C, 1e-4, 1.0) < no.vicreg_population_loss(0 * W, A0, C, 1e-4, 1.0)
    # the source's model B = −A0 would give the opposite answer here (curvature A0 − 2κcΣ ≻ 0)
    assert np.linalg.eigvalsh(A0 - 2e-4 * S).min() > 0
    # (ii) A0 = 1e-3·I, C = I: κ* ≈ 0.999 while the source's scale is ≈ 1e-3; at κ = 0.5 the origin is a strict
    #      minimum and the only stationary point
    A0, C = 1e-3 * np.eye(2), np.eye(2)
    S = A0 + C
    assert no.vicreg_threshold(C, S, 1.0) == pytest.approx(1 / 1.001, rel=1e-12)  # float64 round-off
    assert 0.5 / no.vicreg_source_scale(A0, S, 1.0) == pytest.approx(500.5, rel=1e-12)  # float64 round-off
    assert no.vicreg_origin_matrix(C, S, 0.5, 1.0).min() == pytest.approx(2 - 1.001, rel=1e-12)  # round-off
    rng = np.random.default_rng(0)
    for _ in range(50):
        W = rng.normal(size=(2, 2)) * 10.0 ** rng.uniform(-3, 1)
        assert np.sum(no.vicreg_population_grad(W, A0, C, 0.5, 1.0) * W) > 0
    with pytest.raises(ValueError, match="lam_inv"):
        no.vicreg_threshold(C, S, 1.0, lam_inv=0.0)
    with pytest.raises(ValueError, match="c must be > 0"):
        no.vicreg_origin_matrix(C, S, 0.5, 0.0)
    with pytest.raises(ValueError, match="kappa must be >= 0"):
        no.vicreg_population_loss(np.eye(2), A0, C, -1.0, 1.0)
    with pytest.raises(ValueError, match="rng must be a numpy Generator"):
        la.random_problem(0, 2)


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
    assert no.bias_loss(W, b, B, S, kappa, c) == pytest.approx(L.item(), rel=1e-12)  # float64 round-off, same sums
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


def test_prop3_counterexample_autograd():
    # second method for ziyin.prop3 (found symbolically): torch autograd ∇L of eq. 5 at the float64 counterexample
    # Σ = diag(1, 2), B = Σ/4, κ = c = 1, d1 = 1, W = √ρ vᵀΣ^{-1/2}, ρ = 9/16, v = (1, 1)/√2
    S = torch.tensor([[1.0, 0.0], [0.0, 2.0]], dtype=torch.float64)
    rho = 9 / 16
    W = (np.sqrt(rho) * np.array([1.0, 1.0]) / np.sqrt(2) @ np.diag([1.0, 1 / np.sqrt(2)]))[None, :]
    Wt = torch.tensor(W, requires_grad=True)
    P = Wt @ S @ Wt.T
    L = -torch.trace(Wt @ (S / 4) @ Wt.T) + torch.trace(P @ P) + (torch.trace(P) - 1.0) ** 2
    g = torch.autograd.grad(L, Wt)[0].numpy()
    assert np.abs(g).max() < 1e-14  # float64 round-off of O(1) products (exactly 0 symbolically)
    G = W.T @ W
    assert G[0, 1] == pytest.approx(9 * np.sqrt(2) / 64, rel=1e-13)  # float64 round-off; 0.1989, not diagonal
    assert float(np.trace(W @ S.numpy() @ W.T)) == pytest.approx(rho, rel=1e-14)  # float64 round-off


def eq5_minimiser(b, s, kappa: float, c: float = 1.0, seeds: int = 1) -> np.ndarray:
    """Brute-force L-BFGS minimisation of eq. 5, −Tr[WBWᵀ] + Tr[(WΣWᵀ)²] + κ(Tr[WΣWᵀ] − c)², over a full d×d W for
    diagonal B = diag(b), Σ = diag(s), written out here (numpy, no project code), from ``seeds`` random starts (a
    non-global end point would make the callers' assertions fail, not pass vacuously); returns W of the best run."""
    from scipy.optimize import minimize

    b, s = np.asarray(b, float), np.asarray(s, float)
    d = b.size

    def fun(w):
        W = w.reshape(d, d)
        P = (W * s) @ W.T
        rho = np.trace(P)
        WS = W * s
        L = -np.sum(W * W * b) + np.sum(P * P) + kappa * (rho - c) ** 2
        grad = -2 * W * b + 4 * P @ WS + 4 * kappa * (rho - c) * WS
        return L, grad.ravel()

    best = None
    for seed in range(seeds):
        w0 = 0.3 * np.random.default_rng(seed).normal(size=d * d)
        r = minimize(fun, w0, jac=True, method="L-BFGS-B", options=dict(maxiter=5000, gtol=1e-11, ftol=1e-15))
        if best is None or r.fun < best.fun:
            best = r
    return best.x.reshape(d, d)


def _eq5_minimum(eps: float, kappa: float = 100.0, seeds: int = 1, s1: float = 1.0) -> np.ndarray:
    """eq5_minimiser for commuting diagonal A0, C with a_1 − c_1 = ε, a_1 + c_1 = s1, c_j = 0 otherwise (B = A0 − C,
    c = 1); returns diag(H) = diag(Σ^{1/2}WᵀWΣ^{1/2}), the occupancy of each direction."""
    a = np.array([(s1 + eps) / 2, 1.0, 2.0, 0.5, 1.5])
    cc = np.array([(s1 - eps) / 2, 0.0, 0.0, 0.0, 0.0])
    s = a + cc
    W = eq5_minimiser(a - cc, s, kappa, seeds=seeds)
    return np.einsum("ij,ij->j", W, W) * s


def test_eq14_brute_force_minimisation():
    # second method for ziyin.eq9 (found symbolically): minimise eq. 5 itself over W at κ = 100.  The corrected
    # threshold is ε* = (a+c)(d_M−3)/(d_M−1) = ½ (source: ⅓): at ε = 0.4 (between them) direction 1 is empty, at
    # ε = 0.6 it is occupied with h_1 = (ε − ν)/2, ν = (ε + 2)/5 (κ → ∞ water-filling: 0.04)
    h = _eq5_minimum(0.4)
    # L-BFGS stopping rule (gtol 1e-11): an empty direction ends ≤ 1e-9, an occupied one ≥ 0.2 here
    assert h[0] < 1e-9 and h[1:].min() > 0.2, h
    h = _eq5_minimum(0.6)
    # finite κ shifts h_1 by ~(2c − Σλ)/(2κd_M²) ≈ 1e-3 from its κ → ∞ value, plus the stopping rule
    assert h[0] == pytest.approx(0.04, abs=3e-3), h


def test_eq14_printed_lambda_bar_is_wrong_off_a_plus_c_one():
    """Eq. 14 as printed puts ε (not ε/(a_1 + c_1)) into λ̄, so it predicts violation iff ε ≤ s(d_M − 3)/(d_M − s),
    s = a_1 + c_1; at s = 1 the two coincide, so this needs s ≠ 1.  s = 2, d_M = 5: exact threshold s(d−3)/(d−1) = 1,
    printed 4/3.  Brute force (second method) at ε = 1.2, between them: direction 1 occupied with h_1 = ½(0.6 +
    (2 − 4.6)/5) = 0.04 (κ → ∞, by hand), where the printed eq. 14 predicts collapse; at ε = 0.8 it is empty."""
    h = _eq5_minimum(1.2, s1=2.0)
    # finite κ = 100 moves h_1 by ~1e-3 from its κ → ∞ value, plus the stopping rule (as in the s = 1 test)
    assert h[0] == pytest.approx(0.04, abs=3e-3), h
    h = _eq5_minimum(0.8, s1=2.0)
    assert h[0] < 1e-9 and h[1:].min() > 0.2, h  # same L-BFGS stopping rule as the s = 1 test


def test_eq14_stated_threshold_is_a_sufficient_condition():
    """The source's words: eq. 14 'can be violated whenever ε < s(d_M − 3)/(s + d_M)'.  As a sufficient condition
    this is true under both readings of λ̄: it lies below the exact threshold s(d−3)/(d−1) (the difference
    s(d−3)(s+1)/((d−1)(d+s)) ≥ 0) and below the printed eq. 14's s(d−3)/(d−s) (for 0 < s < d); it is not sharp."""
    sv, d = sp.symbols("s d_M", positive=True)
    stated, exact, printed = sv * (d - 3) / (sv + d), sv * (d - 3) / (d - 1), sv * (d - 3) / (d - sv)
    assert sp.simplify(exact - stated - sv * (d - 3) * (sv + 1) / ((d - 1) * (d + sv))) == 0
    assert sp.simplify(printed - stated - 2 * sv**2 * (d - 3) / ((d - sv) * (d + sv))) == 0
    # the factors are ≥ 0 for d ≥ 3 and 0 < s < d: exhaustive check on a rational grid
    for dv in range(3, 9):
        for k in range(1, 4 * dv):
            s_ = sp.Rational(k, 4)
            assert stated.subs({sv: s_, d: dv}) <= exact.subs({sv: s_, d: dv})
            assert stated.subs({sv: s_, d: dv}) <= printed.subs({sv: s_, d: dv})


def test_thm4_brute_force_grid():
    # second method for ziyin.thm4 (found with sp.solve): grid search of L(w, b) = −4w² + w⁴ + (w² + b² − 1)² over
    # [−2, 2]² with step 5e-3: the global minimum is at b = 0, w² = 3/2 (ρ = 3/2 > c = 1), L = −7/2
    w = np.linspace(-2, 2, 801)  # step 5e-3
    Wg, Bg = np.meshgrid(w, w, indexing="ij")
    L = -4 * Wg ** 2 + Wg ** 4 + (Wg ** 2 + Bg ** 2 - 1) ** 2
    i, j = np.unravel_index(np.argmin(L), L.shape)
    # grid error: ½·L''·δ² with L'' ≤ 24 at the minimum and δ ≤ 2.5e-3 (half a step): ≤ 7.5e-5
    assert L[i, j] == pytest.approx(-3.5, abs=1e-4)
    assert abs(abs(w[i]) - np.sqrt(1.5)) <= 5e-3 and abs(w[j]) <= 5e-3  # within one grid step
    # where ρ = w² ≤ c (the constraint of Thm 4) the loss stays ≥ −4ρ + ρ² ≥ −3 > −7/2
    assert L[Wg ** 2 <= 1.0].min() >= -3.0 - 1e-12  # −3 attained exactly at w² = 1, b = 0; float64 round-off


def test_limit_eigenvalue_zero_is_a_smaller_mask():
    # eq. 8's strict inequality with d_M = #nonzero eigenvalues (Prop 5's definition): if a masked limit eigenvalue is
    # 0 (λ_i + 2c/d_M = λ̄), the limit point equals the limit point of the mask without i, which satisfies eq. 8 strictly
    lam = np.array([1.0, 0.8, 0.0])
    c = float((lam.sum() - 3 * lam[2]) / 2)  # = 0.9: λ_3 + (2c − Σλ)/3 = 0
    full = no.limit_eigenvalues(lam, c)
    assert abs(full[2]) < 1e-15  # exactly 0 up to float64 round-off
    smaller = no.limit_eigenvalues(lam[:2], c)
    assert_rel_close(full[:2], smaller, 1e-14, reason="float64 round-off")
    assert no.eq8_condition(lam[:2], c).all() and not no.eq8_condition(lam, c)[2]
