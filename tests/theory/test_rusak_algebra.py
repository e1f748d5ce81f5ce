"""rusak.lemma2, rusak.lemma3, rusak.loss-at-zero, rusak.lemma6, rusak.eq15 (Rusak App. A, App. C)."""
from __future__ import annotations

import numpy as np
import sympy as sp
import torch
from hypothesis import find, given, settings, strategies as st

from sslverify.theory.rusak import algebra


def test_lemma2_symbolic():
    # App. A, eq. 3: A = PQ (rank ≤ 1) ⇒ every 2×2 minor of AB is the zero polynomial, and for B = RS alike
    r = algebra.lemma2_symbolic(3, 3, 3, 1)
    assert r["rank_AB_le_rank_A"] and r["rank_AB_le_rank_B"]
    r = algebra.lemma2_symbolic(2, 3, 2, 1)
    assert r["rank_AB_le_rank_A"] and r["rank_AB_le_rank_B"]


@given(ra=st.integers(0, 3), rb=st.integers(0, 3), seed=st.integers(0, 10_000))
def test_lemma2_property(ra, rb, seed):
    # App. A, eq. 3 on integer matrices of prescribed rank (exact rational ranks)
    rng = np.random.default_rng(seed)
    A = rng.integers(-2, 3, (3, ra)) @ rng.integers(-2, 3, (ra, 3)) if ra else np.zeros((3, 3), int)
    B = rng.integers(-2, 3, (3, rb)) @ rng.integers(-2, 3, (rb, 4)) if rb else np.zeros((3, 4), int)
    rank = algebra.exact_rank
    assert rank(A @ B) <= min(rank(A), rank(B))


def test_det_multiplicative():
    # App. A, lemma 3 rests on det(AB) = det A det B (symbolic 2×2, 3×3)
    assert algebra.det_multiplicative(2) and algebra.det_multiplicative(3)


def test_lemma3_counterexample_shrunk():
    # App. A, lemma 3 ("AB singular iff BOTH singular"): hypothesis finds and shrinks a counterexample
    mats = st.integers(1, 2).flatmap(lambda n: st.tuples(
        st.lists(st.lists(st.integers(-1, 1), min_size=n, max_size=n), min_size=n, max_size=n),
        st.lists(st.lists(st.integers(-1, 1), min_size=n, max_size=n), min_size=n, max_size=n)))
    A, B = find(mats, lambda ab: not algebra.lemma3_source_says(*ab), settings=settings(database=None, max_examples=500))
    assert len(A) == 1  # the minimal counterexample is 1×1
    assert not algebra.lemma3_source_says(A, B) and algebra.lemma3_corrected(A, B)
    ce = algebra.LEMMA3_COUNTEREXAMPLE
    assert not algebra.lemma3_source_says(ce["A"], ce["B"]) and algebra.lemma3_corrected(ce["A"], ce["B"])


@given(n=st.integers(1, 3), seed=st.integers(0, 10_000))
def test_lemma3_corrected_property(n, seed):
    # corrected lemma 3: AB singular ⇔ A or B singular (rank-deficient integer matrices included)
    rng = np.random.default_rng(seed)
    A = rng.integers(-1, 2, (n, n))
    B = rng.integers(-1, 2, (n, n))
    assert algebra.lemma3_corrected(A.tolist(), B.tolist())


def test_loss_at_zero():
    # App. C, L_CL0 = (M+1) M log(1+M) for the literal eq. 4 (symbolic M) and in torch for M = 1, 2, 5
    r = algebra.loss_at_zero()
    assert r["equal"]
    M = sp.Symbol("M", positive=True, integer=True)
    assert sp.simplify(r["per_anchor"] - sp.log(1 + M)) == 0
    for m in (1, 2, 5):
        z = torch.zeros(m + 1, 3, dtype=torch.float64)
        # logsumexp of m+1 zeros in float64: exact to a few ulp
        assert abs(float(algebra.eq4_literal_torch(z, z)) - (m + 1) * m * np.log(1 + m)) < 1e-12


