"""found.linear-byol (F = Σ_x), found.gaussian-mi (note: "Tian et al.", "InfoMax")."""
from __future__ import annotations

import numpy as np

from sslverify.theory.found import infomax


def test_f_matrix():
    # F = E[x₁x₂ᵀ] = Σ_x for additive independent noise; view covariance Σ_x + C
    assert all(infomax.f_matrix().values())


def test_mi_formula():
    # Schur determinant identity (d = 1, 2) and the 1-d Gaussian entropy
    assert all(infomax.mi_formula().values())


def test_mi_monotone_and_anisotropic():
    m = infomax.mi_monotone_1d()
    assert m["formula_agrees"] and m["increasing"]
    # closed form along eigenvectors matches the generic formula
    Sx = np.diag([3.0, 1.0, 0.5])
    W = np.eye(3)[:2]
    # float64 logdet of 2×2 matrices with entries O(1): round-off ~1e-15
    assert abs(float(infomax.linear_mi(W, Sx, 0.4 * np.eye(3))) - infomax.top_eig_mi(Sx, 0.4, 2)) < 1e-12
    assert infomax.anisotropic_counterexample()["top_is_not_maximiser"]


# ----------------------------------------------------------------------------- edges (mutation testing, issue 13)
import math  # noqa: E402

import pytest  # noqa: E402
import sympy as sp  # noqa: E402


def _mi_numpy(W, Sx, C):
    """I(Wx₁; Wx₂) = ½ log det Σ₁₁ / det(Σ₁₁ − Σ₁₂Σ₂₂⁻¹Σ₂₁), Σ₁₁ = Σ₂₂ = W(Σ_x + C)Wᵀ, Σ₁₂ = WΣ_xWᵀ (the note's formula)."""
    S11, S12 = W @ (Sx + C) @ W.T, W @ Sx @ W.T
    return 0.5 * (np.linalg.slogdet(S11)[1] - np.linalg.slogdet(S11 - S12 @ np.linalg.solve(S11, S12.T))[1])


def test_symbolic_results_keys():
    """The derivations report under their documented keys (d = 1 and d = 2 both checked)."""
    assert infomax.f_matrix() == {"F_equals_Sigma_x": True, "view_cov_equals_Sigma_plus_C": True}
    assert infomax.mi_formula() == {"schur_d1": True, "schur_d2": True, "entropy_1d": True}
    m = infomax.mi_monotone_1d()
    assert set(m) == {"formula_agrees", "dI_dmu", "increasing"}


def test_mi_monotone_derivative_value():
    """dI/dμ of I = −½ log(1 − ρ²), ρ = μ/(μ + σ²), against a central difference of that formula (float64, h = 1e-5:
    truncation O(h²) ~ 1e-10)."""
    dI = infomax.mi_monotone_1d()["dI_dmu"]
    mu, s2 = sp.Symbol("mu", positive=True), sp.Symbol("sigma2", positive=True)
    I = lambda m, s: -0.5 * math.log(1 - (m / (m + s)) ** 2)  # noqa: E731
    for m0, s0 in ((1.0, 1.0), (0.3, 2.0)):
        fd = (I(m0 + 1e-5, s0) - I(m0 - 1e-5, s0)) / 2e-5
        assert abs(float(dI.subs({mu: m0, s2: s0})) - fd) < 1e-8


def test_linear_mi_batched_and_integer_w():
    """linear_mi on a (2, 2, 2, 3) batch of W equals the per-matrix numpy formula (float64 logdet of 2×2: ~1e-14);
    integer W is accepted; MI is invariant to W → GW."""
    rng = np.random.default_rng(0)
    A = rng.normal(size=(3, 3))
    Sx, C = A @ A.T + 0.1 * np.eye(3), np.diag([0.5, 1.0, 2.0])
    W = rng.normal(size=(2, 2, 2, 3))
    got = infomax.linear_mi(W, Sx, C)
    want = np.array([[_mi_numpy(W[i, j], Sx, C) for j in range(2)] for i in range(2)])
    assert got.shape == (2, 2) and np.abs(got - want).max() < 1e-12
    Wi = np.array([[1, 0, 2], [0, 1, -1]])
    assert abs(float(infomax.linear_mi(Wi, Sx, C)) - _mi_numpy(Wi.astype(float), Sx, C)) < 1e-12
    G = np.array([[2.0, 1.0], [0.0, 3.0]])
    assert abs(float(infomax.linear_mi(G @ Wi, Sx, C)) - _mi_numpy(Wi.astype(float), Sx, C)) < 1e-12


