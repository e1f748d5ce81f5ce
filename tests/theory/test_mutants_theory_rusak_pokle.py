"""theory/rusak/dynamics.py and theory/pokle/linear_dynamics.py: the helpers and evidence functions that the lemma 5 / lemma 7 / prop. 3 / Thm 2 tests leave
unpinned, each checked against a computation of its own here (hand closed forms of the first-order flow, eq. 4
written out as explicit loops, finite differences, a fake growth-rate curve with a known crossing)."""
from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from sslverify.theory.pokle import linear_dynamics as LD
from sslverify.theory.rusak import dynamics

SZ2 = 1.0 / 12.0  # σ_z² of U[0, 1]


# ----------------------------------------------------------------------------- closed forms
def test_latent_cond_cov_diagonal():
    # Σ_z~ = diag(σ_c² I_dc, σ_s² I_ds)
    assert np.array_equal(dynamics.latent_cond_cov(3, 1, 0.3, 0.2), np.diag([0.3**2, 0.2**2, 0.2**2]))


def test_predicted_flow_by_hand():
    # A = I (so Σ_x = I/12, Σ_x~ = diag(σ_c², σ_s²)), a 3×2 encoder (3 outputs ≠ 2 latents), M = 5
    W = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 2.0]])
    sc, ss, M = 0.1, 0.2, 5
    full = M * W @ np.diag([2 * SZ2 - sc**2, 2 * SZ2 - ss**2])
    det = M * W @ np.diag([SZ2 - sc**2, SZ2 - ss**2])
    got = dynamics.predicted_flow(W, np.eye(2), 1, sc, ss, M)  # default convention: the full gradient
    assert np.allclose(got, full, rtol=1e-12, atol=0)  # float rounding only
    assert np.allclose(dynamics.predicted_flow(W, np.eye(2), 1, sc, ss, M, "detached"), det, rtol=1e-12, atol=0)
    assert np.allclose(dynamics.predicted_flow(W, np.eye(2), 1, sc, ss, M, "source"), det * (M + 1) / M,
                       rtol=1e-12, atol=0)
    # per-output temperatures divide the rows: T⁻¹ W (…)
    tau = [2.0, 4.0, 0.5]
    got_t = dynamics.predicted_flow(W, np.eye(2), 1, sc, ss, M, tau=tau)
    assert np.allclose(got_t, full / np.array(tau)[:, None], rtol=1e-12, atol=0)
    with pytest.raises(ValueError, match="convention"):
        dynamics.predicted_flow(W, np.eye(2), 1, sc, ss, M, "both")


def test_column_growth_rates_by_hand():
    # H = W A with 3 outputs and 2 latents: rate_k = ⟨(GA)_{:,k}, H_{:,k}⟩ / ‖H_{:,k}‖² per latent column
    W = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    A = np.eye(2)
    G = np.array([[3.0, 0.0], [0.0, 1.0], [1.0, 2.0]])
    assert np.allclose(dynamics.column_growth_rates(G, W, A), [(3 + 1) / 2, (2 + 2) / 5], rtol=1e-12, atol=0)


def test_top_cluster_counts_large_ones():
    # one log-gap dominates: two large values, whatever order they come in
    assert dynamics.top_cluster([0.01, 1.0, 0.9]) == 2
    assert dynamics.top_cluster([5.0, 0.001, 0.002]) == 1
    # four values, gaps 0.69 / 6.2 / 0.1 (logs): the biggest gap is after the second
    assert dynamics.top_cluster([1.0, 0.5, 0.001, 0.0009]) == 2


def test_heuristic_and_derived_tau_closed_forms():
    assert dynamics.heuristic_tau_c(0.05, 0.25) == pytest.approx(0.2, rel=1e-12)  # σ_c/σ_s, float rounding only
    # λ_c/λ_s = (2/12 − 0.0025)/(2/12 − 0.0625) = 197/125 (full), (1/12 − 0.0025)/(1/12 − 0.0625) = 97/25 (detached)
    assert dynamics.derived_equalizing_tau_c(0.05, 0.25) == pytest.approx(197 / 125, rel=1e-12)
    assert dynamics.derived_equalizing_tau_c(0.05, 0.25, "detached") == pytest.approx(97 / 25, rel=1e-12)


