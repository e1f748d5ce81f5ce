"""Decisions of the pokle.* claims on evidence that must give a DIFFERENT verdict than the recorded one.

Every test starts from the real evidence (recorded fixture or live quick gather, ``evidence_of``), changes one
number or flag across the decision's threshold, and checks the verdict that must follow — on both sides of each
threshold where one exists, so that a mutated constant or a flipped comparison changes some outcome here.
"""
from __future__ import annotations

import math


from sslverify.verdicts.builtin import pokle_experiments as PE
from sslverify.verdicts.registry import builtin_claims

CLAIMS = builtin_claims()
TOL = 1e-12  # the decisions' EXACT_TOL (float64 round-off bound); tests probe it from both sides


def rec(cid):
    return CLAIMS[cid]


def verdict(cid, ev):
    return rec(cid).decide(ev).verdict


# ----------------------------------------------------------------------------- pokle.maxcos
def test_maxcos_decisions(evidence_of):
    r = rec("pokle.maxcos")
    ev = evidence_of(r)
    ev["cases"]["random"]["fast"][1] += 0.5 * TOL  # within round-off: the implementations still agree
    assert verdict(r.id, ev) == "proved"
    ev["cases"]["random"]["fast"][1] += 2 * TOL  # beyond it: our two implementations disagree
    assert verdict(r.id, ev) == "inconclusive"

    ev = evidence_of(r)
    for impl in ("fast", "loop"):  # both implementations: the missing atom is found by some neuron
        ev["cases"]["missing_atom"][impl][2] = 2 * TOL
    assert verdict(r.id, ev) == "refuted"
    ev = evidence_of(r)
    for impl in ("fast", "loop"):
        ev["cases"]["missing_atom"][impl][2] = 0.5 * TOL
    assert verdict(r.id, ev) == "proved"

    for case, idx in (("W_eq_M_T", 2), ("perm_sign_scale", 0), ("with_extra_neurons", 1), ("random_perm_sign_scale", 0)):
        ev = evidence_of(r)
        for impl in ("fast", "loop"):
            ev["cases"][case][impl][idx] -= 2 * TOL
        assert verdict(r.id, ev) == "refuted", case
    ev = evidence_of(r)
    for impl in ("fast", "loop"):
        ev["cases"]["missing_atom"][impl][0] -= 2 * TOL  # the max over atoms is no longer 1
    assert verdict(r.id, ev) == "refuted"


# ----------------------------------------------------------------------------- pokle.thm1a
def test_thm1a_decisions(evidence_of):
    r = rec("pokle.thm1a")
    base = evidence_of(r)

    def with_(path, value):
        ev = evidence_of(r)
        node = ev
        for k in path[:-1]:
            node = node[k]
        node[path[-1]] = value
        return verdict(r.id, ev)

    d0 = next(iter(base["symbolic"]))
    assert with_(("symbolic", d0, "gap_identity"), False) == "inconclusive"  # SymPy could not confirm
    assert with_(("symbolic",), {}) == "inconclusive"  # no symbolic evidence at all
    assert with_(("enumerated", "max_abs_closed_form_error"), 0.5 * TOL) == "proved"
    assert with_(("enumerated", "max_abs_closed_form_error"), 2 * TOL) == "inconclusive"
    assert with_(("enumerated", "max_abs_gap_nonnegative"), 0.5 * TOL) == "proved"
    assert with_(("enumerated", "max_abs_gap_nonnegative"), 2 * TOL) == "inconclusive"
    assert with_(("enumerated", "min_gap_with_negative_entry"), TOL) == "inconclusive"
    assert with_(("enumerated", "min_gap_with_negative_entry"), 2 * TOL) == "proved"
    assert with_(("enumerated", "n_with_negative_entry"), 0) == "inconclusive"
    q = base["pgd"]["starts"] // 4
    assert with_(("pgd", "n_at_min"), q) == "proved"
    assert with_(("pgd", "n_at_min"), q - 1) == "inconclusive"  # too few PGD runs reached the minimum
    assert with_(("pgd", "max_negative_entry_at_min"), 0.999e-3) == "proved"
    assert with_(("pgd", "max_negative_entry_at_min"), 1e-3) == "inconclusive"
    assert with_(("pgd", "fraction_permutation_at_min"), 0.49) == "proved"
    assert with_(("pgd", "fraction_permutation_at_min"), 0.5) == "inconclusive"
    # both methods find a non-negative W above the minimum: a re-checked counterexample
    ev = evidence_of(r)
    ev["symbolic"][d0]["nonneg_is_minimum"] = False
    ev["enumerated"]["max_abs_gap_nonnegative"] = 0.1
    assert verdict(r.id, ev) == "refuted"
    ev["symbolic"][d0]["nonneg_is_minimum"] = True  # SymPy still says minimum: the methods disagree
    assert verdict(r.id, ev) == "inconclusive"


