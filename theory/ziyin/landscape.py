"""Landscape of the effective quartic SSL loss (Ziyin et al., eq. 4 / Prop 6, Thm 1, Prop 2).

L(W) = -Tr[W B Wᵀ] + Tr[W Σ Wᵀ W Σ Wᵀ] + γ‖W‖_F² + κ (Tr[W Σ Wᵀ] - c)²,  W ∈ R^{d1×d0}.

Everything here is numpy (numeric) or sympy (symbolic); no torch.  Notation:
G = WᵀW, H = Σ^{1/2} G Σ^{1/2}, B̃ = Σ^{-1/2} B Σ^{-1/2}, V = W Σ^{1/2}.
Derived facts (proved in tests/theory/test_ziyin_landscape.py):
* ∇L = -2WB + 4WΣWᵀWΣ + 2γW + 4κ(ρ-c)WΣ, ρ = Tr[WΣWᵀ]              (eq. 24, 38)
* ∇L = 0  ⟺  G B_eff = 2 G Σ G Σ  ⟺  H B̃_eff = 2 H²                 (Thm 1)
  so H commutes with B̃_eff and its eigenvalues lie in {0, b̃_i/2}.
* Prop 2 descent identity: L(V + ε q eᵀ) = L(V) - ε² b̃ + ε⁴ (q ⊥ col V, B̃e = b̃e, Ve = 0).
"""
from __future__ import annotations

from functools import lru_cache
from itertools import combinations

import numpy as np
import sympy as sp

# ----------------------------------------------------------------------------- input checks


def check_symmetric(name: str, M, pd: bool = False) -> np.ndarray:
    """M as float array; ValueError if not square symmetric (positive definite if ``pd``)."""
    M = np.asarray(M, dtype=np.float64)
    if M.ndim != 2 or M.shape[0] != M.shape[1]:
        raise ValueError(f"{name} must be a square matrix, got shape {M.shape}")
    if not np.allclose(M, M.T, rtol=1e-10, atol=1e-12):  # float round-off only
        raise ValueError(f"{name} must be symmetric")
    if pd and np.linalg.eigvalsh(M).min() <= 0:
        raise ValueError(f"{name} must be symmetric positive definite")
    return (M + M.T) / 2


def _check_W(W, d0: int) -> np.ndarray:
    W = np.asarray(W, dtype=np.float64)
    if W.ndim != 2 or W.shape[1] != d0:
        raise ValueError(f"W must have shape (d1, {d0}), got {W.shape}")
    return W