# ----------------------------------------------------------------------------- eq. 4 written out, finite differences
def _loss_loops(W, x, xt, tau):
    """Σ over batches and anchors of ℓ_i = −log(k_ii~ / (k_ii~ + Σ_{j≠i} k_ij)), k = exp(−Σ_a Δ_a²/(2τ_a))."""
    tot = 0.0
    for r in range(x.shape[0]):
        z, zt = x[r] @ W.T, xt[r] @ W.T
        for i in range(x.shape[1]):
            pos = math.exp(-float(np.sum((z[i] - zt[i]) ** 2 / tau)) / 2)
            neg = sum(math.exp(-float(np.sum((z[i] - z[j]) ** 2 / tau)) / 2) for j in range(x.shape[1]) if j != i)
            tot -= math.log(pos / (pos + neg))
    return tot


def test_batched_loss_is_eq4():
    import torch
    rng = np.random.default_rng(3)
    x, xt = rng.standard_normal((2, 3, 2)), rng.standard_normal((2, 3, 2))
    W, tau = rng.standard_normal((2, 2)), np.array([0.5, 2.0])
    got = dynamics._batched_loss(torch.as_tensor(W), torch.as_tensor(x), torch.as_tensor(xt), torch.as_tensor(tau),
                                 False)
    assert float(got) == pytest.approx(_loss_loops(W, x, xt, tau), rel=1e-10)  # float64 rounding only


def test_autograd_flow_is_minus_gradient_of_eq4():
    # z ~ U[0,1]^d, z~ = z + ε (ε ~ N(0, Λ~)), drawn from default_rng(seed) in that order, x = A z; the flow is
    # −(1/R) ∂L/∂W, here by central differences of the loop-written loss (step 1e-6: error ~1e-10 ≪ 1e-6)
    d, M, R, seed, sc, ss = 2, 2, 2, 7, 0.1, 0.3
    A = np.array([[1.0, 0.5], [0.0, 2.0]])
    W = np.array([[0.7, -0.2], [0.1, 0.4]])
    tau = np.array([0.5, 2.0])
    rng = np.random.default_rng(seed)
    z = rng.random((R, M + 1, d))
    eps = rng.standard_normal((R, M + 1, d)) * np.array([sc, ss])
    x, xt = z @ A.T, (z + eps) @ A.T
    num = np.zeros_like(W)
    h = 1e-6
    for a in range(2):
        for b in range(2):
            E = np.zeros_like(W)
            E[a, b] = h
            num[a, b] = -(_loss_loops(W + E, x, xt, tau) - _loss_loops(W - E, x, xt, tau)) / (2 * h) / R
    got = dynamics.autograd_flow(W, A, 1, sc, ss, M, reps=R, seed=seed, tau=tau)
    assert np.allclose(got, num, rtol=1e-6, atol=1e-8)  # finite-difference error ~1e-10
    # integer inputs are numbers like any other: W = I and τ = (2, 3) as ints give the float64 result exactly
    ref = dynamics.autograd_flow(np.eye(2), A, 1, sc, ss, M, reps=R, seed=seed, tau=np.array([2.0, 3.0]))
    got_int = dynamics.autograd_flow([[1, 0], [0, 1]], A, 1, sc, ss, M, reps=R, seed=seed, tau=[2, 3])
    assert np.array_equal(got_int, ref)


