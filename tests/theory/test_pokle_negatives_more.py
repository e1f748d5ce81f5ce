"""perm_distance on stacked batches and non-float64 input; brute_force (d = 3) when no PGD end reaches the best value."""
from __future__ import annotations

import math

import torch

from sslverify.theory.pokle import negatives as NG


def test_perm_distance_on_a_two_level_batch():
    """A (1, 3, 2, 2) stack: the permutations are I and the swap J; by hand, dist(I) = 0, dist(J) = 0,
    dist([[.5, 0], [0, .5]]) = min(.5 (to I), 1 (to J)) = .5; exact in binary, so compared with ==."""
    W = torch.tensor([[[[1.0, 0.0], [0.0, 1.0]], [[0.0, 1.0], [1.0, 0.0]], [[0.5, 0.0], [0.0, 0.5]]]], dtype=torch.float64)
    out = NG.perm_distance(W)
    assert out.shape == (1, 3) and out.tolist() == [[0.0, 0.0, 0.5]]


def test_perm_distance_keeps_a_half_precision_dtype():
    """float16 W: the permutation matrices are built in W's dtype, so the distance stays float16 (0.25 is exact)."""
    W = torch.tensor([[0.75, 0.0], [0.0, 1.0]], dtype=torch.float16)
    out = NG.perm_distance(W)
    assert out.dtype == torch.float16 and float(out) == 0.25


def test_brute_force_d3_when_no_pgd_end_is_near_the_best():
    """1 start with 0 PGD steps against 300 random W: the best random point is (by the fixed seeds) better than the
    one start, so no PGD end is within NEAR of the best: n_near_best = 0 and the distance is reported as NaN."""
    loss = lambda G: -(G * torch.tensor([[0.0, 1.0, 0.3], [1.0, 0.0, 0.7], [0.3, 0.7, 0.0]], dtype=torch.float64)).sum((-1, -2))  # noqa: E731
    out = NG.brute_force(loss, 3, samples=300, starts=1, steps=0)
    assert out["best_random"] < out["best_pgd"] - 1e-6  # the premise, checked (1e-6 ≫ NEAR = 1e-9)
    assert out["n_near_best"] == 0 and math.isnan(out["max_perm_distance_near_best"])
