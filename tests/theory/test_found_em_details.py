"""found.em-predictor details: validation, returned keys and the numeric M-step helpers, against hand-worked values.

Scalar reference used throughout (z = w(x + η), Var x = s, Var η = σ²):
    Var(z₁) = w²(s + σ²), Cov(z₁, z₂) = w²s, E Var(z₂ | z₁) = w²(s + σ²) − w²s²/(s + σ²) = k w²/2,
    k = 2σ²(2s + σ²)/(s + σ²), so ∂_w E Var(z₂ | z₁) = k w (linear in w).
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
import torch

from sslverify.theory.found import em_predictor


def _k(s, sig2):
    """∂_w E Var(z₂|z₁) / w for the scalar model (worked by hand, module docstring)."""
    return 2 * sig2 * (2 * s + sig2) / (s + sig2)


# ----------------------------------------------------------------------------- ρ validation
@pytest.mark.parametrize("rho", [-1.0, 1.0, 0.0, -0.25])
def test_rho_closed_interval_is_legal(rho):
    """ρ ∈ [−1, 1] (both ends: the joint covariance has eigenvalues 1 ± ρ ≥ 0) is accepted unchanged."""
    assert em_predictor.check_rho(rho) == rho


@pytest.mark.parametrize("rho", [-1.0000001, 1.0000001])
def test_rho_just_outside_is_rejected(rho):
    """the first values past ±1 make 1 ∓ ρ < 0 (joint covariance not PSD): ValueError naming rho."""
    with pytest.raises(ValueError, match="^rho must lie in"):
        em_predictor.check_rho(rho)


@pytest.mark.parametrize("bad, msg", [(float("nan"), "^rho must be finite"), ("half", "^rho must be a real number")])
def test_rho_non_numbers_are_named(bad, msg):
    """a NaN or a non-number is rejected with an error naming rho."""
    with pytest.raises(ValueError, match=msg):
        em_predictor.check_rho(bad)


# ----------------------------------------------------------------------------- symbolic results
def test_mstep_1d_full_gradient_and_a_star():
    """1-d: A* = s/(s + σ²) and the full M-step gradient (through both branches) is ∂_w E Var(z₂|z₁) = k w
    (worked by hand: ∂_{w_t}(A²w²S11 − 2Aw w_t s + w_t²S11) at w_t = w, A = A* is 2w(S11 − s²/S11))."""
    m = em_predictor.mstep_stopgrad_1d()
    s, sig2, w = sp.symbols("s sigma2 w", positive=True)
    assert sp.simplify(m["A_star"] - s / (s + sig2)) == 0
    assert sp.simplify(m["full_mstep_gradient"] - 2 * sig2 * w * (2 * s + sig2) / (s + sig2)) == 0


def test_gaussian_views_in_the_real_symbol_rho():
    """d = 1 at ρ = ½ (substituted through a user's own real Symbol 'rho'): h* = ½z₁, E[−h*z₂] = −ρ² = −¼,
    min MSE 1 − ρ² = ¾, joint eigenvalues 1 ± ρ = {½, 3/2}."""
    g = em_predictor.gaussian_views(1)
    rho = sp.Symbol("rho", real=True)
    half = sp.Rational(1, 2)
    assert g["rho"] == rho
    assert g["A"].subs(rho, half) == sp.Matrix([[half]])
    assert g["mstep_value"].subs(rho, half) == -sp.Rational(1, 4)
    assert g["min_mse"].subs(rho, half) == sp.Rational(3, 4)
    assert {e.subs(rho, half) for e in g["joint_eigenvalues"]} == {half, sp.Rational(3, 2)}


# ----------------------------------------------------------------------------- covariance validation
@pytest.mark.parametrize("Sx, C, msg", [
    ([[1.0, 0.0], [0.0, -1.0]], np.eye(2), "^Sigma_x must be positive semi-definite"),
    (np.eye(2), [[1.0, 0.0], [0.0, -1.0]], "^C must be positive semi-definite"),
    (np.eye(2), np.eye(3), r"^C must have shape \(2, 2\)"),
])
def test_bad_view_covariances_are_named(Sx, C, msg):
    """cond_var and population_mstep reject a non-PSD Σ_x or C, or C of the wrong size, naming the parameter."""
    with pytest.raises(ValueError, match=msg):
        em_predictor.cond_var(torch.ones(1, 2, dtype=torch.float64), Sx, C)
    with pytest.raises(ValueError, match=msg):
        em_predictor.population_mstep(np.ones((1, 2)), Sx, C)


# ----------------------------------------------------------------------------- cond_var
def test_cond_var_batched_closed_form():
    """a batch W = (1), (2) (1×1): E Var(z₂|z₁) = k w²/2 per matrix, k = 2σ²(2s+σ²)/(s+σ²), s = 1, σ² = 0.49."""
    W = torch.tensor([[[1.0]], [[2.0]]], dtype=torch.float64)
    got = em_predictor.cond_var(W, [[1.0]], [[0.49]])
    want = _k(1.0, 0.49) / 2 * np.array([1.0, 4.0])
    assert got.shape == (2,)
    assert np.abs(got.numpy() - want).max() < 1e-14  # float64 of a 3-operation formula on O(1) numbers


def test_cond_var_float32_weights():
    """float32 W is computed in float32 (Σ_x, C follow W's dtype) and agrees with the closed form k w²/2 at w = 2
    to float32 round-off (relative eps32 ≈ 6e-8, a few operations: 1e-5 relative is generous but far below 1)."""
    got = em_predictor.cond_var(torch.tensor([[2.0]], dtype=torch.float32), np.array([[1.0]]), np.array([[0.49]]))
    assert got.dtype == torch.float32
    assert abs(float(got) / (2 * _k(1.0, 0.49)) - 1) < 1e-5


# ----------------------------------------------------------------------------- population_mstep
def test_population_mstep_1d_gradients_and_integer_weights():
    """1-d at w = 1 (integer W accepted), s = 1, σ² = 0.49: g_sg = 0 exactly (h* cancels the stopped branch),
    g_var = g_full = k·w = 1.6377; with a vanishing sg gradient the reported cosine is 0 (no direction)."""
    r = em_predictor.population_mstep(np.array([[1]]), np.array([[1.0]]), np.array([[0.49]]))
    k = _k(1.0, 0.49)
    assert r["g_sg"].shape == (1, 1) and r["g_sg"][0, 0] == 0.0
    assert abs(r["g_var"][0, 0] - k) < 1e-12 and abs(r["g_full"][0, 0] - k) < 1e-12  # float64, O(1) values
    assert r["cos_sg_var"] == 0.0


def _fd_grad(f, W, h=1e-6):
    g = np.zeros_like(W)
    for idx in np.ndindex(*W.shape):
        E = np.zeros_like(W)
        E[idx] = h
        g[idx] = (f(W + E) - f(W - E)) / (2 * h)
    return g


def test_population_mstep_general_position_against_finite_differences():
    """n = 3, d = 2, small W (so ‖∇‖ < 1): g_var and g_full (envelope theorem) equal central differences of
    E tr Var(z₂|z₁); g_sg = 2AᵀAWS − 2AᵀWΣ_x at A = WΣ_xWᵀ(WSWᵀ)⁻¹ (derivative of the documented objective with
    W_t fixed); the cosine and the relative envelope residual are those of the returned gradients."""
    rng = np.random.default_rng(3)
    B = rng.standard_normal((3, 3))
    Sx, C = B @ B.T + 0.5 * np.eye(3), np.diag([0.3, 0.5, 0.7])
    W = 0.1 * rng.standard_normal((2, 3))
    r = em_predictor.population_mstep(W, Sx, C)
    cv = lambda M: float(em_predictor.cond_var(torch.as_tensor(M), Sx, C))  # noqa: E731
    fd = _fd_grad(cv, W)
    # central differences, h = 1e-6 on O(0.1) values: truncation ~h², cancellation ~1e-16/1e-6 = 1e-10
    assert np.abs(r["g_var"] - fd).max() < 1e-8 and np.abs(r["g_full"] - fd).max() < 1e-8
    S = Sx + C
    A = (W @ Sx @ W.T) @ np.linalg.inv(W @ S @ W.T)
    g_sg = 2 * A.T @ A @ W @ S - 2 * A.T @ W @ Sx
    assert np.abs(r["g_sg"] - g_sg).max() < 1e-13  # float64 of the same closed form, O(0.1) entries
    nv = np.linalg.norm(r["g_var"])
    assert 0 < nv < 1 and abs(r["norm_var"] - nv) < 1e-15 and abs(r["norm_sg"] - np.linalg.norm(r["g_sg"])) < 1e-15
    cos = float((r["g_sg"] * r["g_var"]).sum()) / (np.linalg.norm(r["g_sg"]) * nv)
    assert abs(cos) > 0.01 and abs(r["cos_sg_var"] - cos) < 1e-12  # a definite direction; round-off only
    env = np.abs(r["g_full"] - r["g_var"]).max() / nv
    assert r["envelope_residual"] == pytest.approx(env, rel=1e-9, abs=1e-300)  # same ratio, round-off only


def test_population_mstep_noise_free_views():
    """C = 0 (z₂ = z₁): E Var(z₂|z₁) ≡ 0, so both gradients vanish (to round-off, 1e-12) and the cosine stays a
    number in [−1, 1] (0 by convention when one gradient is exactly zero)."""
    r = em_predictor.population_mstep(np.array([[0.3]]), np.array([[1.0]]), np.zeros((1, 1)))
    assert r["norm_var"] < 1e-12 and r["norm_sg"] < 1e-12
    assert -1.0 <= r["cos_sg_var"] <= 1.0


# ----------------------------------------------------------------------------- descend_cond_var
# 1-d: ∂_w E Var = k w, so a step with rate η_t maps w to (1 − η_t k) w; cosine rates η_t = lr·½(1 + cos(πt/T)).
@pytest.mark.parametrize("schedule, steps, rates", [
    ("constant", 3, [1.0, 1.0, 1.0]),
    ("cosine", 3, [1.0, 0.75, 0.25]),  # ½(1 + cos 0), ½(1 + cos π/3), ½(1 + cos 2π/3)
    ("cosine", 1, [1.0]),
])
def test_descend_cond_var_1d_closed_form(schedule, steps, rates):
    """gradient descent on E Var(z₂|z₁) in 1-d is the product Π_t (1 − η_t k) w₀ (s = 1, σ² = 0.49, lr = 0.1)."""
    lr, k = 0.1, _k(1.0, 0.49)
    W = em_predictor.descend_cond_var(torch.tensor([[[2.0]]]), [[1.0]], [[0.49]], steps=steps, lr=lr,
                                      schedule=schedule)
    want = 2.0 * math.prod(1 - lr * r * k for r in rates)
    assert abs(float(W) - want) < 1e-13  # float64, ≤ 3 steps on O(1) numbers


def test_descend_cond_var_default_schedule_and_integer_start():
    """the default schedule is the cosine one (2 steps: rates lr, lr/2); an integer W₀ is accepted, the result is
    float64; lr = 0 leaves W₀ unchanged."""
    lr, k = 0.1, _k(1.0, 0.49)
    W = em_predictor.descend_cond_var(np.array([[1]]), [[1.0]], [[0.49]], steps=2, lr=lr)
    assert W.dtype == torch.float64
    assert abs(float(W) - (1 - lr * k) * (1 - lr * k / 2)) < 1e-13  # float64, 2 steps on O(1) numbers
    W0 = em_predictor.descend_cond_var(np.array([[1.5]]), [[1.0]], [[0.49]], steps=1, lr=0)
    assert float(W0) == 1.5


@pytest.mark.parametrize("kw, msg", [
    ({"steps": 0, "lr": 0.1}, "^steps must be an integer >= 1"),
    ({"steps": 1, "lr": -0.1}, "^lr must be >= 0"),
])
def test_descend_cond_var_bad_arguments_are_named(kw, msg):
    """steps < 1 or lr < 0: ValueError naming the parameter."""
    with pytest.raises(ValueError, match=msg):
        em_predictor.descend_cond_var(torch.ones(1, 1, dtype=torch.float64), [[1.0]], [[0.49]], **kw)


# ----------------------------------------------------------------------------- mstep_general_position
@pytest.mark.parametrize("kw, msg", [
    ({"n": 0}, "^n must be an integer >= 1"),
    ({"d": 0}, "^d must be an integer >= 1"),
    ({"draws": 0}, "^draws must be an integer >= 1"),
    ({"n": 2, "d": 3}, "^d must be <= n"),
])
def test_mstep_general_position_bad_sizes_are_named(kw, msg):
    """sizes below 1, or d > n (W would not have full row rank): ValueError naming the parameter."""
    with pytest.raises(ValueError, match=msg):
        em_predictor.mstep_general_position(**kw)


def test_mstep_general_position_smallest_sizes():
    """n = d = draws = 1 (the smallest legal sizes, d = n allowed): 1-d, so the stop-gradient M-step is stationary
    (sg gradient 0 up to round-off) while ∂E Var ≠ 0."""
    g = em_predictor.mstep_general_position(n=1, d=1, draws=1)
    assert (g["n"], g["d"]) == (1, 1) and len(g["cos_sg_var"]) == 1
    assert g["norm_sg"][0] < 1e-12 * g["norm_var"][0] and g["norm_var"][0] > 0  # float64 round-off of 0


def test_mstep_general_position_documented_spectrum():
    """n = 9: Σ_x = Q diag(4, 3, 2, 1, ½, ¼, ⅛, 1/16, 0.03) Qᵀ (the documented eigenvalues, 0.03 beyond the eighth),
    Q from the seeded Gaussian's QR, then W ~ N(0, 1/n) from the same generator: population_mstep's results there."""
    n, d = 9, 2
    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    Sx = q @ np.diag([4.0, 3.0, 2.0, 1.0, 0.5, 0.25, 0.125, 0.0625, 0.03]) @ q.T
    want = em_predictor.population_mstep(rng.standard_normal((d, n)) / np.sqrt(n), Sx, 0.49 * np.eye(n))
    g = em_predictor.mstep_general_position(n=n, d=d, draws=1)
    # same float64 operations up to the eigenvalue matrix's assembly: round-off only
    assert abs(g["norm_var"][0] - want["norm_var"]) < 1e-12 and abs(g["cos_sg_var"][0] - want["cos_sg_var"]) < 1e-12


# ----------------------------------------------------------------------------- infomax.maximize_mi
def test_maximize_mi_default_number_of_steps(monkeypatch):
    """maximize_mi's default is 600 ascent steps (its signature): 600 optimizer steps are taken (Adam replaced by a
    stand-in that only counts, so the count is cheap; the objective itself still runs)."""
    from sslverify.theory.found import infomax

    steps = []

    class CountingOptimizer:
        def __init__(self, params, lr):
            self.params = list(params)

        def zero_grad(self):
            for p in self.params:
                p.grad = None

        def step(self):
            steps.append(1)

    monkeypatch.setattr(infomax.torch.optim, "Adam", CountingOptimizer)
    Q, I = infomax.maximize_mi(np.diag([2.0, 1.0]), np.eye(2), 1, seeds=(0,))
    assert len(steps) == 600
    assert Q.shape == (1, 1, 2) and I.shape == (1,)
