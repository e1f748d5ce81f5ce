"""found.uniformity, found.ntxent-decomposition, found.simplex-etf, found.log-n-dims."""
from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
import torch
from scipy import special

from sslverify.numerics.losses import nt_xent
from sslverify.theory.found import uniformity


def test_sphere_identity():
    # Exercise 5: ‖u−v‖² = 2 − 2uᵀv on the sphere; kernel identity; L_uniform = 0 at collapse
    r = uniformity.sphere_kernel_identity(3)
    assert r["distance_identity"] and r["kernel_identity"] and r["collapse_value"] == 0


def test_trace_counterexample():
    # Exercise 5 "fixed covariance trace": N(0, ½I₂) beats the uniform law on S¹
    r = uniformity.trace_constraint_counterexample()
    assert r["gaussian_value"] == sp.Rational(1, 5)
    assert abs(r["uniform_circle_float"] - np.exp(-4) * special.iv(0, 4)) < 1e-14  # two float64 evaluations of 0.207
    assert r["uniform_is_not_minimiser"]


def test_jacobi_anger_energy():
    # uniform minimises over all laws on S¹: energy = I₀(4) + 2Σ I_k(4)|c_k|² ≥ I₀(4)
    rng = np.random.default_rng(1)
    w, a = rng.dirichlet(np.ones(5)), rng.uniform(-np.pi, np.pi, 5)
    direct, series = uniformity.circle_energy(w, a)
    assert abs(direct / series - 1) < 1e-12  # series truncated at k = 60: remainder ~ 4^60/60! ≪ 1e-12
    assert direct > special.iv(0, 4)


def test_ntxent_limit_sign():
    # Theorem (Wang & Isola): the repulsion term has a + sign; same alignment, more uniform → lower loss
    a, b = uniformity.circle_population(0.5, 0.3, 0.5, grid=512), uniformity.circle_population(4.0, 0.3, 0.5, grid=512)
    assert abs(a["align"] - b["align"]) < 1e-15  # the same closed form 2 − 2e^{−s²} for both laws: equal to round-off
    assert a["uniform"] < b["uniform"] and a["limit"] < b["limit"]
    # uniform law of views (κ = 0): rep = log I₀(1/τ) exactly
    u = uniformity.circle_population(0.0, 0.3, 0.5, grid=512)
    assert abs(u["rep"] - np.log(special.iv(0, 2.0))) < 1e-10  # periodic trapezoid rule: spectral accuracy
    n = 256
    vals = [uniformity.ntxent_numpy(*uniformity.sample_views(0.0, 0.3, n, r), 0.5) - np.log(2 * n - 2) for r in range(6)]
    se = np.std(vals, ddof=1) / np.sqrt(6)
    # 5 standard errors plus the O(1/N) finite-batch bias bound e^{2/τ}/(2N)
    assert abs(np.mean(vals) - u["limit"]) < 5 * se + np.exp(4) / (2 * n)


def test_simplex_gram():
    # Exercise 6: Gram of the simplex ETF, rank N − 1 for symbolic N
    g = uniformity.simplex_gram()
    N = uniformity.NN
    assert g["G2_equals_aG"] and g["unit_diagonal"] and g["ones_in_kernel"]
    assert sp.simplify(g["rank"] - (N - 1)) == 0
    for n in range(2, 7):
        Z = uniformity.simplex_vectors(n)
        assert np.linalg.matrix_rank(Z) == n - 1
        # float64 Gram of O(1) entries from the explicit construction: round-off ~1e-16
        np.testing.assert_allclose(Z @ Z.T, (n * np.eye(n) - 1) / (n - 1), atol=1e-12)


def test_log_n_bounds():
    b = uniformity.log_n_bounds()
    assert b["lower_bound_N_to_inf"] == sp.oo and b["gap_tau_to_inf"] == 0
    assert b["gap_N64_tau"][100.0] < 0.02 < 1.0 < b["gap_N64_tau"][0.5]


def _ntxent_loop(z: np.ndarray, tau: float) -> float:
    """NT-Xent with both views of each sample equal to z_i, written as the per-anchor loop of its definition:
    ℓ = −1/τ + log(e^{1/τ} + Σ over the 2N − 2 negatives e^{s/τ}), averaged (each sample is two anchors)."""
    n = len(z)
    out = 0.0
    for i in range(n):
        neg = sum(2 * math.exp(float(z[i] @ z[j]) / tau) for j in range(n) if j != i)
        out += -1 / tau + math.log(math.exp(1 / tau) + neg)
    return out / n


