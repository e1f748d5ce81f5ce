"""Records of the foundations note (``004_*.txt``): the 18 found.* claims (issue 3)."""
from __future__ import annotations

from theory.claims import Claim, Source

F = "004_6e59cad3ac889e06.txt"
M = "theory.found.checks"
T = "tests/theory/"


def _src(section: str, eq: str = "") -> Source:
    return Source(F, section, eq)


RECORDS: list[Claim] = [
    Claim("found.collapse-iff", _src("The Geometry of Collapse", "Prop 1"),
          "With Σ = (1/N)ZᵀZ − z̄z̄ᵀ (biased, centred), Σ is PSD and rank Σ = d iff λ_min(Σ) > 0. "
          "(Aside: identical embeddings give Σ = 0, rank 0 — not rank 1 as the note's definition of full collapse says; "
          "and rank Σ ≤ N − 1, so N ≤ d always counts as collapsed.)",
          ("Σ is the centred empirical covariance",), "proved",
          evidence=(T + "test_found_ranks.py::test_covariance_is_psd_sum", T + "test_found_ranks.py::test_collapse_iff_generated",
                    T + "test_found_ranks.py::test_identical_embeddings_have_rank_zero"),
          check=f"{M}:check_collapse_iff"),
    Claim("found.srank", _src("Effective Rank", "Stable rank"),
          "For PSD Σ ≠ 0: 1 ≤ srank(Σ) = (Σλ)²/Σλ² ≤ d; = d iff Σ = σ²I (σ > 0); = 1 iff exactly one λ ≠ 0.",
          ("Σ PSD (eigenvalues ≥ 0)", "Σ ≠ 0 (srank is 0/0 at Σ = 0)"), "proved",
          evidence=(T + "test_found_ranks.py::test_srank_identities", T + "test_found_ranks.py::test_srank_bounds_property"),
          check=f"{M}:check_srank"),
    Claim("found.erank", _src("Effective Rank", "Entropy rank"),
          "For PSD Σ ≠ 0: erank = exp(H(λ/Σλ)) ∈ [1, d]; = d iff all λ equal; = 1 iff one nonzero λ "
          "(eigenvalues, not singular values; 0 log 0 = 0). Also erank ≥ srank.",
          ("Σ PSD", "Σ ≠ 0"), "proved",
          evidence=(T + "test_found_ranks.py::test_erank_facts", T + "test_found_ranks.py::test_erank_bounds_property"),
          check=f"{M}:check_erank"),
    Claim("found.srank-limit", _src("Exercise 1"),
          "srank(αΣ) = srank(Σ) for α > 0 and lim_{ε→0⁺} srank(diag(λ₁, ε, …, ε)) = 1 for every d (approach 1 + 2(d−1)ε/λ₁).",
          ("λ₁ > 0",), "proved",
          evidence=(T + "test_found_ranks.py::test_srank_limit",), check=f"{M}:check_srank_limit"),
    Claim("found.sg-no-predictor", _src("The Predictor as a Bottleneck"),
          "Without a predictor, the stop-gradient loss ½D(sg z₁, z₂) + ½D(sg z₂, z₁) has gradient exactly ½∇_θD(z₁, z₂) "
          "(D symmetric), which vanishes at z₁ = z₂ = c for the negative cosine D: collapse remains a critical point "
          "(zero gradient; its stability is that of the symmetric loss's global minimum).",
          ("D = negative cosine similarity (with D = −z₁ᵀz₂ unnormalised the Euclidean gradient is −c ≠ 0)",), "proved",
          evidence=(T + "test_found_stopgrad.py::test_cosine_gradient_zero_at_target",
                    T + "test_found_stopgrad.py::test_sg_gradient_is_half_symmetric_torch"),
          check=f"{M}:check_sg_no_predictor"),
    Claim("found.sg-hessian", _src("Exercise 2"),
          "Toy z₁ = θ, z₂ = θ + ε: ∂²L_sym/∂θ² = 0; the stop-gradient loss has autograd curvature 2 and gradient −2ε; "
          "with a predictor the autograd curvature is 2h′² + 2(h − c)h″ (= 2h′² where h(θ) = target), the update-field Jacobian 2h′(h′ − 1).",
          ("second derivative with the stop-gradient target held constant (torch detach)",), "corrected",
          correction="Sketch (b) substitutes sg(z₂) = θ + ε before differentiating and concludes L_sg is constant in θ (zero gradient and "
                     "curvature); with the target held constant the curvature is 2 and the gradient −2ε ≠ 0 — this also contradicts the "
                     "note's own 'key insight'. The 2h′(θ)² formula needs h(θ) = target (or h″ = 0) and is positive for h = id as well, "
                     "so 'when h ≠ id' is not the condition; the quantity deciding stability of sg-GD is the field Jacobian 2h′(h′ − 1), which is 0 for h = id.",
          counterexample="h = id at ε = 0: autograd curvature 2 > 0 although the note requires h ≠ id; field Jacobian 0.",
          evidence=(T + "test_found_stopgrad.py::test_toy_curvatures", T + "test_found_stopgrad.py::test_toy_torch_double_backward"),
          check=f"{M}:check_sg_hessian"),
    Claim("found.em-predictor", _src("SimSiam as an EM Algorithm", "E-step, M-step"),
          "Under the MSE surrogate, h* = argmin_h E‖h(z₁) − z₂‖² = E[z₂|z₁] and E[h*(z₁)ᵀz₂] = E‖z₂‖² − E tr Var(z₂|z₁). "
          "The gradient of E Var(z₂|z₁) equals the M-step gradient only WITHOUT stop-gradient (envelope theorem); with the "
          "stop-gradient the M-step direction differs.",
          ("MSE surrogate of the cosine loss", "h ranges over all measurable functions"), "corrected",
          correction="'The M-step therefore minimizes the conditional variance Var(z₂|z₁)' substitutes h* into the value and "
                     "differentiates the tower identity, ignoring the stop-gradient the note says is essential. With sg the M-step "
                     "gradient lacks the ∇θz₂ term.",
          counterexample="Scalar linear encoder z = w(x + η), Var x = s, Var η = σ²: A* = s/(s+σ²); sg M-step gradient = 0, but "
                         "∂_w E Var(z₂|z₁) = 2σ²w(2s+σ²)/(s+σ²) ≠ 0 (and minimising it drives w → 0).",
          evidence=(T + "test_found_em.py::test_discrete_em", T + "test_found_em.py::test_mstep_counterexample",
                    "tests/experiments/test_verify_em_predictor.py::test_tiny_em_predictor", "experiments/verify_em_predictor.py"),
          check=f"{M}:check_em_predictor"),
    Claim("found.em-gaussian", _src("SimSiam as an EM Algorithm", "Concrete EM trajectory for Gaussian embeddings"),
          "z₁, z₂ jointly Gaussian, zero mean, Cov = I, cross-covariance ρI (|ρ| ≤ 1): h* = ρz₁ and E[−h*(z₁)ᵀz₂] = −ρ²d "
          "(inner-product D); the minimal E-step MSE is d(1 − ρ²).",
          ("D(p, z) = −pᵀz (no normalisation) for the M-step value", "|ρ| ≤ 1 (PSD joint covariance; the note's ρ ∈ [0, 1] is stricter)"),
          "proved", evidence=(T + "test_found_em.py::test_gaussian_views", T + "test_found_em.py::test_bad_rho_and_joint_cov"),
          check=f"{M}:check_em_gaussian"),
    Claim("found.linear-predictor", _src("Exercise 3"),
          "E‖Az₁ − z₂‖² = tr(AΣ₁₁Aᵀ − 2AΣ₁₂ + Σ₂₂) is minimised by A* = Σ₂₁Σ₁₁⁻¹ (Σ₁₁ ≻ 0); A* = I when z₁ = z₂ and 0 for uncorrelated views.",
          ("Σ₁₁ positive definite (otherwise A* is not unique; Σ₂₁Σ₁₁⁺ is the minimum-norm choice)",), "proved",
          evidence=(T + "test_found_em.py::test_linear_predictor_symbolic", T + "test_found_em.py::test_linear_predictor_torch",
                    "experiments/verify_em_predictor.py"),
          check=f"{M}:check_linear_predictor"),
    Claim("found.bn-variance", _src("Batch Normalization", "consequence 1"),
          "Var_b(ẑ_j) = γ_j² v_j/(v_j + ε) with v_j the biased batch variance; equals γ_j² only for ε = 0 (and v_j > 0).",
          ("BN in training mode with the biased batch variance (torch.nn.BatchNorm1d)",), "corrected",
          correction="'Var_b(ẑ_j) = γ_j² exactly' holds only for ε = 0; with the ε stabiliser the variance is γ²v/(v + ε), "
                     "→ 0 at collapse (the note's own consequence 3), so BN does not force variance for v ≲ ε.",
          counterexample="N = 8, v ≈ 5.25e-8, ε = 1e-5, γ = 2: Var_b(ẑ) ≈ 0.021, not 4.",
          evidence=(T + "test_found_batchnorm.py::test_bn_symbolic", T + "test_found_batchnorm.py::test_bn_variance_torch"),
          check=f"{M}:check_bn_variance"),
    Claim("found.bn-collapse-gradient", _src("Batch Normalization", "consequence 3"),
          "At exact collapse (all z_b = c) with ε > 0: ẑ_b = β and ∂ẑ_b/∂z_c = γ/√ε (δ_bc − 1/N); the diagonal is γ(1 − 1/N)/√ε.",
          ("ε > 0",), "proved",
          evidence=(T + "test_found_batchnorm.py::test_bn_symbolic", T + "test_found_batchnorm.py::test_bn_collapse_torch"),
          check=f"{M}:check_bn_collapse_gradient"),
    Claim("found.bn-near-collapse", _src("Exercise 4"),
          "For z_b = c + σu_b (batch variance σ²): ∂ẑ_b/∂z_b = γ/√(σ²+ε)[1 − 1/N − u_b²σ²/(N(σ²+ε))]; for σ ≫ √ε this is "
          "γ(1 − 1/N − u_b²/N)/σ (batch mean γ(1 − 2/N)/σ), O(1/σ); for σ ≪ √ε it saturates at γ(1 − 1/N)/√ε.",
          ("u centred with unit batch variance",), "corrected",
          correction="The leading-order value γ(1 − 1/N)/σ drops the term −γu_b²/(Nσ) coming from ∂σ_j/∂z_b, which is of the same "
                     "order as the kept 1/N term (batch mean (1 − 2/N), not (1 − 1/N)); and the O(1/σ) divergence holds only for "
                     "σ ≫ √ε — with ε > 0 the derivative is bounded by γ(1 − 1/N)/√ε, not 'without bound'.",
          counterexample="N = 2, ε = 0: ẑ_b = ±γ + β for any σ > 0, so ∂ẑ_b/∂z_b = 0, not γ/(2σ).",
          evidence=(T + "test_found_batchnorm.py::test_near_collapse", "tests/experiments/test_verify_bn_gradient.py::test_tiny_bn_gradient",
                    "experiments/verify_bn_gradient.py"),
          check=f"{M}:check_bn_near_collapse"),
    Claim("found.uniformity", _src("Alignment and Uniformity", "Corollary; Exercise 5"),
          "On the sphere e^{−2‖u−v‖²} = e^{−4}e^{4uᵀv}; L_uniform ≤ 0 with 0 exactly at collapse (its maximum). The uniform law "
          "minimises E e^{−2‖u−v‖²} among all laws on S^{d−1} (proved for S¹ via Jacobi–Anger); no trace constraint is involved.",
          ("d = 2 for the minimiser proof (Gegenbauer positivity for general d not re-derived)",), "corrected",
          correction="'Among distributions with a fixed covariance trace, the uniform distribution minimizes' is wrong: on the sphere the "
                     "trace only fixes ‖E u‖ (the uniform law wins among all laws), and in R^d with tr Cov fixed the uniform law on "
                     "the sphere is not the minimiser. The Jensen step gives only the lower bound e^{4E[u]ᵀv}, not a minimiser.",
          counterexample="R², tr Cov = 1: u ~ N(0, ½I₂) gives E e^{−2‖u−v‖²} = 1/5 < e^{−4}I₀(4) ≈ 0.2070 (uniform on S¹).",
          evidence=(T + "test_found_uniformity.py::test_sphere_identity", T + "test_found_uniformity.py::test_trace_counterexample",
                    T + "test_found_uniformity.py::test_jacobi_anger_energy"),
          check=f"{M}:check_uniformity"),
    Claim("found.ntxent-decomposition", _src("The Decomposition", "Theorem (Wang & Isola)"),
          "As N → ∞, NT-Xent − log(2N − 2) → L_align/(2τ) − 1/τ + E_x log E_y e^{f(x)ᵀf(y)/τ}; the repulsion term enters with a "
          "plus sign (≤ L_uniform(t = 1/(2τ)) + 1/τ by Jensen).",
          ("unit-norm embeddings", "SimCLR NT-Xent with 2N − 1 views in each denominator"), "corrected",
          correction="'L_NT-Xent = L_align − L_uniform + C(τ)' has the wrong sign on the uniformity term (it would make NT-Xent favour "
                     "collapse), omits the 1/(2τ) weight of L_align, and puts the log outside the expectation over anchors; the kernel "
                     "matches e^{−2‖·‖²} only for τ = 1/4.",
          counterexample="S¹, τ = 0.5, same alignment: von Mises κ = 4 vs κ = 0.5 views raise L_uniform by 0.81 and the NT-Xent limit "
                         "by 0.66; the note's form predicts a decrease of 0.81.",
          evidence=(T + "test_found_uniformity.py::test_ntxent_limit_sign",), check=f"{M}:check_ntxent_decomposition"),
    Claim("found.simplex-etf", _src("Exercise 6"),
          "N unit vectors with pairwise inner product −1/(N−1) have Gram (N/(N−1))I − 11ᵀ/(N−1) of rank N − 1 and sum to 0, "
          "so they span an (N−1)-dimensional subspace (d ≥ N − 1 needed); −1/(N−1) is the least possible mean inner product.",
          ("d ≥ N − 1",), "proved",
          evidence=(T + "test_found_uniformity.py::test_simplex_gram",), check=f"{M}:check_simplex_etf"),
    Claim("found.log-n-dims", _src("Why Dimensional Collapse Happens"),
          "'O(log N) dimensions suffice for near-minimal (near-zero) NT-Xent' cannot be checked as written.",
          ("unit-norm embeddings, temperature τ",), "underspecified",
          correction="Missing: the temperature and the tolerance ('near-minimal' absolute or relative) the O(log N) constant depends on. "
                     "At fixed τ the NT-Xent of unit vectors is ≥ log(1 + (2N−2)e^{−2/τ}) → ∞, so 'near-zero' is impossible; as "
                     "τ → ∞ even rank 1 is within any tolerance of the simplex optimum (gap → 0).",
          evidence=(T + "test_found_uniformity.py::test_log_n_bounds",), check=f"{M}:check_log_n_dims"),
    Claim("found.linear-byol", _src("The Linear Regime Analysis (Tian et al., 2021)"),
          "For zero-mean x and additive independent noise, F = E[x₁x₂ᵀ] = Σ_x; linear SimSiam/BYOL (linear predictor, stop-gradient, "
          "optional EMA) trained by SGD on such views ends with rowspace(W) at the top-d eigenvectors of Σ_x (principal angles → 0).",
          ("zero-mean data (else F = Σ_x + μμᵀ)", "isotropic noise, spectral gap after the d-th eigenvalue",
           "predictor learning rate above the encoder's (10×)"), "confirmed",
          evidence=(T + "test_found_infomax.py::test_f_matrix", "tests/experiments/test_verify_linear_byol.py::test_tiny_linear_byol",
                    "experiments/verify_linear_byol.py"),
          check=f"{M}:check_linear_byol"),
    Claim("found.gaussian-mi", _src("Connection to the InfoMax Principle"),
          "For jointly Gaussian views I(z₁; z₂) = ½ log det Σ₁₁ / det(Σ₁₁ − Σ₁₂Σ₂₂⁻¹Σ₂₁); over linear encoders of output dimension d "
          "with isotropic noise it is maximised by the top-d eigenvectors of F = Σ_x.",
          ("isotropic augmentation noise (with anisotropic noise the maximiser differs, see details)",), "confirmed",
          evidence=(T + "test_found_infomax.py::test_mi_formula", T + "test_found_infomax.py::test_mi_monotone_and_anisotropic"),
          check=f"{M}:check_gaussian_mi"),
]
