"""found.em-predictor, found.em-gaussian, found.linear-predictor (note: "SimSiam as an EM Algorithm", Exercise 3)."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
import torch

from sslverify.theory.found import em_predictor
from sslverify.verdicts.builtin import found as checks


def test_discrete_em():
    # E-step: argmin_h E(h − z₂)² = E[z₂|z₁]; tower identity
    assert all(em_predictor.discrete_em().values())


def test_mstep_counterexample():
    # M-step with stop-gradient ≠ gradient of E Var(z₂|z₁) (1-d linear Gaussian)
    m = em_predictor.mstep_stopgrad_1d()
    s, sig2, w = sp.symbols("s sigma2 w", positive=True)
    assert m["stopgrad_mstep_gradient"] == 0
    assert sp.simplify(m["grad_conditional_variance"] - 2 * sig2 * w * (2 * s + sig2) / (s + sig2)) == 0
    assert m["full_equals_grad_var"] and not m["stopgrad_equals_grad_var"]


@pytest.mark.parametrize("d", [1, 2, 3])
def test_gaussian_views(d):
    # Gaussian box: h* = ρz₁, M-step value −ρ²d, min MSE d(1 − ρ²)
    g = em_predictor.gaussian_views(d)
    rho = g["rho"]
    assert g["A"] == rho * sp.eye(d) and g["residual_uncorrelated"]
    assert sp.expand(g["mstep_value"] + rho**2 * d) == 0
    assert sp.expand(g["min_mse"] - d * (1 - rho**2)) == 0


def test_bad_rho_and_joint_cov():
    with pytest.raises(ValueError, match="rho must lie in"):
        em_predictor.check_rho(1.2)
    with pytest.raises(ValueError, match="joint_cov must be positive semi-definite"):
        em_predictor.check_joint_covariance(np.array([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(ValueError, match="Sigma11 must be positive definite"):
        em_predictor.linear_predictor_numeric(np.zeros((2, 2)), np.eye(2))


def test_linear_predictor_symbolic():
    # Exercise 3: expansion, gradient, A* = Σ₂₁Σ₁₁⁻¹, limits
    assert all(em_predictor.linear_predictor(2).values())


def test_linear_predictor_torch():
    t = checks._autograd_linear_predictor(seed=1)
    assert t["grad_at_A_star"] < 1e-10 and t["grad_formula_err"] < 1e-10  # float64, cond(Σ11) ≲ 1e2


def test_mstep_general_position_autograd():
    # second method for the M-step correction (torch autograd on population moments, n = 6, d = 3, 5 random W):
    # the full gradient (through both branches, A* fixed) equals ∇E tr Var(z₂|z₁) (envelope theorem), the
    # stop-gradient one is not even a descent direction of it (cosines −0.04 … −0.11)
    g = em_predictor.mstep_general_position()
    assert max(g["envelope_residual"]) < 1e-12  # relative, float64 gradients of O(1) traces: round-off ~1e-15
    assert max(g["cos_sg_var"]) < 0  # every draw: the sg M-step increases E tr Var(z₂|z₁) to first order
    assert min(g["norm_sg"]) > 0.1  # not a vanishing gradient: a genuine direction
    # 1-d: sg gradient exactly 0, ∂_w E Var = 2σ²w(2s+σ²)/(s+σ²) = 1.6377 at s = 1, σ² = 0.49, w = 1
    r = em_predictor.population_mstep(np.array([[1.0]]), np.array([[1.0]]), np.array([[0.49]]))
    assert r["norm_sg"] == 0.0
    assert abs(r["norm_var"] - 2 * 0.49 * 2.49 / 1.49) < 1e-12  # float64 of a 3-operation formula
    # descending E tr Var(z₂|z₁) itself collapses W (what "the M-step minimises Var" would do)
    W0 = torch.tensor(np.random.default_rng(0).standard_normal((2, 3, 6)) / np.sqrt(6))
    Sx, C = np.diag([4.0, 3, 2, 1, 0.5, 0.25]), 0.49 * np.eye(6)
    W = em_predictor.descend_cond_var(W0, Sx, C, steps=400, lr=0.01)
    ratio = em_predictor.cond_var(W, Sx, C) / em_predictor.cond_var(W0, Sx, C)
    assert torch.all(ratio < 1e-2)  # measured ~1e-3 after 400 steps (→ 0 as W → 0); 1e-2 = "shrunk 100×"


def test_bad_mstep_inputs():
    with pytest.raises(ValueError, match="W must have shape"):
        em_predictor.population_mstep(np.ones((2, 3)), np.eye(4), np.eye(4))
    with pytest.raises(ValueError, match="schedule must be"):
        em_predictor.descend_cond_var(torch.ones(1, 2), np.eye(2), np.eye(2), 2, 0.1, schedule="linear")
    with pytest.raises(ValueError, match="d must be <= n"):
        em_predictor.mstep_general_position(n=2, d=3)
