"""Ziyin et al. expansion helpers: the symmetric-PSD validation of A0/C (tolerances scaled by 1 + max|M|, boundary
values on both sides), exact-entry coercion to float64, and the real logit variables of ``u_level_series``."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from sslverify.theory.ziyin import expansion as ex

# derived_B(A0, N = 2, α = 1) = (N − 1)/(N − 1 + α)·A0 = A0/2: a public entry point whose only work is the check
HALF = dict(N=2, alpha=1.0)


@pytest.mark.parametrize("M", [
    [[1e6, 1e-7], [0.0, 1e6]],        # asymmetry 1e-7 ≤ 1e-12·(1 + 1e6): round-off at scale 1e6 is accepted
    [[0.0, 0.5e-12], [0.0, 0.0]],     # asymmetry 0.5e-12 ≤ 1e-12·(1 + 0.5e-12) near the zero matrix
    [[2.0, 0.0], [0.0, 3.0]],         # exactly symmetric with max|M| > 1 (zero off-diagonal entries)
    [[1.0, 0.0], [0.0, -2e-10]],      # eigenvalue exactly −1e-10·(1 + 1): the tolerance boundary itself is legal
    [[1e3, 0.0], [0.0, -1e-8]],       # eigenvalue −1e-8 ≥ −1e-10·(1 + 1e3): round-off at scale 1e3
    [[0.0, 0.0], [0.0, -0.5e-10]],    # eigenvalue −0.5e-10 ≥ −1e-10·(1 + 0.5e-10) near the zero matrix
], ids=["asym_scaled", "asym_small", "sym_large", "eig_boundary", "eig_scaled", "eig_small"])
def test_psd_check_accepts_round_off(M):
    """Matrices within the documented float64 round-off tolerances are accepted and returned as float64 (B = A0/2)."""
    if M[1][1] == -2e-10:  # precondition of the boundary case: eigvalsh returns the diagonal exactly
        assert np.linalg.eigvalsh(np.array(M)).min() == -1e-10 * (1 + 1.0)
    B = ex.derived_B(M, **HALF)
    assert B.dtype == np.float64
    np.testing.assert_array_equal(B, 0.5 * np.array(M))  # halving is exact in float64


@pytest.mark.parametrize("M, match", [
    ([[1.0, 1e-9], [0.0, 1.0]], "A0 must be a symmetric square"),       # 1e-9 > 1e-12·(1 + 1)
    ([[0.0, 1.5e-12], [0.0, 0.0]], "A0 must be a symmetric square"),    # 1.5e-12 > 1e-12·(1 + 1.5e-12)
    ([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], "A0 must be a symmetric square"),  # 2 × 3
    ([[1.0, 1.0, 1.0]], "A0 must be a symmetric square"),               # 1 × 3 (broadcasts against its transpose)
    ([[0.0, 0.0], [0.0, -1.5e-10]], "A0 must be symmetric positive semi-definite"),  # −1.5e-10 < −1e-10·(1 + ~0)
    ([[1.0, 0.0], [0.0, -2.1e-10]], "A0 must be symmetric positive semi-definite"),  # just past −2e-10
], ids=["asym_1e-9", "asym_small", "2x3", "1x3", "eig_small", "eig_past_boundary"])
def test_psd_check_rejects(M, match):
    """Asymmetry or a negative eigenvalue beyond the round-off tolerance, or a non-square shape, raise ValueError."""
    with pytest.raises(ValueError, match=match):
        ex.derived_B(M, **HALF)


def test_psd_check_coerces_exact_entries():
    """Integer and Fraction entries are converted to float64 before the checks (source_B = A0 − (1 − α)C/N)."""
    A0 = [[Fraction(2), Fraction(1, 2)], [Fraction(1, 2), Fraction(1)]]
    C = [[1, 0], [0, 3]]
    B = ex.source_B(A0, C, 2, 0.5)  # A0 − C/4 = [[7/4, 1/2], [1/2, 1/4]], all dyadic: exact in float64
    assert B.dtype == np.float64
    np.testing.assert_array_equal(B, [[1.75, 0.5], [0.5, 0.25]])
    P = ex._psd("C", C)
    assert P.dtype == np.float64 and P.tolist() == [[1.0, 0.0], [0.0, 3.0]]


def test_u_level_series_in_real_logits():
    """ℓ's s¹ and s² coefficients are expressed in real symbols v0..v_{N−1} (the logits u_k are real): they equal the
    hand form −u0 + S, ½(Q − S²) built on independently created real symbols (N = 2, K = 1 + α)."""
    c2, c4, v = ex.u_level_series(2)
    assert all(x.is_real for x in v)
    u0, u1 = sp.symbols("v0 v1", real=True)
    a = ex.ALPHA
    S = (u1 + a * u0) / (1 + a)
    Q = (u1**2 + a * u0**2) / (1 + a)
    assert sp.cancel(c2 - (-u0 + S)) == 0
    assert sp.cancel(sp.together(c4 - (Q - S**2) / 2)) == 0
