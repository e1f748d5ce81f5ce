"""Ziyin et al. App. D.4: spectral contrastive loss (eq. 16–17) and Barlow Twins for a linear model."""
from __future__ import annotations

import numpy as np
import sympy as sp
import pytest
from hypothesis import given
from hypothesis import strategies as st

import torch

from sslverify.numerics.tolerance import assert_rel_close, monte_carlo_close
from sslverify.theory.ziyin import landscape as la
from sslverify.theory.ziyin import normalization as no
from sslverify.theory.ziyin import other_losses as ol
from test_ziyin_normalization import eq5_minimiser

# Monte Carlo setting of the second-method tests: non-commuting A0, C and a generic W (d = 2)
A0_MC = np.array([[2.0, 0.3], [0.3, 1.0]])
C_MC = np.array([[0.5, -0.2], [-0.2, 1.5]])
W_MC = np.array([[0.4, -0.3], [0.2, 0.5]])
DRAWS = 200_000


def _views(seed: int, draws: int = DRAWS):
    """f(x), f(x'), f(χ) for x = x̂ + ε, x' = x̂ + ε', χ = χ̂ + ε'' (numpy, independent of the Isserlis engine)."""
    rng = np.random.default_rng(seed)
    La, Lc = np.linalg.cholesky(A0_MC), np.linalg.cholesky(C_MC)
    xh = rng.standard_normal((draws, 2)) @ La.T
    x, xp = xh + rng.standard_normal((draws, 2)) @ Lc.T, xh + rng.standard_normal((draws, 2)) @ Lc.T
    chi = rng.standard_normal((draws, 2)) @ La.T + rng.standard_normal((draws, 2)) @ Lc.T
    return x @ W_MC.T, xp @ W_MC.T, chi @ W_MC.T


def _tr(M) -> float:
    return float(np.trace(W_MC @ M @ W_MC.T))


def test_scl_isserlis():
    # eq. 16 → our form −2Tr[WA0Wᵀ] + Tr[(WΣWᵀ)²] exactly; eq. 17's −2Tr[WCWᵀ] differs by 2Tr[W(C−A0)Wᵀ]
    s = ol.scl_symbolic()
    assert s["ours"] == 0 and s["source"] != 0 and s["source_minus_ours"] == 0


def test_scl_spread_and_rank():
    # App. D.4: features spread along A0 (not C); no collapse when A0 ≻ 0 (Prop 2 with B = 2A0)
    G = ol.scl_predicted_gram(np.diag([2.0, 1.0]), np.diag([1.0, 2.0]), 2)
    assert_rel_close(G, np.diag([2 / 9, 1 / 9]), 1e-12, floor=1e-3, reason="float64 round-off")
    assert ol.scl_predicted_rank(np.diag([2.0, 1.0]), np.diag([5.0, 9.0]), 2) == 2
    assert ol.scl_predicted_rank(np.diag([2.0, 0.0]), np.diag([5.0, 9.0]), 2) == 1


@given(st.integers(0, 10_000))
def test_scl_global_min_property(seed):
    # the SCL quartic form's global minimum is Thm 1's with B = 2A0: WᵀW = Σ⁻¹A0Σ⁻¹ when commuting, d1 = d0
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    a, c = rng.uniform(0.1, 2, 3), rng.uniform(0, 2, 3)
    A0, C = Q @ np.diag(a) @ Q.T, Q @ np.diag(c) @ Q.T
    S = A0 + C
    G = ol.scl_predicted_gram(A0, C, 3)
    assert_rel_close(G, np.linalg.inv(S) @ A0 @ np.linalg.inv(S), 1e-9, floor=1.0, reason="float64 round-off")
    W = la.weights_from_gram(G, 3)
    assert np.abs(la.quartic_grad(W, 2 * A0, S)).max() < 1e-9  # float64 round-off


def test_barlow_isserlis():
    # App. D.4: E[f(x)f(x')ᵀ] = WA0Wᵀ; W² term −2Tr[WA0Wᵀ] (source: −2Tr[WΣWᵀ]); λ = 1: ‖I − WA0Wᵀ‖²;
    # standardized BT is scale invariant (no expansion at W = 0)
    s = ol.barlow_symbolic()
    assert all(x == 0 for x in s["cross_minus_WA0W"]) and any(x != 0 for x in s["cross_minus_WSigmaW"])
    assert s["second_order_minus_ours"] == 0 and s["second_order_minus_source"] != 0
    A0, C, W = ol._setup()[:3]
    # the source's W² term −2Tr[WΣWᵀ] misses ours by exactly 2Tr[WCWᵀ] (Σ = A0 + C); cross − WΣWᵀ = −WCWᵀ
    assert sp.expand(s["second_order_minus_source"] - 2 * (W * C * W.T).trace()) == 0
    assert all(sp.expand(v + e) == 0 for v, e in zip(s["cross_minus_WSigmaW"], W * C * W.T))
    assert s["lambda1_identity"] == 0
    assert all(x == 0 for x in s["standardized_scale_residual"])


