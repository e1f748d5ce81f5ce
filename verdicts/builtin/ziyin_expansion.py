"""Claims of the small-W expansion family of Ziyin et al. (001): eq. 2, eq. 3–4, Prop 6, the collapse /
weight-decay conditions, N_crit, the σ scaling and the stability of the origin.

Every claim is a split check (issue 13): ``<name>_evidence(quick, out_dir) -> dict`` gathers compact JSON
evidence (derivation residuals as strings / bools, numbers, and for experiment-backed claims the experiment's
checks read by their stable ``key``); the decorated ``decide_<name>(ev)`` is pure.  Outcomes:

* ``inconclusive`` whenever OUR machinery fails: a derivation residual that is not zero, a counterexample that
  does not re-check, an experiment whose validity checks fail (MC ≠ derivation, sweep not decisive) or that is
  too weak to show the effect (power);
* a verdict only when the derivation verifies AND the experiment (where there is one) is valid and powered.

``extract_*`` turn an experiment's results into the compact evidence (also used by the schema tests in
tests/experiments, which compare it with the recorded fixtures in tests/theory/fixtures).
"""
from __future__ import annotations

import math
import pathlib

import numpy as np
import sympy as sp

from sslverify.numerics.sizes import sizes
from sslverify.theory.gaussian import gaussian_expectation
from sslverify.theory.ziyin import expansion as ex
from sslverify.theory.ziyin import expansion_numeric as en
from sslverify.theory.ziyin import nonlinear_features as nf
from sslverify.verdicts.record import Outcome, Reading, Source, claim, inconclusive

# ----------------------------------------------------------------------------- record constants
F = "001_e494beef9b3e9713.txt"
T = "tests/theory/test_ziyin_expansion.py::"
M = "tests/theory/test_ziyin_expansion_mc.py::"
NL = "tests/theory/test_ziyin_expansion_nonlinear.py::"
D = "tests/theory/test_decisions_ziyin_expansion.py::"
E = "tests/experiments/"
SETTING = ("linear f = Wx; x = x̂ + ε, x' = x̂ + ε', negatives χ_j = x̂_j + ε_j, x̂ ~ N(0, A0), ε ~ N(0, C), "
           "all independent (population data)",
           "L = mean over anchors of ℓ = −u_0 + log(Σ_{j=1}^{N−1} e^{u_j} + α e^{u_0}); K = N − 1 + α",
           "expansion in W → tW to order t⁴")
B_DERIVED = "B = ((N−1)/(N−1+α)) A0 (C cancels exactly)"
QUARTIC = ("E4 = ((N−1)/K²)·{[¾(N−2) + α] Tr S² + (α/2) Tr P² + (α/2)(Tr WA0Wᵀ)²}, S = WΣWᵀ, P = WCWᵀ")

# the source's own definitions, quoted verbatim from the seed (tests check that each quote is in the seed)
Q_DATA = ("x̂, χ̂, ε: \"Let $\\{\\hat{x}_i\\}_i^N$ be a dataset with N data points. For two data points \\hat{x} and "
          "$\\hat{\\chi}$, we augment it with an i.i.d. noise ϵ such that $x := \\hat{x} + \\epsilon$ and "
          "$\\chi := \\hat{\\chi} + \\epsilon'$ are independently sampled data with independent augmentations.\" (§1)")
Q_F = ("f, φ, W: \"We decompose the model output into a general function $\\phi(x) \\in \\mathbb{R}^{d_0}$ and the "
       "last-layer weight matrix $W \\in \\mathbb{R}^{d_1 \\times d_0}$: $f(x) = W\\phi(x)$.\" (§1)")
Q_A0 = ("A0, Σ: \"The covariance of $\\phi(\\hat{x})$ is $A_0 := \\mathbb{E}_{\\hat{x}}[\\phi(\\hat{x})\\phi(\\hat{x})^T]$, "
        "and the covariance of the data-augmented penultimate layer representation is "
        "$\\Sigma := \\mathbb{E}_x[\\phi(x)\\phi(x)^T]$.\" (§1)")
Q_C = ("C: \"The effect of data augmentation on the learned representation is captured through a symmetric matrix "
       "$C := \\Sigma - A_0$. For a general ϕ , the eigenvalues of C can be either positive or negative. When ϕ is the "
       "identity mapping, A_0 becomes the empirical data covariance, C becomes PSD and is the covariance of the "
       "noise ϵ , and Σ is the covariance of the augmented data.\" (§1)")
Q_EX = "E_x̂: \"where we used $\\mathbb{E}_{\\hat{x}}$ to denote an averaging over the training set.\" (§1, below eq. 2)"
Q_EQ2 = ("eq. 2 and its claim: \"For a fixed set of noises, we can write the InfoNCE in a cleaner form\" … \"In this "
         "notation, we have $\\mathbb{E}_\\epsilon \\mathbb{E}_{\\hat{x}}[x] = \\mathbb{E}_x[x]$ and "
         "$\\mathbb{E}_\\epsilon[L_\\epsilon] = L$.\" (§1)")
Q_EQ1 = ("eq. 1 sums over anchors: \"$$L = \\mathbb{E}_\\epsilon \\left[- \\sum_{i=1}^N \\log\" (§1, eq. 1)")
Q_ALPHA = ("α: \"Different from InfoNCE, one term in the denominator is weighted by a factor $\\alpha \\geq 0$. Two "
           "interesting limits are $\\alpha = 1$, where we recover the InfoNCE loss, and $\\alpha = 0$, where we "
           "obtain the popular NT-xent loss\" (§1.1)")
Q_PERC = ("eq. 3–4: \"For a perceptron, the leading terms of the loss function is $L = \\frac{1-\\alpha}{N} "
          "\\text{Tr}[WCW^T] - \\text{Tr}[WA_0W^T] + \\frac{1}{8} \\text{Var}[|W(x - \\chi)|^2]$.\" (§1.1)")
Q_FOCUS = ("scope: \"For a quantitative understanding, we mainly focus on the case when ϕ is the identity function. "
           "We discuss the general nonlinear case in Section 1.3.\" (§1); section title \"1.1. Landscape of a Linear "
           "Model\"")
Q_B = ("B, a_i, c_i: \"For the case of weighted InfoNCE, we have that $B = A_0 - \\frac{1-\\alpha}{N}C$. Let a_i denote "
       "the i -th eigenvalue of the A and c_i that of C viewed in a predetermined order; then, the i th subspace "
       "collapses when $\\frac{1-\\alpha}{N}c_i \\geq a_i$\" (§1.1)")
Q_COLLAPSE = ("collapse: \"dimensional collapse happens when the eigenvalues of the matrix B become negative.\" (§1.1, "
              "after Thm 1)")
Q_WD = ("γ: \"When weight decay is used, the condition for collapse becomes $\\frac{1-\\alpha}{N}c_i + \\gamma \\geq "
        "a_i$.\" (§1.1; γ is not defined further)")
Q_PROP6 = ("Prop 6: \"Let the data and noise be Gaussian. Then, $L = -\\text{Tr}[WBW^T] + \\text{Tr}[W\\Sigma W^T W\\Sigma "
           "W^T]$.\" and its proof: \"The second term in Eq. (4) can be written as\" (App. E.1)")
Q_SIGMA = ("σ⁴: \"Our result implies that the smallest singular of the model W scales as σ^4 where σ^2 is the strength "
           "(namely, the variance) of the augmentation.\" (App. B)")
Q_FIG2 = ("Fig. 2: \"The three smallest singular values of $W^T W$ as a function of the augmentation strength.\" … "
          "\"As the theory suggests, the singular values scale as σ^4 and do not vanish for any finite value of σ .\"")
Q_APPB = ("App. B protocol: \"The training set is sampled from $\\mathcal{N}(0, I_{32})$. The training proceeds with "
          "Adam with a learning rate of $6e-4$ with full batch training for 5000 iterations. We use a simple diagonal "
          "Gaussian noise with variance σ^2 for data augmentation.\"")
Q_EQ7 = ("N_crit: \"Theory suggests that for a collapse in the i -th subspace to happen, the size of the dataset needs "
         "to obey\" … \"N > \\frac{a_i}{c_i(1-\\alpha)} := N_{crit}. \\quad (7)\" (App. B)")
Q_FIG1 = ("Fig. 1: \"Landscape of Resnet18 on CIFAR10 with SimCLR. (a) Training objective L as a function of a rescaling "
          "of the last layer $W \\rightarrow aW$. The origin becomes a local minimum as the data augmentation σ^2 gets "
          "stronger.\"")
Q_SEC13 = ("§1.3 setting: \"we train a Resnet18 on CIFAR10 with the SimCLR loss with normalization and with weight decay "
           "strength 10^{-3} until convergence to obtain the converged weights W^* . We inject independent Gaussian "
           "noises with variance σ^2 as data augmentation.\"")