def test_log_n_dims_near_minimal():
    """found.log-n-dims: (1) the identity behind gap ≤ (ε + 1/(N−1))/τ is exact; (2) the simplex value is what the
    simplex gives (independent loop) and no configuration found by descent beats it (N = 6, τ = 0.5: Adam from random
    unit vectors in R⁶ ends within 1e-6 above it — the minimiser the note's exercise names); (3) k = ⌈24 ln N⌉ random
    unit vectors (all |cos| < ½, the union bound's guarantee w.p. ≥ 1 − 1/N) stay within the bound, with gaps that
    shrink as N grows (0.042 → 0.022 at τ = 0.5, N = 64 → 256), so O(log N) dimensions are near-minimal at fixed τ."""
    assert uniformity.near_minimal_gap_identity() == "0"
    n, tau = 6, 0.5
    simplex = np.eye(n) - 1 / n
    simplex /= np.linalg.norm(simplex, axis=1, keepdims=True)  # N unit vectors with pairwise cos −1/(N−1)
    # the loop and the closed form are the same sum in another order: float64 round-off (~1e-15)
    assert abs(_ntxent_loop(simplex, tau) - uniformity.simplex_ntxent(n, tau)) < 1e-12
    torch.manual_seed(0)
    w = torch.randn(n, n, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([w], lr=0.1)
    for _ in range(200):
        loss = nt_xent(w[None], w[None], tau).sum()  # the project's SimCLR NT-Xent, both views = w (normalised inside)
        opt.zero_grad()
        loss.backward()
        opt.step()
    final = _ntxent_loop(torch.nn.functional.normalize(w.detach(), dim=1).numpy(), tau)
    # ≥ the minimum up to round-off; Adam (lr 0.1, 200 steps) ends 7e-11 above it here: 1e-6 leaves room
    assert -1e-12 <= final - uniformity.simplex_ntxent(n, tau) < 1e-6
    for t in (0.5, 2.0):
        rows = [uniformity.near_orthogonal_gap(m, t, seed=m) for m in (64, 256)]  # N = 1024: the gather's grid
        for r in rows:
            assert r["eps"] < 0.5 and 0 <= r["gap"] <= r["bound"], r
        assert rows[1]["gap"] < rows[0]["gap"]  # the gap does not grow with N at k = ⌈24 ln N⌉


def test_sphere2_legendre_energy():
    # second method for the on-sphere reading, one dimension up (S²): E e^{4uᵀv} = Σ(2ℓ+1)i_ℓ(4)E P_ℓ(uᵀv) with every
    # moment E P_ℓ ≥ 0, so no law beats the uniform one (i₀(4) = sinh 4/4 = 6.8225); random discrete laws agree
    rng = np.random.default_rng(5)
    uniform = np.sinh(4.0) / 4.0
    for m in (2, 4, 9, 20):
        p = rng.standard_normal((m, 3))
        p /= np.linalg.norm(p, axis=1, keepdims=True)
        direct, series, terms = uniformity.sphere2_energy(rng.dirichlet(np.ones(m)), p)
        assert abs(direct / series - 1) < 1e-12  # series truncated at ℓ = 40: remainder < 1e-30
        assert min(terms) > -1e-12  # addition theorem: sums of squares, float64 round-off only
        assert direct > uniform  # measured 1.6–5.9× the uniform value
    # a quadrature of the uniform law itself (Fibonacci lattice, 2000 points) approaches i₀(4) from above
    k = np.arange(2000) + 0.5
    z = 1 - 2 * k / 2000
    phi = np.pi * (1 + 5**0.5) * k
    pts = np.stack([np.sqrt(1 - z**2) * np.cos(phi), np.sqrt(1 - z**2) * np.sin(phi), z], 1)
    direct, _, _ = uniformity.sphere2_energy(np.ones(2000) / 2000, pts, lmax=2)
    # ≥ uniform by the theorem (−1e-12: float64 round-off); measured 1.8e-9 above: the lattice's quadrature error
    # for a smooth kernel, so 1e-6 still tells "is the uniform law" from the laws above (≥ 60% off)
    assert -1e-12 < direct / uniform - 1 < 1e-6


def test_trace_counterexample_monte_carlo():
    # second method for the R^d reading's counterexample: Monte Carlo of u, v ~ N(0, ½I₂) i.i.d., 2·10⁵ pairs
    rng = np.random.default_rng(11)
    u, v = rng.normal(0, np.sqrt(0.5), (2, 200_000, 2))
    k = np.exp(-2 * np.sum((u - v) ** 2, 1))
    mean, se = k.mean(), k.std(ddof=1) / np.sqrt(len(k))
    assert abs(mean - 0.2) < 5 * se  # 5 standard errors of 2·10⁵ draws (se ≈ 5e-4)
    assert mean + 5 * se < np.exp(-4) * special.iv(0, 4)  # 0.2070: below the uniform law on S¹ by > 10 se


def _two_shell_energy(ps, rs, d):
    """E e^{−2‖u−v‖²} for u = r·ω, v = r'·ω' i.i.d., r ∈ rs with probabilities ps, ω uniform on S^{d−1}: with
    ‖u−v‖² = r² + r'² − 2rr't, each pair of radii contributes e^{−2(r² + r'²)} E e^{4rr't}, the uniform law's
    energy at s = 4rr' (uniformity.uniform_sphere_energy; 1 at s = 0)."""
    def e_t(s):
        return 1.0 if s == 0 else uniformity.uniform_sphere_energy(d, s)

    return sum(pi * pj * math.exp(-2 * (ri**2 + rj**2)) * e_t(4 * ri * rj) for pi, ri in zip(ps, rs) for pj, rj in zip(ps, rs))


@pytest.mark.parametrize("d, p, r1", [(3, 0.1, 0.3), (4, 0.03, 0.0)])
def test_trace_counterexample_in_higher_dimensions(d, p, r1):
    """The 'laws on R^d' reading fails beyond d = 2 too (the Gaussian no longer wins at d = 3, 0.142 > 0.125, but other
    laws do): mass p on the shell r1 (d = 4: on the origin), the rest on r2 with E‖u‖² = 1 (tr Cov = 1, mean 0). Exact
    closed form, re-checked by paired Monte Carlo (the same directions at the mixture's radii and at radius 1)."""
    r2 = math.sqrt((1 - p * r1**2) / (1 - p))
    mix, uni = _two_shell_energy((p, 1 - p), (r1, r2), d), _two_shell_energy((1.0,), (1.0,), d)
    # the uniform law on S^{d−1} by the textbook forms e^{−4} sinh(4)/4, e^{−4} I₁(4)/2 (float64 round-off: 1e-13)
    assert uni == pytest.approx({3: math.exp(-4) * math.sinh(4) / 4, 4: math.exp(-4) * special.iv(1, 4) / 2}[d], rel=1e-13)
    assert mix < uni - {3: 4e-3, 4: 4e-4}[d]  # 0.12044 vs 0.12496 (d = 3); 0.08896 vs 0.08938 (d = 4)
    # N(0, I_d/d) (tr Cov = 1): u − v ~ N(0, (2/d) I) gives (1 + 8/d)^{−d/2}, above the uniform law for d = 3, 4
    assert (1 + 8 / d) ** (-d / 2) > uni
    rng = np.random.default_rng(20 + d)
    n = 400_000
    w = rng.standard_normal((2, n, d))
    w /= np.linalg.norm(w, axis=-1, keepdims=True)
    r = np.where(rng.random((2, n)) < p, r1, r2)
    k_mix = np.exp(-2 * np.sum((w[0] * r[0, :, None] - w[1] * r[1, :, None]) ** 2, -1))
    k_uni = np.exp(-2 * np.sum((w[0] - w[1]) ** 2, -1))
    se = k_mix.std(ddof=1) / math.sqrt(n)
    assert abs(k_mix.mean() - mix) < 5 * se  # 5 standard errors of 4·10⁵ pairs
    diff = k_mix - k_uni  # paired: far smaller variance than either mean
    assert diff.mean() + 5 * diff.std(ddof=1) / math.sqrt(n) < 0


def test_ntxent_sign_monte_carlo():
    # second method for the sign correction: the finite-batch NT-Xent (Monte Carlo, N = 256, 8 batches) rises from the
    # more uniform (κ = 0.5) to the less uniform (κ = 4) view law at equal alignment, while the note's L_align − L_uniform
    # form predicts a fall of ΔL_uniform; and no constant C(τ) fits '+ L_uniform' either
    tau, s, n = 0.5, 0.3, 256
    mc = {k: [uniformity.ntxent_numpy(*uniformity.sample_views(k, s, n, 300 + r), tau) for r in range(8)] for k in (0.5, 4.0)}
    diff = np.mean(mc[4.0]) - np.mean(mc[0.5])
    se = np.hypot(np.std(mc[4.0], ddof=1), np.std(mc[0.5], ddof=1)) / np.sqrt(8)
    a, b = uniformity.circle_population(0.5, s, tau, grid=512), uniformity.circle_population(4.0, s, tau, grid=512)
    assert diff > 5 * se  # the loss rises (≈ +0.66) by more than 5 standard errors
    assert -(b["uniform"] - a["uniform"]) < -0.5  # the note's form predicts ≈ −0.81
    plus = [p["limit"] - (p["align"] + p["uniform"]) for p in (a, b)]
    assert abs(plus[0] - plus[1]) > 0.1  # '+ L_uniform + C(τ)' is off by a law-dependent amount, not a constant


def test_gegenbauer_coefficients_positive_symbolic():
    # on S^{d−1}, d = 2, 3, 4: (1−t²)^{ν−½}C_ℓ^ν = r_ℓ (d/dt)^ℓ (1−t²)^{ℓ+ν−½} with r_ℓ rational of sign (−1)^ℓ and vanishing
    # boundary terms (SymPy, exact, ℓ ≤ 6): ℓ-fold integration by parts makes every coefficient of e^{4t} positive
    for d, r1 in ((2, "-1"), (3, "-1/2"), (4, "-2/3")):
        r = uniformity.gegenbauer_rodrigues(d)
        assert r["all_positive"] and [x["l"] for x in r["rows"]] == list(range(7))
        assert r["rows"][1]["r"] == r1  # C_1 = 2νt (T_1 = t): (d/dt)(1−t²)^{ν+½} = −(2ν+1)t(1−t²)^{ν−½}
    with pytest.raises(ValueError, match="d must be an int >= 2"):
        uniformity.gegenbauer_rodrigues(1)


def test_gegenbauer_coefficients_quadrature():
    # second method: 64-node Gauss quadrature (Chebyshev / Gegenbauer weight) of ∫e^{4t}C_ℓ^ν(1−t²)^{ν−½}dt equals the closed
    # form π2^{1−ν}4^{−ν}Γ(ℓ+2ν)I_{ℓ+ν}(4)/(ℓ!Γ(ν)) (πI_ℓ(4) for d = 2), which is positive, for ℓ ≤ 12
    for d in (2, 3, 4):
        for row in uniformity.gegenbauer_coefficients(d)["rows"]:
            # float64 round-off of a 64-term sum whose terms are O(e⁴) while the result falls like I_{ℓ+ν}(4)
            assert abs(row["quadrature"] - row["closed_form"]) <= 1e-12 * row["abs_sum"], (d, row)
            assert row["closed_form"] > 0
    # the ℓ = 0 projection divided by the weight's mass is the uniform law's energy E e^{4uᵀv}
    assert abs(uniformity.gegenbauer_closed_form(3, 0) / 2 - np.sinh(4) / 4) < 1e-12  # two float64 evaluations of 6.82
    assert abs(uniformity.gegenbauer_closed_form(2, 0) / np.pi - special.iv(0, 4)) < 1e-12
    assert abs(uniformity.uniform_sphere_energy(4) - special.iv(1, 4) / 2) < 1e-12  # S³: 2I₁(s)/s, float64 round-off


def test_sphere3_gegenbauer_energy():
    # second method on S³: E e^{4uᵀv} = Σ_ℓ b_ℓ E U_ℓ(uᵀv) with b_ℓ = (ℓ+1)I_{ℓ+1}(4)/2 > 0 and every moment E U_ℓ ≥ 0, so
    # random discrete laws (and the mean-zero cross-polytope) all lie above the uniform law's I₁(4)/2 = 4.880
    rng = np.random.default_rng(9)
    uniform = uniformity.uniform_sphere_energy(4)
    pts = [np.vstack([np.eye(4), -np.eye(4)])] + [rng.standard_normal((m, 4)) for m in (2, 5, 12)]
    for p in pts:
        p = p / np.linalg.norm(p, axis=1, keepdims=True)
        direct, series, terms = uniformity.sphere_energy(rng.dirichlet(np.ones(len(p))), p)
        assert abs(direct / series - 1) < 1e-12  # series truncated at ℓ = 40: remainder ~ 2^40/40! ≪ 1e-12
        assert min(terms) > -1e-12  # addition theorem: sums of squares, float64 round-off only
        assert direct > uniform


def test_sketch_and_trace_on_the_sphere():
    # the note's reasoning, on S²: tr Cov = 1 − ‖E u‖² (so trace 1 ⟺ mean 0), mean zero does not make a law good (antipodal
    # pair: 0.500 vs uniform 0.125), and Jensen's bound e^{−4}e^{4‖E u‖²} = 0.018 at mean 0 is far below the minimum 0.125
    rng = np.random.default_rng(4)
    p = rng.standard_normal((6, 3))
    p /= np.linalg.norm(p, axis=1, keepdims=True)
    w = rng.dirichlet(np.ones(6))
    mu = w @ p
    cov = (p - mu).T @ np.diag(w) @ (p - mu)
    assert abs(np.trace(cov) - (1 - mu @ mu)) < 1e-14  # float64 round-off of O(1) sums
    from sslverify.verdicts.builtin.found import uniformity_evidence
    sk = uniformity_evidence()["sketch"]
    assert abs(sk["uniform_S2"] - np.exp(-4) * np.sinh(4) / 4) < 1e-15 and abs(sk["uniform_S2"] - 0.1249) < 1e-4
    assert sk["jensen_bound_mean0"] < 0.2 * sk["uniform_S2"]  # 0.0183 vs 0.1249: the bound identifies no minimiser
    pair = np.array([[0, 0, 1.0], [0, 0, -1.0]])
    direct, _, _ = uniformity.sphere2_energy(np.array([0.5, 0.5]), pair)
    assert abs(np.exp(-4) * direct - sk["antipodal_S2"]) < 1e-15 and sk["antipodal_S2"] > 4 * sk["uniform_S2"]
    assert np.exp(-2 * 4.0) == sk["kernel_min"]  # ‖u − v‖² ≤ 4 on the sphere: L_uniform ≥ −8, never −∞


def test_near_orthogonal_gap_record_and_inputs():
    """The record of one draw: k = ⌈24 ln N⌉ (17 at N = 2), the bound (ε + 1/(N−1))/τ recomputed from the returned ε,
    a gap that is the simplex gap of two unit vectors (N = 2: ℓ = log(1 + 2e^{(s−1)/τ}) against log(1 + 2e^{−2/τ}),
    worked by hand from s = ±ε), the same draw for the same seed; N < 2, a non-integer N, τ ≤ 0 or τ = ∞ raise."""
    r = uniformity.near_orthogonal_gap(2, 0.5, seed=3)
    assert set(r) == {"n", "k", "tau", "eps", "gap", "bound"} and (r["n"], r["k"], r["tau"]) == (2, 17, 0.5)
    assert r["bound"] == pytest.approx((r["eps"] + 1.0) / 0.5, rel=1e-15)  # same three float operations
    s = r["eps"]  # the one pair's |cos|; its sign is the draw's: both signs give a gap ≥ 0
    gaps = [math.log1p(2 * math.exp((v - 1) / 0.5)) - math.log1p(2 * math.exp(-2 / 0.5)) for v in (s, -s)]
    assert min(abs(r["gap"] - g) for g in gaps) < 1e-12  # float64 round-off of O(1) logs
    assert uniformity.near_orthogonal_gap(2, 0.5, seed=3) == r
    r3 = uniformity.near_orthogonal_gap(3, 2.0, seed=1)  # N = 3: 1/(N − 1) = ½ (at N = 2 it equals N − 1)
    assert r3["bound"] == pytest.approx((r3["eps"] + 0.5) / 2.0, rel=1e-15)
    assert uniformity.near_orthogonal_gap(2, 0.5, seed=4)["eps"] != r["eps"]
    for kw, match in ((dict(n=1, tau=0.5), "n must be an integer >= 2"), (dict(n=2.0, tau=0.5), "n must be an integer"),
                      (dict(n=2, tau=0.0), "tau must be a finite number > 0"),
                      (dict(n=2, tau=math.inf), "tau must be a finite number > 0")):
        with pytest.raises(ValueError, match=match):
            uniformity.near_orthogonal_gap(seed=0, **kw)