@given(st.integers(0, 10_000), st.floats(0.0, 3.0), st.integers(1, 3))
def test_barlow_global_minimum_property(seed, lam, d1):
    # App. D.4: WA0Wᵀ = I reaches zero loss (rank d1, no collapse); loss formula checked at λ = 1 and a perturbation
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(3, 3))
    A0 = A @ A.T + 0.1 * np.eye(3)
    W = ol.barlow_global_min_weights(A0, d1)
    assert_rel_close(W @ A0 @ W.T, np.eye(d1), 1e-9, floor=1.0, reason="float64 round-off")
    assert ol.barlow_loss(W, A0, lam) < 1e-18  # squared round-off
    V = W + 0.1 * rng.normal(size=W.shape)
    Cm = V @ A0 @ V.T
    assert ol.barlow_loss(V, A0, 1.0) == pytest.approx(np.sum((np.eye(d1) - Cm) ** 2), rel=1e-12)  # float64 round-off
    if d1 > 1:
        assert ol.barlow_loss(V, A0, lam) > 0
    with pytest.raises(ValueError, match="d1 <= d0"):
        ol.barlow_global_min_weights(A0, 4)


def test_barlow_second_order_scale():
    # the W² coefficient: L(tW) = d1 − 2t²Tr[WA0Wᵀ] + O(t⁴), numerically at small t
    A0 = np.diag([2.0, 1.0])
    W = np.array([[0.3, -0.2], [0.1, 0.4]])
    t = 1e-3
    slope = (ol.barlow_loss(t * W, A0, 0.7) - 2) / t ** 2
    assert slope == pytest.approx(-2 * np.trace(W @ A0 @ W.T), rel=1e-5)  # O(t²) = 1e-6 remainder
    # the source's −2Tr[WΣWᵀ] (here C = I) is 2Tr[WWᵀ] = 0.6 away: 1e-2 relative separates it from round-off
    assert not slope == pytest.approx(-2 * np.trace(W @ (A0 + np.eye(2)) @ W.T), rel=1e-2)


def test_scl_monte_carlo():
    # second method for ziyin.scl (found by Isserlis): Monte Carlo of −2f(x)ᵀf(x') + (f(x)ᵀf(χ))² against
    # −2Tr[WA0Wᵀ] + Tr[(WΣWᵀ)²] (derived, −0.488) and eq. 17's −2Tr[WCWᵀ] + Tr[(WΣWᵀ)²] (−0.268)
    f, fp, fc = _views(1)
    v = -2 * (f * fp).sum(1) + (f * fc).sum(1) ** 2
    P = W_MC @ (A0_MC + C_MC) @ W_MC.T
    ours, source = -2 * _tr(A0_MC) + np.trace(P @ P), -2 * _tr(C_MC) + np.trace(P @ P)
    ok, mean, se = monte_carlo_close(v, ours)  # z = 5 standard errors (CLT false-alarm < 1e-6)
    assert ok, (mean, se, ours)
    assert abs(mean - source) > 10 * se, (mean, se, source)  # eq. 17 is ≥ 10 SE off (measured ≈ 37 SE)


def test_barlow_monte_carlo():
    # second method for ziyin.barlow: the W² coefficient of the population BT loss is −2E[f(x)ᵀf(x')] (Monte Carlo),
    # which must equal −2Tr[WA0Wᵀ] (derived, 0.728), not −2Tr[WΣWᵀ] (source, 1.346)
    f, fp, _ = _views(2)
    v = (f * fp).sum(1)
    ok, mean, se = monte_carlo_close(v, _tr(A0_MC))  # z = 5 standard errors (CLT false-alarm < 1e-6)
    assert ok, (mean, se, _tr(A0_MC))
    assert abs(mean - _tr(A0_MC + C_MC)) > 10 * se  # measured ≈ 250 SE
    # and the full cross-covariance matrix, entry by entry
    cross = (f[:, :, None] * fp[:, None, :])
    for i in range(2):
        for j in range(2):
            ok, m, e = monte_carlo_close(cross[:, i, j], (W_MC @ A0_MC @ W_MC.T)[i, j])  # z = 5 SE
            assert ok, (i, j, m, e)


