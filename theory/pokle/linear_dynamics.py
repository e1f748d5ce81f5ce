"""Thm 2 of Pokle et al. (002, §5.2.1, eq. 13, Remark 4–5): linear dual networks, GD with weight decay.

Derived here: with independent masks E[D₂xxᵀD₁] = α² E[xxᵀ] and, for symmetric Bernoulli latents
(Assumption 1), E[xxᵀ] = κMMᵀ + σ₀²I, so the data part of ∇_{Wᵒ} eq. 13 is −2α²Wᵗ(κMMᵀ + σ₀²I) and
(MᵀM = I) −2α²(κ + σ₀²)WᵗM after right-multiplying by M.  With the decay convention of Remark 4
(W ← λW − η∇data) and simultaneous updates: A = WᵒM, B = WᵗM obey
A' = λA + cB, B' = λB + cA, c = 2ηα²(κ + σ₀²).  Hence A + B scales by (λ + c), A − B by (λ − c):

  A_t = C₁,ₜ A₀ + C₂,ₜ (A₀ + B₀),  C₁,ₜ = Π(λ − c_i),  C₂,ₜ = ½[Π(λ + c_i) − Π(λ − c_i)]
      = Σ_j c_j Π_{i<j}(λ + c_i) Π_{i>j}(λ − c_i).

The paper's C₂,ₜ has Π_{i=j}^{t−1}(λ − c_i), one factor (λ − c_j) too many (t = 1: c₀(λ − c₀), not c₀).
"""
from __future__ import annotations

import itertools
from functools import lru_cache

import numpy as np
import sympy as sp

#: a rational column-orthonormal 3×2 dictionary: columns (1, 2, 2)/3 and (2, 1, −2)/3
M_RATIONAL = sp.Matrix([[1, 2], [2, 1], [2, -2]]) / 3


@lru_cache(maxsize=None)
def second_moment_symbolic(d: int = 2):
    """E[zzᵀ] for i.i.d. z_i ∈ {−1, 0, 1} w.p. (κ/2, 1 − κ, κ/2), enumerated: κI."""
    k = sp.Symbol("kappa", positive=True)
    prob = {-1: k / 2, 0: 1 - k, 1: k / 2}
    E = sp.zeros(d, d)
    for vals in itertools.product((-1, 0, 1), repeat=d):
        z = sp.Matrix(vals)
        E += sp.Mul(*[prob[v] for v in vals]) * z * z.T
    return k, E.applyfunc(sp.factor)


@lru_cache(maxsize=None)
def masked_cross_moment(p: int = 3):
    """E[D₂ S D₁] for a symbolic symmetric S and independent Bernoulli(α) diagonal masks: α²S."""
    a = sp.Symbol("alpha", positive=True)
    S = sp.Matrix(p, p, lambda i, j: sp.Symbol(f"s{min(i, j)}{max(i, j)}", real=True))
    prob = lambda m: sp.Mul(*[a if v else 1 - a for v in m])  # noqa: E731
    E = sp.zeros(p, p)
    masks = list(itertools.product((0, 1), repeat=p))
    for m1 in masks:
        for m2 in masks:
            E += prob(m1) * prob(m2) * sp.diag(*m2) * S * sp.diag(*m1)
    return a, S, E.applyfunc(sp.factor)


