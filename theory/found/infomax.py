"""Linear BYOL/SimSiam targets and the Gaussian mutual information (foundations note, "The Linear
Regime Analysis (Tian et al., 2021)" and "Connection to the InfoMax Principle").

Setting: x ~ N(0, Σ_x) in R^n, views x_i = x + η_i with η_i ~ N(0, C) independent (the note: C = σ²I),
linear encoder z_i = W x_i, W ∈ R^{d×n}.

Derived here:

* ``f_matrix``: F = E[x₁x₂ᵀ] = E[xxᵀ] (Isserlis, symbolic n = 2): = Σ_x for zero-mean data
  (Σ_x + μμᵀ otherwise), whatever C is;
* ``mi_formula``: I(z₁; z₂) = h(z₁) + h(z₂) − h(z₁, z₂) = ½ log det Σ₁₁ / det(Σ₁₁ − Σ₁₂Σ₂₂⁻¹Σ₂₁)
  (Schur determinant identity, symbolic d = 1, 2; 1-d entropy integral);
* ``mi_monotone_1d``: for d = 1 and C = σ²I, I = −½ log(1 − ρ²) with ρ = μ/(μ + σ²), μ = wᵀΣ_xw/‖w‖²,
  increasing in μ, hence maximised by the top eigenvector (Rayleigh quotient);
* ``linear_mi`` / ``maximize_mi``: numeric I(W) and its maximisation by gradient ascent for d > 1;
* ``anisotropic_counterexample``: with C not ∝ I the maximiser is not the top eigenvector of F.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp
import torch

from sslverify.numerics.validation import check_covariance, check_int
from sslverify.theory.gaussian import gaussian_expectation


@lru_cache(maxsize=None)
def f_matrix() -> dict:
    """F = E[x₁x₂ᵀ] with x ~ N(0, Σ), η_i ~ N(0, C) independent, n = 2, symbolic Σ, C."""
    s11, s12, s22, c11, c12, c22 = sp.symbols("s11 s12 s22 c11 c12 c22", real=True)
    S = sp.Matrix([[s11, s12], [s12, s22]])
    Cm = sp.Matrix([[c11, c12], [c12, c22]])
    x = sp.symbols("x1 x2", real=True)
    e1 = sp.symbols("a1 a2", real=True)
    e2 = sp.symbols("b1 b2", real=True)
    Z = sp.zeros(2, 2)
    joint = sp.Matrix(sp.BlockMatrix([[S, Z, Z], [Z, Cm, Z], [Z, Z, Cm]]))
    F = sp.Matrix(2, 2, lambda i, j: gaussian_expectation((x[i] + e1[i]) * (x[j] + e2[j]), x + e1 + e2, joint))
    V = sp.Matrix(2, 2, lambda i, j: gaussian_expectation((x[i] + e1[i]) * (x[j] + e1[j]), x + e1 + e2, joint))
    return {"F_equals_Sigma_x": (F - S).applyfunc(sp.expand) == sp.zeros(2, 2),
            "view_cov_equals_Sigma_plus_C": (V - S - Cm).applyfunc(sp.expand) == sp.zeros(2, 2)}


@lru_cache(maxsize=None)
def mi_formula() -> dict:
    """Schur identity behind the note's formula (d = 1, 2) and the 1-d Gaussian entropy."""
    out = {}
    for d in (1, 2):
        sym = lambda nm: sp.Matrix(d, d, lambda i, j: sp.Symbol(f"{nm}_{min(i, j)}{max(i, j)}", real=True))  # noqa: E731
        A, Bm = sym("a"), sym("b")
        Cx = sp.Matrix(d, d, lambda i, j: sp.Symbol(f"c_{i}{j}", real=True))  # Σ₁₂
        joint = sp.Matrix(sp.BlockMatrix([[A, Cx], [Cx.T, Bm]]))
        schur = A - Cx * Bm.inv() * Cx.T
        out[f"schur_d{d}"] = sp.simplify(joint.det() - Bm.det() * schur.det()) == 0
    s, z = sp.symbols("s", positive=True), sp.Symbol("z", real=True)
    p = sp.exp(-z**2 / (2 * s)) / sp.sqrt(2 * sp.pi * s)
    h = sp.integrate(sp.expand(-p * sp.expand_log(sp.log(p), force=True)), (z, -sp.oo, sp.oo))
    out["entropy_1d"] = sp.simplify(h - sp.log(2 * sp.pi * sp.E * s) / 2) == 0
    return out