# ----------------------------------------------------------------------------- pokle.thm1b
def test_thm1b_decisions(evidence_of):
    r = rec("pokle.thm1b")
    base = evidence_of(r)
    out = r.decide(base)
    assert out.details["readings"] == {"distinct_latent": "proved", "iid_negatives": "corrected", "a16_literal": "proved",
                                       "cosine_S": "refuted"}
    bound = base["bound"]
    # A.16 read literally: proved only if nothing lies below L(I) and the best points are permutations (≤ 1e-6)
    reading = lambda e, k: r.decide(e).details["readings"][k]  # noqa: E731
    ev = evidence_of(r)
    ev["a16_literal"]["d3"]["best"] = ev["a16_literal"]["d3"]["loss_at_I"] - 2 * TOL
    assert reading(ev, "a16_literal") == "corrected" and verdict(r.id, ev) == "proved"  # reported, primary unchanged
    ev = evidence_of(r)
    ev["a16_literal"]["d2"]["best"] = ev["a16_literal"]["d2"]["loss_at_I"] - 0.5 * TOL  # round-off: still proved
    assert reading(ev, "a16_literal") == "proved"
    ev["a16_literal"]["d2"]["max_perm_distance_near_best"] = 1.1e-6
    assert reading(ev, "a16_literal") == "inconclusive"
    # cosine S: refuted only if the bound is attained far from a permutation and by W′, which the inner product misses
    for key, value in (("best", bound + 2 * TOL), ("max_perm_distance_near_best", 0.1), ("perm_distance_W_prime", 0.1),
                       ("cosine_loss_W_prime", bound + 2 * TOL), ("inner_product_loss_W_prime", bound),
                       ("W_prime_unit_columns", False), ("loss_at_I", bound - 2 * TOL)):
        ev = evidence_of(r)
        ev["cosine_S"][key] = value
        assert reading(ev, "cosine_S") == "inconclusive", key
        assert verdict(r.id, ev) == "proved"
    ev = evidence_of(r)
    ev["cosine_S"]["cosine_loss_W_prime"] = bound + 0.5 * TOL
    assert reading(ev, "cosine_S") == "refuted"

    ev = evidence_of(r)
    ev["distinct"]["symbolic"]["bound_identity"] = False
    assert verdict(r.id, ev) == "inconclusive"  # SymPy did not confirm the bound, brute force alone is not a proof
    ev["distinct"]["d2"]["best"] = bound - 2 * TOL  # and brute force finds W below it: refuted under the primary reading
    assert verdict(r.id, ev) == "refuted"
    ev = evidence_of(r)
    ev["distinct"]["d2"]["best"] = bound - 0.5 * TOL  # round-off below the bound is not a counterexample
    assert verdict(r.id, ev) == "proved"
    ev["distinct"]["d3"]["best"] = bound - 2 * TOL  # brute force contradicts SymPy: the methods disagree
    assert verdict(r.id, ev) == "inconclusive"
    ev = evidence_of(r)
    ev["distinct"]["finite_B"]["best"] = ev["distinct"]["finite_B"]["loss_at_I"] - 2 * TOL
    assert verdict(r.id, ev) == "inconclusive"
    ev = evidence_of(r)
    ev["distinct"]["d3"]["loss_at_I"] = bound + 2 * TOL
    assert verdict(r.id, ev) == "inconclusive"
    ev = evidence_of(r)
    ev["distinct"]["d3"]["max_perm_distance_near_best"] = 0.9e-6
    assert verdict(r.id, ev) == "proved"
    ev["distinct"]["d3"]["max_perm_distance_near_best"] = 1.1e-6  # a non-permutation at the minimum
    assert verdict(r.id, ev) == "inconclusive"
    ev = evidence_of(r)
    ev["distinct"]["finite_B"]["n_near_best"] = 0
    assert verdict(r.id, ev) == "inconclusive"

    # the other reading's counterexample must re-check, else the record's readings are not backed
    for key, value in (("finite_B1e5_LI_minus_LnegI", 0.0), ("limit_loss_minus_I", base["iid"]["counterexample"]["limit_loss_I"])):
        ev = evidence_of(r)
        ev["iid"]["counterexample"][key] = value
        assert verdict(r.id, ev) == "inconclusive", key
    ev = evidence_of(r)
    ev["iid"]["d2"]["best"] = ev["iid"]["d2"]["loss_at_I"]
    assert verdict(r.id, ev) == "inconclusive"
    ev = evidence_of(r)
    ev["iid"]["counterexample"]["limit_loss_W_gstar"] = ev["iid"]["counterexample"]["limit_loss_minus_I"]
    assert verdict(r.id, ev) == "inconclusive"
    ev = evidence_of(r)
    ev["iid"]["condition_holds"]["2"] = True  # the analytic condition would say permutations win: inconsistent
    assert verdict(r.id, ev) == "inconclusive"
    ev = evidence_of(r)
    ev["iid"]["symbolic"]["derivative_zero_at_g_star"] = False
    assert verdict(r.id, ev) == "inconclusive"
    # nothing beats the permutations under i.i.d. negatives either (e.g. τ small): that reading is proved too
    ev = evidence_of(r)
    ce = ev["iid"]["counterexample"]
    ce.update(limit_loss_minus_I=ce["limit_loss_I"] + 1, limit_loss_W_gstar=ce["limit_loss_I"] + 2, finite_B1e5_LI_minus_LnegI=-1.0)
    ev["iid"]["d2"]["best"] = ev["iid"]["d2"]["loss_at_I"]
    ev["iid"]["condition_holds"]["2"] = True
    out = r.decide(ev)
    assert out.verdict == "proved" and out.details["readings"]["iid_negatives"] == "proved"


