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
