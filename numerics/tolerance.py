"""One relative-error helper for every theory-vs-numbers comparison.

Comparisons come in tiers (after google/neural-tangents' tests):

* ``exact``      closed forms evaluated in float64: agreement to ~1e3 machine eps
                 times the condition of the computation (``rtol`` given by caller
                 must be justified by float precision).
* ``monte_carlo`` a sample mean against its expectation: the tolerance is ``z``
                 standard errors of the mean, computed from the samples.
* ``trained``    an optimizer's end point against a predicted stationary point: the
                 tolerance comes from the optimizer's stopping rule (gradient norm,
                 Adam's noise floor) and is passed with that reason.
"""
from __future__ import annotations

import numpy as np


def relative_error(actual, expected, floor: float = 0.0) -> np.ndarray:
    """|actual - expected| / max(|expected|, floor), elementwise."""
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    if a.shape != e.shape:
        raise ValueError(f"actual has shape {a.shape} but expected has shape {e.shape}")
    return np.abs(a - e) / np.maximum(np.abs(e), floor)


def assert_rel_close(actual, expected, rtol: float, *, reason: str, floor: float = 0.0, what: str = "value") -> None:
    """Assert max relative error <= rtol.  ``reason`` must say where rtol comes from."""
    if not reason:
        raise ValueError("reason must justify the tolerance (float precision, MC error, stopping rule)")
    err = relative_error(actual, expected, floor)
    worst = float(np.max(err)) if err.size else 0.0
    if not worst <= rtol:
        idx = np.unravel_index(int(np.argmax(err)), err.shape) if err.ndim else ()
        raise AssertionError(
            f"{what}: max relative error {worst:.3g} > rtol {rtol:.3g} ({reason}); "
            f"worst at {idx}: actual={np.asarray(actual)[idx] if err.ndim else actual}, "
            f"expected={np.asarray(expected)[idx] if err.ndim else expected}"
        )


def monte_carlo_close(samples, expected, z: float = 5.0) -> tuple[bool, float, float]:
    """Is the sample mean within ``z`` standard errors of ``expected``?

    Returns (ok, mean, standard_error).  z = 5 gives a false-alarm rate < 1e-6 per
    comparison under the CLT, so seeded tests do not flake when seeds change.
    """
    s = np.asarray(samples, dtype=np.float64).ravel()
    if s.size < 2:
        raise ValueError("samples must hold at least 2 values")
    mean = float(s.mean())
    se = float(s.std(ddof=1) / np.sqrt(s.size))
    return abs(mean - float(expected)) <= z * se + 1e-300, mean, se