# ----------------------------------------------------------------------------- pokle.thm2
def test_thm2_decisions(evidence_of):
    r = rec("pokle.thm2")

    def with_(mutate):
        ev = evidence_of(r)
        mutate(ev)
        return verdict(r.id, ev)

    assert with_(lambda e: e["trained"].update(relative_error_vs_printed=2e-6)) == "corrected"
    assert with_(lambda e: e["trained"].update(relative_error_vs_printed=0.5e-6)) == "inconclusive"  # GD vs SymPy disagree
    # the printed formula right by both methods: proved
    assert with_(lambda e: (e["coefficients"].update(C2_paper_as_printed=True),
                            e["trained"].update(relative_error_vs_printed=1e-12))) == "proved"
    assert with_(lambda e: e["coefficients"].update(C2_paper_as_printed=True)) == "inconclusive"
    assert with_(lambda e: e["coefficients"].update(C2_paper_shifted=False)) == "inconclusive"  # correction does not re-check
    # GD matches the derived coefficients at EVERY compared step (t = 1, 2, 5, 60): < 1e-10 each
    for t in ("1", "60"):
        assert with_(lambda e: e["trained"]["by_step"][t].update(relative_error_vs_formula=0.9e-10)) == "corrected"
        assert with_(lambda e: e["trained"]["by_step"][t].update(relative_error_vs_formula=1e-10)) == "inconclusive"

    def c1_shares(first, rest):  # the C₁W₀ᵒM term's weight at t = 1, and at every later step
        return lambda e: [s.update(C1_share=first if k == "1" else rest) for k, s in e["trained"]["by_step"].items()]
    assert with_(c1_shares(1e-4, 0.0)) == "corrected"        # one step where a wrong C₁ would show is enough
    assert with_(c1_shares(0.99e-4, 0.5e-4)) == "inconclusive"  # nowhere: GD could not see a wrong C₁
    assert with_(lambda e: e["trained"].update(span_residual=0.9e-10)) == "corrected"
    assert with_(lambda e: e["trained"].update(span_residual=1e-10)) == "inconclusive"
    assert with_(lambda e: e.update(C1_when_c_exceeds_lambda=0.0)) == "inconclusive"
    assert with_(lambda e: e.update(ranges_all_ok=False)) == "inconclusive"
    assert with_(lambda e: e.update(lr_matches_paper=False)) == "inconclusive"
    assert with_(lambda e: e["recursion"].update(online_recursion=False)) == "inconclusive"
    assert with_(lambda e: e["coefficients"].update(C1_product=False)) == "inconclusive"
    assert with_(lambda e: e["coefficients"].update(C2_half_difference=False)) == "inconclusive"
    assert with_(lambda e: e["pz"].update(pz_half_kappa_matches=False)) == "inconclusive"


