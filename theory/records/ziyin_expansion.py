"""Records for the small-W expansion family of Ziyin et al. (001): eq. 2, eq. 3–4, Prop 6, the
collapse/weight-decay conditions, N_crit, the σ scaling and the stability of the origin."""
from __future__ import annotations

from theory.claims import Claim, Source

F = "001_e494beef9b3e9713.txt"
T = "tests/theory/test_ziyin_expansion.py::"
M = "tests/theory/test_ziyin_expansion_mc.py::"
CK = "theory.ziyin.checks_expansion:"
SETTING = ("linear f = Wx; x = x̂ + ε, x' = x̂ + ε', negatives χ_j = x̂_j + ε_j, x̂ ~ N(0, A0), ε ~ N(0, C), "
           "all independent (population data)",
           "L = mean over anchors of ℓ = −u_0 + log(Σ_{j=1}^{N−1} e^{u_j} + α e^{u_0}); K = N − 1 + α",
           "expansion in W → tW to order t⁴")
B_DERIVED = "B = ((N−1)/(N−1+α)) A0 (C cancels exactly)"
QUARTIC = ("E4 = ((N−1)/K²)·{[¾(N−2) + α] Tr S² + (α/2) Tr P² + (α/2)(Tr WA0Wᵀ)²}, S = WΣWᵀ, P = WCWᵀ")

