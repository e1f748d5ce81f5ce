"""found.uniformity, found.ntxent-decomposition, found.simplex-etf, found.log-n-dims."""
from __future__ import annotations

import numpy as np
import sympy as sp
from scipy import special

from sslverify.theory.found import uniformity


def test_sphere_identity():
    # Exercise 5: ‖u−v‖² = 2 − 2uᵀv on the sphere; kernel identity; L_uniform = 0 at collapse
    r = uniformity.sphere_kernel_identity(3)
    assert r["distance_identity"] and r["kernel_identity"] and r["collapse_value"] == 0


def test_trace_counterexample():
    # Exercise 5 "fixed covariance trace": N(0, ½I₂) beats the uniform law on S¹
    r = uniformity.trace_constraint_counterexample()
    assert r["gaussian_value"] == sp.Rational(1, 5)
    assert abs(r["uniform_circle_float"] - np.exp(-4) * special.iv(0, 4)) < 1e-14
    assert r["uniform_is_not_minimiser"]


def test_jacobi_anger_energy():
    # uniform minimises over all laws on S¹: energy = I₀(4) + 2Σ I_k(4)|c_k|² ≥ I₀(4)
    rng = np.random.default_rng(1)
    w, a = rng.dirichlet(np.ones(5)), rng.uniform(-np.pi, np.pi, 5)
    direct, series = uniformity.circle_energy(w, a)
    assert abs(direct / series - 1) < 1e-12  # series truncated at k = 60: remainder ~ 4^60/60! ≪ 1e-12
    assert direct > special.iv(0, 4)


def test_ntxent_limit_sign():
    # Theorem (Wang & Isola): the repulsion term has a + sign; same alignment, more uniform → lower loss
    a, b = uniformity.circle_population(0.5, 0.3, 0.5, grid=512), uniformity.circle_population(4.0, 0.3, 0.5, grid=512)
    assert abs(a["align"] - b["align"]) < 1e-15
    assert a["uniform"] < b["uniform"] and a["limit"] < b["limit"]
    # uniform law of views (κ = 0): rep = log I₀(1/τ) exactly
    u = uniformity.circle_population(0.0, 0.3, 0.5, grid=512)
    assert abs(u["rep"] - np.log(special.iv(0, 2.0))) < 1e-10  # periodic trapezoid rule: spectral accuracy
    n = 256
    vals = [uniformity.ntxent_numpy(*uniformity.sample_views(0.0, 0.3, n, r), 0.5) - np.log(2 * n - 2) for r in range(6)]
    se = np.std(vals, ddof=1) / np.sqrt(6)
    # 5 standard errors plus the O(1/N) finite-batch bias bound e^{2/τ}/(2N)
    assert abs(np.mean(vals) - u["limit"]) < 5 * se + np.exp(4) / (2 * n)


def test_simplex_gram():
    # Exercise 6: Gram of the simplex ETF, rank N − 1 for symbolic N
    g = uniformity.simplex_gram()
    N = uniformity.NN
    assert g["G2_equals_aG"] and g["unit_diagonal"] and g["ones_in_kernel"]
    assert sp.simplify(g["rank"] - (N - 1)) == 0
    for n in range(2, 7):
        Z = uniformity.simplex_vectors(n)
        assert np.linalg.matrix_rank(Z) == n - 1
        np.testing.assert_allclose(Z @ Z.T, (n * np.eye(n) - 1) / (n - 1), atol=1e-12)  # float64


def test_log_n_bounds():
    b = uniformity.log_n_bounds()
    assert b["lower_bound_N_to_inf"] == sp.oo and b["gap_tau_to_inf"] == 0
    assert b["gap_N64_tau"][100.0] < 0.02 < 1.0 < b["gap_N64_tau"][0.5]
