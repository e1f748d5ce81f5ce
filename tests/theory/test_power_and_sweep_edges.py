"""Edges of the Pokle power formula (theory/pokle/power.py) and of the Rusak prop. 3 crossing search
(theory/rusak/dynamics.py): the smallest legal sample sizes and the default reference spread, each against Student-t
quantiles in closed form, and the 'below 1 from the start' rule of the τ_c sweep on stand-in growth rates.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from sslverify.theory.pokle.power import min_detectable_difference
from sslverify.theory.rusak import dynamics


def _t1(p: float) -> float:
    """Student-t quantile with 1 degree of freedom (Cauchy): tan(π(p − ½))."""
    return math.tan(math.pi * (p - 0.5))


def _t2(p: float) -> float:
    """Student-t quantile with 2 degrees of freedom: (2p − 1)/√(2p(1 − p))."""
    return (2 * p - 1) / math.sqrt(2 * p * (1 - p))


# ----------------------------------------------------------------------------- Pokle: min_detectable_difference
def test_mde_two_values_is_finite():
    """Two seeds are enough for a spread: values 1, 3 have s² = 2, SE = √(2/2) = 1, ν = 1, so the MDE is
    t_{0.975,1} + t_{0.8,1} = tan(0.475π) + tan(0.3π) ≈ 14.08; one seed gives inf."""
    expected = _t1(0.975) + _t1(0.8)
    # closed-form tan vs scipy's t quantile: both within a few ulp of the exact value
    assert math.isclose(min_detectable_difference([1.0, 3.0]), expected, rel_tol=1e-12)
    assert 14.0 < expected < 14.1
    assert min_detectable_difference([1.0]) == math.inf


def test_mde_reference_of_one_run_is_allowed():
    """ref_n = 1 is a legal reference (one published run with a stated spread): values 0, 1, 2 (s = 1, n = 3) with
    s' = 0.5 over n' = 1 give (t_{0.975,2} + t_{0.8,2})·√(1/3 + 0.25); ref_n = 0 is not a count of runs."""
    expected = (_t2(0.975) + _t2(0.8)) * math.sqrt(1 / 3 + 0.25)
    # closed-form quantiles vs scipy's: float64 round-off of a few operations
    assert math.isclose(min_detectable_difference([0.0, 1.0, 2.0], 0.5, 1), expected, rel_tol=1e-12)
    with pytest.raises(ValueError, match="ref_n"):
        min_detectable_difference([0.0, 1.0, 2.0], 0.5, 0)


def test_mde_reference_spread_defaults_to_zero():
    """Without ref_std the reference is exact (s' = 0) even when ref_n is given: values 0, 1, 2 give
    (t_{0.975,2} + t_{0.8,2})/√3 ≈ 3.097, the same as with no reference at all."""
    expected = (_t2(0.975) + _t2(0.8)) / math.sqrt(3)
    # closed-form quantiles vs scipy's: float64 round-off of a few operations
    assert math.isclose(min_detectable_difference([0.0, 1.0, 2.0], ref_n=4), expected, rel_tol=1e-12)
    assert 3.09 < expected < 3.10


# ----------------------------------------------------------------------------- Rusak: prop. 3 crossing search
def test_sweep_below_one_from_the_start_is_nan_even_if_undefined_log(monkeypatch):
    """'Below 1 from the start gives nan' also when the first content/style ratio is negative (content shrinking:
    log ratio undefined): a later crossing from above (2 → ½ between τ = 1 and 2) does not count, exactly as for a
    positive start below 1 (½ → 2 → ½)."""
    for ratios in ({0.5: -0.5, 1.0: 2.0, 2.0: 0.5}, {0.5: 0.5, 1.0: 2.0, 2.0: 0.5}):
        def growth_rates(A, d_c, sigma_c, sigma_s, M, reps, seed, tau, ratios=ratios):
            return {"content_mean": ratios[tau[0]], "style_mean": 1.0}

        monkeypatch.setattr(dynamics, "growth_rates", growth_rates)
        with np.errstate(invalid="ignore"):  # log of the negative ratio is nan by design of the stand-in
            out = dynamics.sweep_equalizing_tau_c(d=2, d_c=1, taus=sorted(ratios), M=2, reps=1)
        assert np.isnan(out["tau_c_equalizing"]), ratios