# ----------------------------------------------------------------------------- pokle.thm3
def test_thm3_decisions(evidence_of):
    r = rec("pokle.thm3")
    ev = evidence_of(r)
    ev["runs"]["assumptions"]["final_dist"][0] = 0.99e-9
    assert verdict(r.id, ev) == "confirmed"
    ev["runs"]["assumptions"]["final_dist"][0] = 1e-9  # a run under the assumptions did not reach I
    assert verdict(r.id, ev) == "inconclusive"
    ev = evidence_of(r)
    ev["runs"]["bias_zero"]["final_dist"] = [0.0]  # outside the assumptions: reported, not decisive
    out = r.decide(ev)
    assert out.verdict == "confirmed" and out.details["converges_outside_assumptions"]["bias_zero"] is True


# ----------------------------------------------------------------------------- experiment-backed claims
def complete(ev, claim_key=None):
    """Evidence as if the source gave every setting and our run used it, converged and powered."""
    for k, v in ev["source_setting"].items():
        if v is None:
            ev["source_setting"][k] = ev["run_setting"][k]
    ev["run_setting"] = dict(ev["source_setting"])
    ev["checks"] = {k: True for k in ev["checks"]}
    for p in ev["power"]:
        p["mde"] = 0.5 * p["source_effect"]
    return ev


def test_setting_helpers():
    assert PE.setting_gaps({"a": None, "b": 0.025, "c": 512}, {"a": 1, "b": 0.025 * (1 + 1e-12), "c": 128}) == (["a"], ["c"])
    assert PE.setting_gaps({"b": 0.025}, {"b": 0.025 * (1 + 1e-8)}) == ([], ["b"])  # beyond float round-off: different
    assert PE.setting_gaps({"s": [0.1, 0.3]}, {"s": [0.1, 0.3]}) == ([], [])
    rows = [{"mde": 0.2, "source_effect": 0.2}, {"mde": 0.19, "source_effect": 0.2}, {"mde": math.inf, "source_effect": 0.2}]
    assert PE.underpowered(rows) == [rows[0], rows[2]]