# ----------------------------------------------------------------------------- growth rates: plumbing and closed forms
def test_growth_rates_with_temperature():
    # A = I, τ = (2, 1, 1): the predicted rate of latent k is λ_k (AᵀA)_kk / τ_k, λ_k = 2σ_z² − σ_k²
    tau = [2.0, 1.0, 1.0]
    r = dynamics.growth_rates(np.eye(3), 1, 0.0, 0.2, M=32, reps=40, seed=2, tau=tau)
    lam = np.array([2 * SZ2, 2 * SZ2 - 0.04, 2 * SZ2 - 0.04])
    assert np.allclose(r["predicted"], lam / np.array(tau), rtol=1e-12, atol=0)
    # the rates come from the flow at the requested batches: W = 1e-3·A⁻¹, rates = column rates / M
    W = 1e-3 * np.eye(3)
    G = dynamics.autograd_flow(W, np.eye(3), 1, 0.0, 0.2, 32, reps=40, seed=2, tau=tau)
    assert np.allclose(r["rates"], dynamics.column_growth_rates(G, W, np.eye(3)) / 32, rtol=1e-12, atol=0)
    # singular values of G/(ε M) ≈ T⁻¹Λ'Aᵀ = diag(λ/τ): Monte Carlo (40·33 pairs, ~3%): 15%
    assert np.allclose(sorted(r["grad_singular_values"], reverse=True), sorted(lam / np.array(tau), reverse=True),
                       rtol=0.15)
    assert r["top_cluster_size"] == dynamics.top_cluster(r["grad_singular_values"])


def test_growth_rates_without_content_or_style():
    # d_c = 0: no content latents, its mean is NaN (not an error); d_c = d: no style latents
    r0 = dynamics.growth_rates(np.eye(2), 0, 0.0, 0.2, M=4, reps=2)
    assert math.isnan(r0["content_mean"]) and not math.isnan(r0["style_mean"])
    r2 = dynamics.growth_rates(np.eye(2), 2, 0.0, 0.2, M=4, reps=2)
    assert math.isnan(r2["style_mean"]) and not math.isnan(r2["content_mean"])


# ----------------------------------------------------------------------------- prop. 3 sweep with a known crossing
class _FakeRates:
    """growth_rates stand-in: content/style = c·τ_s/τ_c, so log ratio is linear in log τ_c and crosses 0 at τ_c = c."""

    def __init__(self, c):
        self.c, self.calls = c, []

    def __call__(self, A, d_c, sigma_c, sigma_s, M=64, eps=1e-3, reps=300, seed=0, tau=None):
        self.calls.append(dict(A=np.asarray(A), d_c=d_c, M=M, reps=reps, seed=seed, tau=list(tau)))
        return {"content_mean": self.c / tau[0], "style_mean": 1.0 / tau[-1]}


def test_sweep_interpolates_the_crossing(monkeypatch):
    fake = _FakeRates(1.7)
    monkeypatch.setattr(dynamics, "growth_rates", fake)
    taus = [0.5, 1.0, 2.0, 4.0]
    r = dynamics.sweep_equalizing_tau_c(d=3, d_c=1, taus=taus, M=5, reps=7, seed=4)
    # log-linear ratio: the log-grid interpolation is exact (float rounding only)
    assert r["tau_c_equalizing"] == pytest.approx(1.7, rel=1e-12)
    assert r["taus"] == taus and np.allclose(r["content_over_style"], [1.7 / t for t in taus], rtol=1e-12)
    assert r["sigma_c"] == 0.05 and r["sigma_s"] == 0.25
    assert r["tau_c_derived"] == dynamics.derived_equalizing_tau_c(0.05, 0.25)
    assert r["tau_c_heuristic"] == dynamics.heuristic_tau_c(0.05, 0.25)
    # each point: the requested batches and seed, τ = (τ_c, 1, 1), an orthogonal A (cond 1)
    assert [c["tau"] for c in fake.calls] == [[t, 1.0, 1.0] for t in taus]
    assert all((c["M"], c["reps"], c["seed"], c["d_c"]) == (5, 7, 4, 1) for c in fake.calls)
    assert all(np.allclose(c["A"].T @ c["A"], np.eye(3), atol=1e-12) for c in fake.calls)  # orthogonality, rounding
    # the seed also selects the generator A (another seed, another orthogonal matrix)
    other = _FakeRates(1.7)
    monkeypatch.setattr(dynamics, "growth_rates", other)
    dynamics.sweep_equalizing_tau_c(d=3, d_c=1, taus=taus, M=5, reps=7, seed=0)
    assert not np.allclose(other.calls[0]["A"], fake.calls[0]["A"])
    monkeypatch.setattr(dynamics, "growth_rates", fake)
    # crossing between the first two points; ratio between 1 and e at the start (0 < log ratio < 1)
    for c, grid in ((0.7, [0.5, 1.0, 2.0]), (1.2, [1.0, 2.0, 4.0])):
        monkeypatch.setattr(dynamics, "growth_rates", _FakeRates(c))
        assert dynamics.sweep_equalizing_tau_c(d=2, d_c=1, taus=grid, reps=1)["tau_c_equalizing"] == pytest.approx(
            c, rel=1e-12)


