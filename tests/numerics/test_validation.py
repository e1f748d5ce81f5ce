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
