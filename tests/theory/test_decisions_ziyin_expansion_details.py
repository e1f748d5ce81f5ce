"""Ziyin expansion family (verdicts/builtin/ziyin_expansion.py): the numbers behind two decisions that the recorded
fixtures pin only loosely — the full run's Monte Carlo quartic check is made in the small-W regime (where the
Richardson estimate is unbiased), the σ-scaling numeric slope is the closed form at N = 64 — and the σ-scaling
power rule exactly at its threshold."""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from sslverify.theory.ziyin import expansion_numeric as en
from sslverify.verdicts.builtin import ziyin_expansion as zx
from sslverify.verdicts.registry import get_claim


@pytest.fixture
def ev(evidence_of, request):
    return evidence_of(get_claim(request.param))


def _quartic(W, A0, C, N, alpha):
    """E4 = ((N−1)/K²)·{[¾(N−2) + α] Tr S² + (α/2) Tr P² + (α/2)(Tr WA0Wᵀ)²}, S = W(A0+C)Wᵀ, P = WCWᵀ (eq. 3–4 derived)."""
    W, A0, C = (np.asarray(x, dtype=float) for x in (W, A0, C))
    K = N - 1 + alpha
    S, P = W @ (A0 + C) @ W.T, W @ C @ W.T
    ta = np.trace(W @ A0 @ W.T)
    return (N - 1) / K**2 * ((0.75 * (N - 2) + alpha) * np.trace(S @ S) + alpha / 2 * np.trace(P @ P)
                             + alpha / 2 * ta**2)


def test_full_run_monte_carlo_point_is_in_the_small_w_regime(monkeypatch):
    """The full run compares the Richardson MC quartic (t = ½) with the derived E4 within Z = 5 SE.  That is a test of
    E4 only where the O(t⁴) Richardson bias is far below the SE: at the gather's (W, A0, C, N, α, t) the comparison
    must already pass at 40 000 draws (the decision's own Z rule; a false alarm < 1e-6).  The symbolic and
    brute-force parts are stubbed (tested elsewhere); the gather's MC call is recorded and re-run at n = 40 000."""
    z = sp.Integer(0)
    monkeypatch.setattr(zx.ex, "brute_force_population", lambda N, d, A0=None, C=None: ("b2", "b4", "W", "A0", "C"))
    monkeypatch.setattr(zx.ex, "trace_quantities", lambda W, A0, C: {})
    monkeypatch.setattr(zx.ex, "brute_minus_closed", lambda b2, b4, tq, N: (0, 0))
    monkeypatch.setattr(zx.ex, "closed_form_residuals", lambda: (0, 0))
    monkeypatch.setattr(zx.ex, "quadratic_moment_lemma", lambda d: z)
    monkeypatch.setattr(zx.ex, "derived_orders", lambda: (z, z))
    monkeypatch.setattr(zx.ex, "source_orders", lambda: (z, z))
    monkeypatch.setattr(zx.ex, "source_mechanism_E2", lambda: z)
    calls = []
    monkeypatch.setattr(zx.en, "mc_quartic_richardson",
                        lambda W, A0, C, N, alpha, t=0.5, n=100_000, seed=0: calls.append((W, A0, C, N, alpha, t)) or (0.0, 1.0))
    zx.expansion_evidence(False)
    (W, A0, C, N, alpha, t), = calls
    monkeypatch.undo()
    m, se = en.mc_quartic_richardson(W, A0, C, N, alpha, t=t, n=40_000, seed=11)
    assert abs(m - _quartic(W, A0, C, N, alpha)) <= zx.Z * se


def test_sigma_numeric_slope_is_the_closed_form(monkeypatch):
    """A0 = I, C = σ²I in 32 directions, N = 64, α = 1: all λ_i equal, λ = b a/(2(D + 32κ_T a²)) (a = 1,
    D = κ_S(1 + σ²)² + κ_Pσ⁴), so the slope over σ = 20 → 40 is log₂[(D(20) + 32κ_T)/(D(40) + 32κ_T)], with
    κ_S = 63(¾·62 + 1)/64², κ_P = κ_T = 63/(2·64²) as exact fractions (1e-12: float64 log of an O(1) ratio)."""
    a, s = sp.symbols("a sigma", positive=True)
    monkeypatch.setattr(zx.ex, "sigma_slope_expr", lambda: (-4 * s**2 / (a + s**2), a, s))  # symbolic part: elsewhere
    kS, kP = Fraction(63) * (Fraction(3, 4) * 62 + 1) / 64**2, Fraction(63, 2 * 64**2)
    D = lambda x: kS * (1 + x * x) ** 2 + kP * x**4 + 32 * kP  # noqa: E731
    want = math.log(D(20) / D(40)) / math.log(2)
    assert abs(zx.derive_sigma_scaling()["numeric_slope_sigma20_40"] - want) < 1e-12


@pytest.mark.parametrize("ev", ["ziyin.sigma-scaling"], indirect=True)
def test_sigma_scaling_separation_is_strict(ev):
    """|slope − 4| must exceed the tolerance: slope −4, tolerance exactly 8 (binary-exact) is not separated; 7.75 is
    (the sign rule holds in both: −4 + 3·0.5 < 0)."""
    sg = ev["sigma"]
    decide = get_claim("ziyin.sigma-scaling").decide
    assert decide(dict(ev, sigma=dict(sg, slope_measured=-4.0, slope_tolerance=8.0, slope_se=0.5))).verdict == "inconclusive"
    assert decide(dict(ev, sigma=dict(sg, slope_measured=-4.0, slope_tolerance=7.75, slope_se=0.5))).verdict == "corrected"