Q_EQ6 = ("A(ϕ): \"where A and Z are dependent on ϕ . All the examples we have studied take this form. For W , its "
         "collapse depends on the stability of the matrix A .\" (§1.3, eq. 6)")
Q_APPC = ("App. C: \"We train a three-layer nonlinear network with output dimension 2 with SGD until convergence. We then "
          "rescale the optimized weight of the last by a factor a : $W_{last} \\rightarrow aW_{last}$\"")

#: decision thresholds (named so that mutation testing has one place to hit)
FLOAT_REL = 1e-12  # float64 evaluation of sums of O(10) log-sum-exp terms / closed forms
RESOLVE = 10.0  # rank evidence: a direction is resolved if its predicted relative eigenvalue ≥ 10 × noise floor
CONTEST_SHARE = 0.75  # share of contested runs that must grow the direction the source collapses (experiments' rule)
Z = 5.0  # standard errors for a Monte Carlo sign / equality decision (false alarm < 1e-6 per comparison)


def _experiment(name: str, quick: bool, out_dir: pathlib.Path) -> dict:
    from sslverify.experiments import run_experiment

    return run_experiment(name, quick=quick, out_dir=out_dir)


def checks_by_key(res: dict) -> dict:
    """{key: passed} of an experiment's checks (stable keys, never display names); a check without a key maps
    to nothing (the decision then finds its key missing and returns inconclusive)."""
    return {c["key"]: bool(c["passed"]) for c in res.get("checks", []) if "key" in c}


def _missing(ev_checks: dict, keys) -> list[str]:
    return [k for k in keys if k not in ev_checks]


EQ2_SIZES = sizes(Ns=(2, 3, 4, 5), quick=dict(Ns=(2, 3, 4)))


# ============================================================================= ziyin.eq2
def eq2_evidence(quick: bool = True) -> dict:
    """Symbolic identity eq2 − (eq1/N − log N) for N = 2..4(5) and a numeric evaluation at N = 6."""
    Ns = EQ2_SIZES.at(quick).Ns
    sym = {str(N): str(en.eq2_identity_residual(N)) for N in Ns}
    rng = np.random.default_rng(7)
    N, d = 6, 3
    Xh, Ee, Ep, En = (rng.normal(size=(N, d)) for _ in range(4))
    W1, W2 = rng.normal(size=(2, d)), 2 * rng.normal(size=(2, d))
    r = en.eq1_eq2(W1, Xh, 0.5 * Ee, 0.5 * Ep, 0.5 * En)
    r2 = en.eq1_eq2(W2, Xh, 0.5 * Ee, 0.5 * Ep, 0.5 * En)
    rel = abs(r["eq2"] - (r["eq1"] / N - math.log(N))) / abs(r["eq2"])
    return {"symbolic_residuals": sym, "N": N, "eq1": r["eq1"], "eq2": r["eq2"], "relative_residual": rel,
            # E_χ̂ over the N−1 negatives only: eq2_neg − eq1/N at two W (an affine relation would give equal shifts)
            "negatives_only_shift": [r["eq2_negatives_only"] - r["eq1"] / N, r2["eq2_negatives_only"] - r2["eq1"] / N]}


@claim(
    id="ziyin.eq2", source=Source(F, "§1", "eq. 2"),
    statement="For a fixed noise draw, eq. 2 (alignment + log E_χ̂ exp) equals eq. 1, so E_ε[L_ε] = L.",
    assumptions=("E_x̂ = mean over the N anchors; E_χ̂ = mean over the N candidates of anchor i "
                 "(N−1 negatives and the positive x'_i)",),
    verdict="corrected",
    correction=("L_eq2 = L_eq1/N − log N exactly (eq. 1 sums over anchors, eq. 2 averages; log of a mean "
                "adds −log N), so E_ε[L_ε] = L/N − log N, not L. Same minimisers. With E_χ̂ over the N−1 "
                "negatives only, eq. 2 is not an affine function of eq. 1 at all."),
    counterexample="N = 6, d = 3, seeded Gaussian data (eq2_evidence): eq2 = eq1/6 − log 6 to 1e-12 relative, "
                   "|eq2 − eq1| > 11 (eq1 = 11.87, eq2 = 0.19).",
    definitions=(Q_EQ1, Q_EQ2, Q_EX, Q_DATA),
    readings=(
        Reading("E_χ̂ averages over the training set: the N candidates of anchor i, its positive x'_i included",
                "corrected",
                "the source defines E_x̂ as 'an averaging over the training set'; χ̂ ranges over the same set, which "
                "contains x̂ itself (χ = x̂ + ε' is the positive); then eq2 = eq1/N − log N (symbolic N = 2..5, "
                "numeric N = 6, 7 to 1e-12)", primary=True,
                evidence=(M + "test_eq2_is_eq1_over_N_minus_logN", M + "test_eq2_by_explicit_loops")),
        Reading("E_χ̂ over the N−1 negatives χ̂ ≠ x̂ only", "refuted",
                "eq. 1's denominator has the positive too; without it eq. 2 is eq. 3 at α = 0 (over N−1 terms): "
                "eq2 − eq1/N changes with W (shifts differ by > 1e-3), so no affine relation holds",
                evidence=(M + "test_eq2_is_eq1_over_N_minus_logN",)),
        Reading("'=' as 'the same objective up to a positive factor and an additive constant'", "proved",
                "eq2 = eq1/N − log N exactly: same minimisers and stationary points (symbolic, any N tested)",
                evidence=(M + "test_eq2_is_eq1_over_N_minus_logN",)),
    ),
    scope="any model f and any fixed noise draw (an algebraic identity of the two formulas); finite N",
    second_method=(M + "test_eq2_by_explicit_loops",),
    evidence=(M + "test_eq2_is_eq1_over_N_minus_logN", M + "test_eq2_by_explicit_loops",
              D + "test_eq2_residual_boundary"),
    gather=eq2_evidence,
)
def decide_eq2(ev: dict) -> Outcome:
    bad = {N: r for N, r in ev["symbolic_residuals"].items() if r != "0"}
    if bad or not ev["relative_residual"] <= FLOAT_REL:
        return inconclusive(f"identity eq2 = eq1/N − log N did not verify (symbolic residuals {bad or 'zero'}, "
                            f"numeric relative residual {ev['relative_residual']:.2g})", ev)
    if abs(ev["eq2"] - ev["eq1"]) <= FLOAT_REL * max(1.0, abs(ev["eq1"])):
        return Outcome("proved", "eq. 2 equals eq. 1", ev)
    return Outcome("corrected", f"L_eq2 = L_eq1/N − log N (N = {ev['N']}: eq1 = {ev['eq1']:.4g}, eq2 = {ev['eq2']:.4g}), "
                   "not L_eq1; E_χ̂ over the N candidates incl. the positive", ev)


EXPANSION_SIZES = sizes(more_cases=True, quick=dict(more_cases=False))


# ============================================================================= ziyin.expansion
def expansion_evidence(quick: bool = True) -> dict:
    """Closed form (general d) == brute force (explicit small cases); compare with the source (eq. 3–4)."""
    r2, r4 = ex.closed_form_residuals()
    lemma = [ex.quadratic_moment_lemma(d) for d in (1, 2)]
    E2, E4 = ex.derived_orders()
    cases = [(N, 1, None, None) for N in (2, 3, 4)]
    nc = (((2, 1), (1, 1)), ((1, 0), (0, 3)))  # non-commuting A0, C
    dg = (((2, 0), (0, 1)), ((3, 0), (0, sp.Rational(1, 2))))
    cases += [(2, 2) + dg] + ([(2, 2) + nc, (3, 2) + nc, (3, 2) + dg] if EXPANSION_SIZES.at(quick).more_cases else [])
    brute = []
    for N, d, A0, C in cases:
        b2, b4, W, A0m, Cm = ex.brute_force_population(N, d, A0, C)
        brute.append([N, d, ex.brute_minus_closed(b2, b4, ex.trace_quantities(W, A0m, Cm), N) == (0, 0)])
    src2, src4 = ex.source_orders()
    k = ex.derived_coefficients()
    ev = {"closed_form_zero": r2 == 0 and r4 == 0, "lemma_zero": all(x == 0 for x in lemma), "brute_force": brute,
          "b": str(k["b"]), "kS": str(k["kS"]), "kP": str(k["kP"]), "kT": str(k["kT"]),
          "E2_minus_source": str(sp.simplify(E2 - src2)), "E4_minus_source": str(sp.simplify(E4 - src4)),
          "source_mechanism_reproduces_source": sp.simplify(ex.source_mechanism_E2() - src2) == 0}
    if not quick:
        W = np.array([[0.3, -0.1], [0.2, 0.25]])
        A0, C = np.array([[2.0, 0.5], [0.5, 1.0]]), np.diag([1.5, 3.0])
        m, se = en.mc_quartic_richardson(W, A0, C, 4, 0.5, t=0.5, n=200_000, seed=11)
        pred = ex.expected_loss_small_w(W, A0, C, 4, 0.5) - math.log(3.5) + ex.coefficients(4, 0.5)["b"] * np.trace(W @ A0 @ W.T)
        ev["mc_quartic"] = {"mean": m, "se": se, "derived": float(pred)}
    return ev


