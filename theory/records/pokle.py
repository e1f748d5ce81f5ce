"""Records of Pokle et al., contrastive vs non-contrastive landscapes (002, issue 5).

Theory claims: pokle.maxcos, pokle.thm1a, pokle.thm1b, pokle.thm2, pokle.thm3 (checks: theory/pokle/checks.py).  pokle.cl-vs-ncl, pokle.predictor and
pokle.table1 are experiment-backed: theory/records/pokle_experiments.py.
Checks: theory/pokle/checks.py.
"""
from __future__ import annotations

from theory.claims import Claim, Source

F = "002_ec8a1187d51f1301.txt"
T = "tests/theory/"
CK = "theory.pokle.checks:"
SETUP_T1 = "d = p = m, M = I, σ₀ = 0, z uniform over the 1-sparse vectors e_j, independent masks D₁, D₂ (eq. 3), α ∈ (0, 1]"

RECORDS: list[Claim] = [
    Claim("pokle.maxcos", Source(F, "§5", "eq. 12"),
          "For W ∈ R^{m×p} (neurons as rows) and M ∈ R^{p×d} (atoms as columns), mc_j = max_i |cos(W_{i*}, M_{*j})|; the metric "
          "is (max_j, median_j, min_j) mc_j. All three equal 1 when every atom is (up to sign and positive scale) some neuron; "
          "the metric is invariant under permutations, sign flips and positive rescaling of neurons and under extra neurons that "
          "do not beat the best one; an atom orthogonal to every neuron gives min 0.",
          ("j ranges over the d atoms (eq. 12 prints ∀j ∈ [m]; M has only d columns, the text below it says j ∈ [d])",
           "median of an even number of atoms = mean of the two middle values"),
          "proved", evidence=(T + "test_pokle_metric.py::test_maxcos_analytic", T + "test_pokle_metric.py::test_maxcos_invariance_property",
                              "tests/numerics/test_dual_nets.py::test_max_cosine_matches_loop"),
          check=CK + "check_maxcos"),
    Claim("pokle.thm1a", Source(F, "Thm 1(a)", "App. A.1, eq. 6"),
          "With Wᵒ = Wᵗ = W and the loss of eq. 6, L(W) = 2 − (2α²/d) Σ_ij ReLU(W_ij)² exactly; on unit columns "
          "L − (2 − 2α²) = (2α²/d) Σ_ij ReLU(−W_ij)² ≥ 0, so the global minimisers over U are exactly U_≥ (all non-negative "
          "unit-column W), a set that contains the permutations, many far-from-ground-truth W and also the fully collapsed "
          "W = 11ᵀ/√d.",
          (SETUP_T1, "ReLU without bias (Remark 2)", "the printed statement of (a) is missing in the source text; read as CLAIMS.md states it"),
          "proved", evidence=(T + "test_pokle_landscape.py::test_thm1a_symbolic", T + "test_pokle_landscape.py::test_thm1a_numeric_minimisers"),
          check=CK + "check_thm1a"),
    Claim("pokle.thm1b", Source(F, "Thm 1(b)", "App. A.1, eq. 9, A.16–A.17"),
          "For the paper's surrogate A.17 (S± = inner products of ReLU features, τ > 0, α ∈ (0, 1], d ≥ 2) the minimisers over U "
          "are exactly the permutation matrices (A.17 is strictly decreasing in each G_ii and increasing in each G_ij, "
          "G = Gram matrix of ReLU(W) columns). For the actual |B| → ∞ limit of eq. 9 with negatives drawn from the data, this "
          "holds iff e^τ(1 − α) ≤ d − α; otherwise the minimisers have ‖ReLU(W_{*i})‖² = log((d − α)/(1 − α))/τ < 1.",
          (SETUP_T1, "S⁺ = ⟨ReLU(WD₁x), ReLU(WD₂x)⟩, S⁻ = ⟨ReLU(WD₁x), ReLU(WD₃x′)⟩ (the definition is lost in the text; A.16 implies it)",
           "negatives x′ i.i.d. from the data distribution with their own masks (so a negative can share the anchor's latent)"),
          "corrected",
          correction="The step 'L_CL ≈ A.16 as |B| → ∞' is not the law-of-large-numbers limit: the limit is E log E_{x′}e^{τS⁻} − τE S⁺ "
                     "(+ log B), with the negative's own mask inside the inner expectation. For it the permutation matrices are "
                     "minimisers only under the missing assumption e^τ(1 − α) ≤ d − α (e.g. α = 1, or τ small); the theorem as proved "
                     "holds for the surrogate A.17 only.",
          counterexample="d = 2, α = ½, τ = 5: limit loss 0.567 at W = I, 0 at W = −I (all features dead), −0.072 at W = "
                         "[[cos θ, −sin θ], [−sin θ, cos θ]] with cos²θ = ln3/5; at B = 10⁵ the exact eq.-9 loss of I exceeds that of −I by 0.567.",
          evidence=(T + "test_pokle_landscape.py::test_a17_monotone", T + "test_pokle_landscape.py::test_thm1b_numeric_permutations",
                    T + "test_pokle_landscape.py::test_thm1b_limit_counterexample"),
          check=CK + "check_thm1b"),
    Claim("pokle.thm2", Source(F, "Thm 2", "eq. 13, Remark 4–5"),
          "Simultaneous GD on eq. 13 with W ← λW − η∇(data term) gives WᵒM ← λWᵒM + cWᵗM, WᵗM ← λWᵗM + cWᵒM, c_t = 2η_tα²(κ + σ₀²); "
          "hence W_tᵒM = C₁,ₜW₀ᵒM + C₂,ₜ(W₀ᵒM + W₀ᵗM) with C₁,ₜ = Π(λ − c_i) ∈ (0, 1) and C₂,ₜ = ½[Π(λ + c_i) − Π(λ − c_i)] = "
          "Σ_j c_j Π_{i<j}(λ + c_i) Π_{i>j}(λ − c_i) > 0, for λ ∈ (0, 1), 0 < η_t < λ/(2α²(κ + σ₀²)) (⇔ c_t ∈ (0, λ)).",
          ("Assumption 1 latents (i.i.d. symmetric Bernoulli, E zzᵀ = κI), independent masks, M column-orthonormal",
           "decay as in Remark 4 (weight multiplied by λ per step); the literal penalty (1−λ)/2‖W‖² gives the same with λ → 1 − η(1 − λ)",
           "p_z in c_i read as κ/2 (the learning-rate condition's 2·κ/2)"),
          "corrected",
          correction="The printed C₂,ₜ = Σ_j c_j Π_{i=j}^{t−1}(λ − c_i) Π_{i<j}(λ + c_i) has one factor too many: the first product must "
                     "start at i = j + 1 (for constant c the printed value is (λ − c) times the true one). Span property, C₁,ₜ, the "
                     "ranges and the learning-rate condition are right.",
          counterexample="t = 1: W₁ᵒM = λW₀ᵒM + c₀W₀ᵗM, so C₁,₁ = λ − c₀ and C₂,₁ = c₀; the printed formula gives c₀(λ − c₀).",
          evidence=(T + "test_pokle_dynamics.py::test_thm2_recursion_symbolic", T + "test_pokle_dynamics.py::test_thm2_coefficients",
                    T + "test_pokle_dynamics.py::test_thm2_ranges_property", T + "test_pokle_dynamics.py::test_thm2_trained_span"),
          check=CK + "check_thm2"),
    Claim("pokle.thm3", Source(F, "Thm 3", "eqs. 14–15, Assumptions 1, 2, 4"),
          "Alternating optimisation of eq. 15 (inner GD loops to convergence, row normalisation after each step, SG on the fixed "
          "network) from a warm start with |Δ_ij| < 1/(10d) and fixed bias b inside Assumption 4's interval drives Wᵒ and Wᵗ to I. "
          "Outside the assumptions it can fail: b = 0 (SReLU = identity) leaves W where it started, b = 0.99 ends at max|W − I| = "
          "1/√2, a random start ends at other (signed-permutation-like) points; a warm start 10× farther than assumed still converges.",
          ("M = I, σ₀ = 0 (Assumption 3 holds trivially), d ∈ {3, 4}, κ = α = ½", "population expectation by exact enumeration",
           "inner loop: projected GD with step 20 until max change < 1e-13 (the algorithm's inner steps are lost in the text)",
           "the target update minimises L(Wᵗ, Wᵒ) (roles swapped, §4.1)"),
          "confirmed", evidence=(T + "test_pokle_dynamics.py::test_thm3_converges_under_assumptions",
                                 T + "test_pokle_dynamics.py::test_thm3_fails_without_bias"),
          check=CK + "check_thm3"),
]