def test_lemma6_counterexample():
    # App. C, lemma 6: M + 1 = 2 < d = 3 yet the eq. 4 gradient has rank 3 (full and detached negatives)
    for detach in (False, True):
        r = algebra.gradient_rank(**algebra.LEMMA6_COUNTEREXAMPLE, detach_negatives=detach)
        assert r["M"] + 1 < r["d"] and r["grad_rank"] == 3
        # the smallest singular value is O(0.1), 1e13 times float64 rounding: not a rounding artefact
        assert min(r["singular_values"]) > 0.1
        assert r["rank_cond_cov"] <= r["M"] + 1 and r["rank_marg_cov"] <= r["M"]


@given(M=st.integers(1, 3), extra=st.integers(0, 3), seed=st.integers(0, 10_000))
@settings(max_examples=10)
def test_lemma6_bound_property(M, extra, seed):
    # corrected lemma 6: rank ∂L/∂W ≤ min(d, 2M + 1), attained for Gaussian data
    d = 2 * M + 1 + extra
    rng = np.random.default_rng(seed)
    r = algebra.gradient_rank(rng.standard_normal((M + 1, d)), rng.standard_normal((M + 1, d)))
    assert r["grad_rank"] == min(d, 2 * M + 1)


def test_eq15_symbolic():
    # App. C, eq. 15 as a congruence with symbolic A = W_GT⁻¹
    assert algebra.eq15_symbolic(3, 1) and algebra.eq15_symbolic(2, 1)


def test_eq15_box_monte_carlo():
    # eq. 15 on the truncated-Gaussian box DGP: exact with the truncated E(z−z~)², biased with the nominal σ_s²
    r = algebra.eq15_box_monte_carlo(n=100_000)
    # 1e5 samples: sample covariances have ~1/sqrt(n) ≈ 3e-3 relative error; 1e-2 ≈ 3 such errors
    assert r["rel_err_effective"] < 1e-2
    assert r["sigma_eff2_style"] < r["sigma_s2_nominal"]
    assert r["min_eig_Sx_minus_Sxt"] > 0  # Σ_x − Σ_x~ is PD (Assum. 4), Σ_x~ − Σ_x is ND


def test_lemma2_brute_force_exact():
    # lemma 2 by a second method: 300 random low-rank integer pairs, fraction-exact ranks, no violation
    r = algebra.lemma2_brute_force(300, seed=0)
    assert r["pairs"] == 300 and r["violation"] is None
    # the exact rank routine itself: a known rank-1 product and a singular 3×3
    assert algebra.exact_rank_int([[1, 2], [2, 4]]) == 1
    assert algebra.exact_rank_int([[1, 2, 3], [4, 5, 6], [7, 8, 9]]) == 2


def test_lemma3_enumeration():
    # lemma 3 by exhaustive exact enumeration (n ≤ 2, entries in {−1, 0, 1}): 'both' fails, 'either' never does
    r = algebra.lemma3_enumeration()
    assert r["pairs"] == 3**2 + 3**8 == 6570
    assert r["corrected_fails"] == 0 and r["literal_fails"] == 3172
    A, B = r["first_literal_counterexample"]["A"], r["first_literal_counterexample"]["B"]
    assert algebra.det_int((np.array(A) @ np.array(B)).tolist()) == 0 and (algebra.det_int(A) != 0 or algebra.det_int(B) != 0)


def test_lemma6_exact_determinant():
    # lemma 6's counterexample by a second method: SymPy differentiates eq. 4 at W = I, exact exponentials;
    # det = −e(1 + 5e^{1/2} + 3e^{3/2} + 7e)/(4(…)) ≠ 0, so the rank is 3 > M + 1 = 2
    r = algebra.lemma6_exact_gradient_det()
    assert r["d"] == 3 and r["M"] == 1
    # 50-digit evaluation of a closed form; the autograd singular values (0.8993, 0.7769, 0.5) multiply to 0.34934:
    # 1e-4 is the 4-digit rounding of that product
    assert abs(r["det_50_digits"] + 0.34934) < 1e-4
    sv = algebra.gradient_rank(**algebra.LEMMA6_COUNTEREXAMPLE)["singular_values"]
    assert abs(float(np.prod(sv)) - r["abs_det"]) < 1e-12  # |det| = product of singular values, float64 round-off
