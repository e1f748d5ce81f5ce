"""Linear-encoder dynamics of Rusak App. C (lemma 5, eq. 5; lemma 7; prop. 2; prop. 3, eq. 16–18).

Setting (stated once): z uniform on [0, 1]^d (σ_z² = 1/12, mean ½), positive z~ = z + ε with
ε ~ N(0, diag(σ_c² I_dc, σ_s² I_ds)) (untruncated, so Σ_z~ := E[(z − z~)(z − z~)ᵀ] is exact),
x = A z with A = W_GT⁻¹, encoder z' = W x, loss = eq. 4 with ONE sum over the N = M + 1 anchors
of a batch, per-output-dimension temperatures τ (Gaussian kernel exp(−Σ_k Δ_k² / (2τ_k))).

Derivation (ours).  With α_ij the softmax weights of anchor i, ∂ℓ_i/∂W = Σ_{j≠i} α_ij T⁻¹W
[Δ~_i Δ~_iᵀ − Δ_ij Δ_ijᵀ], Δ~_i = x_i − x~_i, Δ_ij = x_i − x_j (gradient through the negatives),
or [Δ~_i Δ~_iᵀ − Δ_ij x_iᵀ] when the negatives are detached (the source's eq. 7 keeps only
∂/∂z_i and ∂/∂z~_i).  α_ij → 1/(M+1) needs W → 0 (all kernel values → 1), NOT M → ∞.  To first
order in W the expected negative gradient is

    detached:  dW/dt = M T⁻¹ W [Σ_x − Σ_x~]          (source eq. 5 has M + 1: same as M → ∞)
    full:      dW/dt = M T⁻¹ W [2Σ_x − Σ_x~]         (the negatives' own gradient doubles Σ_x)

with Σ_x the (centred) covariance: E[Δ_ij x_iᵀ] = E[x xᵀ] − μμᵀ, so no centring is needed.
"""
from __future__ import annotations

import numpy as np
import torch

CONVENTIONS = ("source", "detached", "full")
SIGMA_Z2 = 1.0 / 12.0


def latent_cond_cov(d: int, d_c: int, sigma_c: float, sigma_s: float) -> np.ndarray:
    return np.diag([sigma_c**2] * d_c + [sigma_s**2] * (d - d_c))


def predicted_flow(W, A, d_c, sigma_c, sigma_s, M, convention="full", tau=None) -> np.ndarray:
    """Predicted dW/dt (= −E ∂L/∂W) for the batch-sum eq. 4 loss, to first order in W."""
    W, A = np.asarray(W, float), np.asarray(A, float)
    d = A.shape[0]
    Sx = A @ (SIGMA_Z2 * np.eye(d)) @ A.T
    Sxt = A @ latent_cond_cov(d, d_c, sigma_c, sigma_s) @ A.T
    Tinv = np.diag(1.0 / np.asarray(tau, float)) if tau is not None else np.eye(W.shape[0])
    if convention == "source":
        return (M + 1) * Tinv @ W @ (Sx - Sxt)
    if convention == "detached":
        return M * Tinv @ W @ (Sx - Sxt)
    if convention == "full":
        return M * Tinv @ W @ (2 * Sx - Sxt)
    raise ValueError(f"convention must be one of {CONVENTIONS}, got {convention!r}")


def _batched_loss(W, x, xt, tau, detach_negatives):
    """Σ over anchors of eq. 4 (one sum), x (R, N, d); summed over the R batches."""
    z, zt = x @ W.T, xt @ W.T
    zn = x @ W.detach().T if detach_negatives else z
    it = 1.0 / tau
    a = (((z - zt) ** 2) * it).sum(-1) / 2  # (R, N)
    b = ((((z[:, :, None, :] - zn[:, None, :, :]) ** 2) * it).sum(-1)) / 2  # (R, N, N)
    n = x.shape[1]
    b = b.masked_fill(torch.eye(n, dtype=torch.bool), float("inf"))
    return (torch.logsumexp(torch.cat([-a[..., None], -b], -1), -1) + a).sum()


def autograd_flow(W, A, d_c, sigma_c, sigma_s, M, reps=200, seed=0, detach_negatives=False, tau=None) -> np.ndarray:
    """−∂L/∂W by autograd, averaged over ``reps`` independent batches of N = M + 1 pairs."""
    A = np.asarray(A, float)
    d = A.shape[0]
    rng = np.random.default_rng(seed)
    z = rng.random((reps, M + 1, d))
    eps = rng.standard_normal((reps, M + 1, d)) * np.sqrt(np.diag(latent_cond_cov(d, d_c, sigma_c, sigma_s)))
    x = torch.as_tensor(z @ A.T)
    xt = torch.as_tensor((z + eps) @ A.T)
    tau_t = torch.as_tensor(np.ones(d) if tau is None else np.asarray(tau, float))
    Wt = torch.as_tensor(np.asarray(W, float)).clone().requires_grad_(True)
    (G,) = torch.autograd.grad(_batched_loss(Wt, x, xt, tau_t, detach_negatives), Wt)
    return -(G / reps).numpy()


