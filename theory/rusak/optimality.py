"""Optimality claims of Rusak §3 / App. D: prop. 4, cor. 1, prop. 1, prop. 5, prop. 6, lemma 1, τ sign.

Loss convention: eq. 4 with one sum over anchors, averaged (numerics.content_style_train.infonce,
Gaussian kernel, τ = 1).  A "D-scaled" encoder is D∘f with D = diag(c I_dc, s I_ds).
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import sympy as sp
import torch

from sslverify.numerics.content_style_train import infonce

SEED_FILE = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "000_f086a3beeb15be55.txt"


# ----------------------------------------------------------------------------- prop 4 / cor 1 / prop 1
@lru_cache(maxsize=None)
def d_scaled_anchor_loss() -> dict:
    """One anchor, two negatives: ℓ(c) = log(1 + Σ_j exp(a s² − c² r_j/2 − s² q_j/2)).

    a s² = ‖Δ~_s‖² s²/2 (alignment, content has Δ~_c = 0), r_j = ‖Δ_c‖² > 0, q_j = ‖Δ_s‖² ≥ 0.
    Returns the limit c → ∞ for style scale s = 0 (collapsed) and s = 1 (not), and whether
    ∂ℓ/∂c = −c Σ_j r_j e_j / (1 + Σ_j e_j) (< 0 for c > 0: cor. 1)."""
    c, s, a = sp.symbols("c s a", positive=True)
    r = sp.symbols("r1 r2", positive=True)
    q = sp.symbols("q1 q2", nonnegative=True)
    e = [sp.exp(a * s**2 - c**2 * rj / 2 - s**2 * qj / 2) for rj, qj in zip(r, q)]
    ell = sp.log(1 + sum(e))
    # ℓ = log(1 + Σ e_j) is continuous in the e_j ≥ 0, so lim ℓ = log(1 + Σ lim e_j).  Each exponent
    # is a polynomial in c; its leading coefficient −r_j/2 < 0 sends it to −∞, so e_j → 0.
    expo = [a * s**2 - c**2 * rj / 2 - s**2 * qj / 2 for rj, qj in zip(r, q)]

    def lim(sv):
        lead = [sp.Poly(x.subs(s, sv), c) for x in expo]
        to_minus_inf = all(P.degree() >= 1 and P.LC().is_negative for P in lead)
        return sp.Integer(0) if to_minus_inf else sp.nan

    lim_collapsed, lim_full = lim(0), lim(1)
    deriv_ok = sp.cancel(sp.together(sp.diff(ell, c) + c * sum(rj * ej for rj, ej in zip(r, e)) / (1 + sum(e)))) == 0
    at_finite = ell.subs({s: 0, c: 1, r[0]: 1, r[1]: 1})
    return {"limit_collapsed": lim_collapsed, "limit_full_style": lim_full, "derivative_form": deriv_ok,
            "positive_at_finite_c": bool(sp.N(at_finite) > 0)}


def d_scaled_losses(d=10, d_c=3, cs=(1.0, 2.0, 4.0, 8.0), style_scales=(0.0, 1.0), n=4096, sigma_s=0.1,
                    generator="linear", seed=0) -> dict:
    """L_CL of D∘g⁻¹ (= D z) on n box pairs, for content scales c and style scales s."""
    from sslverify.numerics.content_style import make_generator, sample_pairs
    g = make_generator(d, generator, seed=seed)
    p = sample_pairs(n, d, d_c, "box", sigma_s=sigma_s, generator=g, seed=seed + 1)
    zx = torch.as_tensor(g.inverse(p.x))  # f = g⁻¹ recovers z from observations
    zxt = torch.as_tensor(g.inverse(p.x_pos))
    tau = torch.ones(d, dtype=torch.float64)
    out = {}
    for s in style_scales:
        Ls = []
        for c in cs:
            Dm = torch.tensor([c] * d_c + [s] * (d - d_c), dtype=torch.float64)
            Ls.append(float(infonce(zx * Dm, zxt * Dm, tau)))
        out[f"s={s}"] = Ls
    out["cs"] = list(cs)
    out["L_ginv"] = float(infonce(zx, zxt, tau))
    return out


# ----------------------------------------------------------------------------- prop 5
def layer_gradient_ranks(d=6, d_c=2, depth=3, c=3.0, n=256, linear=False, seed=0, rtol=1e-9) -> dict:
    """Rank of ∂L/∂W_l for every layer of D∘f, f an MLP (leaky ReLU) or a deep linear net.

    rtol 1e-9: float64 autograd sums are exact to ~1e-14 relative; structural zeros fall below
    1e-12·σ_max, genuine directions stay above 1e-6·σ_max."""
    from sslverify.numerics.content_style import sample_pairs
    from sslverify.numerics.content_style_train import forward, init_mlp
    p = sample_pairs(n, d, d_c, "box", sigma_s=0.1, seed=seed)
    x = torch.as_tensor(p.x)[None]
    xt = torch.as_tensor(p.x_pos)[None]
    params = {k: v.requires_grad_(True) for k, v in init_mlp(1, d, depth, seed).items()}
    slope = 1.0 if linear else 0.2
    Dm = torch.tensor([c] * d_c + [0.0] * (d - d_c), dtype=torch.float64)
    z = forward(params, x, slope) * Dm
    zt = forward(params, xt, slope) * Dm
    loss = infonce(z, zt, torch.ones(d, dtype=torch.float64)).sum()
    Ws = [f"W{l}" for l in range(depth)]
    grads = torch.autograd.grad(loss, [params[w] for w in Ws])
    ranks = []
    for G in grads:
        s = torch.linalg.svdvals(G[0])
        ranks.append(int((s > rtol * s.max()).sum()))
    return {"ranks": ranks, "d_c": d_c, "d": d, "linear": linear}


# ----------------------------------------------------------------------------- prop 6
@lru_cache(maxsize=None)
def prop6_symbolic(d_c: int = 2, d_s: int = 1) -> dict:
    """normalize(D z) vs normalize(z), D = diag(α I_dc, 0): equal when z_s = 0, not in general."""
    al = sp.Symbol("alpha", positive=True)
    zc = sp.Matrix(sp.symbols(f"c0:{d_c}", real=True))
    zs = sp.Matrix(sp.symbols(f"s0:{d_s}", real=True))
    nrm = lambda v: v / sp.sqrt(sum(e**2 for e in v))  # noqa: E731
    z0 = sp.Matrix.vstack(zc, sp.zeros(d_s, 1))
    Dz0 = sp.Matrix.vstack(al * zc, sp.zeros(d_s, 1))
    same_collapsed = sp.simplify(nrm(Dz0) - nrm(z0)) == sp.zeros(d_c + d_s, 1)
    z = sp.Matrix.vstack(zc, zs)
    diff_full = sp.simplify(nrm(Dz0) - nrm(z))
    # concrete z with style: (1, 0, …, 1)
    subs = {**{v: (1 if i == 0 else 0) for i, v in enumerate(zc)}, **{v: 1 for v in zs}}
    differs = diff_full.subs(subs) != sp.zeros(d_c + d_s, 1)
    # rank of D∘f's Jacobian: J_{D∘f} = D J_f, rank ≤ rank D = d_c (lemma 2)
    J = sp.Matrix(d_c + d_s, d_c + d_s, lambda i, j: sp.Symbol(f"j{i}{j}"))
    Dm = sp.diag(*([al] * d_c + [0] * d_s))
    rank_DJ = (Dm * J).rank()
    return {"same_when_style_zero": same_collapsed, "differs_when_style_nonzero": bool(differs),
            "rank_of_D_times_generic_J": int(rank_DJ), "d": d_c + d_s, "d_c": d_c}


# ----------------------------------------------------------------------------- lemma 1
@lru_cache(maxsize=None)
def simplex_etf_rank(K: int) -> int:
    """Rank of the K-class simplex ETF Gram matrix (K/(K−1))(I − 11ᵀ/K) = K − 1: needs d ≥ K − 1."""
    G = sp.Rational(K, K - 1) * (sp.eye(K) - sp.ones(K, K) / K)
    return int(G.rank())


def lemma1_missing() -> list:
    """What the source does not give (read from the seed text): the external assumptions."""
    text = SEED_FILE.read_text(encoding="utf-8") if SEED_FILE.exists() else ""
    stated = "Assums. 3.1, 3.6" in text or "Assums. 3.1,3.6" in text
    defines = re.search(r"Assumption 3\.[16]\b", text) is not None  # the source's own are Assumption 1–4
    return [("[1, Assums. 3.1, 3.6] cited" if stated else "citation not found"),
            ("their content is stated" if defines else "their content is NOT stated in the source")]


# ----------------------------------------------------------------------------- temperature sign
TEMPERATURE_STATEMENTS = {
    "§3": r"We use \$\\tau_c > \\tau_s\$",
    "Fig. 1 caption": r"\$\\tau_c < \\tau_s\$ \(dashed\)",
    "§4.1": r"unless we set smaller temperature for z\^c",
    "§4.1 nonlinear": r"With \$\\tau_c < \\tau_s\$, collapse is alleviated",
    "App. C prop. 3": r"\\tau_c \\sim \\sqrt\{\\alpha_c\} = \\sigma_c/\\sigma_s",
}
#: direction each statement asserts (App. C: σ_c ≪ σ_s by Assum. 4 and τ_s = 1 give τ_c ≪ τ_s)
TEMPERATURE_DIRECTION = {"§3": ">", "Fig. 1 caption": "<", "§4.1": "<", "§4.1 nonlinear": "<", "App. C prop. 3": "<"}


#: the quoted sentences (used when the seed file is not available, e.g. outside the workspace)
TEMPERATURE_QUOTES = {
    "§3": "We use $\\tau_c > \\tau_s$ (this is similar to the diagonal matrix",
    "Fig. 1 caption": "$\\tau_c < \\tau_s$ (dashed). Setting",
    "§4.1": "unless we set smaller temperature for z^c (Fig. 1)",
    "§4.1 nonlinear": "With $\\tau_c < \\tau_s$, collapse is alleviated for the box",
    "App. C prop. 3": "\\tau_c \\sim \\sqrt{\\alpha_c} = \\sigma_c/\\sigma_s",
}


def temperature_statements() -> dict:
    """Which of the source's temperature statements are present in the seed text, with their direction."""
    available = SEED_FILE.exists()
    text = SEED_FILE.read_text(encoding="utf-8") if available else "\n".join(TEMPERATURE_QUOTES.values())
    found = {k: bool(re.search(p, text)) for k, p in TEMPERATURE_STATEMENTS.items()}
    dirs = {k: TEMPERATURE_DIRECTION[k] for k, v in found.items() if v}
    return {"found": found, "directions": dirs, "consistent": len(set(dirs.values())) <= 1,
            "seed_file_available": available}


def temperature_reparametrization(d: int = 5, d_c: int = 2, tau_c: float = 0.3, n: int = 64, seed: int = 0) -> dict:
    """L(W; τ) = L(T^{-1/2} W; 1) for the Gaussian kernel (τ_k divides Δ_k²): per-dimension
    temperatures only rescale W's rows, so the infimum and what the loss prefers do not depend on τ."""
    from sslverify.numerics.content_style import sample_pairs
    from sslverify.numerics.content_style_train import temperatures
    p = sample_pairs(n, d, d_c, "box", seed=seed)
    g = torch.Generator().manual_seed(seed)
    W = torch.randn(d, d, generator=g, dtype=torch.float64)
    x, xt = torch.as_tensor(p.x), torch.as_tensor(p.x_pos)
    tau = temperatures(d, d_c, tau_c, 1.0)
    lhs = infonce(x @ W.T, xt @ W.T, tau)
    V = W / tau.sqrt()[:, None]
    rhs = infonce(x @ V.T, xt @ V.T, torch.ones(d, dtype=torch.float64))
    return {"L_W_tau": float(lhs), "L_V_one": float(rhs), "abs_diff": float((lhs - rhs).abs())}
