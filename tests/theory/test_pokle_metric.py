"""pokle.maxcos: the max-cosine metric of Pokle et al. eq. 12."""
from __future__ import annotations

import numpy as np
import torch
from hypothesis import given
from hypothesis import strategies as st

from sslverify.numerics.dual_nets import max_cosine
from sslverify.numerics.sparse_coding import random_dictionary
from sslverify.verdicts.builtin import pokle as checks


def test_maxcos_analytic():
    # eq. 12: W with the atoms as rows gives 1 for max/median/min; a missing atom gives min 0 (vectorised and loop agree)
    cases = checks.maxcos_evidence()["cases"]
    for key in ("W_eq_M_T", "perm_sign_scale", "with_extra_neurons"):
        for impl in ("fast", "loop"):
            assert np.allclose(cases[key][impl], 1.0, rtol=0, atol=1e-12), (key, impl)  # float64 unit-vector cosines
    for impl in ("fast", "loop"):
        f = cases["missing_atom"][impl]
        assert abs(f[2]) < 1e-12 and abs(f[0] - 1) < 1e-12  # float64: the missing atom is orthogonal to every neuron
    # invariance of a random W under permutation / sign / positive scaling of its neurons
    assert np.allclose(cases["random"]["loop"], cases["random_perm_sign_scale"]["loop"], rtol=0, atol=1e-12)  # float64


@given(seed=st.integers(0, 10_000), m=st.integers(1, 7))
def test_maxcos_invariance_property(seed, m):
    # eq. 12 is invariant under neuron permutation, sign flips and positive scaling; values in [0, 1]
    g = torch.Generator().manual_seed(seed)
    M = random_dictionary(6, 3, seed)
    W = torch.randn(m, 6, generator=g, dtype=torch.float64)
    base = max_cosine(W, M)
    perm = torch.randperm(m, generator=g)
    signs = torch.where(torch.rand(m, 1, generator=g) < 0.5, -1.0, 1.0).double()
    scale = torch.rand(m, 1, generator=g, dtype=torch.float64) + 0.1
    moved = max_cosine(signs * scale * W[perm], M)
    assert torch.allclose(base, moved, rtol=0, atol=1e-12)  # float64 rounding of normalised dot products
    assert (base >= 0).all() and (base <= 1 + 1e-12).all()  # |cos| ≤ 1 up to float64 rounding of the normalisation
    assert base[0] >= base[1] >= base[2]
