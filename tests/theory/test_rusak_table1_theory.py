"""theory.rusak.table1: the large-N expectations behind rusak.table1 (sphere margins, partial collapse, box rescaling)."""
from __future__ import annotations

import numpy as np
import pytest

from sslverify.theory.rusak import table1 as T


def test_sphere_margin_formula():
    # full collapse vs g⁻¹ on the sphere (κ = 10, τ = 1): the N → ∞ closed form −d_s(1 − A_{d_s}(κ))/(dτ) + log m_{d_c}
    # − log m_d against the large-N Monte Carlo value at N = 10,000 (50k pairs).  Tolerance 2e-3: the finite-N term
    # e^{pos}/((N−1)m) ≤ e/10⁴ ≈ 3e-4 plus 5 standard errors of the 50k-pair mean (≈ 5e-4)
    for (d, dc), sign in (((10, 5), -1), ((6, 3), 1)):
        closed = T.sphere_collapse_margin_formula(d, dc, 10.0, 1.0)
        mc = T.sphere_collapse_margin(d, dc, 10.0, 1.0, 10000, n=50_000)
        assert abs(closed - mc) < 2e-3
        assert np.sign(closed) == sign  # −0.046 at d = 10 (collapse wins), +0.029 at d = 6 (collapse loses)
    assert abs(T.sphere_collapse_margin_formula(10, 5, 10.0, 1.0) + 0.0456) < 5e-4  # the recorded 4-digit value
    assert abs(T.sphere_collapse_margin_formula(6, 3, 10.0, 1.0) - 0.0290) < 5e-4


def test_partial_collapse_quadrature_vs_closed_form():
    # the Gauss–Jacobi log m_c(r) against the two closed forms it must reduce to: c = 1 is g⁻¹ (log m_d for every r,
    # 1e-10: quadrature of an analytic integrand with 40 nodes per coordinate), c → ∞ is full collapse (log m_{d_c};
    # the O(1/c²) remainder at c = 1e4 is ~1e-8, so 1e-6)
    r = np.array([0.2, 0.5, 0.9])
    for d, dc in ((6, 3), (10, 5), (4, 1)):
        assert np.abs(T.log_m_partial(d, dc, 1.0, 1.0, r) - T.log_m_sphere(d, 1.0)).max() < 1e-10
        assert np.abs(T.log_m_partial(d, dc, 1e4, 1.0, r) - T.log_m_sphere(dc, 1.0)).max() < 1e-6
    # the partially collapsed encoder normalize(1.5 z_c, z_s) beats g⁻¹ at d = 6, d_c = 3 (the review's −0.008) although
    # full collapse loses there: margin −0.0077 with a common-random-number SE ≈ 1.5e-4 at 20k pairs
    fam = T.sphere_partial_collapse(6, 3, 10.0, 1.0, 10000, cs=(1.0, 1.5), n=20_000)
    m, se = fam["L_minus_ginv"][1], fam["se"][1]
    assert m + 5 * se < 0 < fam["full_collapse_margin"]
    assert abs(m + 0.0077) < 5 * se + 2e-4  # 2e-4: the recorded value's rounding plus the 200k-pair run's own SE


def test_box_rescaling_beats_ginv_without_content():
    # box, d_c = 0 (no content), σ_s = 0.1, τ = 0.5, N = 10,000: the large-N (Jensen upper bound) loss of 6·g⁻¹ is
    # ≥ 5 nats below g⁻¹ (recorded −7.19 at 200k pairs; 5 is far outside the 20k-pair Monte Carlo error ~0.01)
    b = T.box_best_scaling(10, 0, 0.1, 0.5, 10000, scales=(1.0, 6.0), n=20_000)
    assert b["best_scale"] == 6.0 and b["best_margin"] < -5
    # g⁻¹'s own value reproduces the source's L_uniform = 7.69 ± 0.20 at this temperature (d_c = 5 as in Table 1)
    g = T.box_prediction(10, 5, 0.1, 0.5, 10000, n=20_000)
    assert abs(g["L_uniform"] - 7.69) < 0.20


def test_bad_inputs():
    with pytest.raises(ValueError, match="d_c must lie in"):
        T.sphere_partial_collapse(4, 0, 10.0, 1.0, 100)
    with pytest.raises(ValueError, match="cs must contain 1.0"):
        T.sphere_partial_collapse(4, 2, 10.0, 1.0, 100, cs=(2.0,))
    with pytest.raises(ValueError, match="scales must contain 1.0"):
        T.box_best_scaling(4, 0, 0.1, 0.5, 100, scales=(2.0,))
    with pytest.raises(ValueError, match="tau must be > 0"):
        T.box_prediction(4, 1, 0.1, 0.0, 100)