@claim(
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
    definitions=(Q_PERC, Q_A0, Q_C, Q_DATA, Q_ALPHA, Q_FOCUS),
    readings=(
        Reading("population data (independent negatives x̂_j ~ N(0, A0))", "corrected",
                "§1 defines A0, Σ as expectations over x̂ and x; Prop 6 assumes Gaussian data", primary=True,
                evidence=(T + "test_closed_form_general_dimension", M + "test_mc_loss_matches_expansion_at_small_w")),
        Reading("a fixed training set of N points (App. B), E_x̂ the average over it", "corrected",
                "§1: 'E_x̂ to denote an averaging over the training set'; order 2 is then −(N/K)Tr[W(Â0 − m̄m̄ᵀ)Wᵀ]: "
                "C cancels as well",
                evidence=(T + "test_fixed_dataset_orders_d1", T + "test_fixed_dataset_B_d3_matches_noise_expectation")),
    ),
    scope=("linear model f = Wx (§1.1 'For a perceptron'), Gaussian data and noise, no weight decay, finite N ≥ 2, "
           "α ∈ [0, 1]; population and fixed data set. For fixed nonlinear features C's analogue cancels too "
           "(theory/ziyin/nonlinear_features.py)"),
    second_method=(M + "test_mc_loss_matches_expansion_at_small_w", M + "test_mc_quartic_coefficient",
                   M + "test_autograd_hessian_at_origin"),
    evidence=(T + "test_closed_form_general_dimension", T + "test_brute_force_d1_symbolic_a_c",
              T + "test_brute_force_d2_symbolic_W", T + "test_u_level_series_matches_hand_form",
              T + "test_source_B_is_reproduced_by_the_positive_as_negative_slip",
              M + "test_mc_loss_matches_expansion_at_small_w", M + "test_mc_quartic_coefficient",
              M + "test_autograd_hessian_at_origin", T + "test_fixed_dataset_orders_d1",
              D + "test_expansion_unverified_is_inconclusive"),
    gather=expansion_evidence,
)
def decide_expansion(ev: dict) -> Outcome:
    mc = ev.get("mc_quartic")
    mc_ok = mc is None or abs(mc["mean"] - mc["derived"]) <= Z * mc["se"]
    brute_ok = bool(ev["brute_force"]) and all(x[2] for x in ev["brute_force"])
    if not (ev["closed_form_zero"] and ev["lemma_zero"] and brute_ok and mc_ok):
        return inconclusive("the derived expansion failed its own brute-force / Monte Carlo check", ev)
    if ev["E2_minus_source"] != "0" or ev["E4_minus_source"] != "0":
        return Outcome("corrected", f"B = {ev['b']}·A0 (C cancels), quartic κ_S TrS²+κ_P TrP²+κ_T(TrWA0Wᵀ)², "
                       "not A0−(1−α)C/N and ⅛Var", ev)
    return Outcome("proved", "derived expansion equals the source's", ev)


# ============================================================================= ziyin.prop6
def derive_prop6() -> dict:
    """⅛Var|W(x−χ)|² − Tr S² for symbolic 2×2 W and symbolic Σ; conditional variance for comparison."""
    w = sp.Matrix(2, 2, sp.symbols("w0:4", real=True))
    s = sp.symbols("s0:3", real=True)
    Sig = sp.Matrix([[s[0], s[1]], [s[1], s[2]]])
    xs, cs = sp.symbols("x0:2", real=True), sp.symbols("y0:2", real=True)
    z = w * (sp.Matrix(xs) - sp.Matrix(cs))
    q = z.dot(z)
    cov = sp.diag(Sig, Sig)
    var = gaussian_expectation(q**2, xs + cs, cov) - gaussian_expectation(q, xs + cs, cov) ** 2
    S = w * Sig * w.T
    resid = sp.expand(var / 8 - (S * S).trace())
    m = ex.moment_table()  # general d: z ~ N(0, 2S), Var|z|² = 4 Var u
    total_var = sp.expand(4 * (m["Eu_neg2"] - m["Eu_neg"] ** 2))
    cond_var = sp.expand(4 * (m["Eu_neg2"] - m["Eu_neg_neg"]))  # E_x Var(|z|² | x)
    E4 = ex.derived_orders()[1]
    return {"residual_2x2": str(resid), "general_d_residual": str(sp.simplify(total_var / 8 - ex.S2)),
            "cond_var_over_8": str(cond_var / 8), "lemma_zero": ex.quadratic_moment_lemma(2) == 0,
            "infonce_quartic_large_N": str(sp.limit(E4, ex.N_, sp.oo).subs(ex.ALPHA, 0))}


@claim(
    id="ziyin.prop6", source=Source(F, "App. E.1", "Prop 6"),
    statement="x, χ independent N(0, Σ): ⅛ Var|W(x−χ)|² = Tr[WΣWᵀWΣWᵀ], so eq. 4 reads −Tr[WBWᵀ] + Tr[(WΣWᵀ)²].",
    assumptions=("x, χ independent zero-mean Gaussian with covariance Σ", "L means the model eq. 4"),
    verdict="proved",
    correction=None,
    definitions=(Q_PROP6, Q_A0, Q_C),
    readings=(
        Reading("L is the model eq. 4 (the proof starts from 'The second term in Eq. (4)'), Var the total variance",
                "proved", "the proposition rewrites eq. 4's ⅛Var; Var over independent x, χ", primary=True,
                evidence=(T + "test_prop6_and_origin_derivations",)),
        Reading("L is the weighted InfoNCE itself (eq. 3) expanded to order 4", "corrected",
                "InfoNCE's quartic is the conditional variance: κ_S Tr S² + κ_P Tr P² + κ_T (Tr WA0Wᵀ)², → ¾ Tr S² "
                "as N → ∞ at α = 0 (see ziyin.expansion)",
                evidence=(T + "test_closed_form_general_dimension", M + "test_mc_quartic_coefficient")),
    ),
    evidence=(T + "test_prop6_and_origin_derivations", T + "test_quadratic_moment_lemma",
              D + "test_prop6_nonzero_residual_is_not_proved"),
    gather=derive_prop6,
)
def decide_prop6(ev: dict) -> Outcome:
    if ev["residual_2x2"] == "0" and ev["general_d_residual"] == "0" and ev["lemma_zero"]:
        return Outcome("proved", "⅛Var = Tr S² (total variance) for d=2 symbolic and general d; as the InfoNCE "
                       f"quartic it is {ev['infonce_quartic_large_N']} (α=0, N→∞), see ziyin.expansion", ev)
    # a non-zero residual is not yet a counterexample: it would have to be re-checked by a second method
    return inconclusive("⅛Var = Tr S² did not verify symbolically (no re-checked counterexample)", ev)


# ============================================================================= ziyin.collapse-threshold
def extract_ncrit(res: dict) -> dict:
    """Compact evidence of experiments/ziyin_ncrit.py: check keys, contested runs and the test's resolution."""
    tau = float(res["thresholds"]["tau"])
    plain = [r for r in res["rows"] if r["gamma"] == 0]
    contested = [r for r in plain if r["pred_main"] < r["pred_derived"]]
    # power: relative derived eigenvalue of the weakest direction the main text collapses, over τ
    rel = []
    for r in contested:
        eig = sorted(r["derived_eigs"])[::-1]  # descending
        lam = max(eig[0], 1e-300)
        rel += [eig[i] / lam for i in range(r["pred_main"], r["pred_derived"])]
    return {"passed": bool(res["passed"]), "checks": checks_by_key(res), "tau": tau,
            "contested_runs": len(contested),
            "grew": sum(r["grown_rank"] > r["pred_main"] for r in contested),
            "unresolved_contested": sum(r["n_unresolved"] > 0 for r in contested),
            "weakest_contested_over_tau": (min(rel) / tau) if rel else 0.0,
            "landscape_min_z": min([t["z_projected"] for t in res.get("landscape", [])], default=0.0),
            "summary": str(res.get("summary", ""))}


