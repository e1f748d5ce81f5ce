"""The project's tolerance table: every theory-vs-numbers comparison belongs to one tier.

Tiers (after google/neural-tangents' tests), each with the function that computes its tolerance:

* ``exact``       a symbolic identity (SymPy): the residual simplifies to 0; no tolerance
                  (:func:`is_exact_zero`).
* ``roundoff``    a closed form evaluated in floating point: ``safety · ops · condition · eps(dtype)``
                  (:func:`roundoff`); eps per dtype in :data:`EPS` (float32 1.2e-7, float64 2.2e-16).
* ``monte_carlo`` a sample mean against its expectation: ``z`` standard errors of the mean, the standard
                  error computed from the samples (:func:`mc_tolerance`, :func:`monte_carlo_close`).
* ``trained``     an optimizer's end point against a predicted stationary point: the tolerance comes from
                  the stopping rule, e.g. ‖θ − θ*‖ ≤ ‖∇L‖/μ near a strict minimum with smallest Hessian
                  eigenvalue μ (:func:`stopping_rule_bound`).

:data:`TABLE` names the tolerances the project reuses (tier, value, reason), so that checks, experiments
and tests import one number with its justification instead of repeating a bare literal.  Sizes (quick /
default / full) are declared with ``numerics.sizes``.
"""
from __future__ import annotations

from dataclasses import dataclass

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


# ----------------------------------------------------------------------------- the tiers
TIERS = ("exact", "roundoff", "monte_carlo", "trained")
EPS = {"float32": float(np.finfo(np.float32).eps), "float64": float(np.finfo(np.float64).eps)}


def eps(dtype="float64") -> float:
    """Machine epsilon of 'float32' / 'float64' (or a torch / numpy dtype)."""
    name = str(dtype).removeprefix("torch.")
    if name not in EPS:
        raise ValueError(f"dtype must be 'float32' or 'float64', got {dtype!r}")
    return EPS[name]


def roundoff(dtype="float64", *, ops: float = 1.0, cond: float = 1.0, safety: float = 10.0) -> float:
    """Relative round-off bound of a float evaluation: safety · ops · cond · eps(dtype).

    ``ops``: the number of roundings that accumulate (e.g. the length of a sum, or steps × per-step
    error for a trajectory that does not amplify); ``cond``: the condition number of the quantity."""
    for v, n in ((ops, "ops"), (cond, "cond"), (safety, "safety")):
        if not v > 0:
            raise ValueError(f"{n} must be > 0, got {v!r}")
    return float(safety * ops * cond * eps(dtype))


def mc_tolerance(se: float, z: float = 5.0) -> float:
    """z standard errors (z = 5: false-alarm rate < 1e-6 per comparison under the CLT)."""
    if not se >= 0:
        raise ValueError(f"se must be >= 0, got {se!r}")
    return float(z * se)


def stopping_rule_bound(grad_norm: float, mu: float, slack: float = 10.0) -> float:
    """Distance to a strict minimum implied by a gradient norm: slack · ‖∇L‖ / μ (μ: smallest Hessian
    eigenvalue off the symmetry directions; slack for the curvature change over that distance)."""
    if not mu > 0:
        raise ValueError(f"mu must be > 0 (a strict minimum), got {mu!r}")
    return float(slack * grad_norm / mu)


def is_exact_zero(residual) -> bool:
    """Tier ``exact``: a SymPy residual that simplifies to 0."""
    import sympy as sp

    return sp.simplify(residual) == 0


@dataclass(frozen=True)
class Tolerance:
    """A named tolerance: its tier, value and the one-line reason the value follows from."""

    tier: str
    value: float
    reason: str

    def __post_init__(self):
        if self.tier not in TIERS:
            raise ValueError(f"tier must be one of {TIERS}, got {self.tier!r}")
        if not self.reason:
            raise ValueError("reason must say where the value comes from")

    def assert_close(self, actual, expected, *, floor: float = 0.0, what: str = "value") -> None:
        assert_rel_close(actual, expected, self.value, reason=f"{self.tier}: {self.reason}", floor=floor, what=what)


#: Tolerances the project reuses.  The trainer entries follow from tests/numerics/test_trainer.py's
#: analysis: per-op rounding ≤ d·eps, Adam maps a relative gradient perturbation to an update
#: perturbation of the same size, and ≤ 200 smooth, non-chaotic steps accumulate ≲ steps·d·eps.
TABLE: dict[str, Tolerance] = {
    "batched_vs_alone_float64": Tolerance(
        "roundoff", 1e-11, "same per-run arithmetic; batched kernels may reorder sums (≲ 60 steps·d·eps64 ≈ 1e-13, "
        "100x margin)"),
    "batched_vs_alone_float32": Tolerance(
        "roundoff", 1e-5, "float32 rounding (eps 1.2e-7) reordered per op over 40 steps"),
    "closed_form_vs_autograd_float64": Tolerance(
        "roundoff", 1e-10, "gradients equal to ~1e-15 relative; ≤ 60 Adam steps keep that ≲ 1e-12"),
    "cuda_vs_cpu_engine_float64": Tolerance(
        "roundoff", 1e-8, "CUDA vs CPU kernels (other summation orders, ~1e-16 per op) amplified over ≤ 200 "
        "smooth steps; > 1e4 margin over the 1e-13 drift"),
    "cuda_vs_cpu_experiment_float64": Tolerance(
        "roundoff", 1e-5, "as cuda_vs_cpu_engine over whole experiments (≤ a few thousand steps, SGD at large "
        "lr): room for a 1e11 amplification of float64 round-off"),
    "cuda_vs_cpu_engine_float32": Tolerance(
        "roundoff", 1e-3, "float32 (eps 1.2e-7 per op) CUDA vs CPU round-off amplified over 200 steps"),
    "mc_z": Tolerance("monte_carlo", 5.0, "z = 5 standard errors: false-alarm rate < 1e-6 per comparison"),
}
