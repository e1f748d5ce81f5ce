"""theory/lastlayer/power.py: paired t statistics, smallest detectable effect, seeds needed (lastlayer.reg)."""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from sslverify.theory.lastlayer import power


def test_paired_summary_numbers():
    # hand-computable sample: Δ = (1, 2, 3, 4): mean 2.5, sd √(5/3), SE = sd/2, t = 2.5/SE
    st = power.paired_summary([1.0, 2.0, 3.0, 4.0], alpha=0.05, power=0.8, target=1.0)
    sd = math.sqrt(5 / 3)
    tc = stats.t.ppf(0.95, 3)
    # float64 round-off of sums of four small numbers: ≲ 1e-15 relative; 1e-12 relative slack
    assert st["n"] == 4 and st["mean"] == pytest.approx(2.5, rel=1e-12) and st["sd"] == pytest.approx(sd, rel=1e-12)
    assert st["t"] == pytest.approx(2.5 / (sd / 2), rel=1e-12) and st["t_crit"] == pytest.approx(tc, rel=1e-12)
    assert st["lower"] == pytest.approx(2.5 - tc * sd / 2, rel=1e-12)
    assert st["upper"] == pytest.approx(2.5 + tc * sd / 2, rel=1e-12)


def test_mde_matches_normal_approximation_and_monte_carlo():
    # the exact noncentral-t MDE lies just above the large-n approximation (t_α + t_π)/√n ...
    n, alpha, pw = 40, 0.005, 0.8
    exact = power.mde_over_sd(n, alpha, pw)
    approx = (stats.t.ppf(1 - alpha, n - 1) + stats.t.ppf(pw, n - 1)) / math.sqrt(n)
    # the two differ by O(1/n) of the value (noncentral-t skew); 3 % covers n = 40
    assert abs(exact - approx) / approx < 0.03
    # ... and a second method, Monte Carlo: at effect = MDE·sd the test "t > t_crit" fires in 80 % of 20 000
    # simulated experiments (binomial SE √(0.8·0.2/20 000) = 0.0028; 5 SE = 0.014)
    rng = np.random.default_rng(3)
    d = rng.standard_normal((20_000, n)) + exact
    t = d.mean(1) / (d.std(1, ddof=1) / math.sqrt(n))
    frac = float((t > stats.t.ppf(1 - alpha, n - 1)).mean())
    assert abs(frac - pw) < 0.014
    # and at effect 0 it fires with probability α (binomial SE √(0.005·0.995/20 000) = 5e-4; 5 SE)
    d0 = rng.standard_normal((20_000, n))
    t0 = d0.mean(1) / (d0.std(1, ddof=1) / math.sqrt(n))
    assert abs(float((t0 > stats.t.ppf(1 - alpha, n - 1)).mean()) - alpha) < 0.0025


def test_seeds_needed_is_the_smallest():
    for eff in (0.3, 0.5, 1.0):
        n = power.seeds_needed(eff, 0.005, 0.8)
        assert power.mde_over_sd(n, 0.005, 0.8) <= eff < power.mde_over_sd(n - 1, 0.005, 0.8)
    # the MDE falls with n
    assert power.mde_over_sd(60, 0.005, 0.8) < power.mde_over_sd(30, 0.005, 0.8) < power.mde_over_sd(10, 0.005, 0.8)
    st = power.paired_summary([0.1, -0.1, 0.3, -0.3, 0.2, 0.0], alpha=0.005, power=0.8, target=0.17)
    assert st["seeds_needed"] == power.seeds_needed(0.17 / st["sd"], 0.005, 0.8)


def test_zero_spread_and_bad_input():
    st = power.paired_summary([0.25, 0.25, 0.25], alpha=0.005, power=0.8, target=0.1)  # exact in binary: sd = 0
    assert st["t"] == math.inf and st["mde"] == 0.0 and st["seeds_needed"] is None
    assert power.paired_summary([0.0, 0.0], alpha=0.005, power=0.8, target=0.1)["t"] == 0.0
    with pytest.raises(ValueError, match="deltas must hold at least 2"):
        power.paired_summary([1.0], 0.005, 0.8, 0.1)
    with pytest.raises(ValueError, match="deltas must be finite"):
        power.paired_summary([1.0, float("nan")], 0.005, 0.8, 0.1)
    with pytest.raises(ValueError, match="alpha must be a number in"):
        power.paired_summary([1.0, 2.0], 0.0, 0.8, 0.1)
    with pytest.raises(ValueError, match="target must be a number > 0"):
        power.paired_summary([1.0, 2.0], 0.005, 0.8, 0.0)
    with pytest.raises(ValueError, match="power must exceed alpha"):
        power.mde_over_sd(10, 0.5, 0.4)
    with pytest.raises(ValueError, match="n must be an integer >= 2"):
        power.power_at(1.0, 1, 0.05)
    with pytest.raises(ValueError, match="df must be an integer >= 1"):
        power.t_quantile(0.9, 0)
    with pytest.raises(ValueError, match="effect_over_sd must be a finite number > 0"):
        power.seeds_needed(0.0, 0.005, 0.8)
    with pytest.raises(ValueError, match="more than n_max"):
        power.seeds_needed(0.01, 0.005, 0.8, n_max=100)
