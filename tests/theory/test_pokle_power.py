"""theory/pokle/power.py: the smallest detectable effect used for the power of the Pokle et al. experiments."""
from __future__ import annotations

import math

import pytest
from scipy.stats import t as student_t

from sslverify.theory.pokle.power import min_detectable_difference, min_detectable_paired


def test_mde_formula():
    # (t_{0.975, n−1} + t_{0.8, n−1}) · √(s²/n + s'²/n'); n = 3 values 0, 1, 2 (s = 1), reference std 0.5 over 5 runs
    q = student_t.ppf(0.975, 2) + student_t.ppf(0.8, 2)
    assert math.isclose(min_detectable_difference([0.0, 1.0, 2.0]), q / math.sqrt(3), rel_tol=1e-12)  # float64 algebra
    assert math.isclose(min_detectable_difference([0.0, 1.0, 2.0], 0.5, 5), q * math.sqrt(1 / 3 + 0.25 / 5), rel_tol=1e-12)
    assert 5.3 < q < 5.4  # t quantiles of 2 degrees of freedom: 4.303 + 1.061
    # more seeds at the same spread: smaller MDE; a single seed: nothing detectable
    assert min_detectable_difference([0.0, 1.0, 2.0] * 3) < min_detectable_difference([0.0, 1.0, 2.0])
    assert min_detectable_difference([0.7]) == math.inf
    # paired: the spread of the differences, not of the values
    assert min_detectable_paired([1.0, 2.0, 3.0], [0.5, 1.5, 2.5]) == 0.0
    assert math.isclose(min_detectable_paired([1.0, 2.0, 4.0], [0.0, 0.0, 1.0]), q / math.sqrt(3), rel_tol=1e-12)


def test_mde_bad_input():
    with pytest.raises(ValueError, match="values"):
        min_detectable_difference([0.1, math.nan])
    with pytest.raises(ValueError, match="ref_std"):
        min_detectable_difference([0.1, 0.2], -1.0)
    with pytest.raises(ValueError, match="ref_n"):
        min_detectable_difference([0.1, 0.2], 0.1, 0)
    with pytest.raises(ValueError, match="same length"):
        min_detectable_paired([0.1], [0.1, 0.2])