@lru_cache(maxsize=None)
def mi_monotone_1d() -> dict:
    mu, sig2 = sp.symbols("mu sigma2", positive=True)
    rho = mu / (mu + sig2)
    I = -sp.log(1 - rho**2) / 2
    # formula from the variances: Σ11 = μ + σ², Σ12 = μ, Σ22 = μ + σ²
    I_formula = sp.log((mu + sig2) / ((mu + sig2) - mu**2 / (mu + sig2))) / 2
    dI = sp.simplify(sp.diff(I, mu))
    num, den = sp.fraction(sp.together(dI))
    return {"formula_agrees": sp.simplify(sp.expand_log(I - I_formula, force=True)) == 0, "dI_dmu": dI,
            "increasing": bool(sp.simplify(num).is_positive and sp.simplify(den).is_positive)}


def _check_problem(Sigma_x, C):
    Sx = check_covariance(Sigma_x, "Sigma_x")
    Cm = check_covariance(C, "C", dim=Sx.shape[0])
    return Sx, Cm


def linear_mi(W, Sigma_x, C) -> np.ndarray:
    """I(Wx₁; Wx₂) for W (..., d, n) (float64; W must have full row rank)."""
    Sx, Cm = _check_problem(Sigma_x, C)
    W = torch.as_tensor(np.asarray(W), dtype=torch.float64)
    return _mi_torch(W, torch.as_tensor(Sx), torch.as_tensor(Cm)).numpy()


def _mi_torch(W, Sx, Cm):
    S11 = W @ (Sx + Cm) @ W.transpose(-1, -2)
    S12 = W @ Sx @ W.transpose(-1, -2)
    cond = S11 - S12 @ torch.linalg.solve(S11, S12.transpose(-1, -2))
    return 0.5 * (torch.logdet(S11) - torch.logdet(cond))


def top_eig_mi(Sigma_x, sigma2: float, d: int) -> float:
    """Σ_{j≤d} ½ log((s_j + σ²)² / (σ²(2s_j + σ²))) for the top-d eigenvalues s_j of Σ_x."""
    s = np.sort(np.linalg.eigvalsh(check_covariance(Sigma_x, "Sigma_x")))[::-1][:d]
    return float(np.sum(0.5 * np.log((s + sigma2) ** 2 / (sigma2 * (2 * s + sigma2)))))


def maximize_mi(Sigma_x, C, d: int, seeds=(0, 1, 2, 3), steps: int = 600, lr: float = 0.05):
    """Gradient ascent on I(W) from random W (one batched program over seeds). Returns (W, I)."""
    Sx, Cm = _check_problem(Sigma_x, C)
    d = check_int(d, "d", 1)
    n = Sx.shape[0]
    W0 = np.stack([np.random.default_rng(s).standard_normal((d, n)) for s in seeds])
    W = torch.tensor(W0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([W], lr=lr)
    Sx_t, C_t = torch.as_tensor(Sx), torch.as_tensor(Cm)
    for _ in range(steps):
        opt.zero_grad()
        # I is invariant to W → GW; keep rows orthonormal-ish by optimising the QR factor's span
        Q = torch.linalg.qr(W.transpose(-1, -2))[0].transpose(-1, -2)
        loss = -_mi_torch(Q, Sx_t, C_t).sum()
        loss.backward()
        opt.step()
    with torch.no_grad():
        Q = torch.linalg.qr(W.transpose(-1, -2))[0].transpose(-1, -2)
        return Q.numpy(), _mi_torch(Q, Sx_t, C_t).numpy()


def anisotropic_counterexample() -> dict:
    """Σ_x = diag(2, 1), C = diag(10, 0.01), d = 1: MI along e₁ (top eigenvector of F) vs e₂."""
    Sx, C = np.diag([2.0, 1.0]), np.diag([10.0, 0.01])
    i1 = float(linear_mi(np.array([[1.0, 0.0]]), Sx, C))
    i2 = float(linear_mi(np.array([[0.0, 1.0]]), Sx, C))
    return {"mi_top_eigvec_of_F": i1, "mi_second_eigvec": i2, "top_is_not_maximiser": i2 > i1}
