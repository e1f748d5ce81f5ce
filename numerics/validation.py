"""Input validation: every error names the parameter and the rule it broke.

Modelled on scikit-learn's utils/validation.py: small functions that return the
validated value (converted) or raise ``ValueError("<name> must ...")``.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

#: Relative tolerance for symmetry / PSD checks of float covariances.  A float64
#: covariance built as A = L Lᵀ is symmetric to ~1e-15 relative; the bound leaves room for
#: float32 inputs (eps 1.2e-7 times a few accumulated roundings) without letting a
#: genuinely non-symmetric matrix through; 1e-6 relative to the largest entry.
COV_RTOL = 1e-6


def check_finite_number(value: Any, name: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a real number, got {value!r}") from None
    if math.isnan(v) or math.isinf(v):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return v


def check_nonnegative(value: Any, name: str) -> float:
    v = check_finite_number(value, name)
    if v < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return v


def check_positive(value: Any, name: str) -> float:
    v = check_finite_number(value, name)
    if v <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return v


def check_alpha(value: Any, name: str = "alpha") -> float:
    v = check_finite_number(value, name)
    if not 0.0 <= v <= 1.0:
        raise ValueError(f"{name} must lie in [0, 1], got {value!r}")
    return v


def check_int(value: Any, name: str, minimum: int) -> int:
    is_integral = isinstance(value, (int, np.integer)) or (isinstance(value, float) and value.is_integer())
    if isinstance(value, bool) or not is_integral:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    v = int(value)
    if v < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return v


def check_covariance(cov: Any, name: str = "cov", dim: int | None = None, definite: bool = False) -> np.ndarray:
    """A real symmetric positive semi-definite (or definite) matrix as float64 array."""
    a = np.asarray(cov, dtype=np.float64)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise ValueError(f"{name} must be a square matrix, got shape {a.shape}")
    if dim is not None and a.shape[0] != dim:
        raise ValueError(f"{name} must have shape ({dim}, {dim}), got {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite (it contains NaN or inf)")
    scale = max(float(np.max(np.abs(a))), 1e-300)
    if np.max(np.abs(a - a.T)) > COV_RTOL * scale:
        raise ValueError(f"{name} must be symmetric (max |{name} - {name}ᵀ| = {np.max(np.abs(a - a.T)):.3g})")
    a = 0.5 * (a + a.T)
    lam_min = float(np.linalg.eigvalsh(a)[0]) if a.size else 0.0
    if definite and lam_min <= COV_RTOL * scale:
        raise ValueError(f"{name} must be positive definite (smallest eigenvalue {lam_min:.3g})")
    if lam_min < -COV_RTOL * scale:
        raise ValueError(f"{name} must be positive semi-definite (smallest eigenvalue {lam_min:.3g})")
    return a


def check_no_nan(t: Any, name: str) -> None:
    """Raise if a tensor/array parameter holds NaN or inf."""
    arr = t.detach().cpu().numpy() if hasattr(t, "detach") else np.asarray(t)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must not contain NaN or inf")
