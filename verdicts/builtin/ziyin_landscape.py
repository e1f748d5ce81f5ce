"""Checks for the landscape family of Ziyin et al.: Thm 1, Prop 2, Prop 3, Prop 5, eq. 8–14, VICReg, Thm 4,
SCL, Barlow Twins.  Each re-runs the derivation and computes its verdict (protocol: theory/claims.py).

Records: Records for the landscape family of Ziyin et al. (001): Thm 1, Prop 2, Prop 3, Prop 5, eq. 8–14, VICReg,
Thm 4, SCL and Barlow Twins.  Checks: theory/ziyin/checks_landscape.py.
"""
from __future__ import annotations

import pathlib

import numpy as np
import sympy as sp

from sslverify.verdicts.record import Outcome
from sslverify.theory.ziyin import landscape as la
from sslverify.theory.ziyin import normalization as no
from sslverify.theory.ziyin import other_losses as ol
from sslverify.verdicts.record import Source, claim

# ----------------------------------------------------------------------------- record constants
F = "001_e494beef9b3e9713.txt"
T = "tests/theory/test_ziyin_landscape.py::"
N = "tests/theory/test_ziyin_normalization.py::"
O = "tests/theory/test_ziyin_other_losses.py::"
QUARTIC = "L(W) = −Tr[WBWᵀ] + Tr[WΣWᵀWΣWᵀ] (eq. 4 with Prop 6), W ∈ R^{d1×d0}, B symmetric"
SPD = "Σ symmetric positive definite (Σ^{-1/2} must exist)"
NORM = "L = eq. 4 + κ(ρ − c)², ρ = Tr[WΣWᵀ], κ ≥ 0, c > 0 (eq. 5)"


def _zero(xs) -> bool:
    return all(sp.simplify(x) == 0 for x in xs)


def _random_problem(rng, d0: int, commuting: bool = False):
    """Σ ≻ 0 and symmetric B (B with both signs); commuting: common random eigenbasis."""
    Q, _ = np.linalg.qr(rng.normal(size=(d0, d0)))
    if commuting:
        return Q @ np.diag(rng.normal(size=d0)) @ Q.T, Q @ np.diag(rng.uniform(0.5, 2.0, d0)) @ Q.T
    A = rng.normal(size=(d0, d0))
    Bm = rng.normal(size=(d0, d0))
    return (Bm + Bm.T) / 2, A @ A.T / d0 + 0.3 * np.eye(d0)


