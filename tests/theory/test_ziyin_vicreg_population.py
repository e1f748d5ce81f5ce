"""Population VICReg of f = Wx (Ziyin et al. §1.2, derived B = −2λC): loss, gradient and origin matrix on tiny
hand-worked inputs, their defaults, non-square W (the covariance term averages over the d1 output rows), exact
(Fraction/Decimal) entries and argument validation."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

from sslverify.theory.ziyin import normalization as no

# Hand example: W selects the first two of d0 = 3 coordinates (d1 = 2 rows), C = I, A0 = [[2,1,0],[1,2,0],[0,0,1]].
#   Σ = A0 + C = [[3,1,0],[1,3,0],[0,0,2]],  P = WΣWᵀ = [[3,1],[1,3]],  ρ = Tr P = 6,  Tr WCWᵀ = 2,
#   Σ_{i≠j} P_ij² = 2,  so  L = 2λ·2 + κ(6 − c)² + 2ν·2/d1 = 4λ + κ(6 − c)² + 2ν.
#   ∇L = 4λ WC + 4κ(ρ − c) WΣ + (8ν/d1) offdiag(P) WΣ with WC = W, WΣ = [[3,1,0],[1,3,0]],
#   offdiag(P) WΣ = [[1,3,0],[3,1,0]] (the two rows of WΣ swapped).
W_HAND = [[1, 0, 0], [0, 1, 0]]
A0_HAND = [[2, 1, 0], [1, 2, 0], [0, 0, 1]]
C_HAND = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
W_C = np.array([[1.0, 0, 0], [0, 1, 0]])
W_S = np.array([[3.0, 1, 0], [1, 3, 0]])
OFF_W_S = np.array([[1.0, 3, 0], [3, 1, 0]])


def hand_loss(lam, kappa, c, nu):
    return 4 * lam + kappa * (6 - c) ** 2 + 2 * nu


def hand_grad(lam, kappa, c, nu):
    return 4 * lam * W_C + 4 * kappa * (6 - c) * W_S + 8 * nu / 2 * OFF_W_S


# small-integer inputs: every product and sum is exact in float64; rel 1e-12 only absorbs BLAS summation order
EXACT = 1e-12


@pytest.mark.parametrize("kw, lam, nu", [
    ({}, 1.0, 1.0),                        # documented defaults λ = ν = 1
    ({"nu": 3.0}, 1.0, 3.0),               # ν multiplies the covariance term (not divides)
    ({"lam_inv": 0.5, "nu": 0.25}, 0.5, 0.25),
])
def test_population_loss_and_grad_hand_values(kw, lam, nu):
    """Loss and gradient equal the hand-worked 4λ + κ(6 − c)² + 2ν and its closed-form gradient (d1 = 2 < d0 = 3)."""
    kappa, c = 1.0, 5.0
    L = no.vicreg_population_loss(W_HAND, A0_HAND, C_HAND, kappa, c, **kw)
    assert L == pytest.approx(hand_loss(lam, kappa, c, nu), rel=EXACT)
    g = no.vicreg_population_grad(W_HAND, A0_HAND, C_HAND, kappa, c, **kw)
    np.testing.assert_allclose(g, hand_grad(lam, kappa, c, nu), rtol=EXACT, atol=0)


def test_population_grad_matches_finite_differences_nonsquare():
    """The closed-form gradient is the derivative of the loss (central differences, d1 = 2, d0 = 3, ν ≠ 1, λ ≠ 1)."""
    rng = np.random.default_rng(3)
    W = rng.normal(size=(2, 3))
    A, B = rng.normal(size=(3, 3)), rng.normal(size=(3, 3))
    A0, C = A @ A.T, B @ B.T
    args = (A0, C, 0.7, 1.3)
    kw = {"lam_inv": 1.5, "nu": 2.5}
    g = no.vicreg_population_grad(W, *args, **kw)
    h, fd = 1e-5, np.zeros_like(W)
    for idx in np.ndindex(W.shape):
        E = np.zeros_like(W)
        E[idx] = h
        fd[idx] = (no.vicreg_population_loss(W + E, *args, **kw) - no.vicreg_population_loss(W - E, *args, **kw)) / (2 * h)
    # central differences of a quartic with O(10)-sized entries: truncation h²·|L'''| ~ 1e-8 plus round-off
    # 1e-16·|L|/h ~ 1e-9; 1e-6 absolute is ample yet far below the O(1) change of any wrong coefficient
    np.testing.assert_allclose(g, fd, rtol=0, atol=1e-6)


@pytest.mark.parametrize("entry", [int, Fraction, Decimal], ids=["int", "Fraction", "Decimal"])
def test_exact_entries_are_coerced_to_float64(entry):
    """Matrices given with exact entries (int, Fraction, Decimal) give the same float64 results as the hand values."""
    conv = lambda M: [[entry(x) for x in row] for row in M]  # noqa: E731
    W, A0, C = conv(W_HAND), conv(A0_HAND), conv(C_HAND)
    L = no.vicreg_population_loss(W, A0, C, 1.0, 5.0, nu=3.0)
    assert type(L) is float and L == pytest.approx(hand_loss(1.0, 1.0, 5.0, 3.0), rel=EXACT)
    g = no.vicreg_population_grad(W, A0, C, 1.0, 5.0, nu=3.0)
    assert g.dtype == np.float64
    np.testing.assert_allclose(g, hand_grad(1.0, 1.0, 5.0, 3.0), rtol=EXACT, atol=0)
    # origin matrix 2λC − 2κcΣ with C = I₂, Σ = [[3,1],[1,3]], κ = 1/4, c = 1: [[½,−½],[−½,½]], eigenvalues 0 and 1
    eig = no.vicreg_origin_matrix(conv([[1, 0], [0, 1]]), conv([[3, 1], [1, 3]]), 0.25, 1.0)
    assert eig.dtype == np.float64
    np.testing.assert_allclose(eig, [0.0, 1.0], rtol=0, atol=1e-15)  # eigvalsh of an O(1) 2×2 matrix: round-off


VALID = dict(kappa=0.25, c=1.0, lam_inv=1.0)


def _call(fn, kappa, c, lam_inv):
    if fn == "origin":
        return no.vicreg_origin_matrix(np.eye(2), [[3.0, 1.0], [1.0, 3.0]], kappa, c, lam_inv)
    f = no.vicreg_population_loss if fn == "loss" else no.vicreg_population_grad
    return f(np.eye(2), np.eye(2), np.eye(2), kappa, c, lam_inv)


@pytest.mark.parametrize("fn", ["origin", "loss", "grad"])
@pytest.mark.parametrize("bad, match", [
    (dict(c=0.0), "c must be > 0"),
    (dict(lam_inv=0.0), "lam_inv"),
    (dict(kappa=-1e-12), "kappa must be >= 0"),
])
def test_vicreg_argument_validation(fn, bad, match):
    """c > 0, λ > 0 and κ ≥ 0 are each checked on their own (κ = 0 is legal: pure invariance + covariance)."""
    _call(fn, **(VALID | dict(kappa=0.0)))  # boundary κ = 0 must work
    with pytest.raises(ValueError, match=match):
        _call(fn, **(VALID | bad))