def derive_collapse_counterexample() -> dict:
    """d = 1, N = 2, α = 0: ℓ = u_1 − u_0 exactly; E ℓ = −a w² for every c (Isserlis, all w); the same
    counterexample with fixed tanh features and the source's own A0, C."""
    a, c, w = sp.symbols("a c w", positive=True)
    xh, e, ep, x1, e1 = sp.symbols("xh e ep x1 e1", real=True)
    u0 = -(w * (e - ep)) ** 2 / 2
    u1 = -(w * (xh + e - x1 - e1)) ** 2 / 2
    exact = gaussian_expectation(u1 - u0, [xh, e, ep, x1, e1], sp.diag(a, c, c, a, c))
    ell_minus = sp.simplify(-u0 + sp.log(sp.exp(u1)) - (u1 - u0))  # N = 2, α = 0: the loss is exactly u1 − u0
    src_b = float(ex.source_B([[1.0]], [[4.0]], 2, 0.0)[0, 0])
    # fixed tanh features, x̂ ~ N(0, 0.3), σ = 3: the source's own B = A0 − C/2 < 0, derived L(w) = −A_φ w²
    feat = {"phi": "tanh", "a": 0.3, "sigma": 3.0, "source_B": nf.source_feature_B("tanh", 0.3, 3.0, 2, 0.0),
            "A_phi": nf.smoothed_variance("tanh", 0.3, 3.0)}
    return {"loss_identity_zero": ell_minus == 0, "exact_loss": str(exact),
            "exact_minus_expected": str(sp.simplify(exact + a * w**2)), "a": 1, "c": 4, "N": 2, "alpha": 0,
            "source_b": src_b, "derived_b": float(ex.derived_B([[1.0]], 2, 0.0)[0, 0]),
            "loss_at_w1": float(exact.subs({a: 1, c: 4, w: 1})), "features": feat}


def collapse_threshold_evidence(quick: bool, out_dir: pathlib.Path) -> dict:
    """The exact counterexample plus the trained runs of ziyin_ncrit."""
    return {**derive_collapse_counterexample(), "ncrit": extract_ncrit(_experiment("ziyin_ncrit", quick, out_dir))}


NCRIT_VALID = ("derived_rank_followed", "decisive")


@claim(
    id="ziyin.collapse-threshold", source=Source(F, "§1.1"),
    statement="Weighted InfoNCE, commuting A0, C: eigendirection i collapses iff (1−α)c_i/N ≥ a_i.",
    assumptions=SETTING + ("no weight decay",),
    verdict="refuted",
    correction=("Corrected statement (derived from eq. 3, commuting or not): B = ((N−1)/(N−1+α))·Ã with NO C term, "
                "where Ã is the covariance of the clean data — Ã = A0 for population data x̂ ~ N(0, A0), and Ã = "
                "(N/(N−1))(Â0 − m̄m̄ᵀ), the unbiased sample covariance, for a fixed data set of N points. So direction i "
                "collapses iff ã_i = 0: augmentation never collapses a direction of a linear model (b_i > 0 whenever "
                "ã_i > 0), and with a fixed data set only the data rank does (rank WᵀW = min(d0, d1, N−1) for generic data). With weight "
                "decay (penalty γ‖W‖²_F) direction i collapses iff γ ≥ ((N−1)/(N−1+α))·ã_i, independent of c_i "
                "(ziyin.weight-decay)."),
    counterexample=("d0 = d1 = 1, N = 2, α = 0, population data x̂ ~ N(0, a) with a = 1, c = 4: the source predicts "
                    "collapse (c/2 = 2 ≥ 1), but ℓ = u_1 − u_0 exactly and the population loss is L(w) = −a·w² = −w² "
                    "for all w: W = 0 is a maximum (Monte Carlo of the actual loss at w = 1: −1 within its standard "
                    "error). (With a fixed data set instead, e.g. {+1, −1} — the negative is always the other point — "
                    "the same exact computation gives L(w) = −2w² = −((N−1)/K)·Ã·w², Ã = 2 the unbiased sample variance: "
                    "again a maximum for every c.) Fixed tanh features, x̂ ~ N(0, 0.3), σ = 3: "
                    "the source's own A0 = E tanh²(x̂) = 0.197, C = Σ − A0 = 0.552 give B = A0 − C/2 = −0.079 < 0 "
                    "(collapse), but exactly L(w) = −Var_x̂(E_ε tanh) w² = −0.0189 w² (Monte Carlo of the actual loss "
                    "agrees): W = 0 is a maximum."),
    definitions=(Q_B, Q_COLLAPSE, Q_A0, Q_C, Q_FOCUS),
    readings=(
        Reading("population data, the linear model of §1.1", "refuted",
                "§1.1 is 'Landscape of a Linear Model'; A0, C are population covariances (§1); the counterexample's "
                "L = −a·w² is this population identity", primary=True,
                evidence=(T + "test_minimal_counterexample_N2_alpha0_exact", M + "test_collapse_counterexample_mc")),
        Reading("a fixed training set of N points (App. B's setting)", "refuted",
                "order 2 = −(N/K)Tr[W(Â0 − m̄m̄ᵀ)Wᵀ] = −((N−1)/K)Tr[WÃWᵀ] (Ã the unbiased sample covariance) for every c: "
                "only the data rank collapses; data {+1, −1}, N = 2, α = 0: L = −2w² exactly; trained runs "
                "grow every direction the condition collapses (experiments/ziyin_ncrit.py)",
                evidence=(T + "test_fixed_dataset_orders_d1", T + "test_fixed_pair_counterexample_and_general_B",
                          "experiments/ziyin_ncrit.py")),
        Reading("a general fixed feature map φ with the source's own A0 := E φ(x̂)φ(x̂)ᵀ, C := Σ − A0", "refuted",
                "§1 defines A0, C for a general φ; N = 2, α = 0 gives L(W) = −Tr[W Cov_x̂(E_ε φ) Wᵀ] exactly",
                evidence=(NL + "test_collapse_counterexample_tanh_features",)),
    ),
    scope=("the linear model of §1.1 (the class the claim is about: 'Landscape of a Linear Model', 'For a "
           "perceptron'), population and fixed data set, no weight decay; the N = 2, α = 0 counterexample holds "
           "verbatim for every fixed feature map φ with the source's own A0, C (ℓ = u_1 − u_0 exactly)"),
    second_method=(M + "test_collapse_counterexample_mc", NL + "test_collapse_counterexample_tanh_features"),
    power=("The refutation rests on the exact counterexample (L(w) = −w², no statistics). The supporting trained "
           "runs (ziyin_ncrit, quick): every contested direction the source collapses grew (4/4 runs), the weakest "
           "14× above the noise floor τ of directions both predictions call zero, and the paired Monte Carlo "
           "landscape tests give z ≥ 10; a collapse of the size the source predicts (to 0) would show as z < −5."),
    evidence=(T + "test_minimal_counterexample_N2_alpha0_exact", M + "test_collapse_counterexample_mc",
              T + "test_fixed_pair_counterexample_and_general_B",
              NL + "test_collapse_counterexample_tanh_features", "experiments/ziyin_ncrit.py",
              D + "test_collapse_threshold_recheck_failures_are_inconclusive"),
    gather=collapse_threshold_evidence,
)
def decide_collapse_threshold(ev: dict) -> Outcome:
    nc = ev["ncrit"]
    if not (ev["loss_identity_zero"] and ev["exact_minus_expected"] == "0" and ev["source_b"] <= 0 < ev["derived_b"]):
        return inconclusive("the N = 2, α = 0 counterexample did not re-check", ev)
    feat = ev["features"]
    if not (feat["source_B"] <= 0 < feat["A_phi"]):
        return inconclusive("the fixed-feature counterexample did not re-check", ev)
    miss = _missing(nc["checks"], NCRIT_VALID + ("main_text_contradicted",))
    if miss:
        return inconclusive(f"ziyin_ncrit results lack check keys {miss}", ev)
    if not all(nc["checks"][k] for k in NCRIT_VALID):
        return inconclusive(f"experiment ziyin_ncrit is not valid (derived rank / decisiveness failed): {nc['summary']}", ev)
    if not nc["checks"]["main_text_contradicted"]:
        return inconclusive(f"trained runs do not show the main-text collapse to be wrong: {nc['summary']}", ev)
    return Outcome("refuted", f"N=2, α=0, a=1, c=4: source predicts collapse (B = {ev['source_b']:g}), exact "
                   f"L = −a w² (W=0 a maximum); trained: {nc['grew']}/{nc['contested_runs']} contested runs grew the "
                   "collapsed direction", ev)


# ============================================================================= ziyin.weight-decay
def extract_prop2_weight_decay(res: dict) -> dict:
    """Compact evidence of experiments/ziyin_prop2.py for weight decay: top-level ``passed``, the InfoNCE rows with
    γ > 0 (their derived / source ranks and grown rank) and the noise threshold τ of the rank test."""
    tau = float(res["thresholds"]["tau_b"])
    rows = [r for r in res["infonce"] if r["gamma"] > 0]
    contested = [r for r in rows if r["source_rank"] < r["derived_rank"]]
    rel = []
    for r in contested:
        eig = sorted(r["derived_eigs"])[::-1]
        lam = max(eig[0], 1e-300)
        rel += [eig[i] / lam for i in range(r["source_rank"], r["derived_rank"])]
    return {"passed": bool(res["passed"]), "checks": checks_by_key(res), "tau": tau, "runs": len(rows),
            "contested_runs": len(contested),
            "grew": sum(r["grown_rank"] > r["source_rank"] for r in contested),
            "unresolved": sum(r["n_unresolved"] > 0 for r in contested),
            "weakest_contested_over_tau": (min(rel) / tau) if rel else 0.0, "summary": str(res.get("summary", ""))}