def rel_err(a, b) -> float:
    return float(np.linalg.norm(np.asarray(a) - np.asarray(b)) / np.linalg.norm(np.asarray(b)))


def lemma5_table(d=4, d_c=1, sigma_c=0.0, sigma_s=0.2, Ms=(8, 32, 128), scales=(1e-2, 1.0), reps=60, seed=0) -> list:
    """Relative error of each convention's formula against autograd, over M and the scale of W."""
    from sslverify.numerics.content_style import make_generator
    A = make_generator(d, "linear", seed=seed, cond=2.0).linear_matrix()
    rng = np.random.default_rng(seed + 1)
    q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    rows = []
    for s in scales:
        W = s * q @ np.linalg.inv(A)  # W A = s·(orthogonal): representation of scale s
        for M in Ms:
            for detach in (False, True):
                g = autograd_flow(W, A, d_c, sigma_c, sigma_s, M, reps=reps, seed=seed + M, detach_negatives=detach)
                row = {"scale": s, "M": M, "autograd": "detached negatives" if detach else "full"}
                for conv in CONVENTIONS:
                    row[f"err_{conv}"] = rel_err(g, predicted_flow(W, A, d_c, sigma_c, sigma_s, M, conv))
                rows.append(row)
    return rows


# ----------------------------------------------------------------------------- lemma 7 / prop 2
def column_growth_rates(G, W, A) -> np.ndarray:
    """Relative growth of each latent's gain: H = W A, rate_k = ⟨(G A)_{:,k}, H_{:,k}⟩ / ‖H_{:,k}‖²."""
    H = W @ A
    GA = G @ A
    return np.sum(GA * H, axis=0) / np.sum(H * H, axis=0)


def growth_rates(A, d_c, sigma_c, sigma_s, M=64, eps=1e-3, reps=300, seed=0, tau=None) -> dict:
    """Autograd growth rates of content and style gains at W = ε A⁻¹ (encoder aligned with g⁻¹),
    with the exact first-order prediction diag(Λ' Aᵀ A) (Λ' = 2σ_z² − σ_k², full gradient)."""
    A = np.asarray(A, float)
    d = A.shape[0]
    W = eps * np.linalg.inv(A)
    G = autograd_flow(W, A, d_c, sigma_c, sigma_s, M, reps=reps, seed=seed, tau=tau)
    rates = column_growth_rates(G, W, A) / M
    lam = 2 * SIGMA_Z2 - np.diag(latent_cond_cov(d, d_c, sigma_c, sigma_s))
    tinv = 1.0 / np.asarray(tau, float) if tau is not None else np.ones(d)
    pred = (np.diag(tinv) @ np.diag(lam) @ A.T @ A).diagonal() if tau is not None else lam * np.diag(A.T @ A)
    sv = np.linalg.svd(G / (eps * M), compute_uv=False)
    return {"rates": rates.tolist(), "predicted": pred.tolist(),
            "content_mean": float(rates[:d_c].mean()) if d_c else float("nan"),
            "style_mean": float(rates[d_c:].mean()) if d_c < d else float("nan"),
            "grad_singular_values": sv.tolist(), "top_cluster_size": top_cluster(sv)}


def top_cluster(sv) -> int:
    """Number of singular values above the largest log-gap (how many 'large' ones)."""
    s = np.sort(np.asarray(sv, float))[::-1]
    gaps = np.log(s[:-1]) - np.log(s[1:])
    return int(np.argmax(gaps) + 1)


# ----------------------------------------------------------------------------- prop 3
def heuristic_tau_c(sigma_c: float, sigma_s: float) -> float:
    """The source's prop. 3: τ_c ∼ σ_c / σ_s with τ_s = 1."""
    return sigma_c / sigma_s


def derived_equalizing_tau_c(sigma_c: float, sigma_s: float, convention: str = "full") -> float:
    """First-order growth of latent k is λ_k / τ_k: equal when τ_c/τ_s = λ_c/λ_s (τ_s = 1)."""
    k = 2.0 if convention == "full" else 1.0
    return (k * SIGMA_Z2 - sigma_c**2) / (k * SIGMA_Z2 - sigma_s**2)


