"""Details of theory/lastlayer/power.py (lastlayer.reg): validation boundaries, closed forms of the t test at
special levels, and seeds_needed as the inverse of mde_over_sd (its walk and its n_max limit).
Complements test_lastlayer_power.py."""
from __future__ import annotations

import math
import signal
from contextlib import contextmanager
from fractions import Fraction

import pytest
from scipy import stats

from sslverify.theory.lastlayer import power


@contextmanager
def time_limit(seconds: float):
    """Fail (TimeoutError) instead of hanging if a search loop does not terminate; every call here takes ms."""
    def handler(signum, frame):
        raise TimeoutError(f"no result within {seconds} s")

    old = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


# ----------------------------------------------------------------------------- validation boundaries
def test_t_quantile_closed_forms_at_legal_boundaries():
    """df = 1 is the Cauchy law: t_{p,1} = tan(π(p − ½)), so t_{0.75,1} = 1; t_{0.5,df} = 0 by symmetry."""
    # scipy's Cauchy-t quantile is accurate to a few ulp; 1e-12 relative
    assert power.t_quantile(0.75, 1) == pytest.approx(1.0, rel=1e-12)
    assert power.t_quantile(0.5, 7) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("level", [1.0, 1.5, "0.5", True])
def test_t_quantile_rejects_levels_outside_the_open_unit_interval(level):
    """A level must be a number in (0, 1): 1.0 (first illegal value at the top), 1.5, a string and a bool raise."""
    with pytest.raises(ValueError, match="level must be a number in"):
        power.t_quantile(level, 3)


@pytest.mark.parametrize("df", [2.5, True, 0])
def test_t_quantile_rejects_non_integer_df(df):
    """df must be an integer ≥ 1: a float, a bool and 0 raise."""
    with pytest.raises(ValueError, match="df must be an integer"):
        power.t_quantile(0.9, df)


def test_power_at_zero_effect_is_alpha_and_rejects_non_integer_n():
    """At effect 0 the one-sided test fires with probability α (n = 2, the smallest legal n); n = 2.5 raises."""
    # noncentral t with λ = 0 is the central t: sf(t_{1−α}) = α to scipy's accuracy (~1e-15); 1e-12 slack
    assert power.power_at(0.0, 2, 0.25) == pytest.approx(0.25, abs=1e-12)
    with pytest.raises(ValueError, match="n must be an integer >= 2"):
        power.power_at(1.0, 2.5, 0.25)


def test_mde_needs_power_strictly_above_alpha():
    """power = α is the first illegal value (the test has power α at effect 0); just above α is legal."""
    with pytest.raises(ValueError, match="power must exceed alpha"):
        power.mde_over_sd(10, 0.25, 0.25)
    assert 0.0 < power.mde_over_sd(10, 0.25, 0.26) < 1.0


@pytest.mark.parametrize("target", [True, "0.5"])
def test_paired_summary_rejects_non_number_targets(target):
    """target must be a number > 0: a bool and a numeric string raise ValueError."""
    with pytest.raises(ValueError, match="target must be a number > 0"):
        power.paired_summary([1.0, 2.0, 4.0], 0.05, 0.8, target)


def test_paired_summary_accepts_exact_fractions():
    """Per-seed differences given as Fractions (numbers) are read as float64: Δ = (1, 2, 3, 4) has mean 2.5 and
    sd √(5/3) (by hand), as for the same floats."""
    st = power.paired_summary([Fraction(1), Fraction(2), Fraction(3), Fraction(4)], 0.05, 0.8, 1.0)
    # float64 sums of four small integers: round-off ≲ 1e-15 relative; 1e-12 slack
    assert st["n"] == 4 and st["mean"] == pytest.approx(2.5, rel=1e-12)
    assert st["sd"] == pytest.approx(math.sqrt(5 / 3), rel=1e-12)


# ----------------------------------------------------------------------------- closed form at α = ½
@pytest.mark.parametrize("pw, n", [(0.7, 4), (0.9, 2), (0.99, 20)])
def test_mde_at_alpha_half_is_z_power_over_root_n(pw, n):
    """At α = ½, t_{½} = 0 and P(T'(λ) > 0) = P(Z + λ > 0) = Φ(λ) (the χ denominator is positive), so the MDE
    solves Φ(e√n) = π: e = z_π/√n exactly."""
    # brentq's xtol = 1e-12 on e ~ 0.1–1: 1e-10 relative
    assert power.mde_over_sd(n, 0.5, pw) == pytest.approx(stats.norm.ppf(pw) / math.sqrt(n), rel=1e-10)


# ----------------------------------------------------------------------------- seeds_needed inverts mde_over_sd
@pytest.mark.parametrize("alpha, pw, n", [
    (0.5, 0.9, 2), (0.5, 0.7, 4), (0.5, 0.7, 5), (0.5, 0.97, 5), (0.5, 0.99, 20),
    (0.005, 0.8, 5), (0.005, 0.8, 12), (0.05, 0.3, 7),
])
def test_seeds_needed_at_exactly_the_mde_of_n_is_n(alpha, pw, n):
    """seeds_needed(e) is the smallest n' with MDE(n') ≤ e; the MDE falls strictly with n, so at e = MDE(n)
    it is n itself (the normal-approximation start may lie on either side of n)."""
    with time_limit(5.0):
        assert power.seeds_needed(power.mde_over_sd(n, alpha, pw), alpha, pw) == n


