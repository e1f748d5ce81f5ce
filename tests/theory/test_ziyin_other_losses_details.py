"""theory/ziyin/other_losses.py in detail: the exact gap of eq. 17 to the derived SCL loss, the SCL rank and Gram
helpers (B = 2A0, whitened count, input coercion), the Barlow Twins global minimizer's positive-definiteness check
and float64 output, and the BT loss's default λ = 1 on exact decimal data."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

from sslverify.theory.ziyin import other_losses as ol


# ----------------------------------------------------------------------------- SCL (eq. 16–17)


def test_scl_source_residual_is_exactly_the_A0_C_swap():
    """Eq. 16 − eq. 17 = 2Tr[W(C − A0)Wᵀ]: the exact loss is −2Tr[WA0Wᵀ] + Tr[P²] (s["ours"] = 0) and eq. 17 is
    −2Tr[WCWᵀ] + Tr[P²], so loss − source = −2Tr[WA0Wᵀ] + 2Tr[WCWᵀ] (worked by hand from the two forms)."""
    s = ol.scl_symbolic()
    A0, C, W = ol._setup()[:3]
    gap = 2 * (W * (C - A0) * W.T).trace()
    assert s["ours"] == 0
    assert (s["source"] - gap).expand() == 0


def _scl_gram_by_hand(a, c):
    """Diagonal (commuting) A0 = diag(a), C = diag(c): per direction L(g) = −2a·g + (a + c)²g² with g = w², so the
    minimizer is g = a/(a + c)² (Σ⁻¹A0Σ⁻¹), worked in exact fractions."""
    return np.diag([float(Fraction(ai) / (Fraction(ai) + Fraction(ci)) ** 2) for ai, ci in zip(a, c)])


@pytest.mark.parametrize("A0, C, a, c", [
    # A0 stored as int8: 2·A0 must be formed in float (2·100 = 200 does not fit int8)
    (np.diag(np.array([100, 1], dtype=np.int8)), np.diag([1.0, 2.0]), [100, 1], [1, 2]),
    # C (and, separately, A0) given as exact decimals, e.g. parsed from a table
    (np.diag([2.0, 1.0]), np.array([[Decimal("1"), Decimal("0")], [Decimal("0"), Decimal("2")]], dtype=object),
     [2, 1], [1, 2]),
    (np.array([[Decimal("2"), Decimal("0")], [Decimal("0"), Decimal("1")]], dtype=object), np.diag([1.0, 2.0]),
     [2, 1], [1, 2]),
], ids=["A0-int8", "C-decimal", "A0-decimal"])
def test_scl_gram_and_rank_take_any_real_array(A0, C, a, c):
    """Integer and Decimal inputs are read as float64: Gram = diag(a/(a + c)²) and rank 2 (A0 ≻ 0, d1 = 2)."""
    G = ol.scl_predicted_gram(A0, C, 2)
    # Thm 1 in float64 (eigh, square roots): round-off ≈ 1e-16 relative; 1e-12 leaves wide margin
    assert np.allclose(G, _scl_gram_by_hand(a, c), rtol=1e-12, atol=1e-15)
    assert ol.scl_predicted_rank(A0, C, 2) == 2


def test_scl_rank_counts_the_whitened_matrix():
    """Prop 2 counts positive eigenvalues of B̃ = Σ^{-1/2}(2A0)Σ^{-1/2}, which is scale free: A0 = diag(1, 1e-13),
    C = diag(1, 1e-20) gives B̃ ≈ diag(1, 2), so rank 2 (A0 ≻ 0), although 2A0's own small eigenvalue 2e-13 is under
    the 1e-12 relative round-off floor that landscape.num_positive applies."""
    assert ol.scl_predicted_rank(np.diag([1.0, 1e-13]), np.diag([1.0, 1e-20]), 2) == 2
    # and Σ = A0 + C must be positive definite for the whitening (Thm 1): singular Σ is refused, naming Sigma
    assert ol.scl_predicted_rank(np.diag([1.0, 0.0]), np.diag([0.0, 1.0]), 2) == 1
    with pytest.raises(ValueError, match="Sigma"):
        ol.scl_predicted_rank(np.diag([1.0, 0.0]), np.zeros((2, 2)), 2)


@pytest.mark.parametrize("scale, rank", [(4e-13, 0), (6e-13, 2)])
def test_scl_rank_uses_B_equal_2A0_at_the_round_off_floor(scale, rank):
    """A0 = s·I, C = I: B̃ = 2s/(1 + s)·I.  landscape.num_positive counts eigenvalues > 1e-12 (its float round-off
    floor), so s = 4e-13 (B̃ ≈ 8e-13) gives rank 0 and s = 6e-13 (B̃ ≈ 1.2e-12) rank 2; the rank must also be that of
    the predicted Gram matrix (zero or full), both being Thm 1 with the same B = 2A0."""
    A0, C = scale * np.eye(2), np.eye(2)
    assert ol.scl_predicted_rank(A0, C, 2) == rank
    G = ol.scl_predicted_gram(A0, C, 2)
    if rank == 0:
        assert not np.any(G)
    else:  # G = Σ⁻¹A0Σ⁻¹ ≈ s·I: both eigenvalues positive
        assert np.all(np.linalg.eigvalsh(G) > 0)


# ----------------------------------------------------------------------------- Barlow Twins


A0_BT = [[2.0, 0.5], [0.5, 1.0]]  # dyadic entries: exact in float32, float64 and Decimal


@pytest.mark.parametrize("A0", [np.array(A0_BT, dtype=np.float32),
                                np.array([[Decimal(str(v)) for v in row] for row in A0_BT], dtype=object)],
                         ids=["float32", "decimal"])
def test_barlow_global_min_weights_in_float64(A0):
    """A0 stored in float32 or as decimals is read as float64: W is float64 and WA0Wᵀ = I to float64 round-off
    (A0 has condition number ≈ 2.6, so 1e-13 is ~100× the expected error; float32 would give ~1e-7)."""
    W = ol.barlow_global_min_weights(A0, 2)
    assert W.dtype == np.float64
    A = np.array(A0_BT)
    assert np.abs(W @ A @ W.T - np.eye(2)).max() < 1e-13


def test_barlow_global_min_weights_needs_positive_definite_A0():
    """A0 ≻ 0 is required: a tiny positive eigenvalue works (W scales that direction by 1/√a), a zero one is refused."""
    W = ol.barlow_global_min_weights(np.diag([1.0, 1e-300]), 2)
    # W = diag(1, 1e150): WA0Wᵀ = diag(1, 1e300·1e-300), one rounding in each of sqrt, divide, products: 1e-14 margin
    assert np.allclose(W @ np.diag([1.0, 1e-300]) @ W.T, np.eye(2), rtol=0, atol=1e-14)
    with pytest.raises(ValueError, match="positive definite"):
        ol.barlow_global_min_weights(np.diag([1.0, 0.0]), 2)


def _bt_loss_exact(W, A0, lam):
    """Σ_i(1 − C_ii)² + λΣ_{i≠j}C_ij², C = WA0Wᵀ, by explicit loops in exact fractions."""
    n, m = len(W), len(A0)
    Cm = [[sum(Fraction(W[i][k]) * Fraction(A0[k][l]) * Fraction(W[j][l]) for k in range(m) for l in range(m))
           for j in range(n)] for i in range(n)]
    return sum((1 - Cm[i][i]) ** 2 for i in range(n)) + lam * sum(
        Cm[i][j] ** 2 for i in range(n) for j in range(n) if i != j)


W_BT = [["1", "0.5"], ["0", "1"]]


@pytest.mark.parametrize("decimal_W, decimal_A0", [(True, False), (False, True), (True, True)])
def test_barlow_loss_default_lambda_on_decimal_data(decimal_W, decimal_A0):
    """barlow_loss(W, A0) with the default λ = 1 on exact decimal inputs: C = [[2.75, 1], [1, 1]], so the loss is
    (1 − 2.75)² + 0 + 1 + 1 = 5.0625 (the exact-fraction loop agrees); λ = 2 would give 7.0625.  All values are dyadic,
    so float64 is exact here."""
    W = [[Decimal(v) if decimal_W else float(v) for v in row] for row in W_BT]
    A0 = [[Decimal(str(v)) if decimal_A0 else v for v in row] for row in A0_BT]
    expected = _bt_loss_exact([[Fraction(v) for v in row] for row in W_BT], A0_BT, 1)
    assert expected == Fraction(81, 16)
    assert ol.barlow_loss(np.array(W, dtype=object if decimal_W else float),
                          np.array(A0, dtype=object if decimal_A0 else float)) == float(expected)