def test_bad_covariances_are_named():
    """ValueError naming the parameter: Σ_x not PSD, C of the wrong size."""
    with pytest.raises(ValueError, match="^Sigma_x must"):
        infomax.linear_mi(np.eye(2)[:1], [[1.0, 0.0], [0.0, -1.0]], np.eye(2))
    with pytest.raises(ValueError, match="^C must have shape"):
        infomax.linear_mi(np.eye(2)[:1], np.eye(2), np.eye(3))
    with pytest.raises(ValueError, match="^Sigma_x must"):
        infomax.top_eig_mi([[1.0, 2.0], [0.0, 1.0]], 0.5, 1)
    with pytest.raises(ValueError, match="^d must"):
        infomax.maximize_mi(np.eye(2), np.eye(2), 0)
    with pytest.raises(ValueError, match="^C must have shape"):
        infomax.maximize_mi(np.eye(2), np.eye(3), 1, steps=1)


def test_anisotropic_counterexample_values():
    """Σ_x = diag(2, 1), C = diag(10, 0.01), d = 1 (the record's numbers): along e_k, ρ = s_k/(s_k + c_k) and
    I = −½ log(1 − ρ²) (note's 1-d formula): e₁ → ρ = 2/12, e₂ → ρ = 1/1.01."""
    r = infomax.anisotropic_counterexample()
    i = lambda rho: -0.5 * math.log(1 - rho**2)  # noqa: E731
    assert abs(r["mi_top_eigvec_of_F"] - i(2 / 12)) < 1e-12  # float64 round-off of a 1×1 logdet
    assert abs(r["mi_second_eigvec"] - i(1 / 1.01)) < 1e-12
    assert r["top_is_not_maximiser"] is True


def test_maximize_mi_reaches_top_eigenspace():
    """C = σ²I: the maximiser spans the top-d eigenvectors of Σ_x and I* = Σ_{j≤d} ½ log((s_j+σ²)²/(σ²(2s_j+σ²)))
    (note, InfoMax); every seed converges, rows orthonormal; the start is seeded."""
    Sx, s2 = np.diag([3.0, 1.5, 0.5]), 0.4
    Q, I = infomax.maximize_mi(Sx, s2 * np.eye(3), 2, seeds=(0, 1), steps=60, lr=0.2)
    assert Q.shape == (2, 2, 3) and I.shape == (2,)
    # Adam, 60 steps at lr 0.2: measured gap 1.1e-6 (600 steps at 0.05: 1e-15); 1e-5 still ≪ I* ≈ 1.3
    assert np.abs(I - infomax.top_eig_mi(Sx, s2, 2)).max() < 1e-5
    for q in Q:
        assert np.abs(q @ q.T - np.eye(2)).max() < 1e-12  # QR factor: orthonormal to round-off
        assert np.abs(q[:, 2]).max() < 1e-2  # bottom-eigenvector weight: measured 1.9e-3 (I gap ~ angle²)
    Qa, Ia = infomax.maximize_mi(Sx, s2 * np.eye(3), 1, seeds=(5, 5, 6), steps=3, lr=0.05)
    assert np.array_equal(Qa[0], Qa[1]) and not np.allclose(Qa[0], Qa[2])  # start W0 from each seed alone
    assert np.all(Ia < infomax.top_eig_mi(Sx, s2, 1))  # 3 steps from random starts: not yet at the maximum


def test_maximize_mi_default_learning_rate():
    """The documented default lr = 0.05 (one Adam step from the same seeded start must coincide)."""
    Sx, C = np.diag([3.0, 1.5, 0.5]), 0.4 * np.eye(3)
    a = infomax.maximize_mi(Sx, C, 1, seeds=(0,), steps=1)
    b = infomax.maximize_mi(Sx, C, 1, seeds=(0,), steps=1, lr=0.05)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