def random_problem(rng: np.random.Generator, d0: int, commuting: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(B, Σ): a symmetric B with eigenvalues of both signs and Σ ≻ 0 (eigenvalues ≥ 0.3), drawn from ``rng``;
    ``commuting``: B and Σ share a random eigenbasis (B eigenvalues N(0, 1), Σ eigenvalues U(0.5, 2))."""
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy Generator (explicit seed), got {type(rng).__name__}")
    if int(d0) != d0 or d0 < 1:
        raise ValueError(f"d0 must be a positive integer, got {d0}")
    Q, _ = np.linalg.qr(rng.normal(size=(d0, d0)))
    if commuting:
        return Q @ np.diag(rng.normal(size=d0)) @ Q.T, Q @ np.diag(rng.uniform(0.5, 2.0, d0)) @ Q.T
    A = rng.normal(size=(d0, d0))
    Bm = rng.normal(size=(d0, d0))
    return (Bm + Bm.T) / 2, A @ A.T / d0 + 0.3 * np.eye(d0)


def sqrt_pair(Sigma) -> tuple[np.ndarray, np.ndarray]:
    """(Σ^{1/2}, Σ^{-1/2}) of a symmetric positive definite Σ."""
    Sigma = check_symmetric("Sigma", Sigma, pd=True)
    s, Q = np.linalg.eigh(Sigma)
    return (Q * np.sqrt(s)) @ Q.T, (Q / np.sqrt(s)) @ Q.T


def whitened(B, Sigma) -> np.ndarray:
    """B̃ = Σ^{-1/2} B Σ^{-1/2} (Thm 1)."""
    B = check_symmetric("B", B)
    _, Sm = sqrt_pair(Sigma)
    Bt = Sm @ B @ Sm
    return (Bt + Bt.T) / 2


# ----------------------------------------------------------------------------- loss, gradient, Hessian


def quartic_loss(W, B, Sigma, gamma: float = 0.0, kappa: float = 0.0, c: float = 1.0) -> float:
    """Eq. 4 with Prop 6 (+ weight decay γ‖W‖², + κR of eq. 5)."""
    B = check_symmetric("B", B)
    Sigma = check_symmetric("Sigma", Sigma)
    W = _check_W(W, B.shape[0])
    P = W @ Sigma @ W.T
    rho = np.trace(P)
    return float(-np.trace(W @ B @ W.T) + np.trace(P @ P) + gamma * np.sum(W * W) + kappa * (rho - c) ** 2)


def quartic_grad(W, B, Sigma, gamma: float = 0.0, kappa: float = 0.0, c: float = 1.0) -> np.ndarray:
    """∇L = -2WB + 4WΣWᵀWΣ + 2γW + 4κ(ρ-c)WΣ  (eq. 24; eq. 38 for κ)."""
    B = check_symmetric("B", B)
    Sigma = check_symmetric("Sigma", Sigma)
    W = _check_W(W, B.shape[0])
    WS = W @ Sigma
    rho = np.trace(WS @ W.T)
    return -2 * W @ B + 4 * WS @ W.T @ WS + 2 * gamma * W + 4 * kappa * (rho - c) * WS


def quartic_hessian(W, B, Sigma, gamma: float = 0.0, kappa: float = 0.0, c: float = 1.0) -> np.ndarray:
    """Hessian of L on vec(W) (row-major flattening), from the directional derivative of ∇L."""
    B = check_symmetric("B", B)
    Sigma = check_symmetric("Sigma", Sigma)
    W = _check_W(W, B.shape[0])
    d1, d0 = W.shape
    WS = W @ Sigma
    rho = np.trace(WS @ W.T)
    n = d1 * d0
    Hm = np.zeros((n, n))
    for a in range(n):
        E = np.zeros(n)
        E[a] = 1.0
        E = E.reshape(d1, d0)
        ES = E @ Sigma
        D = (-2 * E @ B + 4 * (ES @ W.T @ WS + WS @ E.T @ WS + WS @ W.T @ ES) + 2 * gamma * E
             + 4 * kappa * (rho - c) * ES + 8 * kappa * np.trace(ES @ W.T) * WS)
        Hm[:, a] = D.ravel()
    return (Hm + Hm.T) / 2


def symmetry_dim(W) -> int:
    """dim of the tangent space {A W : A skew} of the O(d1) orbit through W (flat Hessian directions)."""
    W = np.asarray(W, dtype=np.float64)
    d1 = W.shape[0]
    vecs = []
    for i, j in combinations(range(d1), 2):
        A = np.zeros((d1, d1))
        A[i, j], A[j, i] = 1.0, -1.0
        vecs.append((A @ W).ravel())
    if not vecs:
        return 0
    sv = np.linalg.svd(np.array(vecs), compute_uv=False)
    return int(np.sum(sv > 1e-9 * max(1.0, np.abs(W).max())))  # float round-off


def classify_stationary(W, B, Sigma, gamma: float = 0.0, kappa: float = 0.0, c: float = 1.0,
                        rtol: float = 1e-8) -> str:
    """'min' (Hessian ⪰ 0, kernel = O(d1) orbit tangent: Morse–Bott minimum), 'saddle' (a negative
    Hessian eigenvalue) or 'degenerate' (extra flat directions, undecided at second order).
    rtol: relative to the largest Hessian eigenvalue, float64 round-off of an O(d²) eigensolve."""
    ev = np.linalg.eigvalsh(quartic_hessian(W, B, Sigma, gamma, kappa, c))
    tol = rtol * max(1.0, np.abs(ev).max())
    if ev.min() < -tol:
        return "saddle"
    return "min" if int(np.sum(np.abs(ev) <= tol)) == symmetry_dim(W) else "degenerate"


# ----------------------------------------------------------------------------- stationary points (Thm 1)


def eigenbasis(Bt, U=None) -> tuple[np.ndarray, np.ndarray]:
    """(λ, U) of B̃ = Σ^{-1/2} B Σ^{-1/2}: eigh's basis, or a given orthonormal eigenbasis ``U``
    (any one, when B̃ has repeated eigenvalues — the degenerate case of Thm 1)."""
    if U is None:
        return np.linalg.eigh(Bt)
    U = np.asarray(U, dtype=np.float64)
    if U.shape != Bt.shape or not np.allclose(U.T @ U, np.eye(len(U)), rtol=0, atol=1e-10):  # float64 round-off
        raise ValueError("U must be an orthogonal matrix of the shape of B")
    lam = np.einsum("ij,ik,kj->j", U, Bt, U)
    if not np.allclose(Bt @ U, U * lam, rtol=0, atol=1e-9 * max(1.0, np.abs(Bt).max())):  # round-off of Bt @ U
        raise ValueError("U must be an eigenbasis of Sigma^{-1/2} B Sigma^{-1/2}")
    return lam, U


def stationary_gram(B, Sigma, mask, U=None) -> np.ndarray:
    """G = ½ Σ^{-1/2} U M Λ Uᵀ Σ^{-1/2} with U Λ Uᵀ an eigendecomposition of B̃ (eq. 30).

    ``mask`` is a 0/1 vector over the columns of U (eigh order if U is None); masked eigenvalues
    must be ≥ 0 (mask rule (1)).  ``U`` may be any orthonormal eigenbasis of B̃ (degenerate case).
    """
    Bt = whitened(B, Sigma)
    _, Sm = sqrt_pair(Sigma)
    lam, U = eigenbasis(Bt, U)
    mask = np.asarray(mask, dtype=np.float64)
    if mask.shape != lam.shape or not np.all((mask == 0) | (mask == 1)):
        raise ValueError(f"mask must be a 0/1 vector of length {len(lam)}")
    if np.any(lam[mask == 1] < 0):
        raise ValueError("mask must not select negative eigenvalues (Thm 1 rule (1))")
    return Sm @ (U * (0.5 * mask * lam)) @ U.T @ Sm


def weights_from_gram(G, d1: int, Q=None) -> np.ndarray:
    """A W ∈ R^{d1×d0} with WᵀW = G (G ⪰ 0 of rank ≤ d1); ``Q`` ∈ O(d1) rotates it."""
    G = check_symmetric("G", G)
    g, V = np.linalg.eigh(G)
    if g.min() < -1e-9 * max(1.0, g.max()):  # float round-off
        raise ValueError("G must be positive semi-definite")
    g = np.where(g > 1e-12 * max(1.0, g.max()), g, 0.0)  # round-off zeros are exact zeros
    order = np.argsort(g)[::-1]
    if np.sum(g > 0) > d1:
        raise ValueError(f"G must have rank at most d1 = {d1}")
    k = min(d1, len(g))
    W = np.zeros((d1, len(g)))
    W[:k] = (V[:, order[:k]] * np.sqrt(g[order[:k]])).T
    return W if Q is None else np.asarray(Q, dtype=np.float64) @ W


def enumerate_stationary(B, Sigma, d1: int) -> list[tuple[tuple[int, ...], np.ndarray]]:
    """All stationary points (mask, W) of Thm 1 for a B̃ with distinct eigenvalues (eigh order)."""
    Bt = whitened(B, Sigma)
    lam = np.linalg.eigvalsh(Bt)
    if len(lam) > 1 and np.min(np.diff(lam)) <= 1e-9 * max(1.0, np.abs(lam).max()):  # float round-off
        raise ValueError("B must make Sigma^{-1/2} B Sigma^{-1/2} have distinct eigenvalues")
    d0 = len(lam)
    pos = [i for i in range(d0) if lam[i] > 0]
    out = []
    for r in range(min(len(pos), d0, d1) + 1):
        for sel in combinations(pos, r):
            mask = np.zeros(d0)
            mask[list(sel)] = 1
            out.append((tuple(int(v) for v in mask), weights_from_gram(stationary_gram(B, Sigma, mask), d1)))
    return out


def num_positive(B, Sigma=None) -> int:
    """m: positive eigenvalues of B (= of B̃ by Sylvester's law of inertia)."""
    B = check_symmetric("B", B)
    ev = np.linalg.eigvalsh(B if Sigma is None else whitened(B, Sigma))
    return int(np.sum(ev > 1e-12 * max(1.0, np.abs(ev).max())))  # float round-off


def predicted_rank(B, Sigma, d1: int) -> int:
    """Prop 2: rank(WᵀW) = min(m, d*) at every local minimum, d* = min(d0, d1)."""
    if int(d1) != d1 or d1 < 1:
        raise ValueError(f"d1 must be a positive integer, got {d1}")
    return min(num_positive(B, Sigma), len(np.asarray(B)), int(d1))


def predicted_gram(B, Sigma, d1: int) -> np.ndarray:
    """Global-minimum WᵀW: the top min(m, d*) positive eigen-directions of B̃ (Thm 1 + Prop 2);
    ties at the cut are broken by eigh order."""
    lam = np.linalg.eigvalsh(whitened(B, Sigma))
    r = predicted_rank(B, Sigma, d1)
    mask = np.zeros(len(lam))
    mask[len(lam) - r:] = 1  # eigh sorts ascending
    return stationary_gram(B, Sigma, mask)


def global_min_value(B, Sigma, d1: int) -> float:
    """L at the global minimum: -Σ_top b̃_i²/4 (from L = Σ(-h b̃ + h²) with h = b̃/2)."""
    lam = np.linalg.eigvalsh(whitened(B, Sigma))
    r = predicted_rank(B, Sigma, d1)
    return float(-np.sum(lam[len(lam) - r:] ** 2) / 4) if r else 0.0


def thm1_form_residual(W, B, Sigma) -> dict[str, float]:
    """How far W is from Thm 1's form: ‖[H, B̃]‖ and the distance of eig(H) from {0, b̃_i/2}."""
    Bt = whitened(B, Sigma)
    Sh, _ = sqrt_pair(Sigma)
    W = _check_W(W, len(Bt))
    H = Sh @ W.T @ W @ Sh
    lam, U = np.linalg.eigh(Bt)
    Hu = U.T @ H @ U  # H in B̃'s eigenbasis: block diagonal over B̃'s eigenspaces
    dist = []
    for h in np.linalg.eigvalsh(H):
        dist.append(min([abs(h)] + [abs(h - li / 2) for li in lam]))
    return {"commutator": float(np.abs(H @ Bt - Bt @ H).max()), "eig_distance": float(max(dist)),
            "H_basis_offdiag_distinct": float(max([abs(Hu[i, j]) for i in range(len(lam)) for j in range(len(lam))
                                                   if abs(lam[i] - lam[j]) > 1e-6] + [0.0]))}


def descent_direction(W, B, Sigma, tol: float = 1e-9):
    """Prop 2's second-order descent direction D = q eᵀ Σ^{-1/2} at a rank-deficient stationary W, or None.

    q ⊥ col(W), e a B̃-eigenvector with b̃ > 0 and H e = 0; then L(W + εD) = L(W) - ε² b̃ + ε⁴.
    Returns (D, b̃).  ``tol``: float round-off threshold for "zero".
    """
    Bt = whitened(B, Sigma)
    Sh, Sm = sqrt_pair(Sigma)
    W = _check_W(W, len(Bt))
    V = W @ Sh
    u, s, _ = np.linalg.svd(V, full_matrices=True)
    r = int(np.sum(s > tol * max(1.0, s.max(initial=0.0))))
    if r >= W.shape[0]:
        return None
    q = u[:, r]
    lam, U = np.linalg.eigh(Bt)
    for i in np.argsort(lam)[::-1]:
        if lam[i] > tol and np.linalg.norm(V @ U[:, i]) <= tol * max(1.0, np.linalg.norm(V)):
            return np.outer(q, U[:, i]) @ Sm, float(lam[i])
    return None


# ----------------------------------------------------------------------------- symbolic


def loss_sym(W: sp.Matrix, B: sp.Matrix, Sigma: sp.Matrix, gamma=0, kappa=0, c=1) -> sp.Expr:
    """Symbolic eq. 4/5 (Prop 6 form) with weight decay and normalization penalty."""
    P = W * Sigma * W.T
    return (-(W * B * W.T).trace() + (P * P).trace() + gamma * (W * W.T).trace()
            + kappa * (P.trace() - c) ** 2)


def grad_formula_sym(W: sp.Matrix, B: sp.Matrix, Sigma: sp.Matrix, gamma=0, kappa=0, c=1) -> sp.Matrix:
    """The closed form of ∇L (eq. 24 / 38 with the right dρ/dW = 2WΣ)."""
    rho = (W * Sigma * W.T).trace()
    return -2 * W * B + 4 * W * Sigma * W.T * W * Sigma + 2 * gamma * W + 4 * kappa * (rho - c) * W * Sigma


def grad_entrywise_sym(W: sp.Matrix, B: sp.Matrix, Sigma: sp.Matrix, **kw) -> sp.Matrix:
    """∂L/∂W_ij entry by entry (no matrix calculus)."""
    L = loss_sym(W, B, Sigma, **kw)
    return sp.Matrix(W.shape[0], W.shape[1], lambda i, j: sp.diff(L, W[i, j]))


def sym_matrix(name: str, n: int, symmetric: bool = True) -> sp.Matrix:
    """n×n matrix of real symbols (symmetric if asked)."""
    if symmetric:
        return sp.Matrix(n, n, lambda i, j: sp.Symbol(f"{name}{min(i, j)}{max(i, j)}", real=True))
    return sp.Matrix(n, n, lambda i, j: sp.Symbol(f"{name}{i}{j}", real=True))


@lru_cache(maxsize=None)
def prop2_identity_residuals() -> tuple[sp.Expr, sp.Expr]:
    """L(V + ε q eᵀ) - [L(V) - ε² b̃ |q|²|e|² + ε⁴ |q|⁴|e|⁴] (Prop 2 descent identity), Σ = I after whitening.

    (i) d0 = d1 = 2, general symbolic q, e (unnormalized): V = α q⊥ e⊥ᵀ is the general matrix with
        qᵀV = 0 and Ve = 0, and B̃ = (b e eᵀ + y e⊥ e⊥ᵀ)/|e|² the general symmetric matrix with B̃e = be.
    (ii) d0 = d1 = 3 in adapted coordinates q = e = e₃ (rotation invariance), V = [[X, 0], [0, 0]],
        B̃ = [[Y, 0], [0, b]] with X general 2×2 and Y symmetric 2×2.
    Both must be 0.
    """
    b, eps, alpha, y = sp.symbols("b epsilon alpha y", real=True)
    q = sp.Matrix(sp.symbols("q0 q1", real=True))
    e = sp.Matrix(sp.symbols("e0 e1", real=True))
    qp, ep = sp.Matrix([-q[1], q[0]]), sp.Matrix([-e[1], e[0]])
    q2, e2 = (q.T * q)[0], (e.T * e)[0]
    V = alpha * qp * ep.T
    Bt = (b * e * e.T + y * ep * ep.T) / e2
    I2 = sp.eye(2)
    r1 = (loss_sym(V + eps * q * e.T, Bt, I2) - loss_sym(V, Bt, I2)
          + eps ** 2 * b * q2 * e2 - eps ** 4 * q2 ** 2 * e2 ** 2)
    r1 = sp.cancel(sp.expand(r1))
    X = sym_matrix("x", 2, symmetric=False)
    Y = sym_matrix("y", 2)
    V3 = sp.diag(X, sp.zeros(1, 1))
    B3 = sp.diag(Y, b)
    e3 = sp.Matrix([0, 0, 1])
    I3 = sp.eye(3)
    r2 = sp.expand(loss_sym(V3 + eps * e3 * e3.T, B3, I3) - loss_sym(V3, B3, I3) + eps ** 2 * b - eps ** 4)
    return r1, r2


def newton_stationary(W0, B, Sigma, gamma: float = 0.0, kappa: float = 0.0, c: float = 1.0,
                      iters: int = 200, gtol: float = 1e-11):
    """A stationary point near W0: Levenberg–Marquardt on ½‖∇L‖² with the exact Hessian (finds saddles
    as well as minima).  Returns (W, max|∇L|)."""
    W = np.array(W0, dtype=np.float64)
    mu = 1e-3
    g = quartic_grad(W, B, Sigma, gamma, kappa, c).ravel()
    for _ in range(iters):
        if np.abs(g).max() < gtol:
            break
        Hm = quartic_hessian(W, B, Sigma, gamma, kappa, c)
        step = np.linalg.solve(Hm @ Hm + mu * np.eye(len(g)), Hm @ g)
        Wn = W - step.reshape(W.shape)
        gn = quartic_grad(Wn, B, Sigma, gamma, kappa, c).ravel()
        if gn @ gn < g @ g:
            W, g, mu = Wn, gn, max(mu / 3, 1e-15)
        else:
            mu *= 4
    return W, float(np.abs(g).max())


# ----------------------------------------------------------------------------- Thm 1, symbolic


@lru_cache(maxsize=None)
def thm1_symbolic_residuals() -> dict[str, list]:
    """Residuals (each must be 0) of the steps of our Thm 1 proof, at d0 = d1 = 2 with symbolic entries:

    grad:        closed-form ∇L (with γ, κ, c) minus the entrywise derivative, d1, d0 ∈ {1, 2}
    lemma:       ‖WY‖_F² - Tr[Yᵀ(WᵀW)Y]  (so WᵀWY = 0 ⟹ WY = 0: ∇L = WY = 0 ⟺ G B = 2GΣGΣ)
    similarity:  D²·[Σ^{1/2}(GB - 2GΣGΣ)Σ^{-1/2} - (HB̃ - 2H²)], Σ^{1/2} = S general symmetric, D = det S
                 (written with adj(S) = D·S⁻¹, so it is a polynomial)
    commute:     (HB̃ - B̃H) - (R - Rᵀ) with R = HB̃ - 2H² (H, B̃ symmetric ⟹ R = 0 forces [H, B̃] = 0)
    offdiag:     (R - Rᵀ)_{12} in B̃'s eigenbasis equals h12 (l2 - l1): distinct eigenvalues ⟹ H diagonal
    projector:   (2K/l)² - 2K/l - (2/l²)(2K² - lK): on a degenerate eigenspace K = (l/2)·projector
    converse:    ∇L at W = diag(p)Uᵀ Σ^{-1/2}/√2 (rank 2 and its first row, rank 1), B = Σ^{1/2}UΛUᵀΣ^{1/2},
                 Λ = diag(p1², p2²), U a rational rotation, Σ^{1/2} = diag(s1, s2) (B, Σ do not commute)
    """
    out: dict[str, list] = {"grad": [], "lemma": [], "similarity": [], "commute": [], "offdiag": [],
                            "projector": [], "converse": []}
    gam, kap, c = sp.symbols("gamma kappa c", real=True)
    for d1 in (1, 2):
        for d0 in (1, 2):
            W = sp.Matrix(d1, d0, lambda i, j: sp.Symbol(f"w{i}{j}", real=True))
            B, S = sym_matrix("b", d0), sym_matrix("s", d0)
            diff = grad_formula_sym(W, B, S, gam, kap, c) - grad_entrywise_sym(W, B, S, gamma=gam, kappa=kap, c=c)
            out["grad"] += [sp.expand(x) for x in diff]
    W = sp.Matrix(2, 2, lambda i, j: sp.Symbol(f"w{i}{j}", real=True))
    Y = sym_matrix("y", 2, symmetric=False)
    out["lemma"].append(sp.expand(((W * Y).T * (W * Y)).trace() - (Y.T * (W.T * W) * Y).trace()))
    S, G, B = sym_matrix("s", 2), sym_matrix("g", 2), sym_matrix("b", 2)
    # S⁻¹ = adj(S)/D, D = det S ≠ 0: the residual times D² is a polynomial (expand instead of a slow cancel)
    D, adj = S.det(), S.adjugate()
    H = S * G * S
    r = D * S * (G * B - 2 * G * S * S * G * S * S) * adj - (H * adj * B * adj - 2 * D ** 2 * H * H)
    out["similarity"] += [sp.expand(x) for x in r]
    Hs, Bs = sym_matrix("h", 2), sym_matrix("l", 2)
    R = Hs * Bs - 2 * Hs * Hs
    out["commute"] += [sp.expand(x) for x in (Hs * Bs - Bs * Hs) - (R - R.T)]
    h1, h2, h12, l1, l2, lam = sp.symbols("h1 h2 h12 l1 l2 l", real=True)
    K = sp.Matrix([[h1, h12], [h12, h2]])
    R = K * sp.diag(l1, l2) - 2 * K * K
    out["offdiag"].append(sp.expand((R - R.T)[0, 1] - h12 * (l2 - l1)))
    P = 2 * K / lam
    out["projector"] += [sp.expand(x) for x in P * P - P - (2 / lam ** 2) * (2 * K * K - lam * K)]
    s1, s2, t, p1, p2 = sp.symbols("s1 s2 t p1 p2", positive=True)
    Sh = sp.diag(s1, s2)
    U = sp.Matrix([[1 - t ** 2, -2 * t], [2 * t, 1 - t ** 2]]) / (1 + t ** 2)
    B = Sh * U * sp.diag(p1 ** 2, p2 ** 2) * U.T * Sh
    W = (U * sp.diag(p1, p2)).T * Sh.inv() / sp.sqrt(2)
    for Wk in (W, W[0, :]):  # numerator of each entry over a common denominator must expand to 0
        out["converse"] += [sp.expand(sp.fraction(sp.together(x))[0]) for x in grad_formula_sym(Wk, B, Sh * Sh)]
    return out


def thm1_diag_solutions() -> list[dict]:
    """Solutions of K Λ = 2K² for diagonal K (the case h12 = 0 forced by distinct l1 ≠ l2)."""
    h1, h2, l1, l2 = sp.symbols("h1 h2 l1 l2", real=True)
    K = sp.diag(h1, h2)
    return sp.solve(list(K * sp.diag(l1, l2) - 2 * K * K), [h1, h2], dict=True)


# ----------------------------------------------------------------------------- commuting-form counterexample


def commuting_counterexample() -> dict:
    """Σ = diag(1, 2), B = Σ (commute; B̃ = I degenerate), d1 = 1, W = vᵀΣ^{-1/2}/√2, v = (1,1)/√2.

    Realizable: A0 = C = diag(½, 1) with the SCL form B = 2A0 (other_losses), or any loss with B ∝ A0 and
    augmentation C ∝ A0.  Returns the exact gradient, G and every ½Σ⁻¹B_MΣ⁻¹ (B has distinct eigenvalues,
    so every B_M is diagonal).
    """
    Sig = sp.diag(1, 2)
    A0 = C = sp.diag(sp.Rational(1, 2), 1)
    B = 2 * A0
    beta = sp.Integer(1)
    if Sig != A0 + C or B != beta * Sig:
        raise ValueError("example must have Sigma = A0 + C and B = Sigma")
    v = sp.Matrix([1, 1]) / sp.sqrt(2)
    W = sp.sqrt(beta / 2) * v.T * sp.diag(1, 1 / sp.sqrt(2))
    G = sp.simplify(W.T * W)
    forms = []
    for m1 in (0, 1):
        for m2 in (0, 1):
            BM = sp.diag(m1 * B[0, 0], m2 * B[1, 1])
            forms.append(sp.Rational(1, 2) * Sig.inv() * BM * Sig.inv())
    return {"Sigma": Sig, "B": B, "W": W, "G": G, "grad": sp.simplify(grad_formula_sym(W, B, Sig)),
            "commutes": Sig * B == B * Sig, "commuting_forms": forms,
            "matches_any_form": any(sp.simplify(G - F) == sp.zeros(2, 2) for F in forms)}
