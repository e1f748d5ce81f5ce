"""Ziyin et al. expansion helpers: the purely absolute symmetry tolerance of the PSD check of A0 / C, the purely absolute
orthonormality tolerance of the ``basis`` of fixed_dataset_minimizer, and its first L-BFGS iteration worked by hand on
the 1-d closed-form loss."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from sslverify.theory.ziyin import expansion as ex
from sslverify.theory.ziyin import expansion_numeric as en


# ----------------------------------------------------------------------------- _psd symmetry tolerance
@pytest.mark.parametrize("M", [
    [[1.0, 1.0 + 1e-6], [1.0, 1.0]],   # asymmetry 1e-6 > 1e-12·(1 + max|M|) ≈ 2e-12, next to entries of size 1
    [[1.0, 1.5], [1.0, 1.0]],          # asymmetry 0.5 next to entries of size 1
])
def test_psd_check_has_no_relative_symmetry_slack(M):
    """The symmetry tolerance is 1e-12·(1 + max|M|) absolute only: an asymmetry far above it is rejected even where
    the entries themselves are O(1) (a relative tolerance on |Mᵀ| would accept these)."""
    with pytest.raises(ValueError, match="A0 must be a symmetric square matrix"):
        ex.derived_B(M, N=2, alpha=1.0)


# ----------------------------------------------------------------------------- fixed_dataset_minimizer basis
X3 = np.array([[1.0, 0.0, 0.0], [-1.0, 0.0, 0.0]])


def test_minimizer_basis_has_no_relative_orthonormality_slack():
    """A one-column basis e₁(1 + 1e-7) has UᵀU − 1 = 2e-7 > atol 1e-10: not orthonormal (no relative slack on the
    unit diagonal); e₁(1 + 2.5e-11) has UᵀU − 1 = 5e-11 ≤ 1e-10 (round-off) and is accepted."""
    with pytest.raises(ValueError, match="basis must be a"):
        en.fixed_dataset_minimizer(X3, np.eye(3), 0.5, d1=1, basis=[[1.0 + 1e-7], [0.0], [0.0]], max_iter=1, rounds=1)
    W, _ = en.fixed_dataset_minimizer(X3, np.eye(3), 0.5, d1=1, basis=[[1.0 + 2.5e-11], [0.0], [0.0]],
                                      max_iter=1, rounds=1)
    assert W.shape == (1, 3) and W[0, 1] == W[0, 2] == 0.0  # rows in span(e₁): exact zeros


# ----------------------------------------------------------------------------- fixed_dataset_minimizer first step
@pytest.mark.parametrize("seed", [0, 1])
def test_minimizer_first_iteration_by_hand(seed):
    """X = {+1, −1}, C = 0, α = 1, d0 = d1 = 1: E2 + E4 = −w² + w⁴/2 (the closed form of the N = 2 case, see
    test_fixed_dataset_minimizer_reaches_the_closed_form_minimum), so with γ = 5/4, f(w) = w²/4 + w⁴/2, f' = w/2 + 2w³.
    One L-BFGS iteration from the seeded start w0 = 0.1·N(0, 1) is steepest descent with trial step
    t = min(1, 1/|f'(w0)|) = 1 (unit learning rate, standard L-BFGS); it satisfies the strong Wolfe conditions
    (c1 = 1e-4, c2 = 0.9; checked here by hand), so it is taken as is: w1 = w0 − f'(w0). (A step of 2 would land near
    the minimum 0 instead, also Wolfe-acceptable.)"""
    w0 = 0.1 * torch.randn(1, 1, generator=torch.Generator().manual_seed(seed), dtype=torch.float64).item()
    f = lambda w: w ** 2 / 4 + w ** 4 / 2  # noqa: E731
    fp = lambda w: w / 2 + 2 * w ** 3  # noqa: E731
    g0 = fp(w0)
    assert abs(g0) < 1  # so the trial step is t = 1
    w1 = w0 - g0
    assert f(w1) <= f(w0) - 1e-4 * g0 ** 2 and abs(fp(w1)) <= 0.9 * abs(g0)  # strong Wolfe at t = 1
    W, g = en.fixed_dataset_minimizer(np.array([[1.0], [-1.0]]), [[0.0]], 1.0, gamma=1.25, seed=seed,
                                      max_iter=1, rounds=1)
    # w1 ≈ 0.03–0.07: the closed form and the optimizer's E2 + E4 agree to float64 round-off (1e-16 relative)
    assert W[0, 0] == pytest.approx(w1, abs=1e-14)
    assert g == pytest.approx(abs(fp(w1)), abs=1e-14)  # the returned ‖∇‖ is at w1
