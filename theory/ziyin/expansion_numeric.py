"""Numerical side of the small-W expansion (Ziyin et al. eq. 1–4): Monte Carlo of the actual
weighted InfoNCE loss, torch autograd Hessians, the fixed-data-set expansion and its minimiser (the derived
prediction used by experiments/ziyin_prop2.py and ziyin_ncrit.py), paired Monte Carlo of E_ε[L] on a fixed
data set, and eq. 2 vs eq. 1.

All draws come from an explicit seed (``torch.Generator().manual_seed``); float64 throughout.
"""
from __future__ import annotations

import math

import numpy as np
import sympy as sp
import torch

from sslverify.theory.ziyin.expansion import _check_alpha, _check_N, _psd, coefficients

DT = torch.float64


def _sqrtm(M: np.ndarray) -> torch.Tensor:
    w, V = np.linalg.eigh(M)
    return torch.tensor(V @ np.diag(np.sqrt(np.clip(w, 0, None))) @ V.T, dtype=DT)


def _u_to_terms(u0, uj, alpha):
    """ℓ, its order-2 part (−u_0 + S) and order-4 part ½(Q − S²) from the u's (eq. 3)."""
    K = uj.shape[-1] + alpha
    if alpha > 0:
        lse = torch.logsumexp(torch.cat([uj, u0[..., None] + math.log(alpha)], -1), -1)
    else:
        lse = torch.logsumexp(uj, -1)
    S = (uj.sum(-1) + alpha * u0) / K
    Q = ((uj**2).sum(-1) + alpha * u0**2) / K
    return -u0 + lse, -u0 + S, 0.5 * (Q - S**2)


def sample_population(W: torch.Tensor, A0, C, N: int, alpha: float, n: int, seed: int):
    """Per-anchor (ℓ, order-2, order-4) samples, population setting (independent negatives)."""
    _check_N(N)
    _check_alpha(alpha)
    A0, C = _psd("A0", A0), _psd("C", C)
    d0 = A0.shape[0]
    g = torch.Generator().manual_seed(seed)
    rA, rC = _sqrtm(A0), _sqrtm(C)
    xh = torch.randn(n, d0, generator=g, dtype=DT) @ rA
    e, ep = (torch.randn(n, d0, generator=g, dtype=DT) @ rC for _ in range(2))
    xhj = torch.randn(n, N - 1, d0, generator=g, dtype=DT) @ rA
    ej = torch.randn(n, N - 1, d0, generator=g, dtype=DT) @ rC
    x = xh + e
    u0 = -0.5 * (((e - ep) @ W.T) ** 2).sum(-1)
    uj = -0.5 * (((x[:, None, :] - xhj - ej) @ W.T) ** 2).sum(-1)
    return _u_to_terms(u0, uj, alpha)


def mc_orders(W, A0, C, N, alpha, n=200_000, seed=0) -> dict:
    """MC of the actual loss at W: (ℓ − log K) with its SE, and the control-variate estimate of the
    order-4 part (ℓ − log K − sample order-2), both with standard errors."""
    Wt = torch.as_tensor(np.atleast_2d(W), dtype=DT)
    ell, o2, _ = sample_population(Wt, A0, C, N, alpha, n, seed)
    K = N - 1 + alpha
    a = (ell - math.log(K)).numpy()
    r = (ell - math.log(K) - o2).numpy()
    se = lambda s: float(s.std(ddof=1) / math.sqrt(s.size))  # noqa: E731
    return {"loss_minus_logK": float(a.mean()), "se_loss": se(a), "rest": float(r.mean()), "se_rest": se(r)}


def mc_quartic_richardson(W, A0, C, N, alpha, t=0.5, n=100_000, seed=0) -> tuple[float, float]:
    """Order-4 coefficient of the ACTUAL loss along W → sW: per sample r(s) = ℓ(sW) − log K −
    order2(sW) (control variate: order 2 removed exactly), Richardson-combined over s = t, t/2 on
    the same draws: (4 r(t/2)/(t/2)⁴ − r(t)/t⁴)/3 = E4 + O(t⁴).  Returns (mean, SE)."""
    K = N - 1 + alpha
    vals = []
    for s in (t, t / 2):
        Wt = torch.as_tensor(s * np.atleast_2d(W), dtype=DT)
        ell, o2, _ = sample_population(Wt, A0, C, N, alpha, n, seed)
        vals.append(((ell - math.log(K) - o2) / s**4).numpy())
    c = (4 * vals[1] - vals[0]) / 3
    return float(c.mean()), float(c.std(ddof=1) / math.sqrt(c.size))


