"""The InfoNCE gradient through a constant subvector (source §3.4, eq. 1, eq. 8, eq. 9).

Conventions of eq. 8 (read off its terms): N anchors z_i with positives z_i⁺; the negatives of
anchor i are the other anchors z_j (j ≠ i); logits s_ii⁺ = sim(z_i, z_i⁺)/τ, s_ij = sim(z_i, z_j)/τ;
ℓ_i = −log p^{i⇓i⁺} with p^{i⇓·} the softmax of anchor i's row; eq. 8 is the gradient of the *sum*
Σ_i ℓ_i with the *dot product* sim(a, b) = aᵀb (its z/τ factors), while eq. 1 writes the loss
without the log and with the cosine similarity.

Derived here:

* eq. 8 is right for that (dot-product, log, sum) loss: ∂/∂z_i = −[z_i⁺(1 − p^{i⇓i⁺})
  − Σ_{j≠i} z_j (p^{i⇓j} + p^{j⇓i})]/τ (checked symbolically and by autograd).
* eq. 9: with z^d = k for every embedding, the bracket simplifies (1 − p^{i⇓i⁺} = Σ_{j≠i} p^{i⇓j})
  to ∂L/∂z_i^d = (k/τ) Σ_{j≠i} p^{j⇓i}: zero iff k = 0 (the p are > 0 at finite logits).
* But the constant adds d_r k²/τ to every dot-product logit, which cancels in every softmax: the
  loss, and the gradient of every trained coordinate and weight, are the same for every k
  (dL/dk ≡ 0: the per-embedding gradients along the constant coordinates sum to zero).  The
  nonzero ∂L/∂z_i^d reaches no parameter: a constant has none.  Only with the cosine similarity
  (eq. 1) does k change training — through ‖z‖² = ‖z₀‖² + d_r k², not through a gradient "along
  1_{d_r}".
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp
import torch


def _check(Z: torch.Tensor, Zp: torch.Tensor, tau: float) -> None:
    if Z.dim() != 2 or Z.shape != Zp.shape or Z.shape[0] < 2:
        raise ValueError(f"Z and Zp must have the same shape (N, D) with N >= 2, got {tuple(Z.shape)}, {tuple(Zp.shape)}")
    if not tau > 0:
        raise ValueError(f"tau must be > 0, got {tau}")


def logits(Z: torch.Tensor, Zp: torch.Tensor, tau: float, sim: str = "dot") -> torch.Tensor:
    """(N, N) logits of eq. 8: L[i, j] = s_ij for j ≠ i (negatives) and L[i, i] = s_ii⁺ (the positive)."""
    _check(Z, Zp, tau)
    if sim == "cosine":
        Z = Z / Z.norm(dim=-1, keepdim=True)
        Zp = Zp / Zp.norm(dim=-1, keepdim=True)
    elif sim != "dot":
        raise ValueError(f"sim must be 'dot' or 'cosine', got {sim!r}")
    S = Z @ Z.T / tau
    pos = (Z * Zp).sum(-1) / tau
    return S - torch.diag(torch.diagonal(S)) + torch.diag(pos)


def loss(Z: torch.Tensor, Zp: torch.Tensor, tau: float, sim: str = "dot", log: bool = True) -> torch.Tensor:
    """Σ_i ℓ_i; log=True: ℓ_i = −log p^{i⇓i⁺} (eq. 8's loss); log=False: ℓ_i = −p^{i⇓i⁺} (eq. 1 as written)."""
    L = logits(Z, Zp, tau, sim)
    logp = torch.diagonal(torch.log_softmax(L, dim=-1))
    return -(logp.sum() if log else logp.exp().sum())


def probabilities(Z: torch.Tensor, Zp: torch.Tensor, tau: float, sim: str = "dot") -> torch.Tensor:
    """P[i, j] = p^{i⇓j} (j ≠ i) and P[i, i] = p^{i⇓i⁺}."""
    return torch.softmax(logits(Z, Zp, tau, sim), dim=-1)


def eq8_gradient(Z: torch.Tensor, Zp: torch.Tensor, tau: float) -> torch.Tensor:
    """The source's eq. 8, second line: −[z_i⁺(1 − p^{i⇓i⁺}) − Σ_{j≠i} z_j(p^{i⇓j} + p^{j⇓i})]/τ."""
    P = probabilities(Z, Zp, tau)
    off = P - torch.diag(torch.diagonal(P))
    return -(Zp * (1 - torch.diagonal(P)).unsqueeze(-1) - (off + off.T) @ Z) / tau


def eq9_bracket(P: torch.Tensor, k: float, tau: float) -> tuple[torch.Tensor, torch.Tensor]:
    """eq. 9 for a constant coordinate: the source's form and the simplified (k/τ)Σ_{j≠i}p^{j⇓i}."""
    off = P - torch.diag(torch.diagonal(P))
    source = -(k / tau) * ((1 - torch.diagonal(P)) - (off.sum(1) + off.sum(0)))
    simplified = (k / tau) * off.sum(0)
    return source, simplified


def is_zero(expr: sp.Expr) -> bool:
    """Exact zero test for rational functions of exponentials: numerator of the combined fraction,
    expanded with exp(a)·exp(b) = exp(a + b), is identically 0 (faster than sp.simplify here)."""
    num, _ = sp.fraction(sp.together(expr))
    return sp.expand(sp.powsimp(sp.expand(num))) == 0


@lru_cache(maxsize=None)
def symbolic_eq9(n: int = 3) -> dict:
    """N = n anchors, one trained coordinate a_i (positives b_i) and one constant coordinate.

    The constant coordinates get their own symbols c_i (anchors), e_i (positives), differentiated,
    then set to k.  Returns whether ∂L/∂c_i − (k/τ)Σ_{j≠i}p^{j⇓i} ≡ 0, whether the source's eq. 9
    bracket equals it, and dL/dk (all constants = k) for the dot-product loss.
    """
    if n < 2:
        raise ValueError(f"n must be >= 2, got {n}")
    tau = sp.Symbol("tau", positive=True)
    k = sp.Symbol("k", real=True)
    a, b = sp.symbols(f"a1:{n + 1}", real=True), sp.symbols(f"b1:{n + 1}", real=True)
    c, e = sp.symbols(f"c1:{n + 1}", real=True), sp.symbols(f"e1:{n + 1}", real=True)

    def s(i, j):  # logit of anchor i against column j (j == i: the positive)
        return ((a[i] * b[i] + c[i] * e[i]) if j == i else (a[i] * a[j] + c[i] * c[j])) / tau

    rows = [[sp.exp(s(i, j)) for j in range(n)] for i in range(n)]
    Zs = [sp.Add(*r) for r in rows]
    L = sp.Add(*[-sp.log(rows[i][i] / Zs[i]) for i in range(n)])
    at_k = {**{ci: k for ci in c}, **{ei: k for ei in e}}
    p = [[(rows[i][j] / Zs[i]).subs(at_k) for j in range(n)] for i in range(n)]
    grads, ok_simpl, ok_source = [], True, True
    for i in range(n):
        g = sp.diff(L, c[i]).subs(at_k)
        simpl = k / tau * sp.Add(*[p[j][i] for j in range(n) if j != i])
        source = -(k / tau) * ((1 - p[i][i]) - sp.Add(*[p[i][j] + p[j][i] for j in range(n) if j != i]))
        ok_simpl &= is_zero(g - simpl)
        ok_source &= is_zero(source - simpl)
        grads.append(g)
    L_k = L.subs(at_k)
    dLdk_zero = is_zero(sp.diff(L_k, k))
    g0 = [sp.simplify(g.subs(k, 0)) for g in grads]
    return {"gradient_equals_simplified": bool(ok_simpl), "source_bracket_equals_simplified": bool(ok_source),
            "dL_dk_is_zero": bool(dLdk_zero), "gradient_at_k0": [str(x) for x in g0]}


@lru_cache(maxsize=None)
def symbolic_eq8(n: int = 2, dim: int = 2) -> bool:
    """eq. 8 (second line) equals sp.diff of Σ_i ℓ_i (dot product) for symbolic z_i, z_i⁺."""
    tau = sp.Symbol("tau", positive=True)
    Z = sp.Matrix(n, dim, lambda i, d: sp.Symbol(f"z_{i}{d}", real=True))
    Zp = sp.Matrix(n, dim, lambda i, d: sp.Symbol(f"y_{i}{d}", real=True))
    dot = lambda u, v: (u * v.T)[0]  # noqa: E731
    E = [[sp.exp((dot(Z[i, :], Zp[i, :]) if j == i else dot(Z[i, :], Z[j, :])) / tau) for j in range(n)]
         for i in range(n)]
    Zs = [sp.Add(*r) for r in E]
    P = [[E[i][j] / Zs[i] for j in range(n)] for i in range(n)]
    L = sp.Add(*[-sp.log(P[i][i]) for i in range(n)])
    ok = True
    for i in range(n):
        formula = -(Zp[i, :] * (1 - P[i][i]) - sum((Z[j, :] * (P[i][j] + P[j][i]) for j in range(n) if j != i),
                                                     sp.zeros(1, dim))) / tau
        for d in range(dim):
            ok &= is_zero(sp.diff(L, Z[i, d]) - formula[d])
    return bool(ok)


def encoder_gradients(k: float, sim: str, seed: int = 0, n: int = 8, n_in: int = 5, d0: int = 3, dr: int = 2,
                      tau: float = 0.2, log: bool = True) -> dict:
    """Linear encoder h = (W₀x, k·1_{d_r}) on two views; gradients of Σℓ wrt W₀ and wrt the
    (leaf) constant coordinates, float64 autograd."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, n_in, generator=g, dtype=torch.float64)
    xp = x + 0.3 * torch.randn(n, n_in, generator=g, dtype=torch.float64)
    W0 = torch.randn(d0, n_in, generator=g, dtype=torch.float64, requires_grad=True)
    cz = torch.full((n, dr), float(k), dtype=torch.float64, requires_grad=True)
    cp = torch.full((n, dr), float(k), dtype=torch.float64, requires_grad=True)
    Z = torch.cat([x @ W0.T, cz], 1)
    Zp = torch.cat([xp @ W0.T, cp], 1)
    L = loss(Z, Zp, tau, sim, log)
    gW, gz, gp = torch.autograd.grad(L, [W0, cz, cp])
    return {"loss": float(L.detach()), "grad_W0": gW, "grad_const_anchor": gz, "grad_const_positive": gp,
            "P": probabilities(Z.detach(), Zp.detach(), tau, sim)}
