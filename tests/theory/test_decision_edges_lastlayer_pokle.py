"""Decisions and helpers of verdicts/builtin/lastlayer.py and pokle.py at boundaries today's evidence misses.

Surviving mutants of a mutation run (benchmarks/mutation.py) showed which conditions no test decided: a conjunct
whose failure the recorded evidence never shows, a comparison at its threshold, a reading reported in the details
of an inconclusive outcome, a ``.get()`` default, an argument passed through.  Each test below builds evidence (from
the reviewed snapshot of the claim, tests/theory/snapshots/<id>.json) that sits on one side of such a boundary and
states what the decision must say there, derived from the claim's statement, not from the code.
"""
from __future__ import annotations

import copy
import json
import math
from pathlib import Path

from sslverify.verdicts.builtin import lastlayer as ll
from sslverify.verdicts.builtin import pokle as pk
from sslverify.verdicts.record import Source
from sslverify.verdicts.registry import builtin_claims

CLAIMS = builtin_claims()
SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"


def snap_ev(cid: str) -> dict:
    """The reviewed quick-size evidence of a claim (a fresh copy)."""
    return copy.deepcopy(json.loads((SNAPSHOTS / f"{cid}.json").read_text(encoding="utf-8"))["evidence"])


def decide(cid: str, ev: dict):
    return CLAIMS[cid].decide(ev)


# ============================================================================= lastlayer: record helper
def test_lastlayer_sources_name_the_seed_file_section_and_equation():
    # every lastlayer record cites the 003 seed file with a section and an equation; _src builds exactly that
    assert ll._src("§3.4", "eq. 3") == Source(ll.F, "§3.4", "eq. 3")
    assert ll._src("§3.5") == Source(ll.F, "§3.5", "")
    for c in CLAIMS.values():
        if c.id.startswith("lastlayer."):
            assert c.source.file == ll.F and c.source.section and c.source.equation, c.id
            assert ll._src(c.source.section, c.source.equation) == c.source


# ============================================================================= lastlayer.prop1
P1 = "lastlayer.prop1"


def test_prop1_zero_row_is_no_counterexample():
    # a zero row (‖Wⁱ‖² = 0) with var 0 is what Prop 1 says, not a counterexample; a positive norm below 1 is one
    ev = snap_ev(P1)
    zero = dict(ev, singular=dict(ev["singular"], norm2=0), torch=dict(ev["torch"], norm2_W0=0.0))
    out = decide(P1, zero)  # the weak-case counterexample still stands
    assert out.verdict == "corrected" and out.details["strong_case_fails_for_singular_input"] is False
    # one method alone seeing a zero row: the two re-checks disagree
    assert decide(P1, dict(ev, singular=dict(ev["singular"], norm2=0))).verdict == "inconclusive"
    assert decide(P1, dict(ev, torch=dict(ev["torch"], norm2_W0=0.0))).verdict == "inconclusive"
    small = dict(ev, singular=dict(ev["singular"], norm2=0.5), torch=dict(ev["torch"], norm2_W0=0.5))
    out = decide(P1, small)
    assert out.verdict == "corrected" and out.details["strong_case_fails_for_singular_input"] is True


def test_prop1_readings_follow_their_own_counterexamples():
    ev = snap_ev(P1)
    no_weak = dict(ev, weak=dict(ev["weak"], norm2=ev["weak"]["source_bound"] * 0.5))  # source bound holds
    out = decide(P1, no_weak)  # singular-input counterexample only: the non-constant reading fails, Σ_x ≻ 0 holds
    assert out.verdict == "corrected"
    assert out.details["readings"] == {"non_constant_x": "corrected", "positive_definite": "proved"}
    # neither counterexample: both readings are reported as proved by the (inconclusive) decision
    neither = dict(no_weak, singular=dict(ev["singular"], variance=1), torch=dict(ev["torch"], var_h0=0.5))
    out = decide(P1, neither)
    assert out.verdict == "inconclusive"
    assert out.details["readings"] == {"non_constant_x": "proved", "positive_definite": "proved"}