def test_sweep_without_crossing_is_nan(monkeypatch):
    for c in (10.0, 0.1):  # content always faster / always slower on the grid: no bracket
        monkeypatch.setattr(dynamics, "growth_rates", _FakeRates(c))
        assert math.isnan(dynamics.sweep_equalizing_tau_c(d=2, d_c=1, taus=[0.5, 1.0, 2.0])["tau_c_equalizing"])


def test_sweep_default_grid_brackets_both_predictions(monkeypatch):
    fake = _FakeRates(1.0)
    monkeypatch.setattr(dynamics, "growth_rates", fake)
    r = dynamics.sweep_equalizing_tau_c()
    # the default log grid must contain the heuristic σ_c/σ_s = 0.2 and the derived 1.576 strictly inside
    t = np.array(r["taus"])
    assert t.min() < 0.2 and t.max() > 1.576 and np.allclose(np.diff(np.log(t)), np.log(t[1] / t[0]), rtol=1e-9)
    # the default setting is the source's: d = 4 latents, 2 of them content, M = 64 negatives, seed 0
    assert all(len(c["tau"]) == 4 and c["d_c"] == 2 and c["M"] == 64 and c["seed"] == 0 for c in fake.calls)


# ----------------------------------------------------------------------------- M → ∞ limit
def test_kernel_moments_flat_kernel():
    # s → 0: k ≡ 1, r2 = E(z − y)² = 1/6, r1z = E z² − (E z)² = 1/12 (the first-order values)
    r2, r1z = dynamics._kernel_moments(1e-8)
    assert r2 == pytest.approx(1 / 6, rel=1e-10) and r1z == pytest.approx(1 / 12, rel=1e-10)  # quadrature accuracy


def test_kernel_moments_by_gauss_legendre():
    # a second quadrature: 200-point Gauss–Legendre on both axes (exact to ~1e-15 for this analytic integrand);
    # a peaked kernel (s = 12) that a single 21-point Gauss–Kronrod pass does not resolve
    s = 12.0
    u, w = np.polynomial.legendre.leggauss(200)
    u, w = (u + 1) / 2, w / 2
    z, y = u[:, None], u[None, :]
    k = np.exp(-s * s * (z - y) ** 2 / 2)
    den = (k * w).sum(1)
    r2 = (w * (k * (z - y) ** 2 * w).sum(1) / den).sum()
    r1z = (w * u * (k * (z - y) * w).sum(1) / den).sum()
    g2, g1 = dynamics._kernel_moments(s)
    assert g2 == pytest.approx(r2, rel=1e-9) and g1 == pytest.approx(r1z, rel=1e-9)  # both quadratures ≲1e-11