def hessian_at_origin_mc(A0, C, N, alpha, n=20_000, batches=10, seed=0) -> tuple[np.ndarray, np.ndarray]:
    """torch autograd Hessian (vec W row-major) of the MC loss at W = 0, batch means ± SE.

    Prediction (derived): −2 b (I_{d1} ⊗ A0) with b = (N−1)/K, independent of C."""
    d0 = _psd("A0", A0).shape[0]
    Hs = []
    for k in range(batches):
        def f(wvec, k=k):
            return sample_population(wvec.reshape(d0, d0), A0, C, N, alpha, n, seed + 1000 * k)[0].mean()
        Hs.append(torch.autograd.functional.hessian(f, torch.zeros(d0 * d0, dtype=DT)).numpy())
    H = np.stack(Hs)
    return H.mean(0), H.std(0, ddof=1) / math.sqrt(batches)


def make_truncated_loss(A0, C, N, alpha):
    """torch twin of ``expected_loss_small_w`` (log K + E2 + E4) as a function of W, for autograd
    and optimisers (coefficients and covariances prepared once)."""
    k = coefficients(N, alpha)
    A0t, Ct = (torch.as_tensor(_psd(n, M), dtype=DT) for n, M in (("A0", A0), ("C", C)))
    St, logK = A0t + Ct, math.log(N - 1 + alpha)

    def loss(W: torch.Tensor) -> torch.Tensor:
        S, P = W @ St @ W.T, W @ Ct @ W.T
        ta = torch.trace(W @ A0t @ W.T)
        return (logK - k["b"] * ta + k["kS"] * torch.trace(S @ S)
                + k["kP"] * torch.trace(P @ P) + k["kT"] * ta**2)
    return loss


def truncated_loss_torch(W: torch.Tensor, A0, C, N, alpha) -> torch.Tensor:
    """log K + E2 + E4 at W (torch, differentiable)."""
    return make_truncated_loss(A0, C, N, alpha)(W)


# ----------------------------------------------------------------------------- fixed data set
def make_fixed_dataset_orders(X, C, alpha):
    """W ↦ (E2, E4): exact noise-expectation of the order-2 and order-4 terms for a FIXED data set
    X (N×d0), anchor-mean loss; anchor i's negatives are the other N−1 points (own fresh noise).

    With m_k = W(x̂_i − x̂_k) (m = 0 for the positive), weights w = 1/K (negatives), α/K
    (positive): E u_k = −½(|m_k|² + 2T_P), Cov(u_k, u_k) = 2P₂ + 2m_kᵀPm_k,
    Cov(u_k, u_l) = ½P₂ + m_kᵀPm_l (k ≠ l), E4 = ½[Σw(μ² + V_kk) − Σ_kl w_k w_l(μ_kμ_l + V_kl)]."""
    _check_alpha(alpha)
    Xt = torch.as_tensor(np.asarray(X, dtype=np.float64), dtype=DT)
    Ct = torch.as_tensor(_psd("C", C), dtype=DT)
    N = Xt.shape[0]
    _check_N(N)
    K = N - 1 + alpha
    w = torch.full((N, N), 1.0 / K, dtype=DT)
    w = w - torch.diag(torch.diag(w)) + torch.eye(N, dtype=DT) * (alpha / K)

    def orders(W):
        Wt = W if torch.is_tensor(W) else torch.as_tensor(np.atleast_2d(W), dtype=DT)
        P = Wt @ Ct @ Wt.T
        TP, P2 = torch.trace(P), torch.trace(P @ P)
        Y = Xt @ Wt.T  # (N, d1)
        M = Y[:, None, :] - Y[None, :, :]  # m_ij; the diagonal slot j = i is the positive (m = 0)
        mu = -0.5 * ((M**2).sum(-1) + 2 * TP)
        mPm = torch.einsum("ijd,de,ije->ij", M, P, M)
        Vkk = 2 * P2 + 2 * mPm
        wm = (w[:, :, None] * M).sum(1)
        cross = (w**2 * (Vkk - 0.5 * P2 - mPm)).sum(1) + 0.5 * P2 + torch.einsum("id,de,ie->i", wm, P, wm)
        A = (w * mu**2).sum(1) - (w * mu).sum(1) ** 2
        E4 = 0.5 * (A + (w * Vkk).sum(1) - cross)
        E2 = TP + (w * mu).sum(1)
        return E2.mean(), E4.mean()
    return orders