# ============================================================================= lastlayer.eq3
E3 = "lastlayer.eq3"


def test_eq3_inner_product_reading_needs_one_counterexample_either_way():
    ev = snap_ev(E3)
    # Cov = 0 with Wⁱ·Wʲ = 3 ≠ 0 alone refutes 'Cov small ⇒ Wⁱ·Wʲ small'
    only_first = dict(ev, dot_zero_cov_nonzero=[0, 0])
    assert decide(E3, only_first).details["readings"]["inner_product"] == "corrected"
    # Wⁱ·Wʲ = 0 with Cov = −3 ≠ 0 alone refutes the converse
    only_second = dict(ev, cov_zero_dot_nonzero=[0, 0])
    assert decide(E3, only_second).details["readings"]["inner_product"] == "corrected"
    # a pair with Cov = 1 (not 0) is no counterexample to either direction
    assert decide(E3, dict(ev, cov_zero_dot_nonzero=[1, 3], dot_zero_cov_nonzero=[1, 3])
                  ).details["readings"]["inner_product"] == "proved"
    assert decide(E3, dict(ev, cov_zero_dot_nonzero=[1, 1], dot_zero_cov_nonzero=[1, 1])
                  ).details["readings"]["inner_product"] == "proved"


def test_eq3_outer_reading_reported_when_its_counterexample_fails():
    ev = snap_ev(E3)
    out = decide(E3, dict(ev, identity_orthogonal_rows=[1, 1]))
    assert out.verdict == "inconclusive" and out.details["readings"]["outer_product"] == "proved"


# ============================================================================= lastlayer.prop2
P2 = "lastlayer.prop2"


def test_prop2_each_symbolic_condition_of_the_counterexample_is_needed():
    # the counterexample needs var 0, a nonzero last row, no zero row before, Wⁱ in null(Σ_l) and rank Σ_l < 2;
    # with any one of them failing symbolically (while float64 still cancels) the two re-checks disagree
    ev = snap_ev(P2)
    assert decide(P2, ev).verdict == "corrected"
    for change in (dict(collapse_var=1), dict(collapse_last_row_norm2=0), dict(collapse_prev_row_norms2=[1, 0]),
                   dict(collapse_null_condition=False), dict(collapse_input_rank=2)):
        assert decide(P2, dict(ev, **change)).verdict == "inconclusive", change
    # a last row of squared norm 1/2 is nonzero: still a counterexample
    assert decide(P2, dict(ev, collapse_last_row_norm2=0.5, torch=dict(ev["torch"], row_norm2_last=0.5))
                  ).verdict == "corrected"


def test_prop2_each_float64_condition_of_the_counterexample_is_needed():
    ev = snap_ev(P2)
    for change in (dict(row_norms_prev=[1.0, 0.0]), dict(row_norm2_last=0.0)):
        assert decide(P2, dict(ev, torch=dict(ev["torch"], **change))).verdict == "inconclusive", change


# ============================================================================= lastlayer.eq7a
E7A = "lastlayer.eq7a"


def test_eq7a_readings_when_not_proved():
    ev = snap_ev(E7A)
    # symbolic zero block confirmed, one generated rank off: not proved, and the reading says so
    rows = [dict(r, rank_C=r["rank_C"] - 1) if i == 0 else r for i, r in enumerate(ev["generated"])]
    out = decide(E7A, dict(ev, generated=rows))
    assert out.verdict == "inconclusive" and out.details["readings"]["centred"] == "undecided"
    # refuted (symbolic block not zero, generated ranks above d₀): the details still carry the readings
    big = [dict(r, rank_C=ev["d0"] + 1) for r in ev["generated"]]
    out = decide(E7A, dict(ev, generated=big, centred_static_block_zero=False))
    assert out.verdict == "refuted" and out.details["readings"]["centred"] == "undecided"
    assert out.details["generated"] == big