def test_large_M_limit_keys_and_bad_scale():
    out = dynamics.large_M_limit_errors(1e-2)
    assert out["scale"] == 1e-2
    assert out["r2_first_order"] == pytest.approx(1 / 6, rel=1e-12) and out["r1z_first_order"] == pytest.approx(
        1 / 12, rel=1e-12)  # 2σ_z², σ_z²
    assert out["r1z"] == pytest.approx(1 / 12, rel=1e-3)  # O(scale²) = 1e-4 from the flat-kernel value
    with pytest.raises(ValueError, match="scale"):
        dynamics.large_M_limit_errors(0.0)


# ============================================================================= theory/pokle/linear_dynamics.py
def test_pokle_literal_penalty_example_with_noise():
    # σ₀ = 0.2: κ + σ₀² = 0.14, η_max = λ/(2α²·0.14) = 0.5/0.07; η = ½η_max gives c = 2ηα²·0.14 = λ/2 = 0.25
    ex = LD.literal_penalty_example(sigma0=0.2)
    assert ex["eta_max"] == pytest.approx(0.5 / 0.07, rel=1e-12)  # float rounding only
    assert ex["c"] == pytest.approx(0.25, rel=1e-12)
    assert ex["C1_t1"] == pytest.approx(1 - ex["eta"] * 0.5 - 0.25, rel=1e-12)  # λ_eff − c, λ_eff = 1 − η(1 − λ)


def test_pokle_printed_c2_defaults_and_shift():
    lam, c0 = sp.symbols("lambda c0", positive=True)
    # default shift 0 is the formula as printed: t = 1 gives c₀(λ − c₀)
    assert (LD.c2_paper((c0,), lam) - c0 * (lam - c0)).expand() == 0
    assert LD.c2_paper_numeric([0.3], 0.9) == pytest.approx(0.3 * 0.6, rel=1e-12)  # float rounding only
    # shift 1 (Π from i = j + 1) is the derived C₂ = ½[Π(λ + c) − Π(λ − c)]: t = 3 by hand
    cs, lm = [0.3, 0.2, 0.1], 0.9
    half = (np.prod([lm + c for c in cs]) - np.prod([lm - c for c in cs])) / 2
    assert LD.c2_paper_numeric(cs, lm, 1) == pytest.approx(half, rel=1e-12)


def test_pokle_thm2_single_step_already_rejects_printed_c2():
    # tmax = 1: the printed C₂ is already wrong at t = 1 (c₀(λ − c₀) ≠ c₀); the corrected ones hold
    co = LD.thm2_coefficients(1)
    assert co["C2_paper_as_printed"] is False and co["C2_paper_shifted"] is True and co["C1_product"] is True
    assert co["C2_half_difference"] is True


def test_pokle_gd_step_recursion_three_rows():
    # the recursion holds row by row, so also for m = 3 rows of Wᵒ, Wᵗ (3×2 residuals compared with 3×2 zeros)
    assert all(LD.gd_step_recursion(3).values())


def test_pokle_learning_rate_bound_value():
    # η_max = λ/(2α²(κ + σ₀²)): λ = ½, α = ½, κ = 0.1, σ₀ = 0 gives 10 (exact rationals)
    eta_max = LD.learning_rate_condition()["eta_max"]
    val = {"lambda": sp.Rational(1, 2), "alpha": sp.Rational(1, 2),
           "kappa": sp.Rational(1, 10), "sigma0": 0}
    assert eta_max.subs({s: val[s.name] for s in eta_max.free_symbols}) == 10


