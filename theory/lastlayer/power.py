"""Paired one-sided t statistics and the smallest detectable effect of a seed experiment (lastlayer.reg).

An experiment that compares two configurations over S seeds (paired: a seed shares its data and its
initial weights) measures per-seed differences Δ_1, …, Δ_S.  With mean m, sample standard deviation s
and SE = s/√S the paired t statistic is t = m/SE with S − 1 degrees of freedom.  For a one-sided level
α let t_α = t_{1−α, S−1} (the Student quantile).  Then:

* a **lift is shown** when t > t_α (the lower (1 − α) confidence bound m − t_α·SE is > 0);
  a **drop** when t < −t_α;
* an effect **of size δ or more is excluded** when the upper (1 − α) bound m + t_α·SE is < δ;
* the **smallest detectable effect** (MDE) at power π is the true mean μ for which the test
  "t > t_α" fires with probability π when the seed-to-seed spread is s:
  P(T'_{S−1}(λ) > t_α) = π with noncentrality λ = μ√S/s (noncentral t, solved exactly), ≈ (t_α + t_π)·s/√S;
* the **seeds needed** for effect δ: the smallest S' with MDE(S') ≤ δ at the same spread s.

Derived from the t distribution only (no experiment numbers live here); ``tests/theory/test_lastlayer_power.py``
re-checks the MDE by Monte Carlo (a different method from the noncentral-t root).
"""
from __future__ import annotations

import math

import numpy as np
from scipy import optimize, stats


def _check_level(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 < float(value) < 1.0:
        raise ValueError(f"{name} must be a number in (0, 1), got {value!r}")
    return float(value)


def _check_deltas(deltas) -> np.ndarray:
    try:
        d = np.asarray(deltas, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise ValueError(f"deltas must be a sequence of numbers, got {deltas!r}") from None
    if d.size < 2:
        raise ValueError(f"deltas must hold at least 2 per-seed differences, got {d.size}")
    if not np.all(np.isfinite(d)):
        raise ValueError(f"deltas must be finite, got {d.tolist()}")
    return d


def t_quantile(level: float, df: int) -> float:
    """The Student-t quantile t_{level, df} (df ≥ 1)."""
    _check_level(level, "level")
    if isinstance(df, bool) or not isinstance(df, (int, np.integer)) or df < 1:
        raise ValueError(f"df must be an integer >= 1, got {df!r}")
    return float(stats.t.ppf(level, int(df)))


def power_at(effect_over_sd: float, n: int, alpha: float) -> float:
    """P(t > t_{1−α, n−1}) when the per-seed differences are N(μ, s²) with μ/s = effect_over_sd (exact,
    noncentral t)."""
    _check_level(alpha, "alpha")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n must be an integer >= 2, got {n!r}")
    tc = t_quantile(1.0 - alpha, n - 1)
    return float(stats.nct.sf(tc, n - 1, effect_over_sd * math.sqrt(n)))


MDE_CAP = 2.0**20  # the largest effect (in sd) mde_over_sd tries: power is evaluated there before giving up


class NoDetectableEffect(ValueError):
    """mde_over_sd found no effect up to MDE_CAP sd with the asked power (tiny n at a tiny alpha)."""


def mde_over_sd(n: int, alpha: float, power: float) -> float:
    """The smallest detectable effect in units of the per-seed standard deviation (exact noncentral t)."""
    _check_level(power, "power")
    if power <= alpha:
        raise ValueError(f"power must exceed alpha, got power={power}, alpha={alpha}")
    # power_at is increasing in the effect and equals α < power at effect 0; double the upper end until the
    # power there exceeds the target (n = 2 at α = 0.005 needs effects of hundreds of sd)
    hi = 1.0
    while power_at(hi, n, alpha) < power:
        if hi >= MDE_CAP:
            raise NoDetectableEffect(f"no detectable effect up to 2**20 ≈ 1.05e6 sd at n={n}, alpha={alpha}, power={power}")
        hi *= 2.0
    return float(optimize.brentq(lambda e: power_at(e, n, alpha) - power, 0.0, hi, xtol=1e-12))


def seeds_needed(effect_over_sd: float, alpha: float, power: float, n_max: int = 100_000) -> int:
    """Smallest n ≥ 2 whose MDE (in sd units) is ≤ effect_over_sd; ValueError if above n_max."""
    if not (isinstance(effect_over_sd, (int, float)) and effect_over_sd > 0 and math.isfinite(effect_over_sd)):
        raise ValueError(f"effect_over_sd must be a finite number > 0, got {effect_over_sd!r}")
    _check_level(alpha, "alpha")
    _check_level(power, "power")
    if power <= alpha:
        raise ValueError(f"power must exceed alpha, got power={power}, alpha={alpha}")

    def mde(n):  # an n with no detectable effect below MDE_CAP sd needs more seeds, it is not an error
        try:
            return mde_over_sd(n, alpha, power)
        except NoDetectableEffect:
            return math.inf

    # the normal approximation gives a starting point; walk to the exact smallest n
    za, zp = float(stats.norm.ppf(1 - alpha)), float(stats.norm.ppf(power))  # za + zp > 0 since power > alpha
    if effect_over_sd * math.sqrt(n_max + 1) < za + zp:  # start beyond n_max (and ((za + zp)/δ)² may overflow): cap it
        n = n_max + 1
    else:
        n = max(2, int(math.ceil(((za + zp) / effect_over_sd) ** 2)))
    while n > 2 and mde(n - 1) <= effect_over_sd:
        n -= 1
    while mde(n) > effect_over_sd:
        n += 1
        if n > n_max:
            break
    if n > n_max:  # also when the starting point itself is the answer
        raise ValueError(f"more than n_max={n_max} seeds needed for effect/sd = {effect_over_sd}")
    return n


def paired_summary(deltas, alpha: float, power: float, target: float) -> dict:
    """Statistics of per-seed paired differences: n, mean, sd, se, t, t_crit, lower / upper one-sided
    (1 − α) bounds, mde (power ``power``), seeds_needed for ``target`` (None when the spread is 0)."""
    d = _check_deltas(deltas)
    _check_level(alpha, "alpha")
    _check_level(power, "power")
    if isinstance(target, bool) or not isinstance(target, (int, float)) or not target > 0:
        raise ValueError(f"target must be a number > 0, got {target!r}")
    n = int(d.size)
    mean, sd = float(d.mean()), float(d.std(ddof=1))
    se = sd / math.sqrt(n)
    tc = t_quantile(1.0 - alpha, n - 1)
    if se > 0:
        t = mean / se
    else:
        t = math.copysign(math.inf, mean) if mean != 0 else 0.0
    mde = mde_over_sd(n, alpha, power) * sd
    need = seeds_needed(target / sd, alpha, power) if sd > 0 else None
    return {"n": n, "mean": mean, "sd": sd, "se": se, "t": t, "t_crit": tc, "lower": mean - tc * se,
            "upper": mean + tc * se, "mde": mde, "seeds_needed": need}
