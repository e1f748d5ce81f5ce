"""Records for the landscape family of Ziyin et al. (001): Thm 1, Prop 2, Prop 3, Prop 5, eq. 8–14, VICReg,
Thm 4, SCL and Barlow Twins.  Checks: theory/ziyin/checks_landscape.py."""
from __future__ import annotations

from theory.claims import Claim, Source

F = "001_e494beef9b3e9713.txt"
T = "tests/theory/test_ziyin_landscape.py::"
N = "tests/theory/test_ziyin_normalization.py::"
O = "tests/theory/test_ziyin_other_losses.py::"
CK = "theory.ziyin.checks_landscape:"
QUARTIC = "L(W) = −Tr[WBWᵀ] + Tr[WΣWᵀWΣWᵀ] (eq. 4 with Prop 6), W ∈ R^{d1×d0}, B symmetric"
SPD = "Σ symmetric positive definite (Σ^{-1/2} must exist)"
NORM = "L = eq. 4 + κ(ρ − c)², ρ = Tr[WΣWᵀ], κ ≥ 0, c > 0 (eq. 5)"

RECORDS = [
    Claim(
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
        check=CK + "check_thm1",
    ),
    Claim(
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
        check=CK + "check_thm1_commuting",
    ),
    Claim(
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
                  T + "test_prop2_hessian_census", "experiments/verify_prop2.py"),
        check=CK + "check_prop2",
    ),
    Claim(
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
        check=CK + "check_prop3",
    ),
    Claim(
        id="ziyin.prop5", source=Source(F, "App. D.3", "Prop 5, eq. 15, 40–44"),
        statement=("At a stationary point of eq. 5 with mask M (d_M directions), c − ρ = (c − ½Σ_{i∈M}λ_i)/(1 + κd_M), "
                   "λ_i eigenvalues of B̃ = Σ^{-1/2}BΣ^{-1/2} (= eigenvalues of Σ⁻¹B, so Tr[Σ⁻¹B_M] in the commuting "
                   "case). Holds for any Σ ≻ 0, not only commuting: ρ = Tr H = ½Σ_M(λ_i + 2κ(c − ρ))."),
        assumptions=(NORM, SPD),
        verdict="proved",
        evidence=(N + "test_prop5_symbolic", N + "test_prop5_newton_property"),
        check=CK + "check_prop5",
    ),
    Claim(
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
        check=CK + "check_norm_limit",
    ),
    Claim(
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
        check=CK + "check_eq9",
    ),
    Claim(
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
        check=CK + "check_vicreg",
    ),
    Claim(
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
        check=CK + "check_thm4",
    ),
    Claim(
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
        check=CK + "check_scl",
    ),
    Claim(
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
        check=CK + "check_barlow",
    ),
]
