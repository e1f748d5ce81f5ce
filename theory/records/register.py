"""The 72 claim ids of ``../shared/CLAIMS.md`` with their sources.

Generated once from the register table; each entry is the *pending* default record.
A family module (``theory/records/<family>*.py``) replaces an entry with a full
record once the project has derived the claim.
"""
from __future__ import annotations

from theory.claims import Claim, Source

SEED_FILES = {
    'ziyin': '001_e494beef9b3e9713.txt',
    'rusak': '000_f086a3beeb15be55.txt',
    'pokle': '002_ec8a1187d51f1301.txt',
    'lastlayer': '003_a719242326207875.txt',
    'found': '004_6e59cad3ac889e06.txt',
}

COVERED_BY = {
    'ziyin': 'issue 2',
    'found': 'issue 3',
    'rusak': 'issue 4',
    'lastlayer': 'issue 4',
    'pokle': 'issue 5',
}

#: (id, section, equation, statement as the register words it)
REGISTER: tuple[tuple[str, str, str, str], ...] = (
    ('ziyin.eq2', '§1', 'eq. 2', 'fixed-noise rewriting of InfoNCE (alignment term + log-mean-exp over negatives)'),
    ('ziyin.expansion', '§1.1', 'eq. 3–4', 'leading-order (W² and W⁴) expansion of weighted InfoNCE for a linear model: B and the variance term'),
    ('ziyin.prop6', 'App. E.1', '', 'Gaussian data: ⅛ Var‖W(x−χ)‖² = Tr[WΣWᵀWΣWᵀ], so L = −Tr[WBWᵀ] + Tr[WΣWᵀWΣWᵀ]'),
    ('ziyin.thm1', 'Thm 1', '', 'every stationary point: WᵀW = ½ Σ^{-1/2} U M Λ Uᵀ Σ^{-1/2}, mask rules (1)(2)'),
    ('ziyin.thm1-commuting', 'Thm 1', '', 'commuting case: WᵀW = ½ Σ⁻¹ B_M Σ⁻¹'),
    ('ziyin.collapse-threshold', '§1.1', '', 'weighted InfoNCE: subspace i collapses iff (1−α)c_i/N ≥ a_i'),
    ('ziyin.weight-decay', '§1.1', '', 'with weight decay γ the condition becomes (1−α)c_i/N + γ ≥ a_i'),
    ('ziyin.prop2', 'Prop 2', '', 'rank(WᵀW) = min(m, d*) at every local minimum, m = number of positive eigenvalues of B'),
    ('ziyin.prop3', 'Prop 3', '', "normalization regularizer: stationary WᵀW = ½ Σ⁻¹ B'_M Σ⁻¹ with B' = B + 2κ(c−ρ)Σ"),
    ('ziyin.prop5', 'App. D.3', '', 'c − ρ = (c − ½Tr[Σ⁻¹B_M]) / (1 + κ d_M) at stationary points'),
    ('ziyin.norm-limit', 'App. D.1', 'eq. 8', 'κ → ∞ limit of WᵀW and the non-collapse condition λ_i + 2c/d_M > λ̄'),
    ('ziyin.eq9', 'App. D.1', 'eq. 9–14', 'the eigenvalue bounds and the worked extreme cases'),
    ('ziyin.vicreg', '§1.2', '', 'VICReg model (B = −A0): complete collapse when κ ≪ ‖A0‖/(c‖Σ‖)'),
    ('ziyin.thm4', 'App. D.2', 'Thm 4', 'with a bias term and normalization: stationary points as without normalization, subject to ρ ≤ c'),
    ('ziyin.scl', 'App. D.4', 'eq. 16–17', 'the linear form of the spectral contrastive loss given in eq. 17, and its no-collapse conclusion'),
    ('ziyin.barlow', 'App. D.4', '', 'Barlow Twins second-order term −2Tr[WΣWᵀ]; no collapse'),
    ('ziyin.sigma-scaling', 'App. B', 'Fig. 2 left', 'vanilla InfoNCE: smallest eigenvalues of WᵀW follow the stated power of σ and never vanish'),
    ('ziyin.ncrit', 'App. B', 'eq. 7, Fig. 2 mid', 'critical dataset size N_crit for weighted InfoNCE (α = 0.1, σ = 5 in the source)'),
    ('ziyin.origin-stability', '§1.3', 'Fig. 1', 'the origin W = 0 turns from saddle into local minimum as augmentation grows (1-d rescaling W → aW)'),
    ('ziyin.norm-collapse', 'App. B', 'Fig. 3', 'with output normalization, collapse sets in at augmentation far below the feature variance'),
    ('rusak.lemma2', 'App. A', '', 'rank(AB) ≤ min(rank A, rank B)'),
    ('rusak.lemma3', 'App. A', '', 'square A, B: AB singular iff both A and B singular'),
    ('rusak.loss-at-zero', 'App. C', '', 'value of L_CL at W = 0, eq. 4 convention: (M+1)M log(1+M)'),
    ('rusak.lemma5', 'App. C', 'eq. 5–14', 'M → ∞ dynamics of the linear model: dW/dt = W(M+1)[Σ_x − Σ_x̃]'),
    ('rusak.lemma6', 'App. C', '', 'if M+1 < d the covariance estimates, hence the gradient, cannot be full rank'),
    ('rusak.eq15', 'App. C', 'eq. 15', 'Σ_x − Σ_x̃ = W_GT⁻¹ diag(σ_z²−σ_c²; σ_z²−σ_s²) W_GT⁻ᵀ'),
    ('rusak.lemma7', 'App. C', '', 'content directions receive larger gradients'),
    ('rusak.prop2', 'App. C', '', 'the singular values of the gradient reveal d_c'),
    ('rusak.prop3', 'App. C', 'eq. 16–18', 'temperature heuristic τ_c ∼ σ_c/σ_s (τ_s = 1) equalizes the spectrum'),
    ('rusak.prop4', '§3', 'App. D.1', 'a style-collapsed linear W (rank d_c, kernel = style) reaches the optimum L_CL → 0'),
    ('rusak.cor1', 'App. D.1', '', 'W_GT is not optimal when d_c > 0'),
    ('rusak.prop1', '§3', 'App. D.2', 'nonlinear version of prop4 via D∘f'),
    ('rusak.prop5', 'App. D.3', '', 'the gradient at the optimum has rank ≤ d_c'),
    ('rusak.prop6', 'App. D.5', '', 'on the sphere, D∘f with rank(D) = d_c gives the same normalized representation'),
    ('rusak.lemma1', '§3', 'App. D.4', 'collapse on the sphere via simplex ETFs (rests on an external theorem)'),
    ('rusak.temperature-sign', '§3 vs §4', 'Fig. 1', 'the direction of the temperature fix (τ_c vs τ_s) stated in §3, §4 and App. C'),
    ('rusak.table1', 'Table 1', '', 'with content dimensions present, trained f_InfoNCE has lower L_CL than f = g⁻¹ (box and sphere)'),
    ('rusak.fig1', 'Fig. 1 left', '', 'trained linear encoder: style collapses when d_c > 0 and τ_c = τ_s; differing temperatures restore the d_c = 0 spectrum'),
    ('pokle.maxcos', '§5', 'eq. 12', 'max-cosine metrics (minimum / median / maximum over dictionary atoms)'),
    ('pokle.thm1a', 'Thm 1(a)', 'App. A.1', 'non-contrastive loss, 1-sparse latents, M = I: every non-negative unit-column W is a global optimum'),
    ('pokle.thm1b', 'Thm 1(b)', 'App. A.1', 'contrastive loss: the minimizers over unit-column W are exactly the permutation matrices'),
    ('pokle.thm2', 'Thm 2', 'Remark 5', 'linear non-contrastive GD with weight decay stays in span{W₀ᵒM, W₀ᵗM}; C₁,t ∈ (0,1), C₂,t > 0'),
    ('pokle.thm3', 'Thm 3', '', 'warm-started SReLU networks with row normalization converge to I under alternating optimization'),
    ('pokle.cl-vs-ncl', 'Figs. 1–3', '', 'from random init, contrastive training recovers the dictionary, non-contrastive does not'),
    ('pokle.predictor', 'Figs. 4–7', '', 'warm start alone fails; warm start + linear predictor (or row normalization) succeeds'),
    ('pokle.table1', 'Table 1', '', 'simplified SimCLR vs simplified SimSiam max-cosine values at sparsity 0.1–0.3'),
    ('lastlayer.prop1', '§3.4', 'eq. 2', 'var(h_i) = 0 implies ‖Wⁱ‖² = 0'),
    ('lastlayer.eq3', '§3.4', 'eq. 3', 'Cov(h_i, h_j) small only if Wⁱ·Wʲ small (non-constant x)'),
    ('lastlayer.prop2', '§3.4', 'eq. 4–6', 'collapse of an output dimension forces the stated conditions on two consecutive layers'),
    ('lastlayer.eq7a', 'eq. 7a', '', 'a constant-zero subvector of d_r dims: rank of the embedding covariance ≤ d_0'),
    ('lastlayer.eq7b', 'eq. 7b', '', 'a random fixed subvector: d_r ≤ rank ≤ d_r + d_0'),
    ('lastlayer.eq9', 'eq. 8–9', '', 'InfoNCE gradient through a constant subvector vanishes iff the constant is 0'),
    ('lastlayer.prop3', 'Prop 3', 'eq. 10', 'non-negligible weight norm gives more mutual information'),
    ('lastlayer.reg', '§3.5', 'eq. 11', 'adding ‖WWᵀ − I‖² on the last layer lifts the small singular values of the embedding'),
    ('found.collapse-iff', 'Prop 1', '', 'no collapse iff λ_min(Σ) > 0'),
    ('found.srank', 'Stable rank', '', 'srank ∈ [1, d]; = d iff Σ ∝ I; = 1 iff one nonzero eigenvalue'),
    ('found.erank', 'Entropy rank', '', 'erank ∈ [1, d] with the same equality cases'),
    ('found.srank-limit', 'Exercise 1', '', 'srank is scale invariant; diag(λ₁, ε, …, ε) → 1 as ε → 0'),
    ('found.sg-no-predictor', 'Stop-gradient', '', 'without a predictor the stop-gradient loss has zero gradient at collapse'),
    ('found.sg-hessian', 'Exercise 2', '', 'curvature at the collapsed point: symmetric vs stop-gradient vs with a predictor (2h′(θ)²)'),
    ('found.em-predictor', 'SimSiam as EM', '', 'optimal predictor h* = E[z₂ | z₁]; M-step minimizes the conditional variance (tower identity)'),
    ('found.em-gaussian', 'SimSiam as EM', '', 'Gaussian views with cross-covariance ρI: h* = ρz₁, M-step loss −ρ²d'),
    ('found.linear-predictor', 'Exercise 3', '', 'A* = Σ₂₁Σ₁₁⁻¹; I at perfect invariance, 0 for independent views'),
    ('found.bn-variance', 'BN', 'consequence 1', 'Var_b(ẑ_j) = γ_j²'),
    ('found.bn-collapse-gradient', 'BN', 'consequence 3', 'at collapse ∂ẑ_b/∂z_b = γ/√ε · (1 − 1/N)'),
    ('found.bn-near-collapse', 'Exercise 4', '', 'near collapse ∂ẑ_b/∂z_b ≈ γ(1 − 1/N)/σ, i.e. O(1/σ)'),
    ('found.uniformity', 'Alignment & uniformity', '', 'L_uniform = 0 at collapse (its maximum); Exercise 5 identity and minimizer'),
    ('found.ntxent-decomposition', 'Theorem (Wang & Isola)', '', 'large-batch NT-Xent = L_align − L_uniform + C(τ) as written'),
    ('found.simplex-etf', 'Exercise 6', '', 'simplex ETF inner products −1/(N−1); it spans N−1 dimensions'),
    ('found.log-n-dims', 'Dimensional collapse', '', 'O(log N) dimensions suffice for near-minimal NT-Xent'),
    ('found.linear-byol', 'Tian et al.', '', 'linear BYOL/SimSiam rows converge to the top eigenvectors of F; F = Σ_x for additive noise'),
    ('found.gaussian-mi', 'InfoMax', '', 'the linear-Gaussian mutual information formula, maximized by the top-d eigenvectors'),
)


def pending_records() -> dict[str, Claim]:
    """One pending record per register id."""
    records = {}
    for cid, section, equation, statement in REGISTER:
        family = cid.split(".", 1)[0]
        records[cid] = Claim(
            id=cid,
            source=Source(SEED_FILES[family], section, equation),
            statement=statement,
            covered_by=COVERED_BY[family],
        )
    return records
