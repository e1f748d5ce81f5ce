"""pokle.thm2 / pokle.thm3: training dynamics (§5.2.1)."""
from __future__ import annotations

import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from sslverify.verdicts.builtin import pokle as checks
from sslverify.theory.pokle import linear_dynamics as LD
from sslverify.theory.pokle import relu_dynamics as RD


def test_thm2_recursion_symbolic():
    # eq. 13 GD step (p = 3, d = 2, rational M): WᵒM ← λWᵒM + cWᵗM, c = 2ηα²(κ + σ₀²); E zzᵀ = κI; E D₂SD₁ = α²S
    assert all(LD.gd_step_recursion().values())


def test_thm2_coefficients():
    # Thm 2: C₁ = Π(λ − c_i); C₂ = ½[Π(λ+c) − Π(λ−c)]; the printed C₂ (Π from i = j) is wrong, from i = j+1 right
    co = LD.thm2_coefficients(3)
    assert co["C1_product"] and co["C2_half_difference"] and co["C2_paper_shifted"]
    assert not co["C2_paper_as_printed"]
    lam, c0 = sp.symbols("lambda c0", positive=True)
    assert sp.expand(LD.c2_paper((c0,), lam, 0) - c0 * (lam - c0)) == 0  # t = 1: printed c₀(λ − c₀)
    assert LD.coefficients_derived((c0,), lam) == (lam - c0, c0)  # derived: C₁ = λ − c₀, C₂ = c₀
    assert LD.learning_rate_condition()["matches_paper"]


@given(lam=st.floats(0.05, 0.99), fr=st.lists(st.floats(0.001, 0.999), min_size=1, max_size=20))
def test_thm2_ranges_property(lam, fr):
    # Thm 2 ranges: c_i ∈ (0, λ) ⇒ C₁ ∈ (0, 1), C₂ > 0
    C1, C2 = LD.coefficient_ranges([f * lam for f in fr], lam)
    assert 0 < C1 < 1 and C2 > 0


def test_thm2_trained_span():
    # autograd GD on eq. 13: W_tᵒM = C₁W₀ᵒM + C₂(W₀ᵒM + W₀ᵗM) to float64 precision (60 steps, rounding ~1e-15/step)
    t = checks.thm2_trained(steps=30)
    assert t["relative_error_vs_formula"] < 1e-10 and t["span_residual"] < 1e-10


def test_thm2_gd_rejects_printed_c2():
    # second method for the off-by-one (found symbolically): autograd gradient descent on eq. 13 itself. Its iterate
    # W_tᵒM equals C₁W₀ᵒM + C₂(W₀ᵒM + W₀ᵗM) with the corrected C₂ to float64 precision, and misses the printed C₂
    t = checks.thm2_trained(steps=30)
    assert t["relative_error_vs_formula"] < 1e-10  # float64 GD rounding ~1e-15 per step over 30 steps
    assert t["relative_error_vs_printed"] > 0.1  # the printed C₂ is off by a factor (λ − c)-like, not by rounding
    assert t["C2_printed"] < t["C2"]  # the extra factor (λ − c_j) < 1 shrinks every term
    # one step by hand, c₀ = 0.3, λ = 0.9: the printed formula gives c₀(λ − c₀) = 0.18, the derived C₂ is c₀ = 0.3
    assert abs(LD.c2_paper_numeric([0.3], 0.9, 0) - 0.18) < 1e-15 and LD.coefficient_ranges([0.3], 0.9)[1] == 0.3  # float64


def test_thm2_literal_penalty_reading():
    # eq. 13 read literally: decay factor λ_eff = 1 − η(1 − λ) (symbolic, gd_step_recursion); with η = 5 below the bound
    # η_max = λ/(2α²(κ + σ₀²)) = 10 (λ = ½, α = ½, κ = 0.1, σ₀ = 0) one step gives C₁,₁ = λ_eff − c = −1.5 − 0.25 < 0
    assert LD.gd_step_recursion()["literal_penalty_recursion_with_lambda_eff"]
    ex = LD.literal_penalty_example()
    assert ex["eta"] < ex["eta_max"] and ex["c"] < ex["lambda"]  # the theorem's condition holds
    assert abs(ex["C1_t1"] + 1.75) < 1e-12  # 1 − 5·0.5 − 2·5·0.25·0.1 in float64: a few roundings of 1e-16
    # p_z: κ/2 reproduces the derived c = 2ηα²(κ + σ₀²), κ does not
    assert LD.pz_readings() == {"pz_half_kappa_matches": True, "pz_kappa_matches": False}


def test_thm3_converges_under_assumptions():
    # Thm 3 (exact expectation, d = 3): warm start |Δ| < 1/(10d), b = ½ ⇒ Wᵒ, Wᵗ → I (float64 fixed point)
    r = RD.simulate("assumptions", d=3, K=2, outer=12)
    # the warm starts are drawn with |Δ| up to 0.99/(10d) = 0.033, so > 0.01 says the run did not start at I
    assert max(r["final_dist"]) < 1e-9 and min(r["initial_dist"]) > 0.01


def test_thm3_fails_without_bias():
    # b = 0 breaks Assumption 4 (SReLU = identity): W does not move towards I
    r = RD.simulate("bias_zero", d=3, K=2, outer=6)
    # b = 0: SReLU is the identity, the linear dynamics keep W near its start (Thm 2); a converging run would end at
    # ~1e-12, so keeping more than half the initial distance separates the two outcomes by orders of magnitude
    assert min(r["final_dist"]) > 0.5 * min(r["initial_dist"])