def fixed_dataset_orders(W, X, C, alpha) -> tuple[torch.Tensor, torch.Tensor]:
    """(E2, E4) of the fixed-data-set expansion at W (see ``make_fixed_dataset_orders``)."""
    return make_fixed_dataset_orders(X, C, alpha)(W)


def fixed_dataset_minimizer(X, C, alpha, gamma=0.0, d1=None, seed=0, basis=None, max_iter=400,
                            rounds=3) -> tuple[np.ndarray, float]:
    """argmin_W E2 + E4 + γ‖W‖²_F for a fixed data set X (the derived order-4 prediction of the trained
    weights; ``make_fixed_dataset_orders``), by L-BFGS (strong Wolfe, float64) from a seeded start
    W0 ~ 0.1·N(0, 1).  The loss is not convex in W, but every minimum of the quartic in G = WᵀW reached
    from a generic start is the global one here (checked against restarts in the tests).

    ``basis`` (d0×r, orthonormal columns): restrict W's rows to span(basis) — exact when C is isotropic
    and ``basis`` spans the centred data (E2, E4 depend on W only through W(x̂_i − x̂_j) and WCWᵀ, and any
    component outside that span only adds to E4 and γ‖W‖²).  Returns (W (d1×d0), final ‖∇‖)."""
    _check_alpha(alpha)
    if not (np.isfinite(gamma) and gamma >= 0):
        raise ValueError(f"gamma must be a finite number >= 0, got {gamma}")
    X = np.asarray(X, dtype=np.float64)
    d0 = X.shape[1]
    d1 = d0 if d1 is None else int(d1)
    if d1 < 1:
        raise ValueError(f"d1 must be a positive integer, got {d1}")
    U = np.eye(d0) if basis is None else np.asarray(basis, dtype=np.float64)
    if U.ndim != 2 or U.shape[0] != d0 or not np.allclose(U.T @ U, np.eye(U.shape[1]), rtol=0, atol=1e-10):  # float64 round-off
        raise ValueError(f"basis must be a ({d0}, r) matrix with orthonormal columns")
    orders = make_fixed_dataset_orders(X @ U, U.T @ _psd("C", C) @ U, alpha)
    g = torch.Generator().manual_seed(seed)
    V = (0.1 * torch.randn(d1, U.shape[1], generator=g, dtype=DT)).requires_grad_(True)
    opt = torch.optim.LBFGS([V], lr=1, max_iter=max_iter, tolerance_grad=1e-12, tolerance_change=1e-18,
                            history_size=50, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        E2, E4 = orders(V)
        loss = E2 + E4 + gamma * (V * V).sum()
        loss.backward()
        return loss
    # each step() gets a fresh max_iter budget (torch keeps the L-BFGS memory across calls): a stalled line search
    # gets a second chance
    for _ in range(rounds):
        opt.step(closure)
    closure()
    return V.detach().numpy() @ U.T, float(V.grad.norm())


def predicted_gram_fixed_dataset(X, C, alpha, d1=None, steps=500, seed=0, gamma=0.0) -> np.ndarray:
    """Eigenvalues (descending) of WᵀW at ``fixed_dataset_minimizer`` (one L-BFGS round of ``steps``)."""
    W, _ = fixed_dataset_minimizer(X, C, alpha, gamma=gamma, d1=d1, seed=seed, max_iter=steps, rounds=1)
    return np.sort(np.linalg.eigvalsh(W.T @ W))[::-1]


def paired_expected_loss(X, C, alpha, Ws, draws: int, seed: int, chunk: int = 4096) -> tuple[np.ndarray, np.ndarray]:
    """Monte Carlo of E_ε[L] (eq. 3, anchor mean, the trainer's ``numerics.losses.weighted_infonce``) on
    a fixed data set X at every W in ``Ws``, all on the SAME ``draws`` noise draws (common random numbers:
    differences between the W's have far smaller variance than each mean).  The loss is evaluated with the
    trainer's fused kernel on ``chunk`` draws at a time (cache-sized blocks; the same numbers as the plain
    eq. 3 to float64 round-off).  Returns (means (len(Ws),), per-draw values (draws, len(Ws)))."""
    from sslverify.numerics.losses import weighted_infonce  # the trained loss; imported here so theory loads without numerics

    _check_alpha(alpha)
    if int(draws) != draws or draws < 2:
        raise ValueError(f"draws must be an integer >= 2, got {draws}")
    if int(chunk) != chunk or chunk < 1:
        raise ValueError(f"chunk must be an integer >= 1, got {chunk}")
    X = torch.as_tensor(np.asarray(X, dtype=np.float64), dtype=DT)
    N, d0 = X.shape
    L = _sqrtm(_psd("C", C))  # any square root: ε = z Lᵀ has covariance L Lᵀ = C (PSD C allowed)
    g = torch.Generator().manual_seed(seed)
    e1 = torch.randn(draws, N, d0, generator=g, dtype=DT) @ L.T
    e2 = torch.randn(draws, N, d0, generator=g, dtype=DT) @ L.T
    a = torch.full((min(chunk, draws),), float(alpha), dtype=DT)
    v = torch.empty(draws, len(Ws), dtype=DT)
    for j, W in enumerate(Ws):
        Wt = torch.as_tensor(np.asarray(W, dtype=np.float64), dtype=DT).T
        for s in range(0, draws, chunk):
            f1, f2 = (X + e1[s:s + chunk]) @ Wt, (X + e2[s:s + chunk]) @ Wt
            v[s:s + chunk, j] = weighted_infonce(f1, f2, a[: f1.shape[0]], fused=True)
    v = v.numpy()
    return v.mean(0), v


# ----------------------------------------------------------------------------- eq. 2 vs eq. 1
def eq1_eq2(W, Xh, E, Ep, En) -> dict:
    """Fixed noise draws: anchors x_i = x̂_i + E_i, positives x'_i = x̂_i + Ep_i, negative views
    χ_j = x̂_j + En_j.  Returns eq. 1 (sum over anchors), eq. 2 with E_χ̂ the mean over the N
    candidates {χ_j, j ≠ i} ∪ {x'_i}, and eq. 2 with the mean over the N−1 negatives only."""
    f = lambda Z: np.asarray(Z, dtype=np.float64) @ np.asarray(W, dtype=np.float64).T  # noqa: E731
    Xh = np.asarray(Xh, dtype=np.float64)
    x, xp, chi = f(Xh + E), f(Xh + Ep), f(Xh + En)
    N = Xh.shape[0]
    u = -0.5 * ((x[:, None, :] - chi[None, :, :]) ** 2).sum(-1)
    u0 = -0.5 * ((x - xp) ** 2).sum(-1)
    np.fill_diagonal(u, -np.inf)
    neg_lse = np.logaddexp.reduce(u, axis=1)
    all_lse = np.logaddexp(neg_lse, u0)
    eq1 = float(np.sum(-u0 + all_lse))
    eq2 = float(np.mean(-u0 + all_lse - math.log(N)))
    eq2_neg = float(np.mean(-u0 + neg_lse - math.log(N - 1)))
    return {"eq1": eq1, "eq2": eq2, "eq2_negatives_only": eq2_neg, "N": N}


def eq2_identity_residual(N: int) -> sp.Expr:
    """Symbolic: eq. 2 − (eq. 1 / N − log N) for N anchors; D_i = |f(x_i) − f(x'_i)|² and
    Z_i = Σ_{candidates} exp(−½|f(x_i) − f(χ)|²) (N−1 negatives + the positive), symbols > 0."""
    _check_N(N)
    D = sp.symbols(f"D0:{N}", positive=True)
    Z = sp.symbols(f"Z0:{N}", positive=True)
    eq1 = sum(-sp.log(sp.exp(-D[i] / 2) / Z[i]) for i in range(N))
    eq2 = sum(D[i] / 2 + sp.log(Z[i] / N) for i in range(N)) / N
    return sp.expand(sp.expand_log(eq2 - (eq1 / N - sp.log(N)), force=True))


def population_hessian_prediction(A0, N, alpha, d1) -> np.ndarray:
    """−2b (I_{d1} ⊗ A0): Hessian of −b Tr[WA0Wᵀ] in row-major vec(W)."""
    return -2 * coefficients(N, alpha)["b"] * np.kron(np.eye(d1), _psd("A0", A0))
