"""lastlayer.eq7a, lastlayer.eq7b (003 §3.4, eq. 7a/7b)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

from sslverify.theory.lastlayer import ranks


def test_constant_block_symbolic():
    # eq. 7a: centred covariance has an exactly zero static block for any k; uncentred keeps k²
    r = ranks.constant_block_covariance(3, 2, 2)
    assert r["centred_static_block_zero"] and r["centred_trained_block_is_C0"]
    assert r["uncentred_static_block"] == "k**2"


@given(r=st.integers(1, 4), k=st.sampled_from([0.0, 1 / np.sqrt(512), 1.0]), seed=st.integers(0, 10_000))
def test_constant_subvector_property(r, k, seed):
    # eq. 7a: rank C = rank C₀ ≤ d₀ = 3 (d_r = 4); uncentred second moment gains 1 when k ≠ 0
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((40, r)) @ rng.standard_normal((r, 6))
    W0 = rng.standard_normal((3, 6))
    # "a.s." needs a numerical gap: skip the rare draws (seed 128, r = 3: eigenvalue ratio 5e-11) whose trained block is
    # itself ill-conditioned, i.e. keep its min(r, 3)-th singular value ≥ 1e-3 of the largest (eigenvalues 1e-6 ≫ rtol)
    sv = np.linalg.svd(x @ W0.T - (x @ W0.T).mean(0), compute_uv=False)
    assume(sv[min(r, 3) - 1] > 1e-3 * sv[0])
    H = ranks.embeddings("constant", x, W0, 4, rng, k=k)
    assert ranks.covariance_rank(H) == min(r, 3)
    assert ranks.uncentred_rank(H) == min(r, 3) + (1 if k != 0 else 0)


def test_frozen_rows_symbolic():
    # eq. 7b counterexample: rank-one input, d_r = 2: every 2×2 minor of C vanishes for all weights
    r = ranks.frozen_weights_counterexample()
    assert r["all_2x2_minors_zero"] and r["rank_C_generic"] == 1 < r["d_r"]


@given(r=st.integers(1, 6), dr=st.integers(1, 4), seed=st.integers(0, 10_000))
def test_frozen_rows_property(r, dr, seed):
    # eq. 7b corrected: min(d_r, rank Σ_x) ≤ rank C ≤ min(D, rank Σ_x) for Gaussian frozen rows (a.s.)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((60, r)) @ rng.standard_normal((r, 6))
    rank = ranks.covariance_rank(ranks.embeddings("frozen_weights", x, rng.standard_normal((2, 6)), dr, rng))
    assert min(dr, r) <= rank <= min(2 + dr, r)


def test_other_readings():
    # fresh noise per sample: d_r ≤ rank ≤ D; one vector for all samples: a constant (rank ≤ d₀)
    rng = np.random.default_rng(3)
    x = rng.standard_normal((60, 1)) @ rng.standard_normal((1, 6))
    W0 = rng.standard_normal((2, 6))
    assert ranks.covariance_rank(ranks.embeddings("fresh_noise", x, W0, 4, rng)) == 5
    assert ranks.covariance_rank(ranks.embeddings("fixed_vector", x, W0, 4, rng)) == 1
    with pytest.raises(ValueError, match="reading must be"):
        ranks.embeddings("bogus", x, W0, 4, rng)
    with pytest.raises(ValueError, match="dr must be an integer >= 1"):
        ranks.constant_block_covariance(3, 2, 0)


def test_dimension_checks_at_their_boundaries():
    # the smallest admissible setting (n = 2 samples, no trained coordinate, one static one) is accepted, one below
    # each bound is refused with a message naming the parameter, its rule and its value
    r = ranks.constant_block_covariance(2, 0, 1)
    assert r["centred_static_block_zero"] and r["centred_trained_block_is_C0"]
    assert r["uncentred_static_block"] == "k**2"
    for args, msg in (((1, 2, 2), r"^n must be an integer >= 2, got 1$"), ((3, -1, 2), r"^d0 must be an integer >= 0, got -1$"),
                      ((3, 2, 0), r"^dr must be an integer >= 1, got 0$"), ((2.0, 2, 2), r"^n must be an integer >= 2")):
        with pytest.raises(ValueError, match=msg):
            ranks.constant_block_covariance(*args)


def test_uncentred_cross_term():
    # eq. 7a without centring: M_{0,d₀} = (1/n) Σ_b h_{b0}·k = k·(mean of the first trained coordinate) — the cross term
    # k·E h₀1ᵀ of the module docstring; the default is the record's batch n = 3 (and it does not depend on d₀, d_r)
    import sympy as sp
    for args, n in (((), 3), ((4, 1, 3), 4)):
        r = ranks.constant_block_covariance(*args)
        expected = sp.Symbol("k") * sum(sp.Symbol(f"h_{b}0") for b in range(n)) / n
        assert sp.expand(sp.sympify(r["uncentred_cross"]) - expected) == 0


def _rank2_data(rng, n=40, D=4):
    return rng.standard_normal((n, 2)) @ rng.standard_normal((2, D))


def test_ranks_do_not_depend_on_units():
    # a rank is invariant under H -> sH: the relative threshold rtol·λ_max must see rank 2 at s = 1e-6 (eigenvalues
    # ~1e-12) and at s ~1e152, where the biased covariance (~1e305) is still a float64 number (the unnormalised
    # HᵀH·N would not be)
    rng = np.random.default_rng(11)
    H = _rank2_data(rng)
    big = np.sqrt(1e307 / np.max(np.sum(H**2, 0)))
    for s in (1e-6, 1.0, 1e6, big):
        assert ranks.covariance_rank(s * H) == 2 and ranks.uncentred_rank(s * H) == 2
    # zero data has rank 0 (no positive eigenvalue); a constant row is zero data once centred (values whose mean is
    # exact in float64: with an inexact mean the ~1e-16 residue is the only eigenvalue and counts, see the report)
    assert ranks.covariance_rank(np.tile([0.5, 1.0, -2.0, 3.0], (10, 1))) == 0
    assert ranks.uncentred_rank(np.zeros((10, 4))) == 0


def test_ranks_count_strictly_positive_eigenvalues():
    # rtol = 0: rank = number of eigenvalues > 0; a constant (centred) or zero (uncentred) column gives an exactly
    # zero eigenvalue (its row and column of the matrix are exactly 0) that must not be counted
    rng = np.random.default_rng(5)
    H = rng.standard_normal((20, 3))
    H[:, 2] = 5.0
    assert ranks.covariance_rank(H, rtol=0.0) == 2
    H[:, 2] = 0.0
    assert ranks.uncentred_rank(H, rtol=0.0) == 2


def test_ranks_in_float64_for_float32_input():
    # float32 data that is rank 1 up to float32 rounding: in float64 the spurious eigenvalues are ~(1e-7)² relative,
    # far below rtol = 1e-9; an eigendecomposition in float32 would leave ~1e-7 relative noise above it
    rng = np.random.default_rng(2)
    H32 = (rng.standard_normal((50, 1)) @ rng.standard_normal((1, 4))).astype(np.float32)
    assert ranks.covariance_rank(H32) == 1 and ranks.uncentred_rank(H32) == 1


def test_embedding_readings_follow_their_definitions():
    rng = np.random.default_rng(8)
    x = rng.standard_normal((30, 5))
    W0 = rng.standard_normal((2, 5))
    # eq. 7a's static coordinates hold k = 0 unless told otherwise (003 §3.4: "a constant k = 0")
    H = ranks.embeddings("constant", x, W0, 3, rng)
    assert H.shape == (30, 5) and np.all(H[:, 2:] == 0.0)
    # h₀ = W₀x in float64 whatever the input dtypes (1e-12: float64 rounding of 5-term dot products of O(1) numbers;
    # a float32 product would be off by ~1e-7)
    x32, W32 = x.astype(np.float32), W0.astype(np.float32)
    H = ranks.embeddings("constant", x32, W32, 1, rng, k=2.0)
    assert np.abs(H[:, :2] - x32.astype(np.float64) @ W32.astype(np.float64).T).max() < 1e-12
    assert np.all(H[:, 2] == 2.0)
    # fixed vector: one N(0, I) draw of d_r coordinates shared by every sample (rows equal, coordinates distinct a.s.)
    hr = ranks.embeddings("fixed_vector", x, W0, 4, rng)[:, 2:]
    assert np.all(hr == hr[0]) and len(set(hr[0].tolist())) == 4
    # frozen weights W_r ~ N(0, 1/n_in): with x = I (n_in = 300 one-hot samples) h_r = W_rᵀ, 12 000 entries whose sample
    # variance has relative standard error √(2/12 000) = 1.3 %; 10 % is 7.7 SE
    hr = ranks.embeddings("frozen_weights", np.eye(300), np.zeros((1, 300)), 40, rng)[:, 1:]
    assert abs(hr.var() * 300 - 1) < 0.1