def sweep_equalizing_tau_c(d=4, d_c=2, sigma_c=0.05, sigma_s=0.25, taus=None, M=64, reps=300, seed=0) -> dict:
    """Autograd sweep over τ_c (τ_s = 1), orthogonal A: where do content and style gains grow equally?"""
    from sslverify.numerics.content_style import make_generator
    A = make_generator(d, "linear", seed=seed, cond=1.0).linear_matrix()  # orthogonal (cond 1)
    taus = np.geomspace(0.1, 10.0, 21) if taus is None else np.asarray(taus, float)
    ratios = []
    for t in taus:
        r = growth_rates(A, d_c, sigma_c, sigma_s, M=M, reps=reps, seed=seed, tau=[t] * d_c + [1.0] * (d - d_c))
        ratios.append(r["content_mean"] / r["style_mean"])
    ratios = np.asarray(ratios)
    lr, lt = np.log(ratios), np.log(taus)
    # the first crossing of content/style = 1 from above, log-linearly interpolated; exactly 1 at the first τ is a
    # crossing there; no crossing (never below 1, or below 1 from the start) gives nan
    k = int(np.argmax(lr < 0)) if np.any(lr < 0) and lr[0] > 0 else None
    if lr[0] == 0:
        tau_eq = float(taus[0])
    elif k:
        tau_eq = float(np.exp(lt[k - 1] - lr[k - 1] * (lt[k] - lt[k - 1]) / (lr[k] - lr[k - 1])))
    else:
        tau_eq = float("nan")
    return {"taus": taus.tolist(), "content_over_style": ratios.tolist(), "tau_c_equalizing": tau_eq,
            "tau_c_derived": derived_equalizing_tau_c(sigma_c, sigma_s), "tau_c_heuristic": heuristic_tau_c(sigma_c, sigma_s),
            "sigma_c": sigma_c, "sigma_s": sigma_s}


# ----------------------------------------------------------------------------- lemma 5: the M → ∞ limit at finite W
def _kernel_moments(s: float) -> tuple[float, float]:
    """For z, y ~ U[0,1] and the kernel k = exp(−s²(z − y)²/2): r2 = E_z[E_y(k (z−y)²)/E_y k] and
    r1z = E_z[z · E_y(k (z−y))/E_y k] (1-D quadrature; the M → ∞ softmax weights are k/E_y k)."""
    from scipy import integrate

    def ratio(z, p):
        num = integrate.quad(lambda y: np.exp(-s * s * (z - y) ** 2 / 2) * (z - y) ** p, 0, 1, epsabs=1e-13)[0]
        den = integrate.quad(lambda y: np.exp(-s * s * (z - y) ** 2 / 2), 0, 1, epsabs=1e-13)[0]
        return num / den

    r2 = integrate.quad(lambda z: ratio(z, 2), 0, 1, epsabs=1e-12)[0]
    r1z = integrate.quad(lambda z: z * ratio(z, 1), 0, 1, epsabs=1e-12)[0]
    return r2, r1z


def large_M_limit_errors(scale: float, d: int = 4, d_c: int = 1, sigma_c: float = 0.0, sigma_s: float = 0.2,
                         seed: int = 0) -> dict:
    """Exact M → ∞ limit of (1/M)·E[−∂L/∂W] at W = scale·Q A⁻¹ (the lemma5_table setting), by quadrature.

    As M → ∞ the positive's softmax weight α_ii → 0 and α_ij → k_ij / (M E_j k), k = exp(−‖W(x_i − x_j)‖²/2)
    = Π_a exp(−scale²Δz_a²/2) (W A = scale·Q, Q orthogonal).  The kernel factorizes over latent
    coordinates, E R1 = 0 by the symmetry z ↔ 1 − z, so the limits are
        full:      W A (r2·I − Λ~) Aᵀ       vs the first-order formula  W A (2σ_z²·I − Λ~) Aᵀ
        detached:  W A (r1z·I − Λ~) Aᵀ      vs                          W A (σ_z²·I − Λ~) Aᵀ (eq. 5 as M → ∞)
    (σ_z² = 1/12, Λ~ = diag(σ_c², σ_s²)).  Returns the relative errors of the formulas in that limit."""
    from sslverify.numerics.content_style import make_generator
    if scale <= 0:
        raise ValueError(f"scale must be > 0, got {scale}")
    A = make_generator(d, "linear", seed=seed, cond=2.0).linear_matrix()
    rng = np.random.default_rng(seed + 1)
    q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    W = scale * q @ np.linalg.inv(A)
    lam = latent_cond_cov(d, d_c, sigma_c, sigma_s)
    r2, r1z = _kernel_moments(scale)
    I = np.eye(d)
    out = {"scale": scale, "r2": r2, "r1z": r1z, "r2_first_order": 2 * SIGMA_Z2, "r1z_first_order": SIGMA_Z2}
    for key, lim, formula in (("full", r2, 2 * SIGMA_Z2), ("detached", r1z, SIGMA_Z2)):
        exact = W @ A @ (lim * I - lam) @ A.T
        pred = W @ A @ (formula * I - lam) @ A.T
        out[f"err_{key}"] = rel_err(exact, pred)
    return out