# ============================================================================= lastlayer.eq7b
E7B = "lastlayer.eq7b"


def test_eq7b_symbolic_rank_equal_to_dr_is_no_counterexample():
    ev = snap_ev(E7B)
    ce = ev["symbolic_rank_one_input"]
    # rank C = d_r satisfies the lower bound: SymPy then disagrees with the numeric failure
    assert decide(E7B, dict(ev, symbolic_rank_one_input=dict(ce, rank_C_generic=ce["d_r"]))).verdict == "inconclusive"


def test_eq7b_readings_of_the_untested_lower_bound_and_fresh_noise_at_dr():
    ev = snap_ev(E7B)
    rich = dict(ev, input_ranks=[4, 5, 6], ranks=dict(ev["ranks"], frozen_weights=[4, 5, 6]),
                symbolic_rank_one_input=dict(ev["symbolic_rank_one_input"], all_2x2_minors_zero=False))
    out = decide(E7B, rich)
    assert out.verdict == "inconclusive" and out.details["readings"]["frozen_weights"] == "proved"
    # fresh noise: d_r ≤ rank C ≤ d₀ + d_r; rank exactly d_r is within the claim
    at_dr = dict(ev, ranks=dict(ev["ranks"], fresh_noise=[ev["dr"], ev["dr"] + 1, ev["d0"] + ev["dr"]]))
    assert decide(E7B, at_dr).details["readings"]["fresh_noise"] == "proved"


# ============================================================================= lastlayer.eq9
E9 = "lastlayer.eq9"


def test_eq9_thresholds_are_strict():
    ev = snap_ev(E9)
    assert decide(E9, ev).verdict == "corrected"
    # an eq. 9 autograd error exactly at the tolerance does not confirm the formula: the methods disagree
    assert decide(E9, dict(ev, autograd_eq9_max_err=ll.EQ9_TOL)).verdict == "inconclusive"
    # k changing the dot loss or its gradients by exactly the tolerance counts as "k matters": SymPy disagrees
    assert decide(E9, dict(ev, dot_param_grad_diff=ll.EQ9_TOL)).verdict == "inconclusive"
    assert decide(E9, dict(ev, dot_loss_k0_k1=[0.0, ll.EQ9_TOL])).verdict == "inconclusive"  # |Δ| = TOL exactly


def test_eq9_cosine_dependence_is_a_difference_of_losses():
    ev = snap_ev(E9)
    right = dict(ev, autograd_eq8_cosine_max_err=ll.EQ9_REAL)  # eq. 8 matches the cosine gradient
    assert decide(E9, right).details["readings"]["cosine"] == "proved"
    # equal cosine losses at k = 0 and k = 1 (their sum is far from 0): k does not matter for the loss
    same = dict(right, cosine_loss_k0_k1=[1.0, 1.0])
    assert decide(E9, same).details["cosine_depends_on_k"] is False
    # a loss change of exactly EQ9_REAL is not above the threshold
    at = dict(right, cosine_loss_k0_k1=[1.0, 1.0 + 2 * ll.EQ9_REAL])
    assert decide(E9, at).details["cosine_depends_on_k"] is True
    at = dict(right, cosine_loss_k0_k1=[0.0, ll.EQ9_REAL])  # difference exactly EQ9_REAL in float64
    assert decide(E9, at).details["cosine_depends_on_k"] is False


def test_eq9_refutation_keeps_its_evidence():
    ev = snap_ev(E9)
    out = decide(E9, dict(ev, symbolic_eq8=False, autograd_eq8_max_err=1.0))
    assert out.verdict == "refuted" and out.details["autograd_eq8_max_err"] == 1.0


# ============================================================================= lastlayer.prop3
P3 = "lastlayer.prop3"


def test_prop3_agreeing_completions_keep_their_details():
    ev = snap_ev(P3)
    out = decide(P3, dict(ev, A_independent_of_w=False))
    assert out.verdict == "confirmed"
    assert out.details["readings"] == {"deterministic": "confirmed", "additive_noise": "confirmed"}