@lru_cache(maxsize=None)
def gd_step_recursion(m: int = 2) -> dict:
    """One GD step on eq. 13 (p = 3, d = 2, M rational): W'M = λWM + c·(other)M, c = 2ηα²(κ + σ₀²)."""
    k, Ezz = second_moment_symbolic(2)
    a, S, EDSD = masked_cross_moment(3)
    lam, eta, s0 = sp.symbols("lambda eta sigma0", positive=True)
    p = 3
    Exx = M_RATIONAL * Ezz * M_RATIONAL.T + s0**2 * sp.eye(p)
    cross = EDSD.subs({S[i, j]: Exx[i, j] for i in range(p) for j in range(p)})  # E[D₂xxᵀD₁]
    Wo = sp.Matrix(m, p, lambda i, j: sp.Symbol(f"o{i}{j}", real=True))
    Wt = sp.Matrix(m, p, lambda i, j: sp.Symbol(f"t{i}{j}", real=True))
    data = 2 - 2 * (Wo * cross.T * Wt.T).trace()  # E⟨WᵒD₁x, WᵗD₂x⟩ = tr(Wᵒ E[D₁xxᵀD₂] Wᵗᵀ)
    grad_o = sp.Matrix(m, p, lambda i, j: sp.diff(data, Wo[i, j]))
    grad_t = sp.Matrix(m, p, lambda i, j: sp.diff(data, Wt[i, j]))
    # Remark 4: the weight is multiplied by λ each step (decay folded into λ)
    Wo1, Wt1 = lam * Wo - eta * grad_o, lam * Wt - eta * grad_t
    c = 2 * eta * a**2 * (k + s0**2)
    res_o = (Wo1 * M_RATIONAL - (lam * Wo * M_RATIONAL + c * Wt * M_RATIONAL)).applyfunc(sp.expand)
    res_t = (Wt1 * M_RATIONAL - (lam * Wt * M_RATIONAL + c * Wo * M_RATIONAL)).applyfunc(sp.expand)
    # literal eq. 13 penalty (1−λ)/2‖W‖²: decay factor 1 − η(1 − λ) instead of λ
    pen = data + (1 - lam) / 2 * (sum(x**2 for x in Wo) + sum(x**2 for x in Wt))
    Wo1_lit = Wo - eta * sp.Matrix(m, p, lambda i, j: sp.diff(pen, Wo[i, j]))
    lam_eff = 1 - eta * (1 - lam)
    res_lit = (Wo1_lit * M_RATIONAL - (lam_eff * Wo * M_RATIONAL + c * Wt * M_RATIONAL)).applyfunc(sp.expand)
    return {"E_zz_is_kappa_I": Ezz == k * sp.eye(2),
            "masked_moment_is_alpha2_S": (EDSD - a**2 * S).applyfunc(sp.expand) == sp.zeros(3, 3),
            "online_recursion": res_o == sp.zeros(m, 2), "target_recursion": res_t == sp.zeros(m, 2),
            "literal_penalty_recursion_with_lambda_eff": res_lit == sp.zeros(m, 2)}


def coefficients_derived(cs, lam):
    """(C₁,ₜ, C₂,ₜ) from the recursion C₁' = (λ − c)C₁, C₂' = (λ + c)C₂ + cC₁, C₁,₀ = 1, C₂,₀ = 0."""
    C1, C2 = sp.Integer(1), sp.Integer(0)
    for c in cs:
        C1, C2 = (lam - c) * C1, (lam + c) * C2 + c * C1
    return sp.expand(C1), sp.expand(C2)


def c2_closed(cs, lam):
    t = len(cs)
    return sp.expand((sp.Mul(*[lam + c for c in cs]) - sp.Mul(*[lam - c for c in cs])) / 2)


def c2_paper(cs, lam, shift: int = 0):
    """Paper's C₂,ₜ = Σ_j c_j Π_{i=j+shift}^{t−1}(λ − c_i) Π_{i=0}^{j−1}(λ + c_i); shift 0 = as printed."""
    t = len(cs)
    return sp.expand(sum(cs[j] * sp.Mul(*[lam - cs[i] for i in range(j + shift, t)])
                         * sp.Mul(*[lam + cs[i] for i in range(j)]) for j in range(t)))