def test_vicreg_expansion_symbolic():
    # §1.2 VICReg, derived from its loss (population, Isserlis, d = 2): invariance E‖W(x − x')‖² = 2Tr[WCWᵀ];
    # covariance term is W⁴ only; κR gives −2κcTr[WΣWᵀ]; VICReg's own hinge gives −(μ/(d1√ε))Tr[WΣWᵀ];
    # the W² term differs from the source's B = −A0 and contains no A0 outside the variance model
    s = ol.vicreg_symbolic()
    assert s["invariance_minus_2WCW"] == 0 and s["quadratic_minus_derived"] == 0
    assert s["quadratic_minus_source"] != 0 and not s["B_term_has_A0"]
    assert s["covariance_t2"] == 0 and s["odd_orders"] == [0, 0]
    assert s["hinge_quadratic_minus"] == 0
    assert np.array_equal(no.vicreg_B(np.diag([1.0, 2.0]), 3.0), np.diag([-6.0, -12.0]))  # B = −2λC, exact
    # the gap to the source's B = −A0, exactly: (2λTr[WCWᵀ] − 2κcTr[WΣWᵀ]) − (Tr[WA0Wᵀ] − 2κcTr[WΣWᵀ])
    A0, C, W = ol._setup()[:3]
    lam = sp.Symbol("lambda_inv", positive=True)
    tr = lambda M: (W * M * W.T).trace()  # noqa: E731
    assert sp.expand(s["quadratic_minus_source"] - (2 * lam * tr(C) - tr(A0))) == 0


def test_vicreg_invariance_monte_carlo():
    # second method for ziyin.vicreg: E‖W(x − x')‖² by Monte Carlo = 2Tr[WCWᵀ] (1.236), not Tr[WA0Wᵀ] (0.728)
    f, fp, _ = _views(3)
    v = ((f - fp) ** 2).sum(1)
    ok, mean, se = monte_carlo_close(v, 2 * _tr(C_MC))  # z = 5 standard errors (CLT false-alarm < 1e-6)
    assert ok, (mean, se, 2 * _tr(C_MC))
    assert abs(mean - _tr(A0_MC)) > 10 * se  # measured ≈ 150 SE