RECORDS = [
    Claim(
        id="ziyin.eq2", source=Source(F, "§1", "eq. 2"),
        statement="For a fixed noise draw, eq. 2 (alignment + log E_χ̂ exp) equals eq. 1, so E_ε[L_ε] = L.",
        assumptions=("E_x̂ = mean over the N anchors; E_χ̂ = mean over the N candidates of anchor i "
                     "(N−1 negatives and the positive x'_i)",),
        verdict="corrected",
        correction=("L_eq2 = L_eq1/N − log N exactly (eq. 1 sums over anchors, eq. 2 averages; log of a mean "
                    "adds −log N), so E_ε[L_ε] = L/N − log N, not L. Same minimisers. With E_χ̂ over the N−1 "
                    "negatives only, eq. 2 is not an affine function of eq. 1 at all."),
        counterexample="N = 7, d = 3, random seeded data: eq2 = eq1/7 − log 7 to 1e-12, eq2 − eq1 > 1.",
        evidence=(M + "test_eq2_is_eq1_over_N_minus_logN",),
        check=CK + "check_eq2",
    ),
    Claim(
        id="ziyin.expansion", source=Source(F, "§1.1", "eq. 3–4"),
        statement=("Weighted InfoNCE of a linear model: L = (1−α)/N Tr[WCWᵀ] − Tr[WA0Wᵀ] + ⅛Var|W(x−χ)|² + …, "
                   "i.e. B = A0 − (1−α)C/N and quartic ⅛Var = Tr[(WΣWᵀ)²]."),
        assumptions=SETTING,
        verdict="corrected",
        correction=(f"Derived: L = log K − Tr[WBWᵀ] + E4 + O(W⁶) with {B_DERIVED} and {QUARTIC}. The source's C "
                    "term comes from treating the positive inside E_χ as an independent negative (reproduced "
                    "symbolically); its quartic ⅛Var uses the total variance, while InfoNCE gives the "
                    "conditional variance: E4 → ¾Tr S² as N → ∞ (off by 4/3), plus TrP², (TrWA0Wᵀ)² at α > 0."),
        counterexample="N = 2, α = 0: ℓ = ½|W(x−x')|² − ½|W(x−χ)|² exactly, L = −Tr[WA0Wᵀ] for every C; E4 = 0.",
        evidence=(T + "test_closed_form_general_dimension", T + "test_brute_force_d1_symbolic_a_c",
                  T + "test_brute_force_d2_symbolic_W", T + "test_u_level_series_matches_hand_form",
                  T + "test_source_B_is_reproduced_by_the_positive_as_negative_slip",
                  M + "test_mc_loss_matches_expansion_at_small_w", M + "test_mc_quartic_coefficient",
                  M + "test_autograd_hessian_at_origin", T + "test_fixed_dataset_orders_d1"),
        check=CK + "check_expansion",
    ),
    Claim(
        id="ziyin.prop6", source=Source(F, "App. E.1", "Prop 6"),
        statement="x, χ independent N(0, Σ): ⅛ Var|W(x−χ)|² = Tr[WΣWᵀWΣWᵀ], so eq. 4 reads −Tr[WBWᵀ] + Tr[(WΣWᵀ)²].",
        assumptions=("x, χ independent zero-mean Gaussian with covariance Σ", "L means the model eq. 4"),
        verdict="proved",
        correction=None,
        evidence=(T + "test_prop6_and_origin_derivations", T + "test_quadratic_moment_lemma"),
        check=CK + "check_prop6",
    ),
    Claim(
        id="ziyin.collapse-threshold", source=Source(F, "§1.1"),
        statement="Weighted InfoNCE, commuting A0, C: eigendirection i collapses iff (1−α)c_i/N ≥ a_i.",
        assumptions=SETTING + ("no weight decay",),
        verdict="refuted",
        correction=(f"{B_DERIVED}: b_i > 0 whenever a_i > 0, so augmentation never collapses a direction of a "
                    "linear model; with a fixed data set only the data rank does (rank WᵀW = min(d1, N−1))."),
        counterexample=("d0 = d1 = 1, N = 2, α = 0, a = 1, c = 4: the source predicts collapse (c/2 = 2 ≥ 1), but "
                        "ℓ = u_1 − u_0 exactly and L(w) = −w² for all w: W = 0 is a maximum."),
        evidence=(T + "test_minimal_counterexample_N2_alpha0_exact", "experiments/verify_ncrit.py"),
        check=CK + "check_collapse_threshold",
    ),
    Claim(
        id="ziyin.weight-decay", source=Source(F, "§1.1"),
        statement="With weight decay γ (penalty γ‖W‖²_F) the collapse condition becomes (1−α)c_i/N + γ ≥ a_i.",
        assumptions=SETTING + ("weight decay as the penalty γ‖W‖²_F; torch/Adam weight_decay=γ is (γ/2)‖W‖²_F",),
        verdict="corrected",
        correction=("The γ shift is right, the C term is not: direction i collapses iff γ ≥ ((N−1)/(N−1+α)) a_i "
                    "(iff weight_decay ≥ 2(N−1)a_i/(N−1+α) in torch's coupled convention), independent of c_i."),
        counterexample="a = 1, c = 4, N = 2, α = 0, γ = ½: source predicts collapse; curvature at 0 is −1 < 0.",
        evidence=(T + "test_collapse_gamma_threshold_is_curvature_zero",
                  T + "test_curvature_at_origin_autograd_and_C_independence", "experiments/verify_prop2.py"),
        check=CK + "check_weight_decay",
    ),
    Claim(
        id="ziyin.ncrit", source=Source(F, "App. B", "eq. 7, Fig. 2 mid"),
        statement="Weighted InfoNCE (α = 0.1, σ = 5): direction i collapses for N > N_crit = a_i/(c_i(1−α)).",
        assumptions=("fixed training set of N points from N(0, I_32), fresh noise N(0, σ²I) each step",
                     "anchor-mean loss, negatives = the other N−1 points"),
        verdict="corrected",
        correction=("Eq. 7 (collapse for N > a/(c(1−α))) and §1.1 (collapse for N ≤ (1−α)c/a) invert both the "
                    "fraction and the inequality (they disagree at N = 30 for a = 1, c = 25, α = 0.1). Derived: "
                    "order 2 is −(N/K)Tr[W(Â0 − mmᵀ)Wᵀ], PSD for every α, σ, so rank WᵀW = min(d1, N−1, "
                    "rank of centred data): the only critical size is N = d0 + 1, from the data rank, "
                    "independent of α and σ."),
        counterexample="a = 1, c = 25, α = 0.1, N = 30: §1.1 says no collapse, eq. 7 says collapse; derived b > 0.",
        evidence=(T + "test_paper_ncrit_forms_disagree", T + "test_predicted_rank_fixed_dataset",
                  T + "test_fixed_dataset_B_d3_matches_noise_expectation",
                  M + "test_predicted_gram_fixed_dataset_rank", "experiments/verify_ncrit.py"),
        check=CK + "check_ncrit",
    ),
    Claim(
        id="ziyin.sigma-scaling", source=Source(F, "App. B", "Fig. 2 left"),
        statement="Vanilla InfoNCE (α = 1), A0 = I, C = σ²I: the smallest eigenvalues of WᵀW scale as σ⁴ and never vanish.",
        assumptions=SETTING + ("α = 1, commuting A0 and C = σ²I",),
        verdict="corrected",
        correction=("Exponent sign: with the derived expansion λ_i ∝ a_i/(κ_S(a_i+σ²)² + κ_Pσ⁴) (times a common "
                    "κ_T factor), so λ ~ σ⁻⁴ for σ² ≫ a (singular values of W ~ σ⁻²); local slope "
                    "d log λ/d log σ = −4σ²/(a+σ²) at α = 0, → −4 for every α. Never zero: confirmed."),
        evidence=(T + "test_sigma_slope", T + "test_predicted_gram_eigs_is_the_minimiser",
                  "experiments/verify_sigma_scaling.py"),
        check=CK + "check_sigma_scaling",
    ),
    Claim(
        id="ziyin.origin-stability", source=Source(F, "§1.3", "Fig. 1"),
        statement="As augmentation grows, W = 0 turns from a saddle into a local minimum along W → aW.",
        assumptions=SETTING + ("scope: the source's linear model; the ResNet18/CIFAR10 network of Fig. 1 is not "
                               "tested",),
        verdict="refuted",
        correction=("For the linear model d²L(aW)/da² at a = 0 is −2Tr[WBWᵀ] (+2γ‖W‖² with weight decay) with "
                    "B = ((N−1)/(N−1+α))A0, independent of C: augmentation never changes the stability of the "
                    "origin; only weight decay γ > b_max makes it a minimum."),
        counterexample="d = 1, N = 4, α = 0, a = 1: curvature −2 for c = 0, 10, 100 (source's B gives +48 at c = 100).",
        evidence=(T + "test_curvature_at_origin_autograd_and_C_independence", M + "test_autograd_hessian_at_origin",
                  "experiments/verify_origin_stability.py"),
        check=CK + "check_origin_stability",
    ),
]