@lru_cache(maxsize=None)
def thm2_coefficients(tmax: int = 4) -> dict:
    """Check the recursion (symbolic step sizes c₀..c_{t−1}) against the closed forms and the paper's."""
    lam = sp.Symbol("lambda", positive=True)
    out = {"C1_product": True, "C2_half_difference": True, "C2_paper_as_printed": True, "C2_paper_shifted": True}
    for t in range(1, tmax + 1):
        cs = sp.symbols(f"c0:{t}", positive=True)
        C1, C2 = coefficients_derived(cs, lam)
        out["C1_product"] &= sp.expand(C1 - sp.Mul(*[lam - c for c in cs])) == 0
        out["C2_half_difference"] &= sp.expand(C2 - c2_closed(cs, lam)) == 0
        out["C2_paper_as_printed"] &= sp.expand(C2 - c2_paper(cs, lam, 0)) == 0
        out["C2_paper_shifted"] &= sp.expand(C2 - c2_paper(cs, lam, 1)) == 0
    c0 = sp.Symbol("c0", positive=True)
    out["t1_derived"] = str(coefficients_derived((c0,), lam)[1])
    out["t1_paper"] = str(c2_paper((c0,), lam, 0))
    return {k: (bool(v) if isinstance(v, bool) or v in (sp.true, sp.false) else v) for k, v in out.items()}


@lru_cache(maxsize=None)
def learning_rate_condition() -> dict:
    """c = 2ηα²(κ + σ₀²) ∈ (0, λ) ⟺ 0 < η < λ/(2α²(κ + σ₀²)) (the theorem's condition, 2·κ/2 = κ)."""
    eta, a, k, s0, lam = sp.symbols("eta alpha kappa sigma0 lambda", positive=True)
    c = 2 * eta * a**2 * (k + s0**2)
    eta_max = sp.solve(sp.Eq(c, lam), eta)[0]
    paper = lam / (2 * a**2 * (2 * k / 2 + s0**2))
    return {"eta_max": eta_max, "matches_paper": sp.simplify(eta_max - paper) == 0}


def c2_paper_numeric(cs, lam: float, shift: int = 0) -> float:
    """The paper's C₂,ₜ in floats (shift 0 = as printed, Π_{i=j}^{t−1}; shift 1 = Π_{i=j+1}^{t−1})."""
    t = len(cs)
    return float(sum(cs[j] * np.prod([lam - cs[i] for i in range(j + shift, t)]) * np.prod([lam + cs[i] for i in range(j)])
                     for j in range(t)))


@lru_cache(maxsize=None)
def pz_readings() -> dict:
    """Thm 2's c_i = 2η_iα²(2p_z + σ₀²) with p_z undefined: p_z = κ/2 (Pr(z_i = 1)) gives the derived
    c = 2ηα²(κ + σ₀²); p_z = κ (Pr(z_i ≠ 0)) gives 2ηα²(2κ + σ₀²), not the derived one."""
    eta, a, k, s0 = sp.symbols("eta alpha kappa sigma0", positive=True)
    derived = 2 * eta * a**2 * (k + s0**2)
    printed = lambda pz: 2 * eta * a**2 * (2 * pz + s0**2)  # noqa: E731
    return {"pz_half_kappa_matches": sp.simplify(printed(k / 2) - derived) == 0,
            "pz_kappa_matches": sp.simplify(printed(k) - derived) == 0}


def literal_penalty_example(lam: float = 0.5, alpha: float = 0.5, kappa: float = 0.1, sigma0: float = 0.0,
                            eta_fraction: float = 0.5) -> dict:
    """Eq. 13 read literally (penalty (1−λ)/2‖W‖²): one GD step multiplies by λ_eff = 1 − η(1 − λ) (see
    ``gd_step_recursion``), so C₁,₁ = λ_eff − c can be negative although η is below the theorem's bound."""
    eta_max = lam / (2 * alpha**2 * (kappa + sigma0**2))
    eta = eta_fraction * eta_max
    c = 2 * eta * alpha**2 * (kappa + sigma0**2)
    lam_eff = 1 - eta * (1 - lam)
    return {"lambda": lam, "eta": eta, "eta_max": eta_max, "c": c, "lambda_eff": lam_eff, "C1_t1": lam_eff - c}


def coefficient_ranges(cs, lam) -> tuple[float, float]:
    """Numerical C₁,ₜ, C₂,ₜ for given step sizes (floats)."""
    C1, C2 = 1.0, 0.0
    for c in cs:
        C1, C2 = (lam - c) * C1, (lam + c) * C2 + c * C1
    return C1, C2
