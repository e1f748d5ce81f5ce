"""Checks of the rusak.* claims: each re-runs the derivation (and experiment) and computes a verdict."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import sympy as sp

from theory.claims import Outcome
from theory.rusak import algebra, dynamics, optimality


def _exp(name: str, quick: bool, out_dir) -> dict:
    from numerics.experiment import run_experiment
    return run_experiment(name, quick=quick, out_dir=out_dir)


# ----------------------------------------------------------------------------- algebra
def check_lemma2(quick: bool, out_dir: Path) -> Outcome:
    res = [algebra.lemma2_symbolic(3, 3, 3, 1), algebra.lemma2_symbolic(2, 3, 2, 1)]
    if not quick:
        res.append(algebra.lemma2_symbolic(3, 3, 3, 2))
    # tight example: A = B = [[0,1],[0,0]] has rank 1 each, AB = 0 (the bound is an inequality)
    strict = algebra.exact_rank(sp.Matrix([[0, 1], [0, 0]]) ** 2) == 0
    ok = all(r["rank_AB_le_rank_A"] and r["rank_AB_le_rank_B"] for r in res)
    return Outcome("proved" if ok else "refuted",
                   "A = PQ (r cols) ⇒ AB = P(QB): every (r+1)-minor of AB expands to 0 (symbolic P, Q, B), and symmetrically for B",
                   {"symbolic": [{k: (v if not isinstance(v, bool) else bool(v)) for k, v in r.items()} for r in res],
                    "strict_example_rank_AB": 0 if strict else -1})


def check_lemma3(quick: bool, out_dir: Path) -> Outcome:
    det_ok = algebra.det_multiplicative(2) and algebra.det_multiplicative(3)
    ce = algebra.LEMMA3_COUNTEREXAMPLE
    source_fails = not algebra.lemma3_source_says(ce["A"], ce["B"])
    corrected_holds = algebra.lemma3_corrected(ce["A"], ce["B"])
    if det_ok and source_fails and corrected_holds:
        verdict = "corrected"
    elif det_ok and not source_fails:
        verdict = "proved"
    else:
        verdict = "refuted"
    return Outcome(verdict, "det(AB) = det A·det B (symbolic n ≤ 3): AB singular iff EITHER factor is; A = [0], B = [1] breaks 'both'",
                   {"det_multiplicative_n2_n3": bool(det_ok), "counterexample": ce, "source_statement_fails": bool(source_fails)})


def check_loss_at_zero(quick: bool, out_dir: Path) -> Outcome:
    import torch
    r = algebra.loss_at_zero()
    num = []
    for M in (1, 2, 5):
        z = torch.zeros(M + 1, 3, dtype=torch.float64)
        val = float(algebra.eq4_literal_torch(z, z))
        num.append(abs(val - (M + 1) * M * np.log(1 + M)) / ((M + 1) * M * np.log(1 + M)))
    ok = r["equal"] and max(num) < 1e-14  # float64 logsumexp of M+1 zeros: exact to a few ulp
    return Outcome("proved" if ok else "refuted",
                   "literal eq. 4 at W = 0: (M+1) anchors × M identical outer terms × log(1+M); per anchor the value is log(1+M)",
                   {"literal": str(r["literal_eq4"]), "per_anchor": str(r["per_anchor"]), "single_sum": str(r["single_sum"]),
                    "torch_rel_err": num})


def check_lemma6(quick: bool, out_dir: Path) -> Outcome:
    ce = algebra.gradient_rank(**algebra.LEMMA6_COUNTEREXAMPLE)
    ce_det = algebra.gradient_rank(**algebra.LEMMA6_COUNTEREXAMPLE, detach_negatives=True)
    rng = np.random.default_rng(0)
    bound_ok, attained = True, True
    for d, M in ((6, 1), (7, 2), (9, 3)):
        x, xt = rng.standard_normal((M + 1, d)), rng.standard_normal((M + 1, d))
        g = algebra.gradient_rank(x, xt)
        bound_ok &= g["grad_rank"] <= g["bound_2M_plus_1"] and g["rank_cond_cov"] <= M + 1 and g["rank_marg_cov"] <= M
        attained &= g["grad_rank"] == 2 * M + 1
    source_fails = ce["M"] + 1 < ce["d"] and ce["grad_rank"] == ce["d"] and ce_det["grad_rank"] == ce["d"]
    verdict = "corrected" if source_fails and bound_ok and attained else ("proved" if not source_fails else "refuted")
    return Outcome(verdict,
                   "each covariance estimate has rank ≤ M+1, but the gradient's column space is span{x_i−x~_i, x_i−x_j}: rank ≤ min(d, 2M+1), "
                   "attained; d = 3, M = 1 gives a full-rank gradient",
                   {"counterexample": {**algebra.LEMMA6_COUNTEREXAMPLE, "grad_rank": ce["grad_rank"],
                                       "singular_values": ce["singular_values"], "grad_rank_detached": ce_det["grad_rank"]},
                    "bound_2M_plus_1_holds": bool(bound_ok), "bound_attained_generic": bool(attained)})


def check_eq15(quick: bool, out_dir: Path) -> Outcome:
    sym = algebra.eq15_symbolic(3, 1) and algebra.eq15_symbolic(2, 1)
    mc = algebra.eq15_box_monte_carlo(n=100_000 if quick else 400_000)
    # Monte Carlo: entries of 1e5-4e5 sample covariances have relative error ~ 1/sqrt(n) ≈ 3e-3;
    # 1e-2 is ~3 such errors on the Frobenius norm
    mc_ok = mc["rel_err_effective"] < 1e-2 and mc["min_eig_Sx_minus_Sxt"] > 0
    return Outcome("proved" if sym and mc_ok else "refuted",
                   "Σ_x − Σ_x~ = A(Σ_z − Σ_z~)Aᵀ is a congruence (symbolic A, d ≤ 3); on the box σ² must be the truncated "
                   "conditional's E(z−z~)², not the nominal σ_s²",
                   {"symbolic": bool(sym), **mc})


# ----------------------------------------------------------------------------- dynamics
def _lemma5_rows(quick):
    return dynamics.lemma5_table(Ms=(8, 128) if quick else (8, 32, 128), reps=40 if quick else 60)


def check_lemma5(quick: bool, out_dir: Path) -> Outcome:
    rows = _lemma5_rows(quick)
    get = lambda s, M, ag, conv: next(r[f"err_{conv}"] for r in rows if r["scale"] == s and r["M"] == M and r["autograd"] == ag)  # noqa: E731
    Mlo, Mhi = min(r["M"] for r in rows), max(r["M"] for r in rows)
    small, big = min(r["scale"] for r in rows), max(r["scale"] for r in rows)
    # small W, large M: errors are Monte Carlo (reps·(M+1) pairs, ~3% at M = 128); 0.1 = 3× that
    full_ok = get(small, Mhi, "full", "full") < 0.1 and get(small, Mhi, "full", "full") < get(small, Mlo, "full", "full")
    det_ok = get(small, Mhi, "detached negatives", "source") < 0.1
    source_wrong_for_full = get(small, Mhi, "full", "source") > 0.5
    # O(1) W: the softmax weights are not 1/(M+1), the error does not vanish with M (stays > 0.1)
    no_large_M_limit = get(big, Mhi, "full", "full") > 0.1 and get(big, Mhi, "detached negatives", "source") > 0.1
    ok = full_ok and det_ok and source_wrong_for_full and no_large_M_limit
    return Outcome("corrected" if ok else "refuted",
                   f"eq. 5 matches autograd only with detached negatives and W → 0 (err {get(small, Mhi, 'detached negatives', 'source'):.3f}); "
                   f"the full gradient is M W[2Σ_x − Σ_x~] (err {get(small, Mhi, 'full', 'full'):.3f} vs {get(small, Mhi, 'full', 'source'):.2f} for eq. 5); "
                   f"at ‖W A‖ = 1 no formula holds as M grows (err {get(big, Mhi, 'full', 'full'):.2f})",
                   {"rows": rows})


def check_lemma7(quick: bool, out_dir: Path) -> Outcome:
    reps = 150 if quick else 300
    orth = dynamics.growth_rates(np.eye(3), 1, 0.0, 0.2, reps=reps)
    skew = dynamics.growth_rates(np.diag([1.0, 2.0, 2.0]), 1, 0.0, 0.2, reps=reps)
    # rates are Monte Carlo means over reps·65 pairs: ~1% error; predicted gaps are 30% (orth) and 3× (skew)
    pred_ok = all(abs(a - b) / b < 0.05 for r in (orth, skew) for a, b in zip(r["rates"], r["predicted"]))
    holds_orth = orth["content_mean"] > orth["style_mean"]
    fails_skew = skew["content_mean"] < skew["style_mean"]
    ok = pred_ok and holds_orth and fails_skew
    return Outcome("corrected" if ok else ("proved" if holds_orth and not fails_skew else "refuted"),
                   "latent k's gain grows at λ_k·(AᵀA)_kk (λ_k = 2σ_z² − σ_k²): content is faster for orthogonal A = W_GT⁻¹, "
                   f"but A = diag(1, 2, 2) gives style {skew['style_mean']:.3f} > content {skew['content_mean']:.3f}",
                   {"orthogonal": orth, "diag_1_2_2": skew})


def check_prop2(quick: bool, out_dir: Path) -> Outcome:
    reps = 150 if quick else 300
    orth = dynamics.growth_rates(np.eye(3), 1, 0.0, 0.2, reps=reps)
    skew = dynamics.growth_rates(np.diag([1.0, 2.0, 2.0]), 1, 0.0, 0.2, reps=reps)
    rng = np.random.default_rng(3)
    A = np.linalg.qr(rng.standard_normal((3, 3)))[0]
    W = 1e-3 * rng.standard_normal((3, 3))  # an encoder not aligned with g⁻¹
    G = dynamics.autograd_flow(W, A, 1, 0.0, 0.2, 64, reps=reps)
    sv_rand = np.linalg.svd(G, compute_uv=False)
    rand_count = dynamics.top_cluster(sv_rand)
    ok = orth["top_cluster_size"] == 1 and skew["top_cluster_size"] != 1
    return Outcome("corrected" if ok else "refuted",
                   f"at W ∝ g⁻¹ with orthogonal A the gradient has d_c = 1 large singular value; with A = diag(1,2,2) it has "
                   f"{skew['top_cluster_size']}; for an unaligned W the count is {rand_count}",
                   {"orthogonal_sv": orth["grad_singular_values"], "skew_sv": skew["grad_singular_values"],
                    "random_W_sv": sv_rand.tolist(), "random_W_top_cluster": rand_count})


def check_prop3(quick: bool, out_dir: Path) -> Outcome:
    r = dynamics.sweep_equalizing_tau_c(taus=np.geomspace(0.1, 10.0, 11 if quick else 21), reps=150 if quick else 300)
    t_eq, t_der, t_heu = r["tau_c_equalizing"], r["tau_c_derived"], r["tau_c_heuristic"]
    # the sweep's interpolation on a log grid + ~1% Monte Carlo in the rates: 10% tolerance
    derived_ok = abs(t_eq - t_der) / t_der < 0.1
    heuristic_off = abs(np.log(t_eq / t_heu)) > np.log(2)
    return Outcome("corrected" if derived_ok and heuristic_off else ("confirmed" if not heuristic_off else "refuted"),
                   f"autograd sweep: gains equalize at τ_c = {t_eq:.3f} (derived λ_c/λ_s = {t_der:.3f}, > τ_s), "
                   f"not at σ_c/σ_s = {t_heu:.2f}: eq. 16 scales σ_c² alone, but τ_c scales the whole content gradient",
                   r)


# ----------------------------------------------------------------------------- optimality
def check_prop4(quick: bool, out_dir: Path) -> Outcome:
    s = optimality.d_scaled_anchor_loss()
    num = optimality.d_scaled_losses(n=1024 if quick else 4096)
    dec = all(np.diff(num["s=0.0"]) < 0) and all(np.diff(num["s=1.0"]) < 0)
    not_collapsed_lower = all(a < b for a, b in zip(num["s=1.0"], num["s=0.0"]))
    ok = s["limit_collapsed"] == 0 and s["limit_full_style"] == 0 and s["positive_at_finite_c"] and dec and not_collapsed_lower
    return Outcome("corrected" if ok else "refuted",
                   "inf L_CL = 0 is approached only as the content scale c → ∞ (never attained), and equally with the style block NOT "
                   "collapsed; at c = 1 collapsing style raises the loss",
                   {k: (str(v) if not isinstance(v, bool) else v) for k, v in s.items()} | {"losses": num})


def check_cor1(quick: bool, out_dir: Path) -> Outcome:
    s = optimality.d_scaled_anchor_loss()
    num = optimality.d_scaled_losses(cs=(1.0, 1.5), style_scales=(1.0,), n=1024 if quick else 4096)
    lower = num["s=1.0"][1] < num["s=1.0"][0]
    ok = s["derivative_form"] and lower
    return Outcome("proved" if ok else "refuted",
                   "∂ℓ/∂c = −c Σ_j r_j e_j/(1 + Σ_j e_j) < 0 (r_j = ‖Δz_c‖² > 0): scaling the content rows of W_GT up lowers L_CL",
                   {"derivative_form": bool(s["derivative_form"]), "L_WGT": num["s=1.0"][0], "L_1.5_content": num["s=1.0"][1]})


def check_prop1(quick: bool, out_dir: Path) -> Outcome:
    num = optimality.d_scaled_losses(generator="mlp", cs=(1.0, 4.0, 16.0), n=1024 if quick else 4096)
    lin = optimality.d_scaled_losses(generator="linear", cs=(1.0, 4.0, 16.0), n=1024 if quick else 4096)
    same = np.allclose(num["s=0.0"], lin["s=0.0"], rtol=1e-10)  # D∘g⁻¹ gives D z for either g: float64 inversion error only
    dec = all(np.diff(num["s=0.0"]) < 0) and all(np.diff(num["s=1.0"]) < 0)
    ok = same and dec and num["s=1.0"][-1] < num["s=0.0"][-1]
    return Outcome("corrected" if ok else "refuted",
                   "D∘f with f = g⁻¹ (MLP g) has exactly the linear case's losses (the loss sees only D z): L → 0 only as c → ∞, "
                   "not attained, style collapse not needed; 'Ker f' is undefined for nonlinear f",
                   {"mlp_g": num, "linear_g": lin, "identical_to_linear": bool(same)})


def check_prop5(quick: bool, out_dir: Path) -> Outcome:
    mlp = optimality.layer_gradient_ranks(linear=False)
    lin = optimality.layer_gradient_ranks(linear=True)
    last_ok = mlp["ranks"][-1] <= mlp["d_c"] and all(r <= lin["d_c"] for r in lin["ranks"])
    inner_exceeds = any(r > mlp["d_c"] for r in mlp["ranks"][:-1])
    return Outcome("corrected" if last_ok and inner_exceeds else ("proved" if last_ok else "refuted"),
                   f"D∘f, d_c = {mlp['d_c']}: per-layer gradient ranks {mlp['ranks']} (leaky-ReLU MLP) vs {lin['ranks']} (linear): "
                   "rank ≤ d_c only for the layer feeding D (and layers followed by linear maps only)",
                   {"mlp": mlp, "linear": lin})


def check_prop6(quick: bool, out_dir: Path) -> Outcome:
    r = optimality.prop6_symbolic(2, 1)
    ok = r["same_when_style_zero"] and r["differs_when_style_nonzero"] and r["rank_of_D_times_generic_J"] == r["d_c"]
    return Outcome("corrected" if ok else "refuted",
                   "normalize(D z) = normalize(z) when z_s = 0 and D_c = αI (symbolic), but rank J_{D∘f} = rank(D J_f) ≤ d_c: "
                   "D∘f is as collapsed as f, 'rank(f_D) = d' is impossible",
                   {k: (bool(v) if isinstance(v, bool) else v) for k, v in r.items()})


def check_lemma1(quick: bool, out_dir: Path) -> Outcome:
    ranks = {K: optimality.simplex_etf_rank(K) for K in (3, 4, 5)}
    etf_ok = all(r == K - 1 for K, r in ranks.items())
    missing = optimality.lemma1_missing()
    underspecified = etf_ok and "NOT stated" in missing[1]
    return Outcome("underspecified" if underspecified else "confirmed",
                   "rests on Awasthi et al.'s Assums. 3.1/3.6 (not stated) and a K-class simplex ETF (rank K−1, needs K ≤ d+1), "
                   "while z^c is continuous (no finite class set)",
                   {"etf_gram_rank": {str(k): v for k, v in ranks.items()}, "source_text": missing})


def check_temperature_sign(quick: bool, out_dir: Path) -> Outcome:
    st = optimality.temperature_statements()
    t_der = dynamics.derived_equalizing_tau_c(0.05, 0.25)
    rep = optimality.temperature_reparametrization()
    exp = _exp("verify_content_style_spectrum", quick, out_dir)
    # float64 identity on O(1) losses: 1e-12
    ok = (not st["consistent"]) and t_der > 1 and rep["abs_diff"] < 1e-12 and exp["passed"]
    verdict = "corrected" if ok else ("confirmed" if st["consistent"] else "refuted")
    return Outcome(verdict,
                   f"§3 says τ_c > τ_s, Fig. 1/§4.1/App. C say τ_c < τ_s; with sim/τ the first-order equalizer is τ_c = {t_der:.2f} τ_s, "
                   f"and τ only reparametrizes W (L(W; τ) = L(T^-1/2 W; 1)): no τ_c removes collapse in training (max ρ {exp['rho_max']:.2f}), "
                   f"partial reduction for τ_c {exp['direction_that_reduces_collapse']} τ_s",
                   {"statements": st, "derived_equalizing_tau_c": t_der, "reparametrization": rep,
                    "experiment_direction": exp["direction_that_reduces_collapse"],
                    "log_rho_shift_per_dc": exp["log_rho_shift_per_dc"], "experiment_passed": exp["passed"]},
                   plots=exp.get("plots", []))


# ----------------------------------------------------------------------------- experiments
def check_table1(quick: bool, out_dir: Path) -> Outcome:
    exp = _exp("reproduce_rusak_table1", quick, out_dir)
    g = exp["gaps"]
    margin, other = g.get("sphere_margin_exact", np.nan), g.get("sphere_margin_exact_d6_dc3", np.nan)
    box = g.get("box", {})
    content_not_needed_box = bool(box) and min(box["gaps_dc0"]) > 0  # trained beats g⁻¹ without content too
    sign_flips = margin < 0 < other
    if exp["passed"] and (sign_flips or content_not_needed_box):
        verdict = "corrected"
    elif exp["passed"]:
        verdict = "confirmed"
    else:
        verdict = "refuted"
    return Outcome(verdict,
                   f"box: trained beats g⁻¹ (gaps {np.round(box.get('gaps', []), 2).tolist()}) but also with d_c = 0 "
                   f"({np.round(box.get('gaps_dc0', []), 2).tolist()}); sphere: collapse beats g⁻¹ by {-margin:.3f} at d = 10, d_c = 5, "
                   f"loses by {other:.3f} at d = 6, d_c = 3",
                   {"table": exp["table"], "checks": exp["checks"], "gaps": g}, plots=exp.get("plots", []))


def check_fig1(quick: bool, out_dir: Path) -> Outcome:
    exp = _exp("verify_content_style_spectrum", quick, out_dir)
    collapse = exp["collapse_at_equal_tau"]
    restored = exp["rho_max"] >= 1.0
    if exp["passed"] and collapse and not restored:
        verdict = "corrected"  # collapse confirmed, the temperature 'restoration' not
    elif collapse and restored:
        verdict = "confirmed"
    else:
        verdict = "refuted"
    return Outcome(verdict, exp["summary"], {"checks": exp["checks"], "table": exp["table"],
                                             "log_rho_shift_per_dc": exp["log_rho_shift_per_dc"]}, plots=exp.get("plots", []))