PROP2_VALID = ("infonce_no_mismatch", "infonce_decisive")  # validity of the trained InfoNCE part of ziyin_prop2


def weight_decay_evidence(quick: bool, out_dir: pathlib.Path) -> dict:
    a, c, gam, N, alpha = 1.0, 4.0, 0.5, 2, 0.0
    thr = ex.collapse_gamma_threshold(a, N, alpha)
    W = np.array([[1.0]])
    return {"a": a, "c": c, "gamma": gam, "N": N, "alpha": alpha, "derived_threshold": thr,
            "source_predicts_collapse": bool((1 - alpha) * c / N + gam >= a),
            "curvature": ex.curvature_at_origin(W, [[a]], [[c]], N, alpha, gam),
            "curvature_at_threshold": ex.curvature_at_origin(W, [[a]], [[c]], N, alpha, thr),
            # C independence of the threshold: curvature at γ = thr for a very different c
            "curvature_at_threshold_c100": ex.curvature_at_origin(W, [[a]], [[100.0]], N, alpha, thr),
            "torch_threshold": ex.collapse_gamma_threshold(a, N, alpha, convention="torch"),
            "prop2": extract_prop2_weight_decay(_experiment("ziyin_prop2", quick, out_dir))}


@claim(
    id="ziyin.weight-decay", source=Source(F, "§1.1"),
    statement="With weight decay γ (penalty γ‖W‖²_F) the collapse condition becomes (1−α)c_i/N + γ ≥ a_i.",
    assumptions=SETTING + ("weight decay as the penalty γ‖W‖²_F; torch/Adam weight_decay=γ is (γ/2)‖W‖²_F",),
    verdict="corrected",
    correction=("The γ shift is right, the C term is not: direction i collapses iff γ ≥ ((N−1)/(N−1+α)) a_i "
                "(iff weight_decay ≥ 2(N−1)a_i/(N−1+α) in torch's coupled convention), independent of c_i."),
    counterexample="a = 1, c = 4, N = 2, α = 0, γ = ½: source predicts collapse; curvature at 0 is −1 < 0.",
    definitions=(Q_WD, Q_B, Q_COLLAPSE, Q_FOCUS),
    readings=(
        Reading("weight decay = the penalty γ‖W‖²_F added to eq. 4", "corrected",
                "the only convention under which the source's own B gives its γ shift (B → B − γI); derived: "
                "collapse iff γ ≥ b a_i, b = (N−1)/K, no c_i", primary=True,
                evidence=(T + "test_collapse_gamma_threshold_is_curvature_zero", NL + "test_weight_decay_threshold_mc_autograd")),
        Reading("weight decay = torch's weight_decay=γ (gradient γW, penalty (γ/2)‖W‖²_F)", "corrected",
                "the source does not define γ; then collapse iff γ ≥ 2b a_i (the C term is wrong in both)",
                evidence=(T + "test_collapse_gamma_threshold_is_curvature_zero",)),
    ),
    scope=("linear model of §1.1 with a weight-decay penalty, population and fixed data set (for a fixed data set the "
           "constant is N/K with the 1/N empirical covariance, i.e. (N−1)/K with the unbiased one; trained: "
           "experiments/ziyin_prop2.py); for fixed nonlinear features the threshold is γ ≥ b λ_i(A_φ), "
           "A_φ = Cov_x̂(E_ε φ) (see ziyin.origin-stability)"),
    second_method=(M + "test_autograd_hessian_at_origin", NL + "test_weight_decay_threshold_mc_autograd"),
    power=("experiments/ziyin_prop2.py, InfoNCE runs with γ between the two smallest derived b_i: a direction is "
           "resolved when its predicted relative eigenvalue is ≥ 10× the measured noise floor, i.e. ≥ √10·τ "
           "(τ = √10·floor; quick run τ = 7.0e-3); in all 4 weight-decay runs the source's γ-condition collapses a "
           "direction the derived one keeps, the weakest such direction is predicted at 9.8·τ (resolved), and all 4 "
           "grew it; the decision requires ≥ √10·τ and ≥ 75% grown on the evidence"),
    evidence=(T + "test_collapse_gamma_threshold_is_curvature_zero",
              T + "test_curvature_at_origin_autograd_and_C_independence", NL + "test_weight_decay_threshold_mc_autograd",
              "experiments/ziyin_prop2.py", D + "test_weight_decay_boundaries"),
    gather=weight_decay_evidence,
)
def decide_weight_decay(ev: dict) -> Outcome:
    p = ev["prop2"]
    scale = max(1.0, abs(ev["derived_threshold"]))
    if not (abs(ev["curvature_at_threshold"]) <= FLOAT_REL * scale and abs(ev["curvature_at_threshold_c100"]) <= FLOAT_REL * scale):
        return inconclusive("the derived threshold does not zero the curvature (or depends on c)", ev)
    miss = _missing(p["checks"], PROP2_VALID)
    if miss:
        return inconclusive(f"ziyin_prop2 results lack check keys {miss}", ev)
    if not all(p["checks"][k] for k in PROP2_VALID):
        return inconclusive(f"experiment ziyin_prop2's InfoNCE part is not valid: {p['summary']}", ev)
    if p["contested_runs"] == 0 or p["grew"] < CONTEST_SHARE * p["contested_runs"]:
        return inconclusive(f"weight-decay runs do not discriminate: {p['grew']}/{p['contested_runs']} contested runs "
                            "grew the direction the source's condition collapses", ev)
    if p["weakest_contested_over_tau"] < math.sqrt(RESOLVE):  # resolved: ≥ 10 × floor = √10 × τ
        return inconclusive(f"underpowered: weakest contested direction only {p['weakest_contested_over_tau']:.3g}·τ", ev)
    if ev["source_predicts_collapse"] and ev["curvature"] < 0:
        return Outcome("corrected", f"collapse iff γ ≥ (N−1)/(N−1+α)·a_i (γ shift right, C term wrong); a=1,c=4,N=2,α=0,"
                       f"γ=½: source collapses, curvature {ev['curvature']:.3g} < 0; trained: {p['grew']}/"
                       f"{p['contested_runs']} weight-decay runs grew the direction", ev)
    return Outcome("confirmed", "source threshold agrees with the curvature", ev)


# ============================================================================= ziyin.ncrit
def derive_ncrit() -> dict:
    a, c, al = sp.symbols("a c alpha", positive=True)
    main, eq7 = (1 - al) * c / a, a / (c * (1 - al))
    src = {"a": 1.0, "c": 25.0, "alpha": 0.1}
    nm, n7 = ex.paper_ncrit_main(**src), ex.paper_ncrit_eq7(**src)
    witness = 30  # main: no collapse (30 > 22.5); eq. 7: collapse (30 > 0.044)
    rng = np.random.default_rng(0)
    ranks = {str(n): ex.predicted_rank_fixed_dataset(rng.normal(size=(n, 32)), 32) for n in (10, 20, 33, 64)}
    Bmin = [float(np.linalg.eigvalsh(ex.predicted_B_fixed_dataset(rng.normal(size=(n, 32)), 0.1)).min()) for n in (40, 64)]
    return {"product_main_eq7": str(sp.simplify(main * eq7)), "main_source": nm, "eq7_source": n7, "witness_N": witness,
            "main_collapses_at_witness": witness <= nm, "eq7_collapses_at_witness": witness > n7,
            "predicted_ranks": ranks, "expected_ranks": {"10": 9, "20": 19, "33": 32, "64": 32},
            "B_min_eig_full_rank_data": min(Bmin)}


def ncrit_evidence(quick: bool, out_dir: pathlib.Path) -> dict:
    return {**derive_ncrit(), "ncrit": extract_ncrit(_experiment("ziyin_ncrit", quick, out_dir))}