def test_large_M_limit_errors_by_norm_identity():
    # W A = scale·Q with Q orthogonal, so ‖W A X‖_F = scale‖X‖_F and the relative error of the full formula is
    # |r2 − 2σ_z²|·‖Aᵀ‖_F / ‖(2σ_z² I − Λ~)Aᵀ‖_F, whatever Q is; the setting is lemma5_table's: d = 4, d_c = 1,
    # σ_c = 0, σ_s = 0.2, A the seed's linear generator made with cond = 2
    from sslverify.numerics.content_style import make_generator
    for seed in (0, 1):
        A = make_generator(4, "linear", seed=seed, cond=2.0).linear_matrix()
        out = dynamics.large_M_limit_errors(1.0, seed=seed) if seed else dynamics.large_M_limit_errors(1.0)
        lam = np.diag([0.0, 0.04, 0.04, 0.04])
        for key, lim, f in (("full", out["r2"], 2 * SZ2), ("detached", out["r1z"], SZ2)):
            want = abs(lim - f) * np.linalg.norm(A.T) / np.linalg.norm((f * np.eye(4) - lam) @ A.T)
            assert out[f"err_{key}"] == pytest.approx(want, rel=1e-9)  # float rounding of 4×4 products only


# ============================================================================= theory/pokle/landscape.py
def _a17_numeric(t, a, G):
    """A.17 for d = 2 in floats: Σ_b a·p(b) Σ_i [−τ b_i G_ii + log Σ_j exp(τ b_j G_ij)], masks b_k ~ Bernoulli(α)."""
    tot = 0.0
    for b0 in (0, 1):
        for b1 in (0, 1):
            bits = (b0, b1)
            pb = np.prod([a if v else 1 - a for v in bits])
            for i in range(2):
                tot += a * pb * (-t * bits[i] * G[i][i] + math.log(sum(math.exp(t * bits[j] * G[i][j]) for j in range(2))))
    return tot


def test_pokle_a17_derivatives_by_finite_differences():
    from sslverify.theory.pokle import landscape
    r = landscape.a17_monotonicity()
    assert r["dGii_negative"] and r["dGij_positive"]
    t, a, g00, g01, g11 = 1.3, 0.4, 0.7, 0.2, 0.5
    vals = {"tau": t, "alpha": a, "g00": g00, "g01": g01, "g11": g11}
    h = 1e-6  # central differences: error ~h² ≈ 1e-12 (derivatives of order 1), far below the 1e-7 tolerance
    G = lambda d00=0.0, d01=0.0: [[g00 + d00, g01 + d01], [g01 + d01, g11]]  # noqa: E731  (symmetric G)
    fd_ii = (_a17_numeric(t, a, G(d00=h)) - _a17_numeric(t, a, G(d00=-h))) / (2 * h)
    fd_ij = (_a17_numeric(t, a, G(d01=h)) - _a17_numeric(t, a, G(d01=-h))) / (2 * h)
    for key, fd in (("dL_dGii", fd_ii), ("dL_dGij", fd_ij)):
        e = sp.sympify(r[key])
        got = float(e.subs({s: vals[s.name] for s in e.free_symbols}))
        assert got == pytest.approx(fd, rel=1e-7, abs=1e-9)


def test_pokle_moment_symbols_carry_their_domains():
    # κ (a probability) and α (a mask rate) are returned as positive symbols, S's entries as real ones, so that
    # callers' simplifications (e.g. sign checks) may use those domains; the moments are κI and α²S
    k, E = LD.second_moment_symbolic(2)
    assert k.is_positive and E == k * sp.eye(2)
    a, S, EDSD = LD.masked_cross_moment(3)
    assert a.is_positive and all(s.is_real for s in S) and S == S.T
    assert (EDSD - a**2 * S).applyfunc(sp.expand) == sp.zeros(3, 3)