def test_table1_decisions(evidence_of):
    r = rec("pokle.table1")
    ev = evidence_of(r)
    out = r.decide(ev)
    assert out.verdict == "underspecified" and out.details["missing"] == ["alpha", "tau"]
    # the source gives everything, but our run is not at its setting (quick: lr, batch, epochs, n differ)
    ev["source_setting"].update(alpha=ev["run_setting"]["alpha"], tau=ev["run_setting"]["tau"])
    out = r.decide(ev)
    assert out.verdict == "inconclusive" and "lr" in out.details["differs"]
    ev = complete(evidence_of(r))
    ev["checks"].update(simsiam_above_paper=True, simsiam_within_paper=False)
    assert verdict(r.id, ev) == "corrected"
    for key in ("simsiam_loss_flat", "simsiam_min_not_falling", "simclr_loss_flat"):
        ev2 = complete(evidence_of(r))
        ev2["checks"][key] = False  # not converged by the stated criterion
        assert verdict(r.id, ev2) == "inconclusive", key
    ev["power"][0]["mde"] = ev["power"][0]["source_effect"]  # cannot detect the claimed effect
    assert verdict(r.id, ev) == "inconclusive"
    ev["power"][0]["mde"] = math.inf  # one seed
    assert verdict(r.id, ev) == "inconclusive"
    ev["power"][0]["mde"] = 0.99 * ev["power"][0]["source_effect"]
    assert verdict(r.id, ev) == "corrected"
    ev["checks"].update(simsiam_above_paper=False, simsiam_within_paper=True)
    assert verdict(r.id, ev) == "confirmed"
    ev["checks"].update(simsiam_within_paper=False)
    assert verdict(r.id, ev) == "inconclusive"


def test_cl_vs_ncl_decisions(evidence_of):
    r = rec("pokle.cl-vs-ncl")
    ev = evidence_of(r)
    out = r.decide(ev)
    assert out.verdict == "underspecified" and out.details["missing"] == ["sparsities", "tau"]
    ev["source_setting"].update(tau=ev["run_setting"]["tau"], sparsities=ev["run_setting"]["sparsities"])
    assert verdict(r.id, ev) == "inconclusive"  # quick run, not the source's lr / batch / epochs
    ev = complete(evidence_of(r))
    assert verdict(r.id, ev) == "confirmed"
    ev["checks"]["cl_min_above_success"] = False
    assert verdict(r.id, ev) == "corrected"  # contrast only in the median
    ev["checks"]["cl_median_above_ncl"] = False
    assert verdict(r.id, ev) == "refuted"
    ev["checks"].update(cl_min_above_success=True, cl_median_above_ncl=True, ncl_below_success=False)
    assert verdict(r.id, ev) == "refuted"  # NCL recovers too
    ev = complete(evidence_of(r))
    ev["checks"]["losses_flat"] = False
    assert verdict(r.id, ev) == "inconclusive"
    ev = complete(evidence_of(r))
    ev["power"][-1]["mde"] = ev["power"][-1]["source_effect"]
    assert verdict(r.id, ev) == "inconclusive"


def _sweep(cl: dict, ncl: list, drift: float = 0.01) -> dict:
    """A τ sweep with the given CL minimum max-cosines per temperature (per seed) and NCL's."""
    runs = {t: {"min_final": list(v), "median_final": list(v), "loss_drift": drift} for t, v in cl.items()}
    return {"setting": {}, "cl": runs, "ncl": {"min_final": list(ncl), "median_final": list(ncl), "loss_drift": drift}}


