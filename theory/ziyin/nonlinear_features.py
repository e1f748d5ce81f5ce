"""Fixed nonlinear features (Ziyin et al. §1.3, eq. 6, Fig. 1): the curvature of weighted InfoNCE at W = 0.

Setting: f(x) = Wφ(x) with a FIXED feature map φ (the source's decomposition "f(x) = Wφ(x)", §1),
x = x̂ + ε, x' = x̂ + ε', negatives χ_j = x̂_j + ε_j, all independent; per anchor (eq. 3)
ℓ = −u_0 + log(Σ_j e^{u_j} + α e^{u_0}), u_0 = −½|W(φ(x) − φ(x'))|², u_j = −½|W(φ(x) − φ(χ_j))|².

Derived here from the loss (not copied from the source):

* ``feature_order2``: the order-W² term of E[ℓ] for ANY fixed φ is −b Tr[W A_φ Wᵀ], b = (N−1)/K,
  K = N − 1 + α, with A_φ := Cov_x̂(m(x̂)), m(x̂) := E_ε φ(x̂ + ε) (the feature *smoothed* by the
  augmentation).  The conditional covariance E_x̂ Cov_ε φ (the nonlinear analogue of C) cancels exactly,
  as in the linear model (φ = id gives A_φ = A0).  Hence the curvature of a ↦ L(aW) + γ‖aW‖²_F at a = 0 is
  −2b Tr[W A_φ Wᵀ] + 2γ‖W‖²_F (``curvature``): augmentation changes the stability of the origin only
  through A_φ (for a saturating φ it shrinks as σ grows), and the origin can only become a minimum with a
  positive quadratic term such as weight decay (without it the curvature is ≤ 0 for every φ and σ).
* fixed data set X (N points, the App. B setting): order 2 = −(N/K) Tr[W Ĉov_i(m(x̂_i)) Wᵀ]
  (``fixed_dataset_B``), the feature version of ``expansion.predicted_B_fixed_dataset``.
* φ = erf: A_φ = (2/π) arcsin(2a / (1 + 2a + 2σ²)) for x̂ ~ N(0, a), ε ~ N(0, σ²) (``erf_covariance_expr``:
  Price's theorem ∂E[g(Y1)h(Y2)]/∂r = E[g'(Y1)h'(Y2)] with E e^{−Y1²−Y2²} = det(I + 2Σ)^{−1/2}, integrated in r
  and checked by differentiation); the curvature crosses zero at σ*² = a / sin(πγ/(2b)) − a − ½
  (``erf_crossing``).
* φ = tanh (no closed form): A_φ by nested Gauss–Hermite quadrature (``smoothed_variance``).

The source's own definitions for a general φ (§1): A0 := E[φ(x̂)φ(x̂)ᵀ], Σ := E[φ(x)φ(x)ᵀ], C := Σ − A0, and
(§1.1) B = A0 − (1−α)C/N; ``source_curvature`` evaluates the source's curvature −2Tr[WBWᵀ] + 2γ‖W‖² with
them, for comparison.
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import sympy as sp

from sslverify.theory.ziyin.expansion import ALPHA, N_, _check_alpha, _check_N, u_level_series

#: Elementwise feature maps by name (JSON-able settings): numpy implementations.
PHI_NAMES = ("tanh", "erf", "relu", "identity")

# trace symbols: T2 = Tr[W E φ(x)φ(x)ᵀ Wᵀ] (one view), Tpp = Tr[W E φ(x)φ(x')ᵀ Wᵀ] (two views of the same x̂),
# T11 = Tr[W μμᵀ Wᵀ] with μ = E φ (two views of independent points)
T2, TPP, T11 = sp.symbols("T_2 T_pp T_11", real=True)


def _phi(name: str):
    if name == "tanh":
        return np.tanh
    if name == "erf":
        from scipy.special import erf

        return erf
    if name == "relu":
        return lambda z: np.maximum(z, 0.0)
    if name == "identity":
        return lambda z: np.asarray(z, dtype=np.float64)
    raise ValueError(f"phi must be one of {PHI_NAMES}, got {name!r}")


def _check_nonneg(name: str, x) -> float:
    x = float(x)
    if not (math.isfinite(x) and x >= 0):
        raise ValueError(f"{name} must be a finite number >= 0, got {x}")
    return x


# ----------------------------------------------------------------------------- symbolic: general fixed φ
def feature_moments():
    """E u_0, E u_j in the trace symbols: E|W(φ(x) − φ(x'))|² = 2(T2 − Tpp), E|W(φ(x) − φ(χ))|² = 2(T2 − T11)."""
    return {"Eu_pos": -(T2 - TPP), "Eu_neg": -(T2 - T11)}


@lru_cache(maxsize=None)
def feature_order2() -> sp.Expr:
    """Order-W² term of E[ℓ] for a fixed feature map, symbolic N and α (from the u-level series of eq. 3:
    ℓ = log K + (−u_0 + (Σ_j u_j + αu_0)/K) + O(u²), expectation by linearity)."""
    m = feature_moments()
    K = N_ - 1 + ALPHA
    return sp.cancel(m["Eu_pos"] * (ALPHA / K - 1) + (N_ - 1) / K * m["Eu_neg"])


def feature_order2_residuals(Ns=(2, 3, 4)) -> dict:
    """Residuals that make ``feature_order2`` a derivation, not a formula:
    * 'closed': E2 − (−b (Tpp − T11)) for symbolic N, α;
    * 'series_N': at explicit N, the s¹ coefficient of SymPy's series of ℓ (``u_level_series``) with the
      u's replaced by their expectations, minus E2 (linearity of E: the s¹ coefficient is linear in u);
    * 'dE2_dT2': derivative at fixed Tpp, T11 — the conditional covariance T2 − Tpp enters only through T2,
      so this is the whole augmentation (C-like) dependence."""
    E2 = feature_order2()
    b = (N_ - 1) / (N_ - 1 + ALPHA)
    out = {"closed": sp.cancel(sp.together(E2 + b * (TPP - T11))), "dE2_dT2": sp.simplify(sp.diff(E2, T2))}
    m = feature_moments()
    for N in Ns:
        c2, _, v = u_level_series(N)
        sub = {v[0]: m["Eu_pos"], **{vj: m["Eu_neg"] for vj in v[1:]}}
        out[f"series_{N}"] = sp.cancel(sp.together(sp.expand(c2.subs(sub, simultaneous=True) - E2.subs(N_, N))))
    return out


def linear_features_reduce_to_linear_model() -> sp.Expr:
    """φ = identity, x̂ ~ N(0, A0), ε ~ N(0, C): T2 = Tr WΣWᵀ, Tpp = Tr WA0Wᵀ, T11 = 0, so E2 must be
    −b Tr[WA0Wᵀ] (``expansion.derived_orders``); returns the residual."""
    from sslverify.theory.ziyin.expansion import TA, TP, derived_orders

    return sp.cancel(sp.together(feature_order2().subs({T2: TA + TP, TPP: TA, T11: 0}) - derived_orders()[0]))


# ----------------------------------------------------------------------------- symbolic: φ = erf
A_, SIG2, GAM, B_ = sp.symbols("a sigma2 gamma b", positive=True)


@lru_cache(maxsize=None)
def erf_covariance_expr():
    """(F, residuals): F(s, r) = E[erf(Y1) erf(Y2)] for Var Y_i = s, Cov = r, and the residuals that prove it:
    'price': ∂F/∂r − (4/π) det(I + 2Σ)^{−1/2} (Price's theorem with erf' = (2/√π)e^{−y²}), 'at_zero': F(s, 0)
    (independent, odd ⇒ 0).  Returns (F, dict of residuals, (s, r))."""
    s, r = sp.symbols("s r", positive=True)
    F = 2 / sp.pi * sp.asin(2 * r / (1 + 2 * s))
    Sig = sp.Matrix([[s, r], [r, s]])
    gauss = 1 / sp.sqrt((sp.eye(2) + 2 * Sig).det())  # E exp(−yᵀy), y ~ N(0, Σ)
    res = {"price": sp.simplify(sp.diff(F, r) - 4 / sp.pi * gauss), "at_zero": sp.simplify(F.subs(r, 0))}
    return F, res, (s, r)


@lru_cache(maxsize=None)
def erf_curvature_expr():
    """Curvature of L(aW) + γa² at a = 0 for d = 1, W = 1, φ = erf, x̂ ~ N(0, a), ε ~ N(0, σ²), with b = (N−1)/K:
    −2b A_φ + 2γ, A_φ = F(a + σ², a).  Returns (curvature, σ*², residual at σ*², d curvature/dσ²)."""
    F, _, (s, r) = erf_covariance_expr()
    A = F.subs({s: A_ + SIG2, r: A_})
    curv = -2 * B_ * A + 2 * GAM
    star = A_ / sp.sin(sp.pi * GAM / (2 * B_)) - A_ - sp.Rational(1, 2)
    resid = sp.simplify(curv.subs(SIG2, star))
    return curv, star, resid, sp.simplify(sp.diff(curv, SIG2))


def erf_crossing(a, N, alpha, gamma) -> float | None:
    """σ* where the erf-feature curvature crosses zero (None if the origin is already a minimum at σ = 0,
    i.e. σ*² < 0, or if γ ≥ b so that the arcsine equation has no solution)."""
    _check_N(N)
    _check_alpha(alpha)
    a, gamma = _check_nonneg("a", a), _check_nonneg("gamma", gamma)
    b = (N - 1) / (N - 1 + alpha)
    if gamma <= 0 or gamma >= b:
        return None
    s2 = a / math.sin(math.pi * gamma / (2 * b)) - a - 0.5
    return math.sqrt(s2) if s2 > 0 else None


def erf_feature_variance(a, sigma) -> float:
    """A_φ for φ = erf (closed form): (2/π) arcsin(2a/(1 + 2a + 2σ²))."""
    a, sigma = _check_nonneg("a", a), _check_nonneg("sigma", sigma)
    return 2 / math.pi * math.asin(2 * a / (1 + 2 * a + 2 * sigma**2))


# ----------------------------------------------------------------------------- numerics: quadrature
@lru_cache(maxsize=8)
def _hermite(nodes: int):
    from numpy.polynomial.hermite_e import hermegauss

    if isinstance(nodes, bool) or not isinstance(nodes, (int, np.integer)) or nodes < 1:
        raise ValueError(f"nodes must be an integer >= 1, got {nodes!r}")
    with np.errstate(all="ignore"):
        x, w = hermegauss(nodes)
    if not (np.all(np.isfinite(w)) and np.all(np.isfinite(x))):  # numpy's weights overflow from about 370 nodes
        raise ValueError(f"nodes must be small enough for finite Gauss-Hermite weights (≤ 360), got {nodes}")
    return x, w / w.sum()


def smoothed(phi: str, points, sigma, nodes: int = 301) -> np.ndarray:
    """m(x̂) = E_ε φ(x̂ + ε), ε ~ N(0, σ²), elementwise, by Gauss–Hermite quadrature (``nodes`` points).

    301 nodes: smoothed_variance of tanh within 1e-6 (relative) at σ ≤ 5 (tests); the pointwise m(x̂) is less
    accurate at large σ (tanh at σ = 5: ~4e-4 relative at x̂ = 0.3)."""
    sigma = _check_nonneg("sigma", sigma)
    f = _phi(phi)
    p = np.asarray(points, dtype=np.float64)
    if sigma == 0:
        return f(p)
    x, w = _hermite(int(nodes))
    return np.tensordot(f(p[..., None] + sigma * x), w, axes=([-1], [0]))


def smoothed_variance(phi: str, a, sigma, nodes: int = 301) -> float:
    """A_φ = Var_x̂(E_ε φ(x̂ + ε)), x̂ ~ N(0, a), ε ~ N(0, σ²), scalar φ: nested Gauss–Hermite quadrature."""
    a = _check_nonneg("a", a)
    x, w = _hermite(int(nodes))
    m = smoothed(phi, math.sqrt(a) * x, sigma, nodes)
    mean = float(np.sum(w * m))
    return float(np.sum(w * (m - mean) ** 2))


def source_feature_B(phi: str, a, sigma, N, alpha, nodes: int = 301) -> float:
    """The source's B = A0 − (1−α)C/N with its own definitions for a general φ (§1): A0 = E φ(x̂)²,
    Σ = E φ(x)², C = Σ − A0 (scalar, x̂ ~ N(0, a), x = x̂ + ε)."""
    _check_N(N)
    _check_alpha(alpha)
    a, sigma = _check_nonneg("a", a), _check_nonneg("sigma", sigma)
    x, w = _hermite(int(nodes))
    f = _phi(phi)
    A0 = float(np.sum(w * f(math.sqrt(a) * x) ** 2))
    Sig = float(np.sum(w * f(math.sqrt(a + sigma**2) * x) ** 2))
    return A0 - (1 - alpha) / N * (Sig - A0)


def b_coefficient(N, alpha) -> float:
    _check_N(N)
    _check_alpha(alpha)
    return (N - 1) / (N - 1 + alpha)


def curvature(W, A_phi, N, alpha, gamma=0.0) -> float:
    """d²/da² [L(aW) + γ‖aW‖²_F] at a = 0 = −2b Tr[W A_φ Wᵀ] + 2γ‖W‖²_F for fixed features (population)."""
    gamma = _check_nonneg("gamma", gamma)
    W = np.atleast_2d(np.asarray(W, dtype=np.float64))
    A = np.atleast_2d(np.asarray(A_phi, dtype=np.float64))
    if A.shape != (W.shape[1], W.shape[1]):
        raise ValueError(f"A_phi must have shape {(W.shape[1], W.shape[1])} to match W, got {A.shape}")
    return float(-2 * b_coefficient(N, alpha) * np.trace(W @ A @ W.T) + 2 * gamma * np.sum(W**2))


def source_curvature(phi: str, a, sigma, N, alpha, gamma=0.0) -> float:
    """The source's curvature along a (d = 1, W = 1): −2 B_source + 2γ (``source_feature_B``)."""
    return -2 * source_feature_B(phi, a, sigma, N, alpha) + 2 * _check_nonneg("gamma", gamma)


def fixed_dataset_B(M, alpha) -> np.ndarray:
    """Fixed data set, smoothed features M (N×d, row i = m(x̂_i)): order 2 = −(N/K)Tr[W Ĉov(M) Wᵀ];
    returns (N/K) Ĉov(M) (population-normalised covariance over the N points)."""
    _check_alpha(alpha)
    M = np.atleast_2d(np.asarray(M, dtype=np.float64))
    N = M.shape[0]
    _check_N(N)
    Mc = M - M.mean(0)
    return N / (N - 1 + alpha) * (Mc.T @ Mc) / N


def curvature_table(phi: str, a, sigmas, N, alpha, gamma) -> list[dict]:
    """Population curvature (d = 1, W = 1) per σ: derived (quadrature A_φ) and the source's."""
    b = b_coefficient(N, alpha)
    rows = []
    for s in sigmas:
        A = smoothed_variance(phi, a, s)
        rows.append({"sigma": float(s), "A_phi": A, "curvature": -2 * b * A + 2 * float(gamma),
                     "source_curvature": source_curvature(phi, a, s, N, alpha, gamma)})
    return rows


def smoothed_variance_grid(phi: str, a, sigma, step: float = 0.1, xnodes: int = 81) -> float:
    """A_φ = Var_x̂(E_ε φ(x̂ + ε)) for large σ, where Gauss–Hermite in ε under-resolves φ's transition (width ~1/σ
    in ε): m(x̂) = ∫φ(y) N(y; x̂, σ²) dy by the trapezoid rule on a y-grid of ``step`` over ±12·√(a + σ²) (the
    integrand is smooth: spectrally accurate — steps 0.02, 0.1, 0.2 agree to 1e-12 relative for tanh at σ = 1, 5, 25),
    the variance over x̂ ~ N(0, a) by Gauss–Hermite (``xnodes``; m is smooth at scale ≥ 1)."""
    a, sigma = _check_nonneg("a", a), _check_nonneg("sigma", sigma)
    if sigma == 0:
        return smoothed_variance(phi, a, 0.0)
    f = _phi(phi)
    L = 12 * math.sqrt(a + sigma**2)
    y = np.arange(-L, L + step / 2, step)
    x, w = _hermite(int(xnodes))
    xh = math.sqrt(a) * x
    dens = np.exp(-((y[None, :] - xh[:, None]) ** 2) / (2 * sigma**2)) / math.sqrt(2 * math.pi * sigma**2)
    m = (dens * f(y)[None, :]).sum(1) * step
    mean = float(np.sum(w * m))
    return float(np.sum(w * (m - mean) ** 2))


@lru_cache(maxsize=32)
def crossing_sigma(phi: str, a, N, alpha, gamma, hi: float = 100.0) -> float | None:
    """σ at which the fixed-feature curvature −2b·A_φ(σ) + 2γ (W = 1, d = 1) crosses 0 (A_φ decreasing in σ for a
    saturating φ), by brentq on ``smoothed_variance_grid``; None if it does not cross on [0, hi]."""
    from scipy.optimize import brentq

    gamma = _check_nonneg("gamma", gamma)
    b = b_coefficient(N, alpha)
    g = lambda s: -2 * b * smoothed_variance_grid(phi, a, s) + 2 * gamma  # noqa: E731
    if not (g(0.0) < 0 < g(hi)):
        return None
    return float(brentq(g, 0.0, hi, xtol=1e-4))


def normalized_rescaling_profile(a_values, bias: bool, sigma: float = 1.0, n: int = 64, tau: float = 0.5,
                                 seed: int = 0) -> list[float]:
    """SimCLR's NT-Xent of NORMALISED outputs f/‖f‖ (``numerics.losses.nt_xent``: cosine similarity / τ) for
    f = a·Wφ(x) (+ b), φ = tanh, d0 = d1 = 2, x = x̂ + ε, x̂ ~ N(0, I), ε ~ N(0, σ²I), on one fixed batch of n pairs,
    for each a.  Without a bias f/‖f‖ does not depend on a > 0, so the profile is flat (Fig. 1's rescaling has no
    content); with a bias it is not (and at a = 0 every embedding is b/‖b‖)."""
    import torch

    from sslverify.numerics.losses import nt_xent

    g = torch.Generator().manual_seed(int(seed))
    dt = torch.float64
    xh = torch.randn(n, 2, generator=g, dtype=dt)
    x1 = xh + sigma * torch.randn(n, 2, generator=g, dtype=dt)
    x2 = xh + sigma * torch.randn(n, 2, generator=g, dtype=dt)
    W = torch.randn(2, 2, generator=g, dtype=dt)
    b = torch.randn(2, generator=g, dtype=dt) if bias else torch.zeros(2, dtype=dt)
    out = []
    for a in a_values:
        f1, f2 = float(a) * torch.tanh(x1) @ W.T + b, float(a) * torch.tanh(x2) @ W.T + b
        out.append(float(nt_xent(f1.unsqueeze(0), f2.unsqueeze(0), tau=tau)[0]))
    return out


# ----------------------------------------------------------------------------- second method: MC + autograd
def mc_curvature(phi: str, W, a, sigma, N, alpha, gamma=0.0, n: int = 20_000, batches: int = 10,
                 seed: int = 0) -> tuple[float, float]:
    """d²/da² of the Monte Carlo weighted InfoNCE (eq. 3, population setting, independent negatives) with
    fixed elementwise features φ, f = Wφ(x), plus γ‖aW‖²_F, at a = 0, by torch autograd (two backward passes
    through the actual log-sum-exp, no expansion).  x̂ ~ N(0, a I), ε ~ N(0, σ² I).  ``batches`` independent
    batches of ``n`` anchors give the mean and its standard error.  Returns (mean, SE)."""
    import torch

    _check_N(N)
    _check_alpha(alpha)
    a, sigma, gamma = _check_nonneg("a", a), _check_nonneg("sigma", sigma), _check_nonneg("gamma", gamma)
    if phi not in PHI_NAMES:
        raise ValueError(f"phi must be one of {PHI_NAMES}, got {phi!r}")
    if int(batches) != batches or batches < 2:
        raise ValueError(f"batches must be an integer >= 2, got {batches}")
    f = {"tanh": torch.tanh, "erf": torch.erf, "relu": torch.relu, "identity": lambda z: z}[phi]
    dt = torch.float64
    Wt = torch.as_tensor(np.atleast_2d(np.asarray(W, dtype=np.float64)), dtype=dt)
    d0 = Wt.shape[1]
    g = torch.Generator().manual_seed(int(seed))
    vals = []
    for _ in range(int(batches)):
        xh = math.sqrt(a) * torch.randn(n, d0, generator=g, dtype=dt)
        e, ep = (sigma * torch.randn(n, d0, generator=g, dtype=dt) for _ in range(2))
        chi = math.sqrt(a) * torch.randn(n, N - 1, d0, generator=g, dtype=dt) \
            + sigma * torch.randn(n, N - 1, d0, generator=g, dtype=dt)
        px, pxp, pchi = f(xh + e), f(xh + ep), f(chi)
        t = torch.zeros((), dtype=dt, requires_grad=True)
        Wa = t * Wt
        fx, fxp, fchi = px @ Wa.T, pxp @ Wa.T, pchi @ Wa.T
        u0 = -0.5 * ((fx - fxp) ** 2).sum(-1)
        uj = -0.5 * ((fx[:, None, :] - fchi) ** 2).sum(-1)
        terms = [uj] + ([u0[:, None] + math.log(alpha)] if alpha > 0 else [])
        loss = (-u0 + torch.logsumexp(torch.cat(terms, -1), -1)).mean() + gamma * (Wa**2).sum()
        (g1,) = torch.autograd.grad(loss, t, create_graph=True)
        (g2,) = torch.autograd.grad(g1, t)
        vals.append(g2.item())
    v = np.asarray(vals)
    return float(v.mean()), float(v.std(ddof=1) / math.sqrt(v.size))
