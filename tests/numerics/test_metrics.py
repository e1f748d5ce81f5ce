"""numerics/metrics.py on known spectra (foundations note: stable rank, entropy rank)."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from sslverify.numerics.metrics import entropy_rank, gram_eigenvalues, numerical_rank, rank_above, stable_rank
from sslverify.numerics.tolerance import assert_rel_close

FLOAT = "closed form evaluated in float64 (a few ulps)"
DT = torch.float64


def test_gram_eigenvalues_of_known_weights():
    # W = [[3,0,0],[0,2,0]]: WᵀW = diag(9, 4, 0), ascending, batched over K
    W = torch.tensor([[[3.0, 0, 0], [0, 2.0, 0]], [[0, 0, 1.0], [0, 0, 0]]], dtype=DT)
    assert_rel_close(gram_eigenvalues(W).numpy(), [[0, 4, 9], [0, 0, 1]], 1e-15, floor=1.0, reason=FLOAT)
    # a rotation on either side leaves the spectrum unchanged (eigs of WᵀW = squared singular values)
    q = torch.linalg.qr(torch.randn(3, 3, dtype=DT, generator=torch.Generator().manual_seed(0)))[0]
    assert_rel_close(gram_eigenvalues(W @ q).numpy(), [[0, 4, 9], [0, 0, 1]], 1e-13, floor=1.0, reason=FLOAT)
    sv = torch.linalg.svdvals(W[0] @ q) ** 2
    assert_rel_close(gram_eigenvalues(W[0] @ q)[1:].numpy(), sv.flip(0).numpy(), 1e-13, reason=FLOAT)


def test_known_ranks():
    eigs = torch.tensor([[0.0, 1.0, 1.0, 1.0], [0.0, 0.0, 1.0, 3.0], [0.0, 0.0, 0.0, 5.0]], dtype=DT)
    # flat spectrum of rank r: stable rank = entropy rank = r (equality case)
    assert_rel_close(stable_rank(eigs)[[0, 2]].numpy(), [3.0, 1.0], 1e-15, reason=FLOAT)
    assert_rel_close(entropy_rank(eigs)[[0, 2]].numpy(), [3.0, 1.0], 1e-15, reason=FLOAT)
    # (1, 3): stable rank (1+3)²/(1+9) = 1.6; entropy rank exp(-(¼ln¼ + ¾ln¾))
    assert_rel_close(float(stable_rank(eigs)[1]), 1.6, 1e-15, reason=FLOAT)
    h = -(0.25 * math.log(0.25) + 0.75 * math.log(0.75))
    assert_rel_close(float(entropy_rank(eigs)[1]), math.exp(h), 1e-15, reason=FLOAT)
    assert numerical_rank(eigs).tolist() == [3, 2, 1]
    assert rank_above(eigs, 0.5).tolist() == [3, 1, 1]


def test_rank_of_zero_spectrum_is_undefined():
    # (Σλ)²/Σλ² and exp H(λ/Σλ) are 0/0 at λ = 0: a ValueError, not NaN (stable rank, before) or
    # 1 (entropy rank, before: 0/0 probabilities were dropped as "0 log 0")
    for fn in (stable_rank, entropy_rank):
        with pytest.raises(ValueError, match=r"eigs must not be all zero .*at batch index \(1,\)"):
            fn(torch.tensor([[1.0, 2.0], [0.0, 0.0]], dtype=DT))
    # the counts are defined: rank 0
    assert numerical_rank(torch.zeros(3, dtype=DT)).item() == 0
    assert rank_above(torch.zeros(3, dtype=DT), 0.5).item() == 0


def test_numerical_rank_dtype_rule():
    # threshold λ_max · d · eps(dtype): 1e-10 is a real eigenvalue in float64 but noise in float32
    eigs = torch.tensor([1e-10, 1.0], dtype=DT)
    assert int(numerical_rank(eigs)) == 2
    assert int(numerical_rank(eigs, torch.float32)) == 1
    assert int(numerical_rank(eigs.float())) == 1  # defaults to the eigenvalues' own dtype
    # a rank-2 W in float32: eigvalsh roundoff of the zero eigenvalues stays below the float32 rule
    g = torch.Generator().manual_seed(1)
    W = (torch.randn(5, 2, generator=g, dtype=DT) @ torch.randn(2, 6, generator=g, dtype=DT)).float()
    e32 = gram_eigenvalues(W)
    assert int(numerical_rank(e32)) == 2
    assert int(numerical_rank(e32.double(), torch.float32)) == 2
    assert int(numerical_rank(gram_eigenvalues(W.double()))) == 2


def test_rank_above_validates_rtol():
    for bad in (0.0, 1.0, -0.5):
        with pytest.raises(ValueError, match="rtol must lie in"):
            rank_above(torch.ones(3), bad)


@given(st.lists(st.floats(0.0, 10.0), min_size=1, max_size=6))
def test_rank_inequalities(values):
    # 1 ≤ stable rank ≤ entropy rank ≤ rank (Rényi-2 entropy ≤ Shannon entropy ≤ log rank),
    # equalities iff the nonzero spectrum is flat
    e = torch.tensor(values, dtype=DT)
    e = torch.where(e < 1e-3, torch.zeros_like(e), e)  # exact zeros or O(1e-3..10): no near-underflow ranks
    if float(e.max()) == 0.0:  # rank of nothing is undefined (NaN, tested above)
        return
    sr, er = float(stable_rank(e)), float(entropy_rank(e))
    r = int((e > 0).sum())
    slack = 1e-12 * len(values)  # float rounding of sums of ≤ 6 terms
    assert 1 - slack <= sr <= er + slack and er <= r + slack
    nz = e[e > 0]
    flat = bool((nz.max() - nz.min()) <= 1e-12 * nz.max())
    if flat:
        assert abs(sr - r) < 1e-9 and abs(er - r) < 1e-9
    elif float((nz.max() - nz.min()) / nz.max()) > 1e-3:
        assert er < r and sr < er


# ---------------------------------------------------------------- undefined inputs raise (issue 11)
@pytest.mark.parametrize("fn", [numerical_rank, lambda e: rank_above(e, 0.1), stable_rank, entropy_rank])
def test_nan_spectrum_raises(fn):
    # before: numerical_rank / rank_above counted NaN as "not above the threshold" and returned 0
    with pytest.raises(ValueError, match=r"eigs must be finite .*got nan at index \(1,\)"):
        fn(torch.tensor([1.0, float("nan"), 0.5], dtype=DT))


@pytest.mark.parametrize("fn", [numerical_rank, lambda e: rank_above(e, 0.1), stable_rank, entropy_rank])
def test_significantly_negative_eigenvalue_raises(fn):
    # before: entropy_rank / stable_rank clamped −0.5 to 0 silently (entropy rank 1.0 here)
    with pytest.raises(ValueError, match=r"eigs must be the eigenvalues of a positive semi-definite .*-0\.5"):
        fn(torch.tensor([-0.5, 1.0], dtype=DT))


def test_roundoff_negative_eigenvalues_count_as_zero():
    # eigvalsh of a singular PSD matrix returns zeros as ±(d·eps·λ_max): within psd_rtol they are 0
    e = torch.tensor([-1e-15, 0.0, 2.0, 2.0], dtype=DT)
    assert float(stable_rank(e)) == 2.0 and abs(float(entropy_rank(e)) - 2.0) < 1e-15
    assert int(numerical_rank(e)) == 2
    # float32 spectra get float32's looser bound (1e-4 relative)
    assert int(numerical_rank(torch.tensor([-1e-5, 1.0]))) == 1
    with pytest.raises(ValueError, match="positive semi-definite"):
        numerical_rank(torch.tensor([-1e-5, 1.0], dtype=DT))


@pytest.mark.parametrize("call, pattern", [
    (lambda: gram_eigenvalues(torch.ones(3, dtype=DT)), r"W must have at least 2 dimensions"),
    (lambda: gram_eigenvalues(torch.ones(2, 2, dtype=torch.bool)), r"W must hold real floating-point"),
    (lambda: numerical_rank(torch.ones(3, dtype=DT), dtype="float32"), r"dtype must be a floating torch.dtype"),
    (lambda: rank_above(torch.ones(3, dtype=DT), float("nan")), r"rtol must be finite"),
    (lambda: stable_rank(torch.ones(0, dtype=DT)), r"eigs must not be empty"),
])
def test_bad_arguments_name_the_parameter(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()


def test_metrics_accept_array_likes():
    # lists / numpy arrays convert to float64 (scikit-learn's check_array habit); integer data too
    assert int(numerical_rank([0, 1, 4])) == 2
    assert abs(float(stable_rank(np.array([1.0, 3.0]))) - 1.6) < 1e-15