def test_cl_vs_ncl_tau_sweep(evidence_of):
    # the unstated τ is shown to change the outcome: the paired change of CL's min max-cosine over the temperatures is
    # detectable (> its MDE) and at least the claimed CL − NCL contrast; otherwise τ's absence does not block a verdict
    r = rec("pokle.cl-vs-ncl")
    ev = evidence_of(r)
    out = r.decide(ev)
    te = out.details["tau_effect"]
    assert te["shown"] is True and te["change"] >= te["claimed"] > 0 and te["change"] > te["mde"]
    assert "τ changes the outcome" in out.reason
    claimed = min(p["source_effect"] for p in ev["power"])
    only_tau = lambda e: e["source_setting"].update(sparsities=e["run_setting"]["sparsities"]) or e  # noqa: E731
    e = only_tau(evidence_of(r))
    assert r.decide(e).verdict == "underspecified" and r.decide(e).details["missing"] == ["tau"]
    # a change just below the claimed contrast: τ does not matter enough, the run is judged on its setting (inconclusive)
    for frac, shown in ((0.99, False), (1.0, True)):
        e = only_tau(evidence_of(r))
        e["tau_sweep"] = _sweep({"0.1": [0.0, 0.0, 0.0], "1.0": [frac * claimed] * 3}, [0.4] * 3)  # exact differences
        assert PE.tau_effect(e["tau_sweep"], claimed)["shown"] is shown
        assert r.decide(e).verdict == ("underspecified" if shown else "inconclusive"), frac
    # large enough on average but not detectable with these seeds (paired spread): not shown
    e = only_tau(evidence_of(r))
    e["tau_sweep"] = _sweep({"0.1": [0.3, 0.3, 0.3], "1.0": [0.3, 0.6, 0.9]}, [0.4] * 3)
    assert PE.tau_effect(e["tau_sweep"], claimed)["shown"] is False and r.decide(e).verdict == "inconclusive"
    # a sweep that did not converge (loss drift > 0.1) or is absent cannot tell: inconclusive when τ is the only gap,
    # still underspecified when another setting is missing too
    for bad in (_sweep({"0.1": [0.3] * 3, "1.0": [0.6] * 3}, [0.4] * 3, drift=0.11), None):
        e = only_tau(evidence_of(r))
        e["tau_sweep"] = bad
        assert r.decide(e).verdict == "inconclusive"
        e = evidence_of(r)
        e["tau_sweep"] = bad
        assert r.decide(e).verdict == "underspecified"
    e = only_tau(evidence_of(r))
    e["tau_sweep"] = _sweep({"0.1": [0.3] * 3, "1.0": [0.6] * 3}, [0.4] * 3, drift=0.1)  # at the criterion: converged
    assert PE.tau_effect(e["tau_sweep"], claimed)["shown"] is True


def test_tau_sweep_schema_and_tiny_run(monkeypatch):
    # the sweep gather runs (tiny size: 16 steps, 64 samples, 2 seeds) and has the committed fixture's schema
    from sslverify.verdicts.evidence import jsonable, load_fixture, schema, schema_differences

    monkeypatch.setattr(PE, "TAU_SWEEP", dict(PE.TAU_SWEEP, steps=16, n=64, seeds=2, batch=32))
    sw = jsonable(PE.tau_sweep())
    assert set(sw["cl"]) == {"0.05", "0.2", "0.5", "1.0"} and len(sw["ncl"]["min_final"]) == 2
    assert all(0 <= v <= 1 for r in sw["cl"].values() for v in r["min_final"])  # eq. 12: a cosine
    fx = load_fixture("pokle.cl-vs-ncl")
    assert fx is not None and schema_differences(schema(fx["tau_sweep"]), schema(sw)) == []


def test_predictor_decisions(evidence_of):
    r = rec("pokle.predictor")
    ev = evidence_of(r)
    out = r.decide(ev)
    assert out.verdict == "underspecified" and out.details["missing"] == ["fig7_alpha", "warm_sparsity"]
    assert out.details["warm_start_min_maxcos"]["rows"]["c2"] > 0.95  # Fig. 7's c = 2 cannot start at 0.62 (rows)
    ev = complete(evidence_of(r))
    assert verdict(r.id, ev) == "confirmed"
    for key in ("fig4_warm_falls", "fig6_below_success", "fig7_rises"):
        ev2 = complete(evidence_of(r))
        ev2["checks"][key] = False
        assert verdict(r.id, ev2) == "corrected", key
    ev["checks"]["fig5_predictor_rises"] = False
    assert verdict(r.id, ev) == "refuted"
    ev = complete(evidence_of(r))
    ev["run_setting"]["warm_c"] = 2.0  # Figs. 4–6 run with the wrong warm-start scale
    assert verdict(r.id, ev) == "inconclusive"
    ev = complete(evidence_of(r))
    ev["checks"]["losses_flat"] = False
    assert verdict(r.id, ev) == "inconclusive"
    ev = complete(evidence_of(r))
    ev["power"][0]["mde"] = math.nan
    assert verdict(r.id, ev) == "inconclusive"