# ============================================================================= lastlayer.reg
def _res(converged=True, **extra):
    res = {"checks": [{"key": k, "passed": True} for k in ll.REG_CHECKS],
           "settings": {n: {"delta_level": [0.1, 0.2], "mean_delta_srank": 0.5} for n in ll.REG_SETTINGS},
           "design": {"seeds": 2, "steps": 10},
           "convergence": {"converged": converged, "plateau_by_config": [0.01] * 4}}
    res.update(extra)
    return res


def test_reg_extract_defaults_and_convergence():
    # a check without a detail has an empty detail; a result without timing took 0 s (no time is invented)
    ev = ll.reg_extract(_res())
    assert ev["check_details"] == {k: "" for k in ll.REG_CHECKS}
    assert ev["seconds"] == 0.0
    assert ev["converged"] is True and ll.reg_extract(_res(converged=False))["converged"] is False
    assert ll.reg_extract(_res(seconds=12.5))["seconds"] == 12.5


def test_reg_evidence_passes_quick_and_out_dir_to_the_experiment(monkeypatch, tmp_path):
    import sslverify.experiments as ex

    calls = []

    def fake(name, quick, out_dir):
        calls.append((name, quick, out_dir))
        return _res()

    monkeypatch.setattr(ex, "run_experiment", fake)
    assert ll.reg_evidence(True, tmp_path)["converged"] is True
    assert ll.reg_evidence(False, tmp_path)["seeds"] == 2
    assert calls == [("lastlayer_reg", True, tmp_path), ("lastlayer_reg", False, tmp_path)]


def test_reg_classify_upper_bound_zero_is_no_drop():
    # upper bound exactly 0: the mean lift is not shown negative; below the target with power: absent
    assert ll.reg_classify({"lower": -0.1, "upper": 0.0, "mde": 0.1}, 0.17) == "absent"


def _reg_ev(no_proj: dict, proj: dict, converged: bool = True) -> dict:
    return {"checks": {k: True for k in ll.REG_CHECKS}, "check_details": {k: "" for k in ll.REG_CHECKS},
            "settings": {"no_projector": {"delta_level": no_proj, "mean_delta_srank": 0.0},
                         "projector": {"delta_level": proj, "mean_delta_srank": 0.0}},
            "converged": converged, "loss_plateau": [0.01 if converged else 0.04] * 4,
            "seeds": len(no_proj), "steps": 1, "seconds": 0.0}


def _alternating(mean: float, a: float, n: int = 60) -> list[float]:
    return [mean + (a if i % 2 == 0 else -a) for i in range(n)]


def test_reg_fig6_reading():
    lift, absent = _alternating(0.3, 0.3), _alternating(0.0, 0.3)  # t ≈ 7.7 (lift); bounds ±0.10, MDE ≈ 0.11
    undecided = _alternating(0.0, 3.0)  # sd 3: MDE ≈ 1.1 dex > 0.17, bounds ±1.0
    fig6 = lambda e: decide("lastlayer.reg", e).details["readings"]["fig6_no_projector_only"]  # noqa: E731
    assert fig6(_reg_ev(lift, absent)) == "confirmed"
    assert fig6(_reg_ev(absent, lift)) == "refuted"  # converged run, no lift without a projector
    assert fig6(_reg_ev(absent, lift, converged=False)) == "inconclusive"  # still falling: not evidence against
    assert fig6(_reg_ev(undecided, lift)) == "inconclusive"
    assert fig6(_reg_ev(undecided, lift, converged=False)) == "inconclusive"


# ============================================================================= pokle.maxcos
MC = "pokle.maxcos"


def _maxcos_with_missing_min(value: float) -> dict:
    ev = snap_ev(MC)
    c = ev["cases"]["missing_atom"]
    c["fast"][2] = c["loop"][2] = value
    return ev