def test_vicreg_origin_hessian_autograd():
    # second method for ziyin.vicreg: torch autograd Hessian at W = 0 of the sampled VICReg loss (invariance + κR +
    # covariance term, and separately VICReg's own hinge variance term with torch.var) against the derived matrices
    # 2(I ⊗ (2λC − 2κcΣ)) and 2(I ⊗ (2λC − (μ/(d1√ε))Σ)); the source's B = −A0 would give 2(I ⊗ (A0 − 2κcΣ))
    n, lam, kappa, c, nu, mu, eps = 40_000, 1.0, 0.3, 1.0, 1.0, 1.0, 1e-2
    rng = np.random.default_rng(4)
    La, Lc = np.linalg.cholesky(A0_MC), np.linalg.cholesky(C_MC)
    xh = rng.standard_normal((n, 2)) @ La.T
    xn, xpn = xh + rng.standard_normal((n, 2)) @ Lc.T, xh + rng.standard_normal((n, 2)) @ Lc.T
    x, xp = torch.tensor(xn), torch.tensor(xpn)

    def vicreg_model(w):
        W = w.reshape(2, 2)
        z, zp = x @ W.T, xp @ W.T
        cov = z.T @ z / n
        off = cov - torch.diag(torch.diag(cov))
        return lam * ((z - zp) ** 2).sum(1).mean() + kappa * (torch.trace(cov) - c) ** 2 + 2 * nu * (off ** 2).sum() / 2

    def vicreg_hinge(w):
        W = w.reshape(2, 2)
        out = lam * ((x @ W.T - xp @ W.T) ** 2).sum(1).mean()
        for z in (x @ W.T, xp @ W.T):
            out = out + mu * torch.relu(1.0 - torch.sqrt(z.var(dim=0) + eps)).mean()
        return out

    S = A0_MC + C_MC
    dd = xn - xpn
    outer = lambda a: a[:, :, None] * a[:, None, :]  # noqa: E731  per-draw outer products
    # per-draw contributions to M (Hessian = 2·I ⊗ mean): their standard errors set the tolerance
    per_model = 2 * lam * outer(dd) - 2 * kappa * c * outer(xn)
    per_hinge = 2 * lam * outer(dd) - mu / (4 * np.sqrt(eps)) * (outer(xn) + outer(xpn))
    zero = torch.zeros(4, dtype=torch.float64)
    for fn, M, per in ((vicreg_model, 2 * lam * C_MC - 2 * kappa * c * S, per_model),
                       (vicreg_hinge, 2 * lam * C_MC - mu / (2 * np.sqrt(eps)) * S, per_hinge)):
        Hs = torch.autograd.functional.hessian(fn, zero).numpy()
        se = 2 * np.kron(np.eye(2), per.std(axis=0, ddof=1) / np.sqrt(n))
        # Monte Carlo: 5 standard errors per entry (CLT false-alarm < 1e-6 per entry); + 1e-12 for the exact zeros
        # of the off-diagonal blocks
        assert np.all(np.abs(Hs - 2 * np.kron(np.eye(2), M)) <= 5 * se + 1e-12), (Hs, M, se)
    # the theory helper's eigenvalues are those of the hinge matrix the autograd Hessian matched (d1 = 2 here)
    M_hinge = 2 * lam * C_MC - mu / (2 * np.sqrt(eps)) * S
    assert np.allclose(no.vicreg_hinge_origin_matrix(C_MC, S, lam, mu, 2, eps), np.linalg.eigvalsh(M_hinge),
                       rtol=1e-12, atol=1e-12)  # the same float64 matrix: round-off only
    for bad in (dict(mu=0.0), dict(eps=0.0), dict(d1=1.5), dict(d1=0)):
        kw = dict(mu=mu, d1=2, eps=eps) | bad
        with pytest.raises(ValueError, match="mu > 0, eps > 0"):
            no.vicreg_hinge_origin_matrix(C_MC, S, lam, **kw)
    # the source's B = −A0 model is far off in the invariance + κR case: ≥ 20 SE in some entry
    Hs = torch.autograd.functional.hessian(vicreg_model, zero).numpy()
    se = 2 * np.kron(np.eye(2), per_model.std(axis=0, ddof=1) / np.sqrt(n))
    assert np.max(np.abs(Hs - 2 * np.kron(np.eye(2), A0_MC - 2 * kappa * c * S)) / (se + 1e-300)) > 20
    # and the closed-form gradient used by the checks matches autograd at a random W
    W = rng.normal(size=(2, 2))
    Wt = torch.tensor(W, requires_grad=True)
    P = Wt @ torch.tensor(S) @ Wt.T
    off = P - torch.diag(torch.diag(P))
    L = 2 * lam * torch.trace(Wt @ torch.tensor(C_MC) @ Wt.T) + kappa * (torch.trace(P) - c) ** 2 + 2 * nu * (off ** 2).sum() / 2
    g = torch.autograd.grad(L, Wt)[0].numpy()
    assert_rel_close(no.vicreg_population_grad(W, A0_MC, C_MC, kappa, c, lam, nu), g, 1e-10, floor=1.0,
                     reason="float64 round-off")
    assert no.vicreg_population_loss(W, A0_MC, C_MC, kappa, c, lam, nu) == pytest.approx(L.item(), rel=1e-12)  # round-off


# ----------------------------------------------------------------------------- SCL with normalisation (κ → ∞)
def test_scl_with_normalisation_can_collapse():
    """App. D.4's no-collapse sentence is made 'when normalization exists' (§1.2's eq. 5, κ → ∞).  A0 = I₃,
    C = diag(0, 0, 9), c = 1, derived B = 2A0: λ = 2a/(a + c) = (2, 2, 0.2); the full mask has h₃ = ½(0.2 + (2 − 4.2)/3)
    < 0, mask {1, 2} gives h = ½(2 + (2 − 4)/2) = ½ each (worked by hand), so WᵀW → diag(½, ½, 0): the strongly
    augmented direction collapses.  Second method: direct minimisation at κ = 1e3 (no masks).  With eq. 17's B = 2C
    the same data do not collapse (full mask, h = (1/30, 1/30, 14/15)), so the collapse comes from the correction."""
    r = ol.scl_normalized_limit([1.0, 1.0, 1.0], [0.0, 0.0, 9.0])
    assert r["mask"] == [0, 1]
    np.testing.assert_allclose(r["gram_diag"], [0.5, 0.5, 0.0], rtol=0, atol=1e-15)  # exact halves, float64
    W = eq5_minimiser([2.0, 2.0, 2.0], [1.0, 1.0, 10.0], kappa=1e3)
    G = W.T @ W
    # finite κ: h = ½(λ + 2κ(c − ½Σ_Mλ)/(1 + κ d_M)) is 2.5e-4 off its limit at κ = 1e3 (σ = 1 there): 1e-3 is 4× that
    np.testing.assert_allclose(G, np.diag([0.5, 0.5, 0.0]), rtol=0, atol=1e-3)
    assert G[2, 2] < 1e-8
    s = ol.scl_normalized_limit([1.0, 1.0, 1.0], [0.0, 0.0, 9.0], source=True)
    assert s["mask"] == [0, 1, 2]
    np.testing.assert_allclose(s["gram_diag"], [1 / 30, 1 / 30, (14 / 15) / 10], rtol=1e-12)  # float64 round-off
    Ws = eq5_minimiser([0.0, 0.0, 18.0], [1.0, 1.0, 10.0], kappa=1e3)
    Gs = Ws.T @ Ws
    np.testing.assert_allclose(np.diag(Gs), s["gram_diag"], rtol=0, atol=1e-3)  # same finite-κ margin as above