def test_pokle_noncl_loss_exact_at_a_point():
    import torch

    from sslverify.theory.pokle import landscape
    # the symbolic eq. 6 loss and the float64 enumeration agree at a numeric W (two implementations), and both
    # equal the closed form 2 − 2α²/d Σ ReLU(W_ij)² there
    W, a, L, closed = landscape.noncl_loss_exact(2)
    Wn = [[0.5, -0.3], [0.2, 0.8]]
    sub = {W[i, j]: sp.Rational(Wn[i][j]).limit_denominator(10) for i in range(2) for j in range(2)}
    sub[a] = sp.Rational(1, 3)
    want = 2 - 2 * sp.Rational(1, 9) / 2 * sum(max(sp.Rational(v).limit_denominator(10), 0) ** 2 for r in Wn for v in r)
    assert L.subs(sub) == want
    got = landscape.noncl_loss_enumerated(torch.tensor(Wn, dtype=torch.float64), 1 / 3)
    assert float(got) == pytest.approx(float(want), rel=1e-12)  # float64 rounding only
    # a (2, 3) batch of matrices gives each matrix's own value
    Wb = torch.randn(2, 3, 2, 2, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    batch = landscape.noncl_loss_enumerated(Wb, 0.5)
    assert batch.shape == (2, 3)
    assert all(float(batch[i, j]) == pytest.approx(float(landscape.noncl_loss_enumerated(Wb[i, j], 0.5)), rel=1e-12)
               for i in range(2) for j in range(3))  # the same sums in another order: rounding only


def test_pokle_is_permutation_tolerance_is_inclusive():
    import torch

    from sslverify.theory.pokle import landscape
    # (a batch of one) an entry exactly tol away from the permutation (0.25, exact in binary) is within tol;
    # columns that both peak in the same row are not a permutation
    W = torch.tensor([[[0.0, 1.0], [1.0, 0.25]]], dtype=torch.float64)
    assert landscape.is_permutation(W, 0.25).tolist() == [True] and landscape.is_permutation(W, 0.125).tolist() == [False]
    same_row = torch.tensor([[[1.0, 1.0], [0.0, 0.0]]], dtype=torch.float64)
    assert landscape.is_permutation(same_row, 0.5).tolist() == [False]
    # d = 3 with no column peaking in the last row: still a 3×3 comparison, not a permutation
    no_last = torch.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 1.0], [0.0, 0.0, 0.0]]], dtype=torch.float64)
    assert landscape.is_permutation(no_last, 0.5).tolist() == [False]


# ============================================================================= theory/rusak/first_order.py
def test_first_order_rates_with_temperature_by_hand():
    from sslverify.theory.rusak import first_order
    # A = diag(1, 2, 2), d_c = 2 content latents (σ_c² = 0), σ_s² = 0.04 given as a float (read as 1/25), τ = (2, 1, 1):
    # rate_k = λ'_k (AᵀA)_kk / τ_k, λ' = (1/6, 1/6, 1/6 − 1/25 = 19/150): (1/12, 2/3, 38/75)
    r = first_order.first_order_rates([[1, 0, 0], [0, 2, 0], [0, 0, 2]], 2, 0, 0.04, tau=[2, 1, 1])
    assert r["rates_exact"] == ["1/12", "2/3", "38/75"]
    assert r["rates"] == pytest.approx([1 / 12, 2 / 3, 38 / 75], rel=1e-12)  # floats of exact rationals
    assert r["content_mean"] == pytest.approx((1 / 12 + 2 / 3) / 2, rel=1e-12)
    assert r["style_mean"] == pytest.approx(38 / 75, rel=1e-12)
    # no content latent (d_c = 0) or no style latent (d_c = d) are valid settings whose missing mean is NaN
    r0 = first_order.first_order_rates([[1, 0], [0, 1]], 0, 0, sp.Rational(1, 25))
    assert math.isnan(r0["content_mean"]) and r0["style_mean"] == pytest.approx(19 / 150, rel=1e-12)
    r2 = first_order.first_order_rates([[1, 0], [0, 1]], 2, 0, sp.Rational(1, 25))
    assert math.isnan(r2["style_mean"]) and r2["content_mean"] == pytest.approx(1 / 6, rel=1e-12)


def test_pokle_brute_max_cosine_normalises_the_dictionary():
    from sslverify.theory.pokle import landscape
    # cosines do not depend on the length of the dictionary's columns: W = I against M = diag(2, 3) is all 1
    assert landscape.brute_max_cosine(np.eye(2), np.diag([2.0, 3.0])) == pytest.approx([1.0, 1.0, 1.0], rel=1e-12)