def test_maxcos_missing_atom_tolerance_is_inclusive():
    # the uncovered atom's best |cos| is 0 up to EXACT_TOL: exactly EXACT_TOL still counts as 0, twice it does not
    assert decide(MC, _maxcos_with_missing_min(pk.EXACT_TOL)).verdict == "proved"
    out = decide(MC, _maxcos_with_missing_min(2 * pk.EXACT_TOL))
    assert out.verdict == "refuted"
    # the refutation names which property failed and keeps the cases it was read from
    assert out.details["properties"] == {"atoms_as_neurons_give_1": True, "invariant_perm_sign_scale": True,
                                         "extra_neurons_keep_1": True, "missing_atom_min_0": False}
    assert out.details["cases"]["missing_atom"]["loop"][2] == 2 * pk.EXACT_TOL


# ============================================================================= pokle.thm1a
T1A = "pokle.thm1a"


def test_thm1a_enumeration_tolerances_are_inclusive():
    ev = snap_ev(T1A)
    e = ev["enumerated"]
    assert decide(T1A, ev).verdict == "proved"
    # closed-form error and the gap of a non-negative W exactly at EXACT_TOL: still exact (≤)
    assert decide(T1A, dict(ev, enumerated=dict(e, max_abs_closed_form_error=pk.EXACT_TOL))).verdict == "proved"
    assert decide(T1A, dict(ev, enumerated=dict(e, max_abs_gap_nonnegative=pk.EXACT_TOL))).verdict == "proved"
    # a single W with a negative entry (strictly worse) is enough to show the minimum needs W ≥ 0
    assert decide(T1A, dict(ev, enumerated=dict(e, n_with_negative_entry=1))).verdict == "proved"
    assert decide(T1A, dict(ev, enumerated=dict(e, n_with_negative_entry=0))).verdict == "inconclusive"


def test_thm1a_pgd_needs_a_quarter_of_the_starts_rounded_down():
    ev = snap_ev(T1A)
    p = ev["pgd"]
    # 66 starts: a quarter is 16.5; the rule counts ⌊66/4⌋ = 16 minima as enough, 15 as too few
    assert decide(T1A, dict(ev, pgd=dict(p, starts=66, n_at_min=16))).verdict == "proved"
    assert decide(T1A, dict(ev, pgd=dict(p, starts=66, n_at_min=15))).verdict == "inconclusive"


def test_thm1a_refutation_needs_a_gap_above_tolerance_and_keeps_details():
    ev = snap_ev(T1A)
    e = ev["enumerated"]
    bad_sym = {d: dict(s, nonneg_is_minimum=False) for d, s in ev["symbolic"].items()}
    # enumeration not exact (closed-form error 1) and the gap of non-negative W exactly at tolerance: no refutation
    at = dict(ev, symbolic=bad_sym,
              enumerated=dict(e, max_abs_closed_form_error=1.0, max_abs_gap_nonnegative=pk.EXACT_TOL))
    assert decide(T1A, at).verdict == "inconclusive"
    above = dict(at, enumerated=dict(at["enumerated"], max_abs_gap_nonnegative=0.1))
    out = decide(T1A, above)
    assert out.verdict == "refuted" and out.details["symbolic_ok"] is False and out.details["enumeration_ok"] is False


# ============================================================================= pokle.thm2
T2 = "pokle.thm2"


def test_thm2_printed_c2_threshold_and_proved_details():
    ev = snap_ev(T2)
    tr = ev["trained"]
    assert decide(T2, ev).verdict == "corrected"
    # GD missing the printed C₂ by exactly 1e-6 is not "wrong": SymPy (printed C₂ wrong) and GD then disagree
    assert decide(T2, dict(ev, trained=dict(tr, relative_error_vs_printed=1e-6))).verdict == "inconclusive"
    # both methods agreeing that the printed C₂ is right: proved, with the evidence it was read from
    right = dict(ev, coefficients=dict(ev["coefficients"], C2_paper_as_printed=True),
                 trained=dict(tr, relative_error_vs_printed=1e-12))
    out = decide(T2, right)
    assert out.verdict == "proved" and out.details["symbolic_ok"] is True and out.details["trained"] == right["trained"]