@claim(
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
    definitions=(Q_EQ7, Q_B, Q_APPB, Q_EX),
    readings=(
        Reading("eq. 7 as printed: collapse iff N > a_i/(c_i(1−α))", "corrected",
                "the claim's own equation (App. B)", primary=True,
                evidence=(T + "test_paper_ncrit_forms_disagree", "experiments/ziyin_ncrit.py")),
        Reading("§1.1's condition solved for N: collapse iff N ≤ (1−α)c_i/a_i", "corrected",
                "App. B says 'Theory suggests', i.e. §1.1; trained runs grow the directions it collapses",
                evidence=("experiments/ziyin_ncrit.py",)),
    ),
    scope="linear model, fixed data set with fresh isotropic augmentation (App. B's setting), no weight decay",
    second_method=(M + "test_predicted_gram_fixed_dataset_rank", E + "test_ziyin_ncrit.py::test_quick_run_verdicts"),
    power=("experiments/ziyin_ncrit.py: a direction is resolved when its predicted relative eigenvalue is ≥ 10× the "
           "noise floor measured on weight-decay twins, i.e. ≥ √10·τ (quick: τ = 2.6e-3); the weakest direction §1.1 "
           "collapses but the derived rank keeps is predicted at 14·τ, all 4 contested runs grew it, and removing the "
           "collapsed directions raises E[L] by z ≥ 10 (paired Monte Carlo); one replica per N at quick size, each "
           "contested run is its own test; the decision requires ≥ √10·τ on the evidence"),
    evidence=(T + "test_paper_ncrit_forms_disagree", T + "test_predicted_rank_fixed_dataset",
              T + "test_fixed_dataset_B_d3_matches_noise_expectation",
              M + "test_predicted_gram_fixed_dataset_rank", "experiments/ziyin_ncrit.py", D + "test_ncrit_boundaries"),
    gather=ncrit_evidence,
)
def decide_ncrit(ev: dict) -> Outcome:
    nc = ev["ncrit"]
    inconsistent = ev["product_main_eq7"] == "1" and ev["main_collapses_at_witness"] != ev["eq7_collapses_at_witness"]
    if not (ev["predicted_ranks"] == ev["expected_ranks"] and ev["B_min_eig_full_rank_data"] > 0):
        return inconclusive("the derived rank rule did not verify (ranks / PSD order-2 term)", ev)
    miss = _missing(nc["checks"], NCRIT_VALID + ("eq7_contradicted", "main_text_contradicted"))
    if miss:
        return inconclusive(f"ziyin_ncrit results lack check keys {miss}", ev)
    if not all(nc["checks"][k] for k in NCRIT_VALID):
        return inconclusive(f"experiment ziyin_ncrit is not valid: {nc['summary']}", ev)
    if nc["weakest_contested_over_tau"] < math.sqrt(RESOLVE):  # resolved: ≥ 10 × floor = √10 × τ
        return inconclusive(f"underpowered: weakest contested direction {nc['weakest_contested_over_tau']:.3g}·τ", ev)
    if inconsistent and nc["checks"]["eq7_contradicted"] and nc["checks"]["main_text_contradicted"]:
        return Outcome("corrected", "eq. 7 and §1.1 invert fraction and inequality (disagree at N=30); derived and trained: "
                       f"rank WᵀW = min(d1, N−1, rank data), no augmentation N_crit ({nc['grew']}/{nc['contested_runs']} "
                       "contested runs grew)", ev)
    if not inconsistent and not nc["checks"]["eq7_contradicted"]:
        return Outcome("confirmed", "source N_crit consistent and borne out by training", ev)
    return inconclusive("derivation and trained runs disagree about eq. 7", ev)


# ============================================================================= ziyin.sigma-scaling
def extract_sigma(res: dict) -> dict:
    return {"passed": bool(res["passed"]), "checks": checks_by_key(res), "slope_measured": float(res["slope_measured"]),
            "slope_se": float(res["slope_se"]), "slope_derived_fit": float(res["slope_derived_fit"]),
            "slope_tolerance": float(res["slope_tolerance"]), "seeds": len(res["slopes_per_seed"]),
            "summary": str(res.get("summary", ""))}


def derive_sigma_scaling() -> dict:
    expr, a, s = ex.sigma_slope_expr()
    lim = sp.limit(expr, s, sp.oo)
    alpha0 = sp.simplify(expr.subs(ex.ALPHA, 0) + 4 * s**2 / (a + s**2))
    lam = [ex.predicted_gram_eigs(np.ones(32), np.full(32, x**2), 64, 1.0)[0] for x in (20.0, 40.0)]
    return {"slope_limit": str(lim), "alpha0_slope_residual": str(alpha0),
            "numeric_slope_sigma20_40": float(np.log(lam[1] / lam[0]) / np.log(2.0)), "source_exponent": 4}


def sigma_scaling_evidence(quick: bool, out_dir: pathlib.Path) -> dict:
    return {**derive_sigma_scaling(), "sigma": extract_sigma(_experiment("ziyin_sigma_scaling", quick, out_dir))}


SIGMA_VALID = ("exponent_matches_derived", "eigs_match_derived", "no_vanishing")


@claim(
    id="ziyin.sigma-scaling", source=Source(F, "App. B", "Fig. 2 left"),
    statement="Vanilla InfoNCE (α = 1), A0 = I, C = σ²I: the smallest eigenvalues of WᵀW scale as σ⁴ and never vanish.",
    assumptions=SETTING + ("α = 1, commuting A0 and C = σ²I",),
    verdict="corrected",
    correction=("Exponent sign: with the derived expansion λ_i ∝ a_i/(κ_S(a_i+σ²)² + κ_Pσ⁴) (times a common "
                "κ_T factor), so λ ~ σ⁻⁴ for σ² ≫ a (singular values of W ~ σ⁻²); local slope "
                "d log λ/d log σ = −4σ²/(a+σ²) at α = 0, → −4 for every α. Never zero: confirmed."),
    definitions=(Q_SIGMA, Q_FIG2, Q_APPB),
    readings=(
        Reading("eigenvalues of WᵀW (the quantity Fig. 2 plots) ∝ σ⁺⁴", "corrected",
                "Fig. 2's caption and text: 'singular values of WᵀW' 'scale as σ^4'; derived and trained exponent ≈ −4",
                primary=True, evidence=(T + "test_sigma_slope", "experiments/ziyin_sigma_scaling.py")),
        Reading("singular values of W (main text: 'the smallest singular of the model W') ∝ σ⁴", "corrected",
                "s(W) = √λ(WᵀW) ∝ σ⁻²: exponent −2, not 4", evidence=(T + "test_sigma_slope",)),
        Reading("'scale as σ⁴' as shorthand for the σ⁻⁴ law the source's own Thm 1 gives (WᵀW = ½Σ⁻¹BΣ⁻¹, Σ = A0 + σ²I)",
                "confirmed", "the text attributes the scaling to 'our result'; Thm 1 gives σ⁻⁴, as does the derived "
                "expansion and the trained exponent", evidence=(T + "test_sigma_slope", "experiments/ziyin_sigma_scaling.py")),
    ),
    scope=("linear model, vanilla InfoNCE (α = 1), no weight decay; the exponent is derived for population data (the "
           "assumptions) and checked by training on a fixed Gaussian data set with fresh isotropic augmentation — both "
           "give → −4"),
    second_method=(T + "test_predicted_gram_eigs_is_the_minimiser", E + "test_ziyin_sigma_scaling.py::test_sigma_scaling_quick"),
    power=("experiments/ziyin_sigma_scaling.py fits the exponent per replica; the smallest detectable deviation of the "
           "exponent is the tolerance 3·SE + systematic (quick: 3 replicas, SE 0.13, tolerance 0.76); the source's +4 "
           "differs from the measured ≈ −3.7 by ≈ 7.7, ten tolerances; the decision requires |slope − 4| > "
           "tolerance and slope + 3 SE < 0"),
    evidence=(T + "test_sigma_slope", T + "test_predicted_gram_eigs_is_the_minimiser",
              "experiments/ziyin_sigma_scaling.py", D + "test_sigma_scaling_boundaries"),
    gather=sigma_scaling_evidence,
)
def decide_sigma_scaling(ev: dict) -> Outcome:
    sg = ev["sigma"]
    if not (ev["slope_limit"] == "-4" and ev["alpha0_slope_residual"] == "0"):
        return inconclusive("the derived σ exponent did not verify symbolically", ev)
    miss = _missing(sg["checks"], SIGMA_VALID)
    if miss:
        return inconclusive(f"ziyin_sigma_scaling results lack check keys {miss}", ev)
    if not all(sg["checks"][k] for k in SIGMA_VALID):
        return inconclusive(f"experiment ziyin_sigma_scaling is not valid: {sg['summary']}", ev)
    src = float(ev["source_exponent"])
    if not (abs(sg["slope_measured"] - src) > sg["slope_tolerance"] and sg["slope_measured"] + 3 * sg["slope_se"] < 0):
        return inconclusive(f"underpowered: measured exponent {sg['slope_measured']:.3g} ± {sg['slope_se']:.2g} does not "
                            f"separate from the source's {src:g}", ev)
    return Outcome("corrected", f"eigenvalues of WᵀW ∝ σ⁻⁴ (exponent −4, not +4; trained {sg['slope_measured']:.2f} ± "
                   f"{sg['slope_se']:.2f}); never zero", ev)


# ============================================================================= ziyin.origin-stability
TANH_CASE = {"phi": "tanh", "a": 1.0, "N": 4, "alpha": 0.0, "gamma": 0.1, "sigmas": [0.0, 1.0, 2.0, 3.0, 5.0]}
SOURCE_WD = 1e-3  # §1.3: "with weight decay strength 10^{-3}"
NORM_FLAT = 1e-12  # NT-Xent of normalised outputs at a ∈ [1e-3, 1e3]: equal up to float64 round-off of O(5) log-sum-exps
NORM_MOVES = 1e-3  # with a bias the normalised loss must move by more than this over the same a (measured: 0.22)
ORIGIN_VALID = ("linear_mc_matches_derived", "features_mc_matches_derived", "network_mc_matches_derived")


