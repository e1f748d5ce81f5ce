"""Optimality claims of Rusak §3 / App. D: prop. 4, cor. 1, prop. 1, prop. 5, prop. 6, lemma 1, τ sign.

Loss convention: eq. 4 with one sum over anchors, averaged (numerics.content_style_train.infonce,
Gaussian kernel, τ = 1).  A "D-scaled" encoder is D∘f with D = diag(c I_dc, s I_ds).
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import numpy as np
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


def layer_gradient_ranks_fd(d=6, d_c=2, depth=3, c=3.0, n=256, seed=0, h=1e-5, rtol=1e-6) -> dict:
    """Second method for prop. 5: the same per-layer gradients as :func:`layer_gradient_ranks`, by central finite
    differences of the loss (no autograd), ranks with singular values above rtol·σ_max.

    h = 1e-5: truncation error h²·|L‴|/6 ~ 1e-10 and round-off ε|L|/h ~ 1e-10 relative, far below the
    smallest genuine singular value (~6e-4·σ_max here); rtol = 1e-6 separates the two."""
    from sslverify.numerics.content_style import sample_pairs
    from sslverify.numerics.content_style_train import forward, init_mlp
    p = sample_pairs(n, d, d_c, "box", sigma_s=0.1, seed=seed)
    x = torch.as_tensor(p.x)[None]
    xt = torch.as_tensor(p.x_pos)[None]
    params = init_mlp(1, d, depth, seed)
    Dm = torch.tensor([c] * d_c + [0.0] * (d - d_c), dtype=torch.float64)
    tau = torch.ones(d, dtype=torch.float64)

    def loss():
        return float(infonce(forward(params, x, 0.2) * Dm, forward(params, xt, 0.2) * Dm, tau).sum())

    ranks, rel_sv = [], []
    with torch.no_grad():
        for l in range(depth):
            Wl = params[f"W{l}"]
            G = torch.zeros_like(Wl[0])
            for a in range(Wl.shape[1]):
                for b in range(Wl.shape[2]):
                    old = float(Wl[0, a, b])
                    Wl[0, a, b] = old + h
                    up = loss()
                    Wl[0, a, b] = old - h
                    down = loss()
                    Wl[0, a, b] = old
                    G[a, b] = (up - down) / (2 * h)
            sv = torch.linalg.svdvals(G)
            ranks.append(int((sv > rtol * sv.max()).sum()))
            rel_sv.append((sv / sv.max()).tolist())
    return {"ranks": ranks, "d_c": d_c, "d": d, "relative_singular_values": rel_sv, "h": h, "rtol": rtol}


# ----------------------------------------------------------------------------- prop 6
PROP6_QUOTE = ("Let f be a (collapsed) optimal Simplex ETF representation (i.e., rank(J_f) = d_c), then the modified "
               "encoder f_D = D∘f with rank(f_D) = d = d_c + d_s and rank(D) = d_c will have a rank of d_c and remain "
               "optimal w.r.t. the InfoNCE loss without collapsing.")
PROP6_PROOF_QUOTE = ("We want to show that multiplication with a singular diagonal matrix enables f to be full-rank, while "
                     "yielding the same representation after ℓ2-normalization.")


@lru_cache(maxsize=None)
def prop6_symbolic(d_c: int = 2, d_s: int = 1) -> dict:
    """Prop. 6 symbolically, D = diag(α I_dc, 0):

    intended reading (the proof's): an UNcollapsed inner f with output (z_c, z_s) — any z_s — and the collapsed
    optimum f* with output (z_c, 0) on the same content: normalize(D f) = normalize(f*) identically;
    rank J_{D∘f} = rank(D J_f) = d_c for a generic (rank-d) J_f.
    previous record's reading: normalize(D f) vs f's OWN normalize(f): equal when z_s = 0 only."""
    al = sp.Symbol("alpha", positive=True)
    zc = sp.Matrix(sp.symbols(f"c0:{d_c}", real=True))
    zs = sp.Matrix(sp.symbols(f"s0:{d_s}", real=True))
    f_star = sp.Matrix.vstack(zc, sp.zeros(d_s, 1))            # collapsed optimum's output
    f_full = sp.Matrix.vstack(zc, zs)                          # uncollapsed inner encoder, same content
    D = sp.diag(*([al] * d_c + [0] * d_s))

    def same_direction(a, b):
        # a/‖a‖ = b/‖b‖ ⇔ (a·b)² = ‖a‖²‖b‖² (Cauchy–Schwarz equality) and a·b ≥ 0: polynomial identities
        ab = (a.T * b)[0, 0]
        return sp.expand(ab**2 - (a.T * a)[0, 0] * (b.T * b)[0, 0]) == 0 and bool(sp.factor(ab).is_nonnegative)

    same_as_optimum = same_direction(D * f_full, f_star)
    same_collapsed = same_direction(D * f_star, f_star)
    subs = {**{v: (1 if i == 0 else 0) for i, v in enumerate(zc)}, **{v: 1 for v in zs}}  # z = (1, 0, …, 1)
    differs_own = not same_direction((D * f_full).subs(subs), f_full.subs(subs))
    # generic J_f: a seeded random integer matrix (its exact rank is the generic rank with probability 1);
    # D J has d_s zero rows, so rank(D J) ≤ d_c for EVERY J (lemma 2), and = d_c generically
    rng = np.random.default_rng(0)
    J = sp.Matrix(rng.integers(-3, 4, (d_c + d_s, d_c + d_s)).tolist())
    Dn = sp.diag(*([1] * d_c + [0] * d_s))
    return {"same_as_collapsed_optimum": bool(same_as_optimum), "same_when_style_zero": bool(same_collapsed),
            "differs_from_own_output_when_style_nonzero": bool(differs_own),
            "rank_of_generic_J": int(J.rank()), "rank_of_D_times_generic_J": int((Dn * J).rank()),
            "d": d_c + d_s, "d_c": d_c}


def prop6_numeric(d: int = 6, d_c: int = 3, n: int = 512, alpha: float = 2.0, depth: int = 3, seed: int = 0) -> dict:
    """Second method (autograd + float64 losses): an MLP inner encoder f (not collapsed), D = diag(α I, 0).

    Ranks of the Jacobians J_f and J_{D∘f} at three inputs (autograd, singular values above 1e-9·σ_max: float64
    Jacobians of an O(1) MLP are exact to ~1e-15 relative), and the cosine-InfoNCE of normalize(D∘f) against
    that of the collapsed optimum f* = (f_c, 0) on the same pairs, and of f itself (for scale)."""
    from sslverify.numerics.content_style import sample_pairs
    from sslverify.numerics.content_style_train import forward, init_mlp
    p = sample_pairs(n, d, d_c, "sphere", kappa=10.0, seed=seed)
    params = init_mlp(1, d, depth, seed)
    x, xt = torch.as_tensor(p.x)[None], torch.as_tensor(p.x_pos)[None]
    Dm = torch.tensor([alpha] * d_c + [0.0] * (d - d_c), dtype=torch.float64)
    keep = torch.tensor([1.0] * d_c + [0.0] * (d - d_c), dtype=torch.float64)
    tau = torch.ones(d, dtype=torch.float64)
    with torch.no_grad():
        z, zt = forward(params, x, 0.2)[0], forward(params, xt, 0.2)[0]
        L_D = float(infonce(z * Dm, zt * Dm, tau, "cosine"))
        L_star = float(infonce(z * keep, zt * keep, tau, "cosine"))
        L_f = float(infonce(z, zt, tau, "cosine"))
        nD = (z * Dm) / (z * Dm).norm(dim=1, keepdim=True)
        nS = (z * keep) / (z * keep).norm(dim=1, keepdim=True)
        out_diff = float((nD - nS).abs().max())

    def jac_rank(fn, x0):
        s = torch.linalg.svdvals(torch.autograd.functional.jacobian(fn, x0))
        return int((s > 1e-9 * s.max()).sum())

    f = lambda v: forward(params, v[None, None], 0.2)[0, 0]  # noqa: E731
    ranks_f = [jac_rank(f, x[0, i]) for i in range(3)]
    ranks_Df = [jac_rank(lambda v: f(v) * Dm, x[0, i]) for i in range(3)]
    return {"d": d, "d_c": d_c, "rank_J_f": ranks_f, "rank_J_Df": ranks_Df, "L_Df": L_D, "L_collapsed_optimum": L_star,
            "L_f_itself": L_f, "abs_loss_diff": abs(L_D - L_star), "max_abs_output_diff": out_diff}


# ----------------------------------------------------------------------------- lemma 1
@lru_cache(maxsize=None)
def simplex_etf_rank(K: int) -> int:
    """Rank of the K-class simplex ETF Gram matrix (K/(K−1))(I − 11ᵀ/K) = K − 1: needs d ≥ K − 1."""
    G = sp.Rational(K, K - 1) * (sp.eye(K) - sp.ones(K, K) / K)
    return int(G.rank())


LEMMA1_QUOTE = ("When z^c are interpreted as the class variables of a DGP and [1, Assums. 3.1, 3.6] hold then the "
                "optimal representation minimizing the InfoNCE loss yields collapsed z^s.")


def lemma1_source_facts() -> dict:
    """What the seed text says about lemma 1's external assumptions.  Outside the workspace (no seed file) the
    embedded facts are used; tests/theory re-checks them against the seed whenever it is available."""
    if not SEED_FILE.exists():
        return {"seed_file_available": False, "cited": True, "content_stated": False}
    text = SEED_FILE.read_text(encoding="utf-8")
    cited = "Assums. 3.1, 3.6" in text or "Assums. 3.1,3.6" in text
    stated = re.search(r"Assumption 3\.[16]\b", text) is not None  # the source's own are Assumption 1–4
    return {"seed_file_available": True, "cited": cited, "content_stated": stated}


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


@lru_cache(maxsize=None)
def temperature_reparametrization_symbolic(d: int = 3) -> bool:
    """Symbolic form of the same identity: Σ_k (WΔ)_k²/(2τ_k) = Σ_k ((T^{-1/2}W)Δ)_k²/2 for symbolic W, Δ, τ."""
    W = sp.Matrix(d, d, lambda a, b: sp.Symbol(f"w{a}{b}", real=True))
    dlt = sp.Matrix(sp.symbols(f"x0:{d}", real=True))
    tau = [sp.Symbol(f"tau{k}", positive=True) for k in range(d)]
    lhs = sum((W * dlt)[k] ** 2 / (2 * tau[k]) for k in range(d))
    V = sp.diag(*[1 / sp.sqrt(t) for t in tau]) * W
    rhs = sum((V * dlt)[k] ** 2 / 2 for k in range(d))
    return sp.expand(lhs - rhs) == 0


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