# ============================================================================= lastlayer.prop2 gather, full size
def test_prop2_full_size_evidence_checks_the_identity_too():
    # the default-size run adds the (3, 2) two-layer identity; it holds for every size, so the full-size evidence
    # must equal the quick one (and not, e.g., skip or fail the extra check)
    full = ll.prop2_evidence(quick=False)
    assert full["identity"] is True
    assert full == ll.prop2_evidence(quick=True)


# ============================================================================= pokle numeric helpers (small sizes)
def test_thm1b_numeric_loss_at_identity_is_the_closed_form():
    # A.17 at G = I: row i has logits (0, …, τb_i, …, 0), so its term is log(d − 1 + e^{τb_i}) − τb_i, and with
    # b_i ~ Bernoulli(α): L(I) = αd[α(log(d − 1 + e^τ) − τ) + (1 − α) log d] + (1 − α) d log d (by hand).
    # Defaults d = 3, τ = 1, α = ½ (the record's setting); few starts/steps keep it fast.
    n = pk.thm1b_numeric(starts=4, steps=20)
    d, tau, a = 3, 1.0, 0.5
    li = a * d * (a * (math.log(d - 1 + math.exp(tau)) - tau) + (1 - a) * math.log(d)) + (1 - a) * d * math.log(d)
    assert abs(n["loss_at_I"] - li) < 1e-12  # float64 logsumexp over 8 masks: round-off ~1e-15
    assert set(n) == {"loss_at_I", "best_found", "n_at_min", "starts", "all_minimisers_permutations", "any_below_I"}
    assert n["starts"] == 4 and 0 <= n["n_at_min"] <= 4
    assert n["best_found"] >= li - 1e-9 and not n["any_below_I"]  # I minimises A.17 (Thm 1(b)); 1e-9 = the rule's


def test_thm1a_numeric_stuck_gaps_are_dead_columns():
    # L = 2 − (2α²/d)ΣReLU(W)² on unit columns: a start stuck with k dead columns (no positive entry, zero gradient)
    # and the others non-negative has gap (2α²/d)·k.  Default α = ½, d = 2: gaps 0.25 (k = 1) and 0.5 (k = 2).
    a, d = 0.5, 2
    n = pk.thm1a_numeric(d=d, starts=8, steps=50)
    assert n["n_at_min"] < 8 and n["stuck_gaps"], "this seed has stuck starts"
    for g in n["stuck_gaps"]:
        assert min(abs(g - 2 * a * a * k / d) for k in range(1, d + 1)) <= 5e-5, g  # reported to 4 decimals
    assert n["n_at_min"] > 0 and n["max_negative_entry_at_min"] < 1e-3  # PGD stopping rule (gap < 1e-6)
    assert 0 <= n["fraction_permutation_at_min"] <= 1 and 0 < n["min_maxcos_min_at_min"] <= 1 + 1e-12


def test_thm1a_numeric_without_minima_reports_nan():
    # no PGD step from random starts: no start reaches the minimum, and the statistics over minimisers are undefined
    n = pk.thm1a_numeric(d=2, starts=2, steps=0)
    assert n["n_at_min"] == 0 and n["stuck_gaps"]
    for k in ("max_negative_entry_at_min", "fraction_permutation_at_min", "min_maxcos_min_at_min"):
        assert math.isnan(n[k]), k


def test_thm2_trained_formula_sees_the_c1_term():
    # after 60 steps C₁ = Π(λ − c_i) ≈ 1e-27, so the A₀ term of A_t = C₁A₀ + C₂(A₀ + B₀) is invisible; after 3 steps
    # it is not, and the derived formula must still match GD to round-off (float64, 3 steps: ~1e-15)
    t = pk.thm2_trained(steps=3)
    assert t["C1"] > 1e-3
    assert t["relative_error_vs_formula"] < 1e-10 and t["span_residual"] < 1e-10