def extract_origin(res: dict) -> dict:
    nl = res.get("nonlinear") or {}
    return {"passed": bool(res["passed"]), "checks": checks_by_key(res),
            "linear_source_positive_margin_se": float(res["source_positive_margin_se"]),
            "linear_source_sign_mismatches": int(res["source_sign_mismatches"]),
            "features_end_margin_se": float(nl.get("features", {}).get("end_margin_se", 0.0)),
            "network_end_margin_se": float(nl.get("network", {}).get("end_margin_se", 0.0)),
            "features_source_sign_wrong": int(nl.get("features", {}).get("source_sign_wrong", 0)),
            "summary": str(res.get("summary", ""))}


def derive_origin_stability() -> dict:
    """Symbolic curvature for any fixed φ, the erf closed form and its crossing, the tanh table (quadrature),
    the linear model's C-independence."""
    res = nf.feature_order2_residuals((2, 3))
    _, price, _ = nf.erf_covariance_expr()
    curv, star, _, dcurv = nf.erf_curvature_expr()
    lhs = 2 * nf.A_ / (1 + 2 * nf.A_ + 2 * nf.SIG2)
    crossing_resid = sp.simplify(lhs.subs(nf.SIG2, star) - sp.sin(sp.pi * nf.GAM / (2 * nf.B_)))
    # d curvature/dσ² = 16ab/(π (1+2a+2σ²) √((1+2σ²)(1+4a+2σ²))) > 0: the radicand factorises into positives
    radicand = (2 * nf.A_ + 2 * nf.SIG2 + 1) ** 2 - 4 * nf.A_**2
    radicand_factored = sp.expand(radicand - (2 * nf.SIG2 + 1) * (4 * nf.A_ + 2 * nf.SIG2 + 1))
    slope_form = sp.simplify(dcurv - 16 * nf.A_ * nf.B_ / (sp.pi * (1 + 2 * nf.A_ + 2 * nf.SIG2) * sp.sqrt(radicand)))
    tc = TANH_CASE
    table = nf.curvature_table(tc["phi"], tc["a"], tc["sigmas"], tc["N"], tc["alpha"], tc["gamma"])
    W = np.array([[1.0]])
    lin = {str(c): ex.curvature_at_origin(W, [[1.0]], [[c]], 4, 0.0) for c in (0.0, 10.0, 100.0)}
    a_vals = (1e-3, 1e-1, 1.0, 10.0, 1e3)
    flat = nf.normalized_rescaling_profile(a_vals, bias=False)
    with_bias = nf.normalized_rescaling_profile((0.0,) + a_vals, bias=True)
    return {"order2_residuals": {k: str(v) for k, v in res.items()},
            # Fig. 1's SimCLR normalises: NT-Xent of f/‖f‖ for f = aWφ (no bias) is the same for every a > 0
            "normalization": {"a": list(a_vals), "no_bias": flat, "with_bias": with_bias,
                              "no_bias_spread": max(flat) - min(flat), "with_bias_spread": max(with_bias) - min(with_bias)},
            # the proxy's weight decay γ = 0.1 is 100× the source's 1e-3: where each makes the tanh curvature cross 0
            "crossing_sigma": {"proxy_gamma": nf.crossing_sigma(tc["phi"], tc["a"], tc["N"], tc["alpha"], tc["gamma"]),
                               "source_gamma": nf.crossing_sigma(tc["phi"], tc["a"], tc["N"], tc["alpha"], SOURCE_WD),
                               "source_gamma_value": SOURCE_WD},
            "linear_reduction_residual": str(nf.linear_features_reduce_to_linear_model()),
            "erf_price_residuals": {k: str(v) for k, v in price.items()},
            "erf_crossing_residual": str(crossing_resid), "erf_slope_form_residual": str(slope_form),
            "erf_radicand_factor_residual": str(radicand_factored),
            "erf_crossing_sigma": nf.erf_crossing(1.0, tc["N"], tc["alpha"], tc["gamma"]),
            "tanh": {**{k: v for k, v in tc.items() if k != "sigmas"},
                     "curvature": [r["curvature"] for r in table], "source_curvature": [r["source_curvature"] for r in table],
                     "sigmas": tc["sigmas"]},
            "linear_curvature_by_c": lin,
            "linear_source_curvature_c100": float(-2 * ex.source_B([[1.0]], [[100.0]], 4, 0.0)[0, 0])}


def origin_stability_evidence(quick: bool, out_dir: pathlib.Path) -> dict:
    """The derivation plus the three-arm experiment (linear, fixed tanh features, trained tanh network)."""
    return {**derive_origin_stability(),
            "experiment": extract_origin(_experiment("ziyin_origin_stability", quick, out_dir))}


Q_FIG1_NORM = "§1.3: \"we train a Resnet18 on CIFAR10 with the SimCLR loss with normalization\""


