"""Smallest detectable effect of a seed-averaged comparison (power of the Pokle et al. experiments).

A run reports a statistic per seed (e.g. the final minimum max-cosine).  Comparing a mean over n seeds with
a reference (another setting over n' seeds, or a published mean ± std over n' runs), a two-sided test at
level 5 % detects with probability 80 % a true difference of at least

    MDE = (t_{0.975, ν} + t_{0.80, ν}) · √(s²/n + s'²/n'),   ν = n − 1 (conservative: our seeds only),

with s, s' the seed-to-seed standard deviations.  One seed gives no spread: MDE = ∞ (nothing can be
claimed about an effect from it).
"""
from __future__ import annotations

import math

from scipy.stats import t as student_t

#: two-sided level and power of the comparison
LEVEL = 0.05
POWER = 0.80


def min_detectable_difference(values, ref_std: float = 0.0, ref_n: int | None = None) -> float:
    """MDE of mean(values) − reference (see the module docstring); inf for fewer than 2 values."""
    vals = [float(v) for v in values]
    if any(not math.isfinite(v) for v in vals):
        raise ValueError(f"values must be finite numbers, got {values!r}")
    if not (isinstance(ref_std, (int, float)) and ref_std >= 0 and math.isfinite(ref_std)):
        raise ValueError(f"ref_std must be a finite number >= 0, got {ref_std!r}")
    if ref_n is not None and (not isinstance(ref_n, int) or ref_n < 1):
        raise ValueError(f"ref_n must be a positive int or None, got {ref_n!r}")
    n = len(vals)
    if n < 2:
        return math.inf
    mean = sum(vals) / n
    s2 = sum((v - mean) ** 2 for v in vals) / (n - 1)
    se = math.sqrt(s2 / n + (ref_std**2 / ref_n if ref_n else 0.0))
    nu = n - 1
    return float((student_t.ppf(1 - LEVEL / 2, nu) + student_t.ppf(POWER, nu)) * se)


def min_detectable_paired(a, b) -> float:
    """MDE of mean(a − b) for paired per-seed values (same seeds, two settings)."""
    if len(a) != len(b):
        raise ValueError(f"a and b must have the same length, got {len(a)} and {len(b)}")
    return min_detectable_difference([float(x) - float(y) for x, y in zip(a, b)])