@pytest.mark.parametrize("kw, match", [
    (dict(a0=[1.0], c_aug=[1.0, 2.0]), "one length"),
    (dict(a0=[-1.0], c_aug=[1.0]), "finite and >= 0"),
    (dict(a0=[0.0], c_aug=[0.0]), r"a0 \+ c_aug must be > 0"),
    (dict(a0=[1.0], c_aug=[1.0], c=0.0), "c must be a finite number > 0"),
])
def test_scl_normalized_limit_rejects_bad_input(kw, match):
    """Diagonals of one length, non-negative, Σ invertible, c > 0: otherwise ValueError naming the parameter."""
    with pytest.raises(ValueError, match=match):
        ol.scl_normalized_limit(**kw)


def test_scl_normalized_limit_without_collapse_is_the_full_mask():
    """A0 = diag(2, 1), C = diag(1, 2), c = 1 (the record's example): λ = (4/3, 2/3), full mask
    h = ½(λ + (2 − 2)/2) = (2/3, 1/3), WᵀW = h/σ = (2/9, 1/9): the unnormalised global minimum Σ⁻¹A0Σ⁻¹ again
    (here Tr H = 1 = c already)."""
    r = ol.scl_normalized_limit([2.0, 1.0], [1.0, 2.0])
    assert r["mask"] == [0, 1]
    np.testing.assert_allclose(r["gram_diag"], [2 / 9, 1 / 9], rtol=1e-12)  # float64 round-off


def test_scl_normalized_limit_reports_lambda_and_limit_loss():
    """The counterexample's λ = 2a/(a + c) = (2, 2, 0.2) and limit loss Σ_M(h² − λh) = 2(¼ − 1) = −3/2 (by hand)."""
    r = ol.scl_normalized_limit([1.0, 1.0, 1.0], [0.0, 0.0, 9.0])
    np.testing.assert_allclose(r["lam"], [2.0, 2.0, 0.2], rtol=1e-15)  # 2·1/10 = 0.2 up to one rounding
    assert abs(r["loss"] + 1.5) < 1e-15  # halves and small integers: exact in float64


def test_scl_normalized_limit_takes_exact_entries():
    """Fractions and ints are read as float64: the same answer as the float input (no object arrays)."""
    from fractions import Fraction
    exact = ol.scl_normalized_limit([Fraction(1), 1, 1], [0, 0, Fraction(9)])
    assert exact == ol.scl_normalized_limit([1.0, 1.0, 1.0], [0.0, 0.0, 9.0])


@pytest.mark.parametrize("a0, c_aug, c, mask, gram", [
    # one direction, λ = 0.2/1.1 < c = 1: the only mask {1} has loss c² − λc > 0; W = 0 (empty mask) is not allowed
    # by the normalisation ρ = c, so the answer is h = c, WᵀW = c/σ = 1/1.1
    ([0.1], [1.0], 1.0, [0], [1 / 1.1]),
    # λ = (2, 0.0198), c = 0.1: the full mask has h₂ = ½(0.0198 + (0.2 − 2.0198)/2) < 0; {1} alone: h = c,
    # loss 0.01 − 0.2 < 0 beats {2} alone (0.01 − 0.00198 > 0): WᵀW = (0.1/1, 0)
    ([1.0, 0.01], [0.0, 1.0], 0.1, [0], [0.1, 0.0]),
])
def test_scl_normalized_limit_single_direction_masks(a0, c_aug, c, mask, gram):
    """Masks of one direction, worked by hand (every feasible non-empty mask is compared, the empty one never)."""
    r = ol.scl_normalized_limit(a0, c_aug, c)
    assert r["mask"] == mask
    np.testing.assert_allclose(r["gram_diag"], gram, rtol=1e-12, atol=0)  # float64 round-off
