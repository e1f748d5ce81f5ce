"""found.em-predictor, found.em-gaussian, found.linear-predictor (note: "SimSiam as an EM Algorithm", Exercise 3)."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

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
