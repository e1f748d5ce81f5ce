"""Records of the last-layer paper (``003_*.txt``): the 8 lastlayer.* claims (issue 4)."""
from __future__ import annotations

from theory.claims import Claim, Source

F = "003_a719242326207875.txt"
M = "theory.lastlayer.checks"
T = "tests/theory/"

#: What the project recorded for experiments/verify_last_layer_reg.py: per projector setting, whether
#: λ‖WWᵀ − I‖² on the encoder's last layer conclusively lifts the small eigenvalues of Cov(h).
REG_EXPECTED_LIFT = {"no_projector": True, "projector": False}


def _src(section: str, eq: str = "") -> Source:
    return Source(F, section, eq)


RECORDS: list[Claim] = [
    Claim("lastlayer.prop1", _src("§3.4", "Prop 1, eq. 2"),
          "For h = Wx (+ b): var(h_i) = Wⁱ Σ_x Wⁱᵀ ≥ λ_min(Σ_x)‖Wⁱ‖² (tight). Hence var(h_i) = 0 ⇔ Σ_x Wⁱᵀ = 0, and "
          "var(h_i) = 0 ⇒ ‖Wⁱ‖ = 0 holds iff Σ_x ≻ 0; var(h_i) < δ ⇒ ‖Wⁱ‖² < δ/λ_min(Σ_x).",
          ("x with covariance Σ_x (population or biased sample covariance)", "linear last layer; a bias changes nothing"),
          "corrected",
          correction="Eq. 2 replaces the rank-one matrix WⁱᵀWⁱ by the scalar ‖Wⁱ‖² (true only for scalar x), which turns "
                     "WⁱΣ_xWⁱᵀ into ‖Wⁱ‖² tr Σ_x. 'Non-constant x' is not enough: the implication needs a positive-definite "
                     "input covariance, and the 'weaker case' bound δ/tr Σ_x must be δ/λ_min(Σ_x).",
          counterexample="x = (s, s) with Var s = 1 (non-constant, Σ_x = [[1, 1], [1, 1]]), Wⁱ = (1, −1): var(h_i) = 0 but "
                         "‖Wⁱ‖² = 2. Weaker case: Σ_x = diag(1, ε), Wⁱ = (0, 1): var = ε < δ = 2ε, yet ‖Wⁱ‖² = 1 > 2ε/(1 + ε).",
          evidence=(T + "test_lastlayer_linear.py::test_covariance_identity", T + "test_lastlayer_linear.py::test_prop1_counterexamples",
                    T + "test_lastlayer_linear.py::test_prop1_bound_property", T + "test_lastlayer_linear.py::test_torch_linear_layer"),
          check=f"{M}:check_prop1"),
    Claim("lastlayer.eq3", _src("§3.4", "eq. 3"),
          "Cov(h_i, h_j) = Wⁱ Σ_x Wʲᵀ, the Σ_x-inner product of the two rows. It equals σ²Wⁱ·Wʲ for every pair iff "
          "Σ_x = σ²I; for anisotropic Σ_x neither 'Cov small ⇒ Wⁱ·Wʲ small' nor its converse holds. (Cauchy–Schwarz "
          "does give |Cov| ≤ λ_max(Σ_x)‖Wⁱ‖‖Wʲ‖, so a small row norm does bound the covariance.)",
          ("linear layer h = Wx (+ b)", "Σ_x = covariance of the layer's input"), "corrected",
          correction="'Cov(h_i, h_j) is small only if WⁱᵀWʲ < ε (non-constant x with large enough variance)' holds only for "
                     "isotropic inputs; the covariance is the Σ_x-weighted inner product, and large variance does not help. "
                     "Read as the outer product WⁱᵀWʲ it fails even for Σ_x = I (orthogonal rows). The 'reverse case' after "
                     "eq. 3 (zero variance of the entries of Wⁱ, large norm ⇒ var(h_i) large) fails too: Wⁱ = (1, 1), x = (s, −s).",
          counterexample="Σ_x = diag(1, 4), Wⁱ = (2, 1), Wʲ = (2, −1): Cov(h_i, h_j) = 0 but Wⁱ·Wʲ = 3; conversely "
                         "Wⁱ = (1, 1), Wʲ = (1, −1): Wⁱ·Wʲ = 0 but Cov = −3.",
          evidence=(T + "test_lastlayer_linear.py::test_eq3_counterexamples", T + "test_lastlayer_linear.py::test_eq3_property"),
          check=f"{M}:check_eq3"),
    Claim("lastlayer.prop2", _src("§3.4", "Prop 2, eq. 4–6"),
          "For h = W_l x_l with x_l = W_{l−1}x_{l−1} (or any activation of it), Σ_l = Cov(x_l): var(h_i) = W_l^i Σ_l W_l^iᵀ, "
          "so var(h_i) = 0 ⇔ W_l^i ∈ null(Σ_l). With W_l^i ≠ 0 a collapsed output coordinate needs a rank-deficient "
          "input covariance (rank Σ_l < D_{l−1}); it does not force ‖W_l^i‖ = 0 or any row of W_{l−1} to vanish. "
          "(Rank collapse of Cov(h) can also come from rank W_l < D_o with Σ_l ≻ 0.)",
          ("linear composition as in eq. 4 (the source drops the activation; the null-space condition holds with it)",),
          "corrected",
          correction="Eq. 5 equates ‖W_l^iW_{l−1}‖² with (Σ_j W_l^i·W_{l−1}^j)² (false, and dimension-mismatched for unequal "
                     "widths) and concludes that W_l^i or a row W_{l−1}^j must vanish; the true condition is W_l^i ⊥ range(Σ_l). "
                     "Eq. 6's 'a collapsed input coordinate decreases Cov(h_i, h_k)' is false: removing terms of both signs can "
                     "raise |Cov|.",
          counterexample="Σ_{l−1} = I₂, W_{l−1} = [[1, 0], [1, 0]], W_l^i = (1, −1): var(h_i) = 0 with ‖W_l^i‖² = 2 and both rows "
                         "of W_{l−1} of norm 1. Eq. 5: W_{l−1} = I, W_l^i = (1, −1) gives 2 vs 0. Eq. 6: Σ_l = I → diag(1, 0), "
                         "Wⁱ = (1, 1), Wᵏ = (1, −1): Cov 0 → 1.",
          evidence=(T + "test_lastlayer_linear.py::test_prop2_counterexamples", T + "test_lastlayer_linear.py::test_prop2_null_space_property"),
          check=f"{M}:check_prop2"),
    Claim("lastlayer.eq7a", _src("§3.4", "eq. 7a"),
          "If d_r coordinates of h equal the same constant k for every sample, the centred covariance is "
          "blockdiag(Cov(h₀), 0), so rank C = rank Cov(h₀) ≤ d₀ — for every k, not only k = 0. (Uncentred second "
          "moment: ≤ d₀ + 1 when k ≠ 0.)",
          ("C is the centred covariance (population or biased sample covariance)",), "proved",
          evidence=(T + "test_lastlayer_ranks.py::test_constant_block_symbolic", T + "test_lastlayer_ranks.py::test_constant_subvector_property"),
          check=f"{M}:check_eq7a"),
    Claim("lastlayer.eq7b", _src("§3.4", "eq. 7b"),
          "With the d_r rows of the last layer frozen at a random (Gaussian) initialisation, h_r = W_r x: almost surely "
          "min(d_r, rank Σ_x) ≤ rank C ≤ min(d₀ + d_r, rank Σ_x), Σ_x = Cov of the last layer's input (sample covariance: "
          "also ≤ N − 1). The source's d_r ≤ rank C holds iff rank Σ_x ≥ d_r; with an independent fresh random vector per "
          "sample the population bound d_r ≤ rank C ≤ d₀ + d_r holds exactly.",
          ("'random fixed subvector' read as DirectCLR's frozen randomly initialised rows (the source's reading)",
           "centred covariance"), "corrected",
          correction="The lower bound d_r needs the last layer's input covariance to have rank ≥ d_r (and N − 1 ≥ d_r samples); "
                     "if the random subvector is one vector fixed for every sample it is a constant and eq. 7a applies instead "
                     "(rank ≤ d₀, the lower bound fails). The upper bound is just the dimension D.",
          counterexample="d₀ = 1, d_r = 2, input x = s·e₁ (rank Σ_x = 1): C = W diag(1, 0, 0) Wᵀ has every 2×2 minor 0 for "
                         "all weights, so rank C ≤ 1 < d_r.",
          evidence=(T + "test_lastlayer_ranks.py::test_frozen_rows_symbolic", T + "test_lastlayer_ranks.py::test_frozen_rows_property",
                    T + "test_lastlayer_ranks.py::test_other_readings"),
          check=f"{M}:check_eq7b"),
    Claim("lastlayer.eq9", _src("§3.4", "eq. 8–9"),
          "For the dot-product log-InfoNCE summed over anchors (the loss eq. 8 differentiates; negatives = other anchors), "
          "eq. 8 is exact, and with z^d = k for every embedding ∂L/∂z_i^d = (k/τ)Σ_{j≠i} p^{j⇓i} (eq. 9's bracket "
          "simplified), zero iff k = 0. But the constant adds d_r k²/τ to every logit, which cancels in the softmax: the "
          "loss and every weight gradient are the same for all k (dL/dk ≡ 0). Only with cosine similarity (eq. 1) does k "
          "change training, through ‖z‖² = ‖z₀‖² + d_r k².",
          ("eq. 8's conventions: sum over anchors, dot-product similarity / τ, −log softmax",
           "the constant subvector is assigned, not produced by weights"), "corrected",
          correction="The gradient formula is right, but its consequence is not: a constant has no parameters, so the nonzero "
                     "∂L/∂z^d reaches no weight, and for the dot-product loss eq. 8 uses the value of k cannot affect training "
                     "at all. Eq. 1 (no log, cosine similarity) is a different loss from the one eq. 8 differentiates; for it "
                     "k ≠ 0 acts through the normalisation, not through a gradient 'along 1_{d_r}'. Eq. 8 also omits the 1/N of E_i.",
          counterexample="Linear encoder h = (W₀x, k·1₂), N = 8, τ = 0.2: dot-product loss and ∂L/∂W₀ identical for k = 0 and "
                         "k = 1 (to 1e-13), while the cosine loss changes (4.40 → 4.90).",
          evidence=(T + "test_lastlayer_gradient.py::test_eq8_symbolic_and_autograd", T + "test_lastlayer_gradient.py::test_eq9_symbolic",
                    T + "test_lastlayer_gradient.py::test_constant_subvector_torch"),
          check=f"{M}:check_eq9"),
    Claim("lastlayer.prop3", _src("§3.5", "Prop 3, eq. 10"),
          "'A non-negligible weight norm gives more mutual information' cannot be checked as written.",
          ("Gaussian views x + η of x ~ N(0, I) for the two readings computed",), "underspecified",
          correction="Missing: (1) which random variables — eq. 10 speaks of 'two samples' z_k, z_l; (2) a definition of I — "
                     "eq. 10 sums single density terms over coordinate pairs, which is neither the vectors' mutual information "
                     "nor a sum of coordinate MIs; (3) a noise model. For a deterministic encoder I is invariant to rescaling "
                     "W_i (claim false for every ε > 0); with additive output noise of fixed scale I grows with ‖W_i‖ (claim "
                     "true). Also 'p(z^i) < ε' is backwards: a small-variance coordinate has a large density.",
          evidence=(T + "test_lastlayer_gradient.py::test_prop3_readings",), check=f"{M}:check_prop3"),
    Claim("lastlayer.reg", _src("§3.5, §3.7", "eq. 11"),
          "Adding ‖WWᵀ − I‖_F² (weight 1) on the encoder's last layer pins its singular values at 1; on the content/style "
          "data it lifts the small eigenvalues of the encoder-output covariance (bottom-half mean log10 λ_k/λ₁, paired over "
          "seeds) when the loss is applied to the encoder output (no projector), but no lift is detected with a projector. "
          "Derived: with WWᵀ = I, Cov(h) = WΣ_aWᵀ is a compression of the penultimate covariance Σ_a (interlacing), so the "
          "regulariser can only remove the last layer's own ill-conditioning, not collapse already in Σ_a.",
          ("content/style box data, d = 10, d_c = 4, σ_s = 0.5, 3-layer MLP generator", "MLP encoder d→24→24→10, projector 10→24→10, cosine InfoNCE τ = 0.2",
           "16 seeds × 1500 Adam steps (quick: 6 × 500); decision t = mean Δ/SE > 3", "CPU sizes, far below the source's ResNets"),
          "corrected",
          correction="'Regularising the last layer lifts the small singular values of the embedding' (with and without a projector, "
                     "§3.6–3.7) holds here only without a projector (Δ ≈ +0.23 dex, t ≈ 4.5); with a projector the encoder output "
                     "stays as collapsed (Δ ≈ +0.09 dex, t ≈ 1.0, Δ stable rank ≈ 0).",
          evidence=("experiments/verify_last_layer_reg.py", "tests/experiments/test_verify_last_layer_reg.py::test_tiny_last_layer_reg"),
          check=f"{M}:check_reg"),
]
