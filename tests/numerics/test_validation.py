"""numerics/validation.py, data.py and device.py: every error names the parameter and the rule."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from sslverify.numerics import validation as v
from sslverify.numerics.data import (
    commuting_pair, diagonal_cov, empirical_second_moment, gaussian_dataset, isotropic_noise, noncommuting_pair,
)
from sslverify.numerics.device import resolve_device


@pytest.mark.parametrize("fn, args, pattern", [
    (v.check_finite_number, ("abc", "lr"), "lr must be a real number"),
    (v.check_finite_number, (float("nan"), "lr"), "lr must be finite"),
    (v.check_finite_number, (float("inf"), "lr"), "lr must be finite"),
    (v.check_nonnegative, (-1e-9, "gamma"), "gamma must be >= 0"),
    (v.check_positive, (0.0, "tau"), "tau must be > 0"),
    (v.check_alpha, (1.5,), r"alpha must lie in \[0, 1\], got 1.5"),
    (v.check_alpha, (-0.01,), r"alpha must lie in \[0, 1\]"),
    (v.check_int, (True, "N", 2), "N must be an integer >= 2"),
    (v.check_int, (2.5, "N", 2), "N must be an integer >= 2"),
    (v.check_int, (1, "N", 2), "N must be an integer >= 2, got 1"),
    (v.check_int, ("3", "steps", 1), "steps must be an integer"),
])
def test_scalar_checks(fn, args, pattern):
    with pytest.raises(ValueError, match=pattern):
        fn(*args)


def test_scalar_checks_return_converted_values():
    assert v.check_int(np.int64(3), "N", 2) == 3 and v.check_int(4.0, "N", 2) == 4
    assert v.check_alpha(0) == 0.0 and v.check_alpha(1) == 1.0
    assert v.check_positive("2.5", "lr") == 2.5


@pytest.mark.parametrize("cov, kw, pattern", [
    (np.ones(3), {}, "C must be a square matrix"),
    (np.eye(3), dict(dim=2), r"C must have shape \(2, 2\)"),
    (np.array([[1.0, 0.1], [0.0, 1.0]]), {}, "C must be symmetric"),
    (np.diag([1.0, -0.1]), {}, "C must be positive semi-definite"),
    (np.array([[1.0, 2.0], [2.0, 1.0]]), {}, "C must be positive semi-definite"),  # eigenvalues 3, -1
    (np.diag([1.0, 0.0]), dict(definite=True), "C must be positive definite"),
    (np.diag([1.0, np.inf]), {}, "C must be finite"),
])
def test_covariance_checks(cov, kw, pattern):
    with pytest.raises(ValueError, match=pattern):
        v.check_covariance(cov, "C", **kw)


def test_covariance_accepts_singular_psd_and_float32_roundoff():
    L = np.random.default_rng(0).standard_normal((4, 2))
    a = v.check_covariance(L @ L.T, "A0")  # rank 2, PSD
    assert np.array_equal(a, a.T)
    f32 = (L @ L.T).astype(np.float32)
    v.check_covariance(f32 + 1e-8 * np.triu(np.ones((4, 4)), 1), "A0")  # asymmetry below COV_RTOL


def test_check_no_nan():
    v.check_no_nan(torch.ones(2), "W")
    with pytest.raises(ValueError, match="W must not contain NaN"):
        v.check_no_nan(torch.tensor([1.0, float("nan")]), "W")


def test_data_validation_names_parameters():
    with pytest.raises(ValueError, match="sigma must be >= 0"):
        isotropic_noise(3, -0.1)
    with pytest.raises(ValueError, match="d must be an integer >= 1"):
        isotropic_noise(0, 0.1)
    with pytest.raises(ValueError, match=r"variance\[1\] must be >= 0"):
        diagonal_cov([1.0, -2.0])
    with pytest.raises(ValueError, match="N must be an integer >= 2"):
        gaussian_dataset(1, np.eye(2), 0)
    with pytest.raises(ValueError, match="A0 must be symmetric"):
        gaussian_dataset(5, np.array([[1.0, 1.0], [0.0, 1.0]]), 0)
    with pytest.raises(ValueError, match="same length"):
        commuting_pair([1.0, 2.0], [1.0])


def test_pairs_commute_or_not():
    a, c = commuting_pair([3.0, 2.0, 1.0], [0.1, 0.5, 0.2], seed=4)
    assert np.abs(a @ c - c @ a).max() < 1e-13  # float64 products of O(1) matrices
    assert np.allclose(np.linalg.eigvalsh(a), [1, 2, 3]) and np.allclose(np.linalg.eigvalsh(c), [0.1, 0.2, 0.5])
    a, c = noncommuting_pair([3.0, 2.0, 1.0], [0.1, 0.5, 0.2], seed=4)
    assert np.abs(a @ c - c @ a).max() > 1e-3


def test_gaussian_dataset_is_seeded_and_has_the_covariance():
    cov = np.array([[2.0, 0.5], [0.5, 1.0]])
    x = gaussian_dataset(4000, cov, seed=3)
    assert torch.equal(x, gaussian_dataset(4000, cov, seed=3))
    assert not torch.equal(x, gaussian_dataset(4000, cov, seed=4))
    m = empirical_second_moment(x)
    # Monte Carlo: sd of a second-moment entry is ≤ √(2·2²/4000) ≈ 0.045; 5 sd = 0.23
    assert np.abs(m - cov).max() < 0.23
    # a singular covariance puts every point on its range
    xs = gaussian_dataset(50, np.diag([1.0, 0.0]), seed=0)
    assert float(xs[:, 1].abs().max()) == 0.0


def test_resolve_device():
    assert resolve_device("cpu").type == "cpu"
    assert resolve_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    assert resolve_device(None).type in ("cpu", "cuda")
    with pytest.raises(ValueError, match="device must be"):
        resolve_device("banana")
    with pytest.raises(ValueError, match="device must be"):
        resolve_device("meta")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="no GPU is available"):
            resolve_device("cuda")


# ---------------------------------------------------------------- tensor checks (issue 11)
def test_check_tensor_converts_and_rejects():
    t = v.check_tensor([[1, 2], [3, 4]], "W", ndim=2)
    assert t.dtype == torch.float64  # integers convert to float64, like scikit-learn's check_array
    assert v.check_tensor(torch.ones(2, dtype=torch.float32), "W").dtype == torch.float32  # floats keep theirs
    for bad, pattern in [
        (torch.ones(2, dtype=torch.bool), r"W must hold real floating-point numbers .*torch.bool"),
        (torch.ones(2, dtype=torch.complex64), r"W must hold real floating-point"),
        (torch.ones(2, dtype=torch.float16), r"W must be float32 or float64, got dtype torch.float16"),
        (np.array(["a", "b"]), r"W must hold real numbers"),
        (torch.ones(2, 0), r"W must not be empty"),
        (torch.tensor([[1.0, float("nan")]]), r"W must be finite \(no NaN or inf\), got nan at index \(0, 1\)"),
    ]:
        with pytest.raises(ValueError, match=pattern):
            v.check_tensor(bad, "W")
    with pytest.raises(ValueError, match=r"W must be a 3-D tensor \(K, N, d\), got shape \(2,\)"):
        v.check_tensor(torch.ones(2), "W", ndim=3, layout="(K, N, d)")


def test_finite_fast_path_survives_overflowing_sums():
    # the one-reduction fast path (a finite sum ⇒ finite entries) must not reject finite data whose
    # sum overflows: 2 × 1e308 = inf, yet every entry is finite
    v.check_finite_tensor(torch.tensor([1e308, 1e308], dtype=torch.float64), "x")
    with pytest.raises(ValueError, match=r"x must be finite .*-inf at index \(1,\)"):
        v.check_finite_tensor(torch.tensor([1.0, -float("inf")]), "x")


def test_assume_finite_skips_only_the_nan_scan():
    bad = torch.tensor([[1.0, float("nan")]])
    with v.assume_finite():
        assert v.check_tensor(bad, "W") is bad
        with pytest.raises(ValueError, match="W must be a 3-D tensor"):
            v.check_tensor(bad, "W", ndim=3)  # shapes are still checked
    with pytest.raises(ValueError, match="W must be finite"):
        v.check_tensor(bad, "W")  # restored on exit


def test_check_spectrum_dtype_aware_roundoff_band():
    v.check_spectrum(torch.tensor([-1e-7, 1.0], dtype=torch.float64), "eigs")  # 1e-7 < 1e-6: round-off
    with pytest.raises(ValueError, match=r"eigs must be the eigenvalues of a positive semi-definite"):
        v.check_spectrum(torch.tensor([-1e-5, 1.0], dtype=torch.float64), "eigs")
    v.check_spectrum(torch.tensor([-1e-5, 1.0], dtype=torch.float32), "eigs")  # float32: band 1e-4


def test_check_psd_matrices_batched():
    S = torch.stack([torch.eye(2, dtype=torch.float64), torch.tensor([[1.0, 2.0], [2.0, 1.0]], dtype=torch.float64)])
    with pytest.raises(ValueError, match=r"Sigma must be positive semi-definite, got smallest eigenvalue -1 at batch index \(1,\)"):
        v.check_psd_matrices(S, "Sigma")
    S[1] = torch.tensor([[1.0, 0.5], [0.0, 1.0]])
    with pytest.raises(ValueError, match=r"Sigma must be symmetric, .*at batch index \(1,\)"):
        v.check_psd_matrices(S, "Sigma")


def test_check_param_vector_and_mask():
    like = torch.zeros(3, dtype=torch.float64)
    assert v.check_param_vector(0.25, "alpha", 3, like).tolist() == [0.25] * 3
    assert v.check_param_vector(torch.tensor(0.5), "alpha", 3, like).shape == (3,)
    with pytest.raises(ValueError, match=r"gamma must be >= 0 \(finite\), got -1.0 at index 2"):
        v.check_param_vector(torch.tensor([0.0, 1.0, -1.0]), "gamma", 3, like, "nonnegative")
    with pytest.raises(ValueError, match=r"fx must have N >= 2 rows per configuration \(why\), got N = 1"):
        v.check_mask(None, (3, 1), like.device, 2, "why")
    with pytest.raises(ValueError, match=r"mask must have shape \(3, 4\), got \(3, 5\)"):
        v.check_mask(torch.ones(3, 5, dtype=torch.bool), (3, 4), like.device, 2, "why")


def test_check_covariance_names_nan_and_the_asymmetric_pair():
    # before: a NaN entry was reported as "must be finite (it contains NaN or inf)" without the entry
    with pytest.raises(ValueError, match=r"C must be finite .*C\[0, 1\] = nan"):
        v.check_covariance(np.array([[1.0, np.nan], [np.nan, 1.0]]), "C")
    with pytest.raises(ValueError, match=r"C must be symmetric, got C\[0, 1\] = 0.1 but C\[1, 0\] = 0"):
        v.check_covariance(np.array([[1.0, 0.1], [0.0, 1.0]]), "C")
    with pytest.raises(ValueError, match=r"C must be a real square matrix, got dtype complex128"):
        v.check_covariance(np.eye(2) * 1j, "C")
    # float32 input gets the float32 tolerance (1e-4 relative), float64 the float64 one (1e-6)
    near = np.array([[1.0, 1e-5], [0.0, 1.0]])
    v.check_covariance(near.astype(np.float32), "C")
    with pytest.raises(ValueError, match="C must be symmetric"):
        v.check_covariance(near, "C")