@claim(
    id="ziyin.origin-stability", source=Source(F, "§1.3", "Fig. 1"),
    statement=("Fig. 1 (a): for a ResNet18 trained on CIFAR10 with the SimCLR loss with normalization and weight decay 10⁻³, "
               "the training objective L(aW) along a rescaling of the last layer W → aW has a saddle at a = 0 for weak "
               "Gaussian augmentation and a local minimum for strong augmentation; §1.3 attributes it to 'the stability "
               "of the matrix A' of eq. 6."),
    assumptions=("Fig. 1's setting as the source states it: ResNet18 / CIFAR10, SimCLR with normalization, weight decay "
                 "10⁻³, Gaussian noise of variance σ² as augmentation, W = W_last rescaled with everything else fixed",
                 "the proxy we can compute (not Fig. 1's setting): scalar feature φ = tanh held fixed, x̂ ~ N(0, 1), "
                 "W = 1, N = 4, α = 0, UNNORMALISED Gaussian-kernel weighted InfoNCE (eq. 3) + γ‖aW‖², γ = 0.1 "
                 "(100× the source's 10⁻³); plus a trained two-layer tanh network and the linear model "
                 "(experiments/ziyin_origin_stability.py)"),
    verdict="underspecified",
    correction=("Fig. 1's claim cannot be checked as written with a curvature test, because of the normalization the source "
                "states: with f/‖f‖ directly after W_last and no bias, the SimCLR loss does not depend on a > 0 at all "
                "(NT-Xent of normalised tanh features: identical in float64 for every a from 10⁻³ to 10³) and is 0/0 at a = 0, "
                "so 'the origin becomes a local minimum' has no content; with a bias b the loss is defined at a = 0 (every "
                "embedding b/‖b‖) and moves with a (by 0.22 over the same range), but then its curvature depends on b, "
                "which the source does not report — nor where the normalization sits, whether L includes the weight-decay "
                "term, or the σ values (only in the figure image). What the record can say: (i) the mechanism §1.3 names "
                "is right — derived from the loss for ANY fixed φ, d²/da²[L(aW) + γ‖aW‖²]|₀ = −2((N−1)/K)·Tr[W A_φ Wᵀ] "
                "+ 2γ‖W‖², A_φ := Cov_x̂(E_ε φ(x̂+ε)), i.e. eq. 6's A(φ) = −((N−1)/K)A_φ + γI, with the conditional "
                "covariance (the analogue of C) cancelling exactly; the explanation through §1.1's B = A0 − (1−α)C/N, which "
                "the former record called wrong, belongs to ziyin.collapse-threshold, not to this claim. (ii) In the "
                "unnormalised proxy the phenomenon exists only with weight decay: curvature −0.589 → +0.153 for σ = 0 → 5 "
                "at γ = 0.1, crossing at σ = 2.14; at the source's γ = 10⁻³ the crossing moves to σ = 25.2 (A_φ ≈ "
                "2/(πσ²) for large σ). (iii) In the linear model, and without weight decay, the origin never turns into "
                "a minimum. A run of Fig. 1's own setting with the normalization's position, the bias and the σ grid "
                "stated would decide it."),
    counterexample=("(readings below, not Fig. 1's setting) Linear model, d = 1, N = 4, α = 0, a = 1: curvature −2 for "
                    "c = 0, 10, 100 (the source's B gives +48 at c = 100). tanh proxy (scalar tanh feature, x̂ ~ N(0, 1), "
                    "W = 1, N = 4, α = 0, γ = 0.1): derived (quadrature) curvature −0.589, −0.272, −0.021, +0.082, +0.153 "
                    "at σ = 0, 1, 2, 3, 5 (autograd Monte Carlo of the actual loss, 2·10⁵ anchors: −0.587 ± 0.001, −0.270 "
                    "± 0.003, −0.024 ± 0.004, +0.082 ± 0.006, +0.154 ± 0.003; the review's −0.589, −0.268, −0.013, "
                    "+0.087, +0.148 agree within Monte Carlo error); the source's B with its own A0 = E φ(x̂)², C = Σ − A0 "
                    "gives −0.589, −0.526, −0.452, −0.407, −0.363 (never crosses). erf features: A_φ = (2/π) "
                    "arcsin(2a/(1+2a+2σ²)), crossing at σ*² = a/sin(πγ/(2b)) − a − ½ (σ* = 2.212 at γ = 0.1)."),
    definitions=(Q_FIG1, Q_SEC13, Q_FIG1_NORM, Q_EQ6, Q_F, Q_A0, Q_C, Q_B, Q_APPC),
    readings=(
        Reading("Fig. 1's setting: SimCLR WITH normalization (§1.3), ResNet18 / CIFAR10, weight decay 10⁻³",
                "underspecified",
                "§1.3: 'the SimCLR loss with normalization'. Normalised outputs make L(aW) flat in a > 0 without a "
                "bias (0/0 at a = 0); with a bias the curvature depends on b; neither, nor the σ grid, is given",
                primary=True, evidence=(NL + "test_normalized_loss_is_flat_in_a",)),
        Reading("unnormalised eq. 3 with fixed nonlinear features and the weight-decay penalty in L (§1.3's 'stability "
                "of the matrix A', eq. 6)", "confirmed",
                "the class the source's theory (eq. 6) covers; derived curvature −2b·Tr[WA_φWᵀ] + 2γ‖W‖² crosses 0 as σ "
                "grows for saturating φ (tanh proxy at γ = 0.1: σ* = 2.14; at γ = 10⁻³: σ* = 25.2; erf closed form; a "
                "trained tanh network too), through A(φ) as §1.3 says",
                evidence=(NL + "test_feature_order2_is_derived_from_the_loss", NL + "test_tanh_curvature_mc_autograd",
                          NL + "test_crossing_sigma_source_weight_decay", "experiments/ziyin_origin_stability.py")),
        Reading("the linear model of §1.1 (eq. 4 with B = A0 − (1−α)C/N; §1.3: 'All the examples we have studied "
                "take this form')", "refuted",
                "curvature −2Tr[WBWᵀ] + 2γ‖W‖², B = (N−1)/K·A0, independent of σ: augmentation never turns the origin "
                "into a minimum (trained linear arm: saddle at every σ)",
                evidence=(T + "test_curvature_at_origin_autograd_and_C_independence", M + "test_autograd_hessian_at_origin",
                          "experiments/ziyin_origin_stability.py")),
        Reading("L is the InfoNCE term alone (the weight-decay penalty not part of L)", "refuted",
                "for every fixed φ and σ the curvature is −2((N−1)/K)Tr[W A_φ Wᵀ] ≤ 0: the origin never becomes a "
                "(second-order) minimum along aW of the Gaussian-kernel loss",
                evidence=(NL + "test_feature_order2_is_derived_from_the_loss",)),
    ),
    scope=("what is missing is Fig. 1's own setting (ResNet18 / CIFAR10, normalised SimCLR: the position of the "
           "normalization, the last layer's bias, the σ grid); the readings cover fixed nonlinear features (any φ; tanh "
           "and erf worked out) and the last layer of a trained two-layer tanh network with its features frozen during "
           "the rescaling, unnormalised Gaussian-kernel weighted InfoNCE with a weight-decay penalty, population and "
           "fixed data set, finite N; the linear model is the special case φ = id"),
    second_method=(NL + "test_tanh_curvature_mc_autograd", NL + "test_erf_closed_form_matches_quadrature",
                   NL + "test_crossing_sigma_source_weight_decay",
                   E + "test_ziyin_origin_stability.py::test_origin_stability_quick"),
    power=("experiments/ziyin_origin_stability.py (the proxy readings, not Fig. 1's setting): the sign of c2 at a = 0 is "
           "decided at 5 Monte Carlo standard errors; at the ends of the σ grid (σ = 0 and 5, 2 replicas each) |c2| is "
           "≥ 10 SE in the fixed-tanh arm and exact (no Monte Carlo noise: σ = 0, or features weight decay made constant) "
           "in the trained-network arm; in the linear arm the source's predicted c2 > 0 at σ = 6 lies 47 SE above zero "
           "while the measured c2 is < 0, so the source's effect would have been seen; the proxy reading is confirmed "
           "only when each margin exceeds 5 SE on the evidence"),
    evidence=(NL + "test_feature_order2_is_derived_from_the_loss", NL + "test_erf_closed_form_matches_quadrature",
              NL + "test_tanh_curvature_mc_autograd", NL + "test_normalized_loss_is_flat_in_a",
              NL + "test_crossing_sigma_source_weight_decay", T + "test_curvature_at_origin_autograd_and_C_independence",
              M + "test_autograd_hessian_at_origin", "experiments/ziyin_origin_stability.py",
              D + "test_origin_stability_branches"),
    gather=origin_stability_evidence,
)
def decide_origin_stability(ev: dict) -> Outcome:
    xp = ev["experiment"]
    sym_ok = (all(v == "0" for v in ev["order2_residuals"].values()) and ev["linear_reduction_residual"] == "0"
              and all(v == "0" for v in ev["erf_price_residuals"].values()) and ev["erf_crossing_residual"] == "0"
              and ev["erf_slope_form_residual"] == "0" and ev["erf_radicand_factor_residual"] == "0")
    if not sym_ok:
        return inconclusive("the fixed-feature curvature / erf closed form did not verify symbolically", ev)
    miss = _missing(xp["checks"], ORIGIN_VALID + ("linear_saddle_every_sigma", "linear_grid_reaches_source_regime",
                                                 "features_crossing", "network_crossing"))
    if miss:
        return inconclusive(f"ziyin_origin_stability results lack check keys {miss}", ev)
    if not all(xp["checks"][k] for k in ORIGIN_VALID):
        return inconclusive(f"experiment ziyin_origin_stability is not valid (Monte Carlo ≠ derived): {xp['summary']}", ev)
    nm = ev["normalization"]
    scale = max(abs(v) for v in nm["no_bias"])
    if not (nm["no_bias_spread"] <= NORM_FLAT * scale and nm["with_bias_spread"] > NORM_MOVES):
        return inconclusive("the scale-invariance check of the normalised loss failed (without a bias it should not "
                            f"depend on a > 0: spread {nm['no_bias_spread']:.3g}; with a bias it should: "
                            f"{nm['with_bias_spread']:.3g}) — our machinery", ev)
    tanh = ev["tanh"]
    cs = ev["crossing_sigma"]
    derived_crosses = (tanh["curvature"][0] < 0 < tanh["curvature"][-1] and ev["erf_crossing_sigma"] is not None
                       and cs["proxy_gamma"] is not None
                       and tanh["sigmas"][0] < cs["proxy_gamma"] < tanh["sigmas"][-1])
    measured_crosses = xp["checks"]["features_crossing"] and xp["checks"]["network_crossing"]
    powered = min(xp["features_end_margin_se"], xp["network_end_margin_se"]) > Z
    c_cancels = (ev["order2_residuals"]["dE2_dT2"] == "0"
                 and len(set(round(v, 12) for v in ev["linear_curvature_by_c"].values())) == 1)
    proxy = "confirmed" if derived_crosses and measured_crosses and powered and c_cancels else "inconclusive"
    linear_powered = xp["checks"]["linear_grid_reaches_source_regime"] and xp["linear_source_positive_margin_se"] > Z
    linear = "refuted" if xp["checks"]["linear_saddle_every_sigma"] and c_cancels and linear_powered else "inconclusive"
    no_wd = "refuted" if ev["order2_residuals"]["dE2_dT2"] == "0" else "inconclusive"
    src_g = cs["source_gamma"]
    details = {"readings": {"fig1_normalized_simclr": "underspecified", "fixed_features_weight_decay": proxy,
                            "linear_model": linear, "no_weight_decay": no_wd},
               "normalization": nm, "crossing_sigma": cs, "tanh_curvature": tanh["curvature"], "sigmas": tanh["sigmas"],
               "derived_crosses": derived_crosses, "measured_crosses": measured_crosses, "powered": powered}
    src_txt = "none below σ = 100" if src_g is None else f"{src_g:.1f}"
    prox_txt = "none" if cs["proxy_gamma"] is None else f"{cs['proxy_gamma']:.2f}"
    return Outcome("underspecified",
                   "Fig. 1's normalised SimCLR loss is flat in a > 0 without a bias (spread "
                   f"{nm['no_bias_spread']:.1g} over a ∈ [1e-3, 1e3]; 0/0 at a = 0) and depends on an unreported bias "
                   "with one: the curvature test cannot represent the stated setting; proxy (fixed tanh, unnormalised, "
                   f"γ = 0.1 = 100× the source's): {proxy}, c2 {tanh['curvature'][0]:.3f} → {tanh['curvature'][-1]:+.3f}, "
                   f"crossing σ = {prox_txt} (γ = 1e-3: {src_txt}), through A(φ) as §1.3 says; linear model: {linear}; "
                   f"without weight decay: {no_wd}", details)
