"""lastlayer.eq7a, lastlayer.eq7b (003 §3.4, eq. 7a/7b)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

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
    H = ranks.embeddings("constant", x, rng.standard_normal((3, 6)), 4, rng, k=k)
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