def test_seeds_needed_large_effect_is_two():
    """An effect above MDE(2) needs the minimum of 2 seeds."""
    with time_limit(5.0):
        assert power.seeds_needed(2 * power.mde_over_sd(2, 0.05, 0.8), 0.05, 0.8) == 2


def _between(n, alpha, pw):
    """An effect strictly between MDE(n) and MDE(n − 1): exactly n seeds are needed."""
    return 0.5 * (power.mde_over_sd(n, alpha, pw) + power.mde_over_sd(n - 1, alpha, pw))


@pytest.mark.parametrize("alpha, pw, n", [(0.005, 0.8, 10), (0.05, 0.8, 3), (0.05, 0.3, 20)])
def test_seeds_needed_n_max_boundary(alpha, pw, n):
    """n_max is inclusive: n seeds needed with n_max = n is returned, n_max = n − 1 raises (also when the
    effect needs only 3 seeds, and at power < ½ where z_α − z_π would start the search too high)."""
    eff = _between(n, alpha, pw)
    with time_limit(5.0):
        assert power.seeds_needed(eff, alpha, pw, n_max=n) == n
        with pytest.raises(ValueError, match=f"more than n_max={n - 1} seeds"):
            power.seeds_needed(eff, alpha, pw, n_max=n - 1)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # scipy's nct series warns at df ~ 1e5; values are smooth
def test_seeds_needed_default_limit_is_100000():
    """The default n_max is 100 000: an effect needing exactly 100 000 seeds is returned, one needing 100 001
    raises."""
    with time_limit(10.0):
        assert power.seeds_needed(_between(100_000, 0.005, 0.8), 0.005, 0.8) == 100_000
        with pytest.raises(ValueError, match="more than n_max=100000 seeds"):
            power.seeds_needed(_between(100_001, 0.005, 0.8), 0.005, 0.8)


def test_seeds_needed_limit_holds_when_the_normal_start_is_the_answer():
    """At α = ½ the MDE is exactly z_π/√n (normal = t-test limit is not used: the start n₀ = ⌈(z_π/e)²⌉ is the
    exact answer here, 200); n_max = 100 must still raise — the limit is not only checked while walking up."""
    eff = stats.norm.ppf(0.9) / math.sqrt(200) * (1 + 1e-9)
    assert power.seeds_needed(eff, 0.5, 0.9, n_max=200) == 200
    with pytest.raises(ValueError, match="n_max=199"):
        power.seeds_needed(eff, 0.5, 0.9, n_max=199)


def test_mde_search_reaches_its_stated_cap(monkeypatch):
    """The upper end doubles from 1 sd and the power is evaluated at MDE_CAP = 2²⁰ before giving up.  With a
    stand-in power curve α + (1 − α)·e/(e + k) (increasing, α at e = 0) whose target 0.8 is crossed at e* = 1.5·2¹⁹
    (between the last two brackets), the MDE must be e*; crossed at 1.5·2²⁰ (beyond the cap), a ValueError.
    (scipy's noncentral t does not converge at such effects, so the real curve cannot show this.)"""
    assert power.MDE_CAP == 2.0**20

    def curve(e_star):  # k such that α + (1 − α)·e*/(e* + k) = 0.8
        def power_at(e, n, alpha):
            k = e_star * (1 - alpha) / (0.8 - alpha) - e_star
            return alpha + (1 - alpha) * e / (e + k)
        return power_at

    monkeypatch.setattr(power, "power_at", curve(1.5 * 2.0**19))
    assert power.mde_over_sd(2, 0.05, 0.8) == pytest.approx(1.5 * 2.0**19, rel=1e-12)  # brentq xtol 1e-12 absolute
    monkeypatch.setattr(power, "power_at", curve(1.5 * 2.0**20))
    with pytest.raises(ValueError, match="2\\*\\*20"):
        power.mde_over_sd(2, 0.05, 0.8)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # scipy's nct series warns at n = 2 with effects ~ 1e6 sd
@pytest.mark.parametrize("effect", [3.75, 5.0])
def test_seeds_needed_at_a_tiny_alpha_walks_past_sizes_with_no_detectable_effect(effect):
    """At α = 1e-8 the t test with n = 2 (one degree of freedom) cannot reach power 0.8 below MDE_CAP sd, so
    mde_over_sd(2) raises; that n simply needs more seeds — seeds_needed must still return the smallest n whose
    exact noncentral-t power (scipy's nct directly, not the MDE root finder) at this effect is ≥ 0.8."""
    alpha, pw = 1e-8, 0.8
    with pytest.raises(power.NoDetectableEffect):
        power.mde_over_sd(2, alpha, pw)
    n = power.seeds_needed(effect, alpha, pw)
    assert power.power_at(effect, n, alpha) >= pw > power.power_at(effect, n - 1, alpha)
    # the worked case: 14 seeds for 3.75 sd (MDE(14) ≈ 3.73 ≤ 3.75 < MDE(13) ≈ 4.18)
    assert effect != 3.75 or n == 14