def thm1_numeric(n: int = 6, seed: int = 0) -> dict:
    """Forward: Thm 1's W (every mask) has ∇L ≈ 0.  Converse: Newton from random W lands on points of Thm 1's
    form ([H, B̃] = 0, eig(H) ⊂ {0, b̃_i/2}).  Thresholds: float64 round-off of O(1) matrices (1e-9)."""
    rng = np.random.default_rng(seed)
    worst_grad, worst_form, converged = 0.0, 0.0, 0
    for k in range(n):
        d0, d1 = 2 + k % 2, 1 + k % 3
        B, S = _random_problem(rng, d0)
        for _, W in la.enumerate_stationary(B, S, d1):
            worst_grad = max(worst_grad, float(np.abs(la.quartic_grad(W, B, S)).max()))
        W, g = la.newton_stationary(rng.normal(size=(d1, d0)), B, S)
        if g < 1e-10:
            converged += 1
            r = la.thm1_form_residual(W, B, S)
            worst_form = max(worst_form, r["commutator"], r["eig_distance"])
    return {"worst_grad": worst_grad, "worst_form": worst_form, "newton_converged": converged,
            "ok": worst_grad < 1e-9 and worst_form < 1e-8 and converged >= n // 2}


@claim(
    id="ziyin.thm1", source=Source(F, "Thm 1", "App. E.2, eq. 24–30"),
    statement=("∇L = −2WB + 4WΣWᵀWΣ = 0 ⟺ G B = 2GΣGΣ (G = WᵀW) ⟺ H B̃ = 2H² (H = Σ^{1/2}GΣ^{1/2}, "
               "B̃ = Σ^{-1/2}BΣ^{-1/2}); hence [H, B̃] = 0 and every stationary point has "
               "WᵀW = ½Σ^{-1/2}UMΛUᵀΣ^{-1/2} for SOME orthonormal eigenbasis U of B̃ (a union over all bases when "
               "B̃ is degenerate), M a 0/1 mask on non-negative Λ_ii with at most d* = min(d0, d1) ones; "
               "conversely every such matrix is WᵀW of a stationary W. Source proof flaws (statement unaffected): "
               "it multiplies by B⁻¹ (B need not be invertible), eq. 27 has an extra Σ, eq. 29 says eigenvalues "
               "of Σ^{1/2}B⁻¹Σ^{1/2}; the Gaussian assumption is not needed for eq. 4's stationary points."),
    assumptions=(QUARTIC, SPD, "'the eigenvalue decomposition' read as 'an' eigendecomposition"),
    verdict="proved",
    evidence=(T + "test_gradient_formula_symbolic", T + "test_gradient_and_hessian_match_autograd",
              T + "test_thm1_proof_steps_symbolic", T + "test_thm1_forward_property",
              T + "test_thm1_converse_newton_property"),
    )
def check_thm1(quick: bool, out_dir: pathlib.Path) -> Outcome:
    res = la.thm1_symbolic_residuals()
    sym_ok = {k: _zero(v) for k, v in res.items()}
    h1, h2, l1, l2 = sp.symbols("h1 h2 l1 l2", real=True)
    sols = {(s[h1], s[h2]) for s in la.thm1_diag_solutions()}
    diag_ok = sols == {(0, 0), (l1 / 2, 0), (0, l2 / 2), (l1 / 2, l2 / 2)}
    num = thm1_numeric(6 if quick else 20)
    details = {"symbolic": {k: bool(v) for k, v in sym_ok.items()}, "diag_solutions_ok": diag_ok, **num}
    if all(sym_ok.values()) and diag_ok and num["ok"]:
        return Outcome("proved", "∇L=0 ⟺ HB̃=2H² (Σ≻0, no B⁻¹ needed); H=½UMΛUᵀ for SOME eigenbasis U of B̃", details)
    return Outcome("refuted", "a step of the Thm 1 derivation failed", details)


@claim(
    id="ziyin.thm1-commuting", source=Source(F, "Thm 1", "App. E.2, eq. 31"),
    statement=("If ΣB = BΣ, a stationary point has WᵀW = ½Σ⁻¹B_MΣ⁻¹ (mask in a common eigenbasis of Σ, B) iff "
               "H = Σ^{1/2}WᵀWΣ^{1/2} commutes with Σ; this holds whenever every eigenvalue of Σ⁻¹B that is "
               "partially masked is simple (e.g. Σ⁻¹B has distinct eigenvalues), but not in general."),
    assumptions=(QUARTIC, SPD, "ΣB = BΣ (the source's 'C and A0 commute' gives this only when B is a "
                               "function of A0 and C, e.g. B = A0 − kC)"),
    verdict="corrected",
    correction=("Missing assumption: with a degenerate eigenvalue of Σ⁻¹B whose eigenspace is partially masked "
                "(and Σ not isotropic there) stationary points exist that are not ½Σ⁻¹B_MΣ⁻¹ for any mask; the "
                "form needs [H, Σ] = 0, automatic when the masked eigenvalues of Σ⁻¹B are simple."),
    counterexample=("Σ = diag(1, 2), B = Σ (B̃ = I; realized by SCL B = 2A0 with A0 = C = diag(½, 1)), d1 = 1: "
                    "W = vᵀΣ^{-1/2}/√2, v = (1,1)/√2, has ∇L = 0 exactly and WᵀW = [[1/4, √2/8], [√2/8, 1/8]], "
                    "not diagonal, while every ½Σ⁻¹B_MΣ⁻¹ is diagonal."),
    evidence=(T + "test_commuting_counterexample_exact", T + "test_commuting_form_holds_for_distinct_eigenvalues"),
    )
def check_thm1_commuting(quick: bool, out_dir: pathlib.Path) -> Outcome:
    ce = la.commuting_counterexample()
    ce_ok = ce["commutes"] and ce["grad"] == sp.zeros(1, 2) and not ce["matches_any_form"]
    rng = np.random.default_rng(1)  # corrected statement: distinct eigenvalues of Σ⁻¹B ⟹ commuting form
    worst = 0.0
    for _ in range(4 if quick else 12):
        B, S = _random_problem(rng, 3, commuting=True)
        W, g = la.newton_stationary(rng.normal(size=(2, 3)), B, S)
        if g < 1e-10:
            G = W.T @ W
            worst = max(worst, float(np.abs(G @ S - S @ G).max()))
    details = {"counterexample_G": str(ce["G"]), "counterexample_grad": str(ce["grad"]),
               "distinct_case_worst_commutator": worst}
    if ce_ok and worst < 1e-8:  # float64 round-off of a converged Newton point
        return Outcome("corrected", "B̃=I (Σ=diag(1,2), B=Σ, d1=1): non-diagonal stationary G; form holds iff H "
                       "commutes with Σ (e.g. distinct masked eigenvalues of Σ⁻¹B)", details)
    if not ce_ok:
        return Outcome("proved", "counterexample did not re-check", details)
    return Outcome("refuted", "commuting form fails even for distinct eigenvalues", details)


def prop2_enumeration(n: int = 6, seed: int = 2) -> dict:
    """Every Thm 1 stationary point of random small problems classified by its Hessian (modulo the O(d1)
    orbit); Prop 2 holds if every minimum has rank min(m, d*) and every lower-rank point has Prop 2's
    descent direction.  Also counted: minima that are not global, rank-min(m, d*) saddles (m > d*)."""
    rng = np.random.default_rng(seed)
    bad, n_min, n_pts, not_top, full_rank_saddles = [], 0, 0, 0, 0
    for k in range(n):
        d0, d1 = 2 + k % 2, 1 + (k // 2) % 3
        B, S = _random_problem(rng, d0)
        r_star = la.predicted_rank(B, S, d1)
        best = la.global_min_value(B, S, d1)
        for mask, W in la.enumerate_stationary(B, S, d1):
            n_pts += 1
            kind = la.classify_stationary(W, B, S)
            rank = int(sum(mask))
            if kind == "degenerate" or (kind == "min" and rank != r_star):
                bad.append([k, list(mask), kind, rank, r_star])
            if kind == "saddle" and rank == r_star:
                full_rank_saddles += 1  # m > d*: a non-top selection of d* directions
            if kind == "min":
                n_min += 1
                if abs(la.quartic_loss(W, B, S) - best) > 1e-10 * max(1.0, abs(best)):  # round-off
                    not_top += 1
            elif rank < r_star and la.descent_direction(W, B, S) is None:
                bad.append([k, list(mask), "no descent direction", rank, r_star])
    return {"points": n_pts, "minima": n_min, "bad": bad, "minima_not_global": not_top,
            "full_rank_saddles": full_rank_saddles, "ok": not bad and n_min > 0}


@claim(
    id="ziyin.prop2", source=Source(F, "Prop 2", "App. E.3"),
    statement=("rank(WᵀW) = min(m, d*) at every local minimum of eq. 4, m = #positive eigenvalues of B "
               "(= of B̃, Sylvester). Proof: at a stationary W of rank r < min(m, d*) there are a unit q ⊥ "
               "col(WΣ^{1/2}) and a unit B̃-eigenvector e with b̃ > 0 and He = 0 (ker H is B̃-invariant), and "
               "L(V + εqeᵀ) = L(V) − ε²b̃ + ε⁴, V = WΣ^{1/2}. Found as well: all local minima are global (top "
               "min(m, d*) eigen-directions of B̃); rank-d* selections of non-top directions are saddles. "
               "Source proof flaws: it assumes WᵀW commutes with B and Σ (only H commutes with B̃) and its "
               "coordinate-wise argument ignores the d* cap (it would force λ_i ≠ 0 for all m > d* positive b_i)."),
    assumptions=(QUARTIC, SPD),
    verdict="proved",
    evidence=(T + "test_prop2_descent_identity_symbolic", T + "test_prop2_descent_numeric_property",
              T + "test_prop2_hessian_census", "experiments/ziyin_prop2.py"),
    )
def check_prop2(quick: bool, out_dir: pathlib.Path) -> Outcome:
    r1, r2 = la.prop2_identity_residuals()
    enum = prop2_enumeration(6 if quick else 24)
    from sslverify.experiments import run_experiment

    exp = run_experiment("ziyin_prop2", quick=quick, out_dir=out_dir)
    details = {"identity_residuals": [str(r1), str(r2)], **enum, "experiment_passed": bool(exp["passed"]),
               "experiment_summary": str(exp.get("summary", ""))}
    if r1 == 0 and r2 == 0 and enum["ok"] and exp["passed"]:
        return Outcome("proved", "L(V+εqeᵀ)=L(V)−ε²b̃+ε⁴ descends at rank<min(m,d*); Hessian census + trained "
                       "models agree (source proof wrongly assumes WᵀW commutes with B, Σ)", details)
    if r1 == 0 and r2 == 0 and enum["ok"]:
        return Outcome("underspecified", f"derivation and Hessian census hold, but experiment ziyin_prop2 did not "
                       f"pass ({details['experiment_summary']}); no verdict until it does", details)
    return Outcome("refuted", "descent identity or Hessian census disagreed with Prop 2", details)


@claim(
    id="ziyin.prop3", source=Source(F, "Prop 3", "App. E.4, eq. 33–39"),
    statement=("∇[κ(ρ − c)²] = 4κ(ρ − c)WΣ, so stationary points of eq. 5 are Thm 1's points for "
               "B' = B + 2κ(c − ρ)Σ (self-consistent in ρ): WᵀW = ½Σ^{-1/2}UM(Λ + 2κ(c − ρ))UᵀΣ^{-1/2} with U an "
               "eigenbasis of B̃ (B̃' = B̃ + 2κ(c − ρ)I), masked shifted eigenvalues ≥ 0, at most d* of them."),
    assumptions=(NORM, SPD),
    verdict="corrected",
    correction=("The commuting form ½Σ⁻¹B'_MΣ⁻¹ inherits thm1-commuting's missing assumption (fails for "
                "degenerate B̃); eq. 37 writes dρ/dW = 4ρWΣ, which is d(ρ²)/dW (true: 2WΣ), though eq. 38 is "
                "right; eq. 35 silently sets c = 1; the text's '2κ(1−ρ)Σ_M' is the c = 1 case."),
    counterexample=("Σ = diag(1, 2), B = Σ/4, κ = c = 1, d1 = 1: W = √ρ vᵀΣ^{-1/2}, v = (1,1)/√2, ρ = 9/16 has "
                    "∇L = 0 exactly but non-diagonal WᵀW; B' ∝ Σ has distinct eigenvalues so ½Σ⁻¹B'_MΣ⁻¹ is diagonal."),
    evidence=(N + "test_prop3_gradient_symbolic", N + "test_prop3_counterexample_exact",
              N + "test_prop3_general_form_property"),
    )
def check_prop3(quick: bool, out_dir: pathlib.Path) -> Outcome:
    s = no.prop3_symbolic()
    ce = no.prop3_counterexample()
    rng = np.random.default_rng(3)
    worst = 0.0
    for _ in range(3 if quick else 10):
        B, S = _random_problem(rng, 3)
        lam = np.linalg.eigvalsh(la.whitened(B, S))
        mask = lam > lam.min()  # top two directions; admissible whenever shifted eigenvalues stay ≥ 0
        try:
            G, rho = no.stationary_normalized(B, S, mask, kappa=0.7, c=1.0)
        except ValueError:
            continue
        W = la.weights_from_gram(G, 3)
        worst = max(worst, float(np.abs(la.quartic_grad(W, B, S, kappa=0.7, c=1.0)).max()))
    details = {"prop3_residual_zero": _zero(s["prop3"]), "eq37_equals_drho2": _zero(s["eq37_is_drho2"]),
               "eq37_wrong": not _zero(s["eq37_minus_true"]), "counterexample_grad": str(ce["grad"]),
               "counterexample_G": str(ce["G"]), "general_form_worst_grad": worst}
    ok_general = details["prop3_residual_zero"] and worst < 1e-9  # float64 round-off
    if ok_general and ce["grad"] == sp.zeros(1, 2) and not ce["matches_any_form"]:
        return Outcome("corrected", "∇L=−2WB'+4WΣGΣ proved (eq. 37's dρ/dW=4ρWΣ is d(ρ²)/dW); commuting form "
                       "½Σ⁻¹B'_MΣ⁻¹ fails for degenerate B̃ (use B̃'=B̃+2κ(c−ρ)I eigenbasis)", details)
    return Outcome("proved" if ok_general else "refuted", "counterexample or general form did not re-check", details)


@claim(
    id="ziyin.prop5", source=Source(F, "App. D.3", "Prop 5, eq. 15, 40–44"),
    statement=("At a stationary point of eq. 5 with mask M (d_M directions), c − ρ = (c − ½Σ_{i∈M}λ_i)/(1 + κd_M), "
               "λ_i eigenvalues of B̃ = Σ^{-1/2}BΣ^{-1/2} (= eigenvalues of Σ⁻¹B, so Tr[Σ⁻¹B_M] in the commuting "
               "case). Holds for any Σ ≻ 0, not only commuting: ρ = Tr H = ½Σ_M(λ_i + 2κ(c − ρ))."),
    assumptions=(NORM, SPD),
    verdict="proved",
    evidence=(N + "test_prop5_symbolic", N + "test_prop5_newton_property"),
    )
def check_prop5(quick: bool, out_dir: pathlib.Path) -> Outcome:
    derived, source = no.prop5_derivation()
    rng = np.random.default_rng(5)
    worst, used = 0.0, 0
    for _ in range(4 if quick else 12):
        B, S = _random_problem(rng, 3)
        kappa, c = rng.uniform(0.2, 3.0), rng.uniform(0.5, 2.0)
        W, g = la.newton_stationary(rng.normal(size=(2, 3)), B, S, kappa=kappa, c=c)
        if g > 1e-10:
            continue
        rho = float(np.trace(W @ S @ W.T))
        Sh, _ = la.sqrt_pair(S)
        H = Sh @ W.T @ W @ Sh
        lam, U = np.linalg.eigh(la.whitened(B, S))
        mask = np.einsum("ij,ik,kj->j", U, H, U) > 1e-8  # masked = directions H occupies (round-off floor)
        worst = max(worst, abs(rho - no.prop5_rho(lam[mask], kappa, c)))
        used += 1
    details = {"derived": str(derived), "source": str(source), "numeric_worst": worst, "numeric_points": used}
    if sp.simplify(derived - source) == 0 and used and worst < 1e-8:  # Newton gtol 1e-10 on O(1) data
        return Outcome("proved", "ρ = Tr H = ½Σ_M(λ_i+2κ(c−ρ)) ⟹ eq. 15, for any Σ≻0 (λ = eig of Σ^{-1/2}BΣ^{-1/2})",
                       details)
    return Outcome("refuted", "Prop 5 formula disagrees", details)


@claim(
    id="ziyin.norm-limit", source=Source(F, "App. D.1", "eq. 8"),
    statement=("κ → ∞ (fixed mask, commuting): WᵀW → ½Σ⁻¹[B_M + (2c − Tr[Σ⁻¹B_M])/d_M Σ_M]Σ⁻¹ (proved with "
               "SymPy limit); a masked direction keeps a positive eigenvalue iff λ_i + 2c/d_M > λ̄_M with λ̄_M the "
               "mean of the d_M MASKED eigenvalues of Σ⁻¹B."),
    assumptions=(NORM, SPD, "ΣB = BΣ for the matrix form; the eigenvalue form holds for any Σ ≻ 0"),
    verdict="corrected",
    correction=("The source defines λ̄ as the average of the eigenvalues of Σ⁻¹B_M; taken literally (all d "
                "eigenvalues, zeros included) the condition is wrong when d_M < d: λ̄ must be the masked mean "
                "(as the source itself uses in eq. 11). 'Eigenvalues must be positive' is ≥ 0 (= 0 is a smaller mask)."),
    counterexample=("d = 3, M = {1, 2}, λ = (1, ½), c = 0.1: λ_2 + 2c/d_M = 0.6 > 1.5/3 = 0.5 (literal), yet the "
                    "limit eigenvalue ½(λ_2 + (2c − 1.5)/2) = −0.075 < 0."),
    evidence=(N + "test_norm_limit_symbolic", N + "test_eq8_masked_mean_counterexample",
              N + "test_limit_matches_large_kappa_property"),
    )
def check_norm_limit(quick: bool, out_dir: pathlib.Path) -> Outcome:
    lim = no.norm_limit_symbolic()
    lam, c = np.array([1.0, 0.5]), 0.1  # d = 3, mask {1, 2}; c small
    literal = no.eq8_condition(lam, c, n_total=3)
    correct = no.eq8_condition(lam, c)
    eig = no.limit_eigenvalues(lam, c)
    details = {"limit_residual_zero": _zero(lim["residual"]), "literal_condition": literal.tolist(),
               "masked_mean_condition": correct.tolist(), "limit_eigenvalues": eig.tolist()}
    if not details["limit_residual_zero"]:
        return Outcome("refuted", "κ→∞ limit of G differs from the source's", details)
    if literal.all() and not correct.all() and eig.min() < 0 and np.array_equal(correct, eig > 0):
        return Outcome("corrected", "limit G proved; in eq. 8 λ̄ must be the mean over the d_M masked "
                       "eigenvalues (mean over all d: λ=(1,½,0), c=0.1 passes yet G has eigenvalue < 0)", details)
    return Outcome("proved", "eq. 8 holds as written", details)


@claim(
    id="ziyin.eq9", source=Source(F, "App. D.1", "eq. 9–14"),
    statement=("With B = A0 − C (commuting, C ⪰ 0) the eigenvalues of Σ⁻¹B_M (the source writes ΣB_M) are "
               "λ_i = (a_i − c_i)/(a_i + c_i) ∈ [−1, 1] (eq. 9); eq. 10–13 hold as written (with c = 1); eq. 14 "
               "(a_1 − c_1 = ε, c_j = 0 otherwise) reads ε/(a+c) + 2/d_M > (d_M − 1 + ε/(a+c))/d_M, violated iff "
               "ε ≤ (a+c)(d_M − 3)/(d_M − 1)."),
    assumptions=("κ → ∞ limit of eq. 8 with the masked mean", "B = A0 − C, A0 and C commute, a_i, c_i ≥ 0",
                 "all listed directions masked; c = 1 as in the source"),
    verdict="corrected",
    correction=("Eq. 14: λ̄ contains ε where it needs ε/(a_1 + c_1), and the violation threshold "
                "ε < (a+c)(d_M − 3)/(a + c + d_M) is wrong; correct: ε ≤ (a+c)(d_M − 3)/(d_M − 1). Also "
                "'ΣB_M' should be Σ⁻¹B_M."),
    counterexample=("a_1 = 0.7, c_1 = 0.3 (ε = 0.4, a+c = 1), d_M = 5: source threshold 1/3 < 0.4 says no "
                    "collapse, but the condition gives 0.8 < 0.88 (violated; limit eigenvalue −0.04 < 0)."),
    evidence=(N + "test_eq9_to_13_symbolic", N + "test_eq14_threshold"),
    )
def check_eq9(quick: bool, out_dir: pathlib.Path) -> Outcome:
    s = no.eq9_14_symbolic()
    d = sp.Symbol("d_M", positive=True, integer=True)
    t = no.eq14_violation_threshold()
    parts = {"eq9": s["eq9_upper_gap"] == 0 and s["eq9_lower_gap"] == 0 and s["eq9_limit_c_big"] == -1
             and s["eq9_limit_a_big"] == 1,
             "eq10": sp.simplify(s["eq10"] - 2 / d) == 0, "eq11": s["eq11_mean"] == 0 and sp.simplify(s["eq11"] - 4 / d) == 0,
             "eq12": s["eq12_source_form"] == 0 and s["eq12_solution"] == sp.Interval.open(0, 2),
             "eq13": sp.simplify(s["eq13"] - 1 / d) == 0,
             "eq14_mean_differs": sp.simplify(s["eq14_correct"] - s["eq14_source"]) != 0,
             "eq14_threshold": t["violated_set"].sup == t["correct_threshold"] and t["correct_threshold"] != t["source_threshold"],
             "eq14_counterexample": bool(t["cond_at_counterexample"] < 0) and t["counterexample_eps"] > t["source_threshold"]}
    eig = no.limit_eigenvalues([0.4, 1, 1, 1, 1], 1.0)  # a1+c1 = 1, ε = 0.4, d_M = 5, c = 1
    parts["eq14_numeric_negative"] = bool(eig[0] < 0)
    details = {k: bool(v) for k, v in parts.items()} | {"limit_eigs_eps_0.4": eig.tolist()}
    if all(parts.values()):
        return Outcome("corrected", "eq. 9–13 proved; eq. 14: λ̄ needs ε/(a+c); violated iff ε ≤ (a+c)(d_M−3)/(d_M−1), "
                       "not ε < (a+c)(d_M−3)/(a+c+d_M) (ε=0.4, a+c=1, d_M=5)", details)
    if all(v for k, v in parts.items() if not k.startswith("eq14")):
        return Outcome("proved", "eq. 9–14 verified", details)
    return Outcome("refuted", "one of eq. 9–13 failed", details)


@claim(
    id="ziyin.vicreg", source=Source(F, "§1.2"),
    statement=("VICReg model B = −A0 with κR: L = Tr[W(A0 − 2κcΣ)Wᵀ] + O(W⁴) + κc² near 0; the origin is a "
               "strict local minimum iff κ < κ* = λ_min(Σ^{-1/2}A0Σ^{-1/2})/(2c) and a saddle for κ > κ*; for "
               "κ ≤ κ* it is the only stationary point (complete collapse), since a nonzero one needs "
               "2κ(c − ρ) > λ_i(Σ^{-1/2}A0Σ^{-1/2}) with ρ ≥ 0."),
    assumptions=(NORM, SPD, "A0 ≻ 0"),
    verdict="corrected",
    correction=("'Complete collapse when κ ≪ ‖A0‖/(c‖Σ‖)' uses the wrong spectral quantity (ratio of largest "
                "eigenvalues instead of the smallest generalized eigenvalue of (A0, Σ)) and misses the factor 2; "
                "the exact threshold is κ* = λ_min(Σ⁻¹A0)/(2c)."),
    counterexample=("A0 = diag(1, 10⁻³), C = diag(0, 1), c = 1, κ = 0.01‖A0‖/(c‖Σ‖) ≈ 0.01: A0 − 2κcΣ has "
                    "eigenvalue ≈ −0.019 < 0 (κ* ≈ 5·10⁻⁴), so the origin is a saddle and W = 0.01e₂ᵀ lowers L."),
    evidence=(N + "test_vicreg_threshold_property", N + "test_vicreg_counterexample"),
    )
def check_vicreg(quick: bool, out_dir: pathlib.Path) -> Outcome:
    delta, c = 1e-3, 1.0
    A0, C = np.diag([1.0, delta]), np.diag([0.0, 1.0])
    S, B = A0 + C, -A0
    kappa = 0.01 * no.vicreg_source_scale(A0, S, c)
    curv = no.vicreg_origin_curvature(A0, S, kappa, c)
    W = 1e-2 * np.array([[0.0, 1.0]])
    drop = la.quartic_loss(W, B, S, kappa=kappa, c=c) - la.quartic_loss(0 * W, B, S, kappa=kappa, c=c)
    # below the threshold no mask is admissible (only the origin is stationary)
    rng = np.random.default_rng(6)
    only_origin = True
    for _ in range(5):
        A = rng.normal(size=(3, 3))
        A0r = A @ A.T + 0.1 * np.eye(3)
        Sr = A0r + np.diag(rng.uniform(0, 2, 3))
        k = 0.9 * no.vicreg_threshold(A0r, Sr, c)
        lam = np.linalg.eigvalsh(la.whitened(-A0r, Sr))
        for mask in ([1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [1, 1, 1]):
            mask = np.array(mask, bool)
            rho = no.prop5_rho(lam[mask], k, c)
            if np.all(lam[mask] + 2 * k * (c - rho) > 0):
                only_origin = False
    details = {"kappa": kappa, "threshold": no.vicreg_threshold(A0, S, c), "origin_curvature": curv.tolist(),
               "loss_drop_along_e2": drop, "only_origin_below_threshold": only_origin}
    if curv.min() < 0 and drop < 0 and only_origin:
        return Outcome("corrected", "complete collapse iff κ ≤ λ_min(Σ⁻¹A0)/(2c), not κ ≪ ‖A0‖/(c‖Σ‖): A0=diag(1,1e-3), "
                       "C=diag(0,1), κ=0.01‖A0‖/‖Σ‖ leaves the origin a saddle", details)
    return Outcome("proved" if curv.min() >= 0 else "refuted", "counterexample did not re-check", details)


@claim(
    id="ziyin.thm4", source=Source(F, "App. D.2", "Thm 4"),
    statement=("f = Wx + b, E x = 0, L = eq. 4 + κ(ρ + ‖b‖² − c)²: ∂_bL = 4κ(ρ + ‖b‖² − c)b, so stationary "
               "points are (i) b = 0 with W a Prop 3 stationary point (any ρ), or (ii) ‖b‖² = c − ρ > 0 with W a "
               "Thm 1 stationary point, ρ < c. Minimizing over b gives the one-sided penalty κ·max(ρ − c, 0)²: "
               "at b = 0 the b-curvature is 4κ(ρ − c), so minima with b = 0 have ρ ≥ c; when the unnormalized "
               "optimum has ρ > c the global minimum lies on branch (i)."),
    assumptions=(QUARTIC, SPD, "κ > 0, c > 0", "bias enters only through R (the quartic loss is translation invariant)"),
    verdict="corrected",
    correction=("Thm 4 omits the b = 0 branch (Prop 3 solutions, which may have ρ > c), so 'all stationary "
                "points satisfy WᵀW = ½Σ⁻¹B_MΣ⁻¹ with ρ ≤ c' is false, and the conclusion 'at most 2 nontrivial "
                "subspaces when c = 1' does not follow."),
    counterexample=("d0 = d1 = 1, Σ = 1, B = 4, κ = c = 1: (w² = 3/2, b = 0) is stationary with ρ = 3/2 > c and "
                    "is the global minimum (L = −7/2, Hessian eigenvalues 24, 2); the b ≠ 0 branch has only "
                    "W = 0, b² = 1 (L = 0)."),
    evidence=(N + "test_thm4_counterexample", N + "test_thm4_one_sided_penalty"),
    )
def check_thm4(quick: bool, out_dir: pathlib.Path) -> Outcome:
    ce = no.thm4_scalar_counterexample()
    pen = no.one_sided_penalty()
    vals = ce["critical_values"]
    ok = (ce["grad_at_point"] == [0, 0] and all(e > 0 for e in ce["hessian_eigs"]) and ce["rho"] > ce["c"]
          and vals[0] == (sp.Rational(-7, 2), sp.Rational(3, 2), 0) and pen["below_value"] == 0
          and pen["above_slope_nonneg"])
    details = {"critical_values": [[str(x) for x in v] for v in vals], "hessian_eigs": [str(e) for e in ce["hessian_eigs"]]}
    if ok:
        return Outcome("corrected", "b=0 branch (Prop 3 points, any ρ) omitted: d=1, B=4, Σ=κ=c=1 has global min "
                       "w²=3/2, b=0, ρ=3/2>c; correct: min_b gives penalty κ·max(ρ−c,0)²", details)
    return Outcome("proved", "counterexample did not re-check", details)


@claim(
    id="ziyin.scl", source=Source(F, "App. D.4", "eq. 16–17"),
    statement=("Linear f, Gaussian x̂ ~ N(0, A0), augmentations ~ N(0, C): −2E[f(x)ᵀf(x')] + E[(f(x)ᵀf(χ))²] = "
               "−2Tr[WA0Wᵀ] + Tr[(WΣWᵀ)²] exactly (B = 2A0). With A0 ≻ 0 every local minimum has rank d* (no "
               "collapse); the features spread along A0 (commuting case: WᵀW = Σ⁻¹A0Σ⁻¹ at full mask)."),
    assumptions=("x = x̂ + ε, x' = x̂ + ε', χ = χ̂ + ε'', all independent zero-mean Gaussian",
                 "normalization ignored, as the source does for eq. 17"),
    verdict="corrected",
    correction=("Eq. 17 has −2Tr[WCWᵀ] where the positive-pair term gives −2Tr[WA0Wᵀ] (x and x' share x̂, not "
                "the noise); so the conclusion 'features spread along C, not A0' is reversed. No-collapse holds."),
    counterexample="A0 = diag(2, 1), C = diag(1, 2), d1 = 2: global-min WᵀW = diag(2/9, 1/9), larger along A0's top direction.",
    evidence=(O + "test_scl_isserlis", O + "test_scl_spread_and_rank"),
    )
def check_scl(quick: bool, out_dir: pathlib.Path) -> Outcome:
    s = ol.scl_symbolic()
    G = ol.scl_predicted_gram(np.diag([2.0, 1.0]), np.diag([1.0, 2.0]), 2)
    rank = ol.scl_predicted_rank(np.diag([2.0, 1.0]), np.diag([1.0, 2.0]), 2)
    details = {"ours_residual": str(s["ours"]), "source_differs": s["source"] != 0,
               "example_gram_diag": np.diag(G).tolist(), "example_rank": rank}
    if s["ours"] == 0 and s["source"] != 0 and s["source_minus_ours"] == 0 and G[0, 0] > G[1, 1] and rank == 2:
        return Outcome("corrected", "L_SCL = −2Tr[WA0Wᵀ]+Tr[(WΣWᵀ)²] (A0, not C): spread along A0; no collapse if A0≻0",
                       details)
    return Outcome("proved" if s["source"] == 0 else "refuted", "SCL derivation disagrees", details)


@claim(
    id="ziyin.barlow", source=Source(F, "App. D.4"),
    statement=("Population Barlow Twins with unnormalized cross-covariance C_BT = E[f(x)f(x')ᵀ] = WA0Wᵀ: "
               "L = Σ_i(1 − C_ii)² + λΣ_{i≠j}C_ij² = d1 − 2Tr[WA0Wᵀ] + O(W⁴); with λ = 1, L = ‖I − WA0Wᵀ‖_F² "
               "(no augmentation dependence); global minima have WA0Wᵀ = I (rank d1, no collapse) when A0 ≻ 0, "
               "d1 ≤ d0. With batch-standardized embeddings (real BT) L is invariant to W → tW, so there is no "
               "expansion at W = 0."),
    assumptions=("x = x̂ + ε, x' = x̂ + ε' independent zero-mean Gaussian", "population (infinite batch) cross-covariance"),
    verdict="corrected",
    correction=("The second-order term is −2Tr[WA0Wᵀ], not −2Tr[WΣWᵀ] (the cross-covariance of two views "
                "carries A0 only); hence the spread does not combine feature and augmentation strength. The "
                "no-collapse conclusion holds; for standardized BT the small-W expansion does not exist."),
    counterexample="Any C ≠ 0: the W² coefficients differ by 2Tr[WCWᵀ] (symbolic, d = 2).",
    evidence=(O + "test_barlow_isserlis", O + "test_barlow_global_minimum_property"),
    )
def check_barlow(quick: bool, out_dir: pathlib.Path) -> Outcome:
    s = ol.barlow_symbolic()
    A0 = np.diag([2.0, 1.0, 0.5])
    W = ol.barlow_global_min_weights(A0, 2)
    details = {"cross_is_WA0W": _zero(s["cross_minus_WA0W"]), "cross_is_not_WSigmaW": not _zero(s["cross_minus_WSigmaW"]),
               "second_order_ours": str(s["second_order_minus_ours"]),
               "second_order_source_differs": s["second_order_minus_source"] != 0,
               "lambda1_identity": s["lambda1_identity"] == 0,
               "standardized_scale_invariant": _zero(s["standardized_scale_residual"]),
               "global_min_loss": ol.barlow_loss(W, A0, 0.3), "global_min_rank": int(np.linalg.matrix_rank(W))}
    ok = (details["cross_is_WA0W"] and details["cross_is_not_WSigmaW"] and s["second_order_minus_ours"] == 0
          and details["second_order_source_differs"] and details["lambda1_identity"]
          and details["standardized_scale_invariant"] and details["global_min_loss"] < 1e-24 and details["global_min_rank"] == 2)
    if ok:
        return Outcome("corrected", "W² term is −2Tr[WA0Wᵀ] (not Σ); λ=1: ‖I−WA0Wᵀ‖², augmentation-free; no collapse "
                       "(A0≻0, d1≤d0); standardized BT has no expansion at W=0", details)
    return Outcome("proved" if s["second_order_minus_source"] == 0 else "refuted", "Barlow derivation disagrees", details)
