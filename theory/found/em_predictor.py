"""SimSiam as EM (foundations note, "SimSiam as an EM Algorithm", its Gaussian box and Exercise 3).

Derived here (MSE surrogate of the note, E‖h(z₁) − z₂‖²):

* ``discrete_em``: on a finite joint distribution with symbolic probabilities, the minimiser over
  *all* functions h is the conditional mean, E(h − z₂)² = E(h − m)² + E(m − z₂)² for every h, and
  the tower identity E[m(z₁) z₂] = E[z₂²] − E[Var(z₂ | z₁)] holds exactly;
* ``mstep_stopgrad_1d``: the counterexample to "the M-step minimises Var(z₂ | z₁)": scalar linear
  encoder z = w·x with views x + η, η ~ N(0, σ²); with h* fixed and the stop-gradient on z₂ the
  M-step gradient is 0, whereas ∂_w E[Var(z₂|z₁)] = 2w(s + σ² − s²/(s + σ²)) ≠ 0;
* ``gaussian_views``: Cov(z₁) = Cov(z₂) = I, Cov(z₁, z₂) = ρI: h* = ρz₁ (residual uncorrelated with
  z₁, hence independent), E[−h*(z₁)ᵀz₂] = −ρ²d (Isserlis), min MSE d(1 − ρ²); valid iff |ρ| ≤ 1;
* ``linear_predictor``: A* = Σ₂₁Σ₁₁⁻¹ from the expanded quadratic (the expansion itself re-derived
  from second moments), and the limits Σ₂₁ = Σ₁₁ → I, Σ₂₁ = 0 → 0;
* ``population_mstep`` (torch autograd, any n ≥ d, the second method for the M-step counterexample):
  for z = Wx, views x + η_i, η_i ~ N(0, C), at the E-step optimum A*(W) of the symmetrised MSE, the
  M-step gradient with the stop-gradient (target W held fixed), the full gradient (through both
  branches, A* held fixed) and ∇_W E tr Var(z₂ | z₁), all from population second moments.  The full
  gradient equals ∇E tr Var (envelope theorem); the stop-gradient one does not;
* ``cond_var`` / ``descend_cond_var``: E tr Var(z₂ | z₁) = tr Σ₁₁ − tr Σ₂₁Σ₁₁⁻¹Σ₁₂ for linear Gaussian
  views, and plain gradient descent on it (what "the M-step minimises Var(z₂|z₁)" would do): it
  drives W to 0, i.e. collapse.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

import math

import torch

from sslverify.theory.gaussian import gaussian_expectation
from sslverify.numerics.validation import check_covariance, check_finite_number, check_int, check_nonnegative


def check_rho(rho) -> float:
    """ρ must lie in [−1, 1] (the joint covariance [[I, ρI], [ρI, I]] has eigenvalues 1 ± ρ)."""
    r = check_finite_number(rho, "rho")
    if not -1.0 <= r <= 1.0:
        raise ValueError(f"rho must lie in [-1, 1] (joint covariance of the views must be PSD), got {rho}")
    return r


def check_joint_covariance(cov) -> np.ndarray:
    """The joint covariance of (z₁, z₂) must be symmetric PSD (ValueError names it)."""
    return check_covariance(cov, "joint_cov")


# ----------------------------------------------------------------------------- conditional mean
@lru_cache(maxsize=None)
def discrete_em(m: int = 2, k: int = 2) -> dict:
    """z₁ ∈ {a_1..a_m}, z₂ ∈ {b_1..b_k}, P(a_i, b_j) = p_ij > 0 symbolic; h = (h_1..h_m) free."""
    p = sp.Matrix(m, k, lambda i, j: sp.Symbol(f"p_{i}{j}", positive=True))
    b = sp.symbols(f"b1:{k + 1}", real=True)
    hs = sp.symbols(f"h1:{m + 1}", real=True)
    mse = sum(p[i, j] * (hs[i] - b[j]) ** 2 for i in range(m) for j in range(k))
    sol = sp.solve([sp.diff(mse, x) for x in hs], hs, dict=True)[0]
    cond_mean = [sum(p[i, j] * b[j] for j in range(k)) / sum(p[i, j] for j in range(k)) for i in range(m)]
    argmin_ok = all(sp.cancel(sol[hs[i]] - cond_mean[i]) == 0 for i in range(m))
    hessian_pd = all(sp.diff(mse, x, 2).is_positive for x in hs)
    # orthogonal decomposition for arbitrary h
    decomp = sum(p[i, j] * ((hs[i] - cond_mean[i]) ** 2 + (cond_mean[i] - b[j]) ** 2)
                 for i in range(m) for j in range(k))
    decomp_ok = sp.cancel(mse - decomp) == 0
    # tower identity: E[m(z1) z2] = E[z2^2] - E[Var(z2|z1)]
    lhs = sum(p[i, j] * cond_mean[i] * b[j] for i in range(m) for j in range(k))
    pz1 = [sum(p[i, j] for j in range(k)) for i in range(m)]
    var = [sum(p[i, j] * b[j] ** 2 for j in range(k)) / pz1[i] - cond_mean[i] ** 2 for i in range(m)]
    rhs = sum(p[i, j] * b[j] ** 2 for i in range(m) for j in range(k)) - sum(pz1[i] * var[i] for i in range(m))
    tower_ok = sp.cancel(lhs - rhs) == 0
    return {"argmin_is_conditional_mean": bool(argmin_ok), "strictly_convex": bool(hessian_pd),
            "orthogonal_decomposition": bool(decomp_ok), "tower_identity": bool(tower_ok)}


@lru_cache(maxsize=None)
def mstep_stopgrad_1d() -> dict:
    """Scalar linear SimSiam, population: z_i = w(x + η_i), Var x = s, Var η = σ²."""
    w, s, sig2, A = sp.symbols("w s sigma2 A", positive=True)
    wt = sp.Symbol("w_t", positive=True)  # the stopped copy of w
    S11, S21 = s + sig2, s  # E[x1²], E[x1 x2] of the views
    # E-step (MSE): A* = Cov(z2,z1)/Var(z1) = w² s / (w²(s+σ²))
    a_star = sp.simplify(w**2 * S21 / (w**2 * S11))
    # E(A w x1 − w_t x2)²  as a polynomial of second moments
    obj = A**2 * w**2 * S11 - 2 * A * w * wt * S21 + wt**2 * S11
    g_sg = sp.simplify(sp.diff(obj, w).subs({wt: w, A: a_star}))
    g_full = sp.simplify((sp.diff(obj, w) + sp.diff(obj, wt)).subs({wt: w, A: a_star}))
    cond_var = w**2 * S11 - (w**2 * S21) ** 2 / (w**2 * S11)  # Var(z2 | z1), Gaussian
    g_var = sp.simplify(sp.diff(cond_var, w))
    return {"A_star": a_star, "stopgrad_mstep_gradient": g_sg, "full_mstep_gradient": g_full,
            "grad_conditional_variance": g_var,
            "full_equals_grad_var": sp.simplify(g_full - g_var) == 0,
            "stopgrad_equals_grad_var": sp.simplify(g_sg - g_var) == 0}


# ----------------------------------------------------------------------------- Gaussian views
@lru_cache(maxsize=None)
def gaussian_views(d: int) -> dict:
    """Cov(z₁)=Cov(z₂)=I_d, Cov(z₁,z₂)=ρI_d: h*, the M-step value and the minimal MSE."""
    rho = sp.Symbol("rho", real=True)
    I = sp.eye(d)
    S11, S21 = I, rho * I
    A = sp.simplify(S21 * S11.inv())
    resid_cov = (S21 - A * S11).applyfunc(sp.simplify)  # Cov(z2 − A z1, z1)
    z1 = sp.symbols(f"u1:{d + 1}", real=True)
    z2 = sp.symbols(f"v1:{d + 1}", real=True)
    joint = sp.Matrix(sp.BlockMatrix([[S11, S21.T], [S21, I]]))
    hz1 = A * sp.Matrix(z1)
    mstep = gaussian_expectation(-(hz1.T * sp.Matrix(z2))[0, 0], z1 + z2, joint)
    mse = gaussian_expectation(sum((hz1[i] - z2[i]) ** 2 for i in range(d)), z1 + z2, joint)
    eigs = sorted(set(sp.simplify(e) for e in joint.eigenvals()), key=str)
    return {"A": A, "residual_uncorrelated": resid_cov == sp.zeros(d, d),
            "mstep_value": sp.expand(mstep), "min_mse": sp.factor(mse), "joint_eigenvalues": eigs,
            "rho": rho}


# ----------------------------------------------------------------------------- linear predictor
@lru_cache(maxsize=None)
def linear_predictor(d: int = 2) -> dict:
    """A* from E‖Az₁ − z₂‖² with symbolic Σ₁₁ (symmetric), Σ₂₁ (general), Σ₂₂; d×d A free."""
    sym = lambda name: sp.Matrix(d, d, lambda i, j: sp.Symbol(f"{name}_{min(i, j)}{max(i, j)}", real=True))  # noqa: E731
    S11, S22 = sym("s"), sym("t")
    S21 = sp.Matrix(d, d, lambda i, j: sp.Symbol(f"c_{i}{j}", real=True))  # E[z2 z1ᵀ]
    A = sp.Matrix(d, d, lambda i, j: sp.Symbol(f"A_{i}{j}", real=True))
    z1 = sp.symbols(f"u1:{d + 1}", real=True)
    z2 = sp.symbols(f"v1:{d + 1}", real=True)
    joint = sp.Matrix(sp.BlockMatrix([[S11, S21.T], [S21, S22]]))
    r = A * sp.Matrix(z1) - sp.Matrix(z2)
    # second moments only: Isserlis on a degree-2 polynomial uses nothing beyond the covariance
    obj = gaussian_expectation(sum(x**2 for x in r), z1 + z2, joint)
    note_form = (A * S11 * A.T - 2 * A * S21.T + S22).trace()  # tr(AΣ11Aᵀ − 2AΣ12 + Σ22)
    expansion_ok = sp.expand(obj - note_form) == 0
    grad = sp.Matrix(d, d, lambda i, j: sp.diff(obj, A[i, j]))
    grad_ok = (grad - (2 * A * S11 - 2 * S21)).applyfunc(sp.expand) == sp.zeros(d, d)
    sol = sp.solve(list(grad), list(A), dict=True)[0]
    A_sol = A.subs(sol)
    A_star = S21 * S11.inv()
    closed_ok = (A_sol - A_star).applyfunc(sp.simplify) == sp.zeros(d, d)
    # the two limits, read off the solved A (not the closed form): identical views Σ₂₁ = Σ₁₁ give I, independent
    # views Σ₂₁ = 0 give 0
    lim_equal = A_sol.subs(dict(zip(S21, S11)), simultaneous=True).applyfunc(sp.simplify) == sp.eye(d)
    lim_indep = A_sol.subs({c: 0 for c in S21}).applyfunc(sp.simplify) == sp.zeros(d, d)
    return {"expansion_ok": bool(expansion_ok), "gradient_ok": bool(grad_ok), "closed_form_ok": bool(closed_ok),
            "limit_identical_views_is_I": bool(lim_equal), "limit_independent_views_is_0": bool(lim_indep)}


def linear_predictor_numeric(S11: np.ndarray, S21: np.ndarray) -> np.ndarray:
    """A* = Σ₂₁Σ₁₁⁻¹ (Σ₁₁ must be positive definite)."""
    S11 = check_covariance(S11, "Sigma11", definite=True)
    S21 = np.asarray(S21, dtype=float)
    if S21.shape != S11.shape:
        raise ValueError(f"Sigma21 must have shape {S11.shape}, got {S21.shape}")
    return np.linalg.solve(S11.T, S21.T).T


# ----------------------------------------------------------------------------- M-step, any dimension
def _views(Sigma_x, C, dtype=torch.float64):
    Sx = check_covariance(Sigma_x, "Sigma_x")
    Cm = check_covariance(C, "C", dim=Sx.shape[0])
    return torch.as_tensor(Sx, dtype=dtype), torch.as_tensor(Cm, dtype=dtype)


def cond_var(W: torch.Tensor, Sigma_x, C) -> torch.Tensor:
    """E tr Var(z₂ | z₁) for z_i = W(x + η_i) (Gaussian): tr Σ₁₁ − tr Σ₂₁Σ₁₁⁻¹Σ₁₂, batched over W (..., d, n).

    Σ₁₁ = W(Σ_x + C)Wᵀ, Σ₂₁ = WΣ_xWᵀ; W must have full row rank (Σ₁₁ invertible)."""
    Sx, Cm = _views(Sigma_x, C, W.dtype)
    S11 = W @ (Sx + Cm) @ W.transpose(-1, -2)
    S21 = W @ Sx @ W.transpose(-1, -2)
    tr = lambda M: M.diagonal(dim1=-2, dim2=-1).sum(-1)  # noqa: E731
    return tr(S11) - tr(S21 @ torch.linalg.solve(S11, S21.transpose(-1, -2)))


def population_mstep(W, Sigma_x, C) -> dict:
    """M-step gradients at the E-step optimum, from population moments (torch autograd, float64).

    Objective of one branch, E‖A W x₁ − W_t x₂‖² = tr(AWSWᵀAᵀ) − 2tr(AWΣ_xW_tᵀ) + tr(W_tSW_tᵀ), S = Σ_x + C,
    at A = A*(W) = WΣ_xWᵀ(WSWᵀ)⁻¹ (held fixed).  Returns the stop-gradient gradient (W_t := W detached),
    the full gradient (W_t := W), ∇_W E tr Var(z₂|z₁), their cosines and the envelope residual.
    """
    Sx, Cm = _views(Sigma_x, C)
    W = torch.as_tensor(np.asarray(W), dtype=torch.float64)
    if W.ndim != 2 or W.shape[1] != Sx.shape[0]:
        raise ValueError(f"W must have shape (d, n) with n = {Sx.shape[0]}, got {tuple(W.shape)}")
    S = Sx + Cm
    Wd = W.detach()
    A = torch.linalg.solve((Wd @ S @ Wd.T).T, (Wd @ Sx @ Wd.T).T).T

    def obj(Wo, Wt):
        return torch.trace(A @ Wo @ S @ Wo.T @ A.T) - 2 * torch.trace(A @ Wo @ Sx @ Wt.T) + torch.trace(Wt @ S @ Wt.T)

    Wv = W.clone().requires_grad_(True)
    (g_sg,) = torch.autograd.grad(obj(Wv, Wd), Wv)
    (g_full,) = torch.autograd.grad(obj(Wv, Wv), Wv)
    (g_var,) = torch.autograd.grad(cond_var(Wv, Sigma_x, C), Wv)
    nv = float(g_var.norm())

    def cos(a, b):
        na, nb = float(a.norm()), float(b.norm())
        return float((a * b).sum()) / (na * nb) if na > 0 and nb > 0 else 0.0

    return {"g_sg": g_sg.numpy(), "g_full": g_full.numpy(), "g_var": g_var.numpy(),
            "norm_sg": float(g_sg.norm()), "norm_var": nv, "cos_sg_var": cos(g_sg, g_var),
            "envelope_residual": float((g_full - g_var).abs().max()) / max(nv, 1e-300)}


def descend_cond_var(W0: torch.Tensor, Sigma_x, C, steps: int, lr: float, schedule: str = "cosine") -> torch.Tensor:
    """Plain gradient descent on E tr Var(z₂|z₁) from W0 (..., d, n), each W separately (summed objective).

    ``schedule``: "constant" or "cosine" (lr·½(1 + cos(π t/steps)), as the trainer's cosine schedule)."""
    steps = check_int(steps, "steps", 1)
    check_nonnegative(lr, "lr")
    if schedule not in ("constant", "cosine"):
        raise ValueError(f"schedule must be 'constant' or 'cosine', got {schedule!r}")
    W = torch.as_tensor(W0, dtype=torch.float64).clone().requires_grad_(True)
    for t in range(steps):
        rate = lr if schedule == "constant" else lr * 0.5 * (1 + math.cos(math.pi * t / steps))
        (g,) = torch.autograd.grad(cond_var(W, Sigma_x, C).sum(), W)
        with torch.no_grad():
            W -= rate * g
    return W.detach()


def mstep_general_position(n: int = 6, d: int = 3, draws: int = 5, sigma2: float = 0.49, seed: int = 0) -> dict:
    """population_mstep at ``draws`` random W (seeded) for a random Σ_x (eigenvalues 4, 3, 2, 1, ½, ¼, ...)."""
    n, d, draws = check_int(n, "n", 1), check_int(d, "d", 1), check_int(draws, "draws", 1)
    if d > n:
        raise ValueError(f"d must be <= n, got d={d}, n={n}")
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    spec = np.array([4.0, 3.0, 2.0, 1.0, 0.5, 0.25, 0.125, 0.0625][:n] + [0.03] * max(0, n - 8))
    Sx = q @ np.diag(spec) @ q.T
    C = sigma2 * np.eye(n)
    rows = [population_mstep(rng.standard_normal((d, n)) / np.sqrt(n), Sx, C) for _ in range(draws)]
    return {"cos_sg_var": [r["cos_sg_var"] for r in rows], "envelope_residual": [r["envelope_residual"] for r in rows],
            "norm_sg": [r["norm_sg"] for r in rows], "norm_var": [r["norm_var"] for r in rows], "n": n, "d": d}
