"""Eigenvalue counting of Thm 1 / Prop 2 (``num_positive``, ``predicted_rank``, ``predicted_gram``) on tiny diagonal
inputs whose whitened spectrum is known by hand.

The count is taken on B̃ = Σ^{-1/2} B Σ^{-1/2} (same inertia as B, Sylvester), with the documented round-off cut
"ev > 1e-12 · max(1, max|ev|)"; the diagonal cases below put one eigenvalue on either side of that cut.
"""
from __future__ import annotations

import numpy as np
import pytest

from sslverify.theory.ziyin import landscape as ls


@pytest.mark.parametrize("diag, expected", [
    ([2.0, -1.0, 0.5], 2),  # plain count without Σ: two positive eigenvalues
    ([1e-12, 0.5], 1),  # exactly at the cut 1e-12·max(1, 0.5) = 1e-12: round-off, not counted (strict >)
    ([1.5e-12, 1.0], 2),  # above the cut 1e-12·max(1, 1) = 1e-12: counted
    ([1e-11, 100.0], 1),  # cut scales with max|ev|: 1e-12·100 = 1e-10 > 1e-11, so round-off
])
def test_num_positive_without_sigma(diag, expected):
    """num_positive(B) with Σ omitted counts eigenvalues of B above the relative round-off cut (hand-counted)."""
    assert ls.num_positive(np.diag(diag)) == expected


def test_num_positive_counts_on_whitened_matrix():
    """With Σ = diag(1e-2, 1), B = diag(1e-13, 1) whitens to B̃ = diag(1e-11, 1): both positive (1e-11 > 1e-12 cut),
    whereas B itself would put 1e-13 under the cut; the count must be taken on B̃ as documented."""
    B, Sigma = np.diag([1e-13, 1.0]), np.diag([1e-2, 1.0])
    assert ls.num_positive(B, Sigma) == 2
    assert ls.predicted_rank(B, Sigma, 2) == 2  # min(m = 2, d0 = 2, d1 = 2)


def test_predicted_gram_uses_whitened_rank():
    """Global-minimum WᵀW = ½Σ^{-1/2}(top-r part of B̃)Σ^{-1/2}; for the diagonal case above r = 2 and
    WᵀW = ½ Σ⁻¹ B Σ⁻¹ = diag(½·1e-13/1e-4, ½) = diag(5e-10, ½) by hand."""
    B, Sigma = np.diag([1e-13, 1.0]), np.diag([1e-2, 1.0])
    G = ls.predicted_gram(B, Sigma, 2)
    # rtol 1e-9: the entries come from eigh of a diagonal matrix and two square roots (a few ulp), far below the
    # factor-of-two-or-more change if the small direction were dropped (entry 0 instead of 5e-10)
    np.testing.assert_allclose(np.diag(G), [5e-10, 0.5], rtol=1e-9)
