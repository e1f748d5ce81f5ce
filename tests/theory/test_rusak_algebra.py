"""rusak.lemma2, rusak.lemma3, rusak.loss-at-zero, rusak.lemma6, rusak.eq15 (Rusak App. A, App. C)."""
from __future__ import annotations

import itertools

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


def test_lemma6_headline_conditioning():
    """Lemma 6's headline ('increasing M ... leading to better conditioned (higher-rank) gradients') in the source's
    setting of informative positive pairs (Assum. 4: x~ = x + 0.3·noise), d = 6, W = I, 15 draws per M: the gradient
    is full rank for M ≥ 3 (2M + 1 ≥ d) and the median condition number σ_max/σ_min falls by more than 2× at each step
    M = 3 → 10 → 50 (over 12 seeds the medians were 316–1330, 9–25 and 1.7–1.9: every step ≥ 4.8×, so 2× is far
    outside the spread of a 15-draw median; with x~ independent of x the fall is not monotone, hence the setting)."""
    rng = np.random.default_rng(6)
    med = []
    for M in (3, 10, 50):
        conds = []
        for _ in range(15):
            x = rng.standard_normal((M + 1, 6))
            r = algebra.gradient_rank(x, x + 0.3 * rng.standard_normal(x.shape))
            assert r["grad_rank"] == 6
            conds.append(max(r["singular_values"]) / min(r["singular_values"]))
        med.append(float(np.median(conds)))
    assert med[0] > 2 * med[1] and med[1] > 2 * med[2], med


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


# ----------------------------------------------------------------------------- mutation-hardening (issue 13)
import pytest  # noqa: E402


def test_minors_vanish_exact_cases():
    """k×k minors: a rank-1 2×2 has a zero 2-minor, an invertible one does not; k larger than the matrix means
    'no k-minor exists' (vacuously rank < k); a 1×1 zero has a vanishing 1-minor, a 1×2 with k = 1 does not."""
    assert algebra.minors_vanish(sp.Matrix([[1, 2], [2, 4]]), 2)
    assert not algebra.minors_vanish(sp.Matrix([[1, 2], [3, 4]]), 2)
    assert algebra.minors_vanish(sp.Matrix([[1, 2, 3]]), 2)
    assert algebra.minors_vanish(sp.Matrix([[0]]), 1)
    assert not algebra.minors_vanish(sp.Matrix([[0, 5]]), 1)


def test_lemma2_symbolic_default_is_the_3x3_rank1_case():
    """App. A, eq. 3: the recorded check is the 3×3·3×3 product with rank-1 factors (r = 1)."""
    r = algebra.lemma2_symbolic()
    assert r["sizes"] == [3, 3, 3] and r["r"] == 1 and r["rank_AB_le_rank_A"] and r["rank_AB_le_rank_B"]


def test_lemma3_zero_product_reading():
    """Lemma 3 read for a zero product (App. C's use): by exact enumeration of all pairs of n×n matrices, n ≤ 2,
    entries in {−1, 0, 1}, AB = 0 only if both factors are singular or one is 0 (never with an invertible factor and a
    nonzero other: A invertible ⇒ B = A⁻¹·0 = 0), while 'both singular ⇒ AB = 0' fails, e.g. A = B = diag(1, 0)."""
    only_if_fails, if_fails, zero_products = 0, 0, 0
    for n in (1, 2):
        mats = [np.array(v).reshape(n, n) for v in itertools.product((-1, 0, 1), repeat=n * n)]
        sing = [algebra.det_int(m.tolist()) == 0 for m in mats]
        for A, sA in zip(mats, sing):
            for B, sB in zip(mats, sing):
                zero = not (A @ B).any()
                zero_products += zero
                only_if_fails += zero and not ((sA and sB) or not A.any() or not B.any())
                if_fails += (sA and sB) and not zero
    assert only_if_fails == 0
    assert if_fails > 0 and zero_products > 0  # the 'if' direction really fails; AB = 0 really occurs
    D = np.diag([1, 0])
    assert (D @ D).any() and algebra.det_int(D.tolist()) == 0


def test_lemma3_source_statement_truth_table():
    """Lemma 3 as written ('AB singular ⇔ A and B singular') on 1×1 cases: holds for (0, 0), (1, 1), (2, 3), fails
    for (0, 1) and (1, 0) (AB = 0 singular, only one factor singular)."""
    says = algebra.lemma3_source_says
    assert says([[0]], [[0]]) and says([[1]], [[1]]) and says([[2]], [[3]])
    assert not says([[0]], [[1]]) and not says([[1]], [[0]])
    assert not says([[0]], [[2]]) and not says([[2]], [[0]])


def test_loss_at_zero_keys():
    """App. C: the literal double sum and the claimed (M+1) M log(1+M) are both reported (symbolic M)."""
    r = algebra.loss_at_zero()
    M = sp.Symbol("M", positive=True, integer=True)
    assert sp.simplify(r["literal_eq4"] - (M + 1) * M * sp.log(1 + M)) == 0
    assert sp.simplify(r["claimed"] - (M + 1) * M * sp.log(1 + M)) == 0
    assert sp.simplify(r["single_sum"] - (M + 1) * sp.log(1 + M)) == 0


def _eq4_numpy(z, zt):
    """Eq. 4 (τ = 1) by plain loops: Σ_i Σ_{j≠i} −log(e^{−‖z_i−z~_i‖²/2} / (e^{−‖z_i−z~_i‖²/2} + Σ_{k≠i} e^{−‖z_i−z_k‖²/2}))."""
    n, total = len(z), 0.0
    for i in range(n):
        p = np.exp(-np.sum((z[i] - zt[i]) ** 2) / 2)
        q = sum(np.exp(-np.sum((z[i] - z[k]) ** 2) / 2) for k in range(n) if k != i)
        total += (n - 1) * -np.log(p / (p + q))
    return total


def test_eq4_literal_torch_matches_loops():
    """App. C, eq. 4 literal (double sum) on generic data equals an independent loop implementation."""
    rng = np.random.default_rng(3)
    z, zt = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    got = float(algebra.eq4_literal_torch(torch.as_tensor(z), torch.as_tensor(zt)))
    assert got == pytest.approx(_eq4_numpy(z, zt), rel=1e-12)  # O(10) float64 sums: round-off only


def test_eq4_single_sum_loss_value_and_gradient():
    """Eq. 4 with one sum: its value equals the loop version divided by M (no outer Σ_j); the default (no stop-gradient)
    autograd gradient equals central differences of the value; the stop-gradient variant is a different gradient."""
    rng = np.random.default_rng(4)
    x, xt = rng.standard_normal((3, 2)), rng.standard_normal((3, 2))
    W0 = rng.standard_normal((2, 2))
    X, XT = torch.as_tensor(x), torch.as_tensor(xt)
    W = torch.as_tensor(W0).clone().requires_grad_(True)
    L = algebra.eq4_single_sum_loss(W, X, XT)
    assert float(L.detach()) == pytest.approx(_eq4_numpy(x @ W0.T, xt @ W0.T) / 2, rel=1e-12)  # round-off only
    (G,) = torch.autograd.grad(L, W)
    h, fd = 1e-6, np.zeros((2, 2))
    for a in range(2):
        for b in range(2):
            E = np.zeros((2, 2)); E[a, b] = h
            fd[a, b] = (_eq4_numpy(x @ (W0 + E).T, xt @ (W0 + E).T) - _eq4_numpy(x @ (W0 - E).T, xt @ (W0 - E).T)) / (4 * h)
    # central differences, h = 1e-6: truncation h²·L‴ ~ 1e-12, round-off ε·L/h ~ 1e-10
    assert np.allclose(G.numpy(), fd, atol=1e-7)
    Wd = torch.as_tensor(W0).clone().requires_grad_(True)
    (Gd,) = torch.autograd.grad(algebra.eq4_single_sum_loss(Wd, X, XT, detach_negatives=True), Wd)
    assert float((Gd - G).abs().max()) > 1e-3  # the negatives' gradient is O(0.1) here


def test_gradient_rank_inputs_and_boundaries():
    """Lemma 6 machinery: W may be an integer matrix (W = 2I gives the same rank as 2.0·I); with the stop-gradient the
    counterexample's gradient differs; a zero gradient (x = x~ = 0) has rank 0; an exact structural zero column
    (data in a plane of R³) is not counted even at rtol = 0."""
    ce = algebra.LEMMA6_COUNTEREXAMPLE
    a = algebra.gradient_rank(**ce, W=[[2, 0, 0], [0, 2, 0], [0, 0, 2]])
    b = algebra.gradient_rank(**ce, W=2.0 * np.eye(3))
    assert a["singular_values"] == b["singular_values"] and a["grad_rank"] == 3
    # W = 2I is a different point than the default W = I: the gradient there differs (O(0.1) here)
    assert not np.allclose(a["singular_values"], algebra.gradient_rank(**ce)["singular_values"], rtol=1e-3)
    full = algebra.gradient_rank(**ce, W=2.0 * np.eye(3))
    det = algebra.gradient_rank(**ce, W=2.0 * np.eye(3), detach_negatives=True)
    assert not np.allclose(full["singular_values"], det["singular_values"], rtol=1e-3)
    assert algebra.gradient_rank([[0.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 0.0]])["grad_rank"] == 0
    x = [[0.3, -1.2, 0.0], [1.1, 0.4, 0.0], [-0.5, 0.7, 0.0]]
    xt = [[0.1, -1.0, 0.0], [0.9, 0.8, 0.0], [-0.2, 0.2, 0.0]]
    assert algebra.gradient_rank(x, xt, rtol=0.0)["grad_rank"] == 2


def test_gradient_rank_small_scale_and_bound():
    """The rank is scale free (rtol relative to σ_max: W = 1e-4·I, or data of size 1e-3, keep the rank min(d, 2M+1));
    the reported bound is min(d, 2M + 1) (M = 1, d = 5: 3; M = 2, d = 4: 4)."""
    rng = np.random.default_rng(5)
    x, xt = rng.standard_normal((2, 5)), rng.standard_normal((2, 5))
    r = algebra.gradient_rank(x, xt)
    assert r["bound_2M_plus_1"] == 3 and r["grad_rank"] == 3 and r["M"] == 1 and r["d"] == 5
    x, xt = 30 * rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    r = algebra.gradient_rank(x, xt, W=1e-4 * np.eye(4))
    assert r["bound_2M_plus_1"] == 4 and r["grad_rank"] == 4
    x, xt = 1e-3 * rng.standard_normal((2, 5)), 1e-3 * rng.standard_normal((2, 5))  # σ_max ~ 1e-6
    r = algebra.gradient_rank(x, xt)
    assert r["grad_rank"] == 3 and max(r["singular_values"]) < 1e-4


def test_gradient_rank_conditional_covariance():
    """rank_cond_cov is the rank of Σ (x−x~)(x−x~)ᵀ: with x~ = −x it is the rank of x (2 rows: 2), not of x + x~ = 0."""
    x = np.array([[1.0, 0.0, 2.0], [0.0, 1.0, 1.0]])
    assert algebra.gradient_rank(x, -x)["rank_cond_cov"] == 2


def test_eq15_box_monte_carlo_by_hand():
    """Eq. 15 machinery at another seed and σ_s: Σ_x (biased) − E(x−x~)(x−x~)ᵀ recomputed from the same draw, and
    σ_eff² = mean over style coordinates of (z_k − z~_k)²."""
    from sslverify.numerics.content_style import make_generator, sample_pairs
    d, d_c, s, n, seed = 3, 1, 0.3, 500, 1
    r = algebra.eq15_box_monte_carlo(d=d, d_c=d_c, sigma_s=s, n=n, seed=seed)
    g = make_generator(d, "linear", seed=seed)
    p = sample_pairs(n, d, d_c, "box", sigma_s=s, generator=g, seed=seed + 1)
    xc = p.x - p.x.mean(0)
    dx = p.x - p.x_pos
    lhs = xc.T @ xc / n - dx.T @ dx / n
    # eigenvalues of the same 3×3 float64 matrix: round-off ~1e-15
    assert r["min_eig_Sx_minus_Sxt"] == pytest.approx(np.linalg.eigvalsh(lhs).min(), abs=1e-12)
    assert r["sigma_eff2_style"] == pytest.approx(((p.z - p.z_pos)[:, d_c:] ** 2).mean(), rel=1e-12)
    assert r["sigma_s2_nominal"] == pytest.approx(s**2, rel=1e-15)


def test_exact_rank_int_edge_cases():
    """Fraction-exact elimination: an empty matrix has rank 0; 2^53 + 1 is not rounded to 2^53 when a float shares the
    matrix (det [[2^53+1, 1], [2^53, 1]] = 1, so rank 2); a permutation needs a row swap (rank 2)."""
    assert algebra.exact_rank_int([]) == 0
    assert algebra.exact_rank_int([[2**53 + 1, 1.0], [2**53, 1.0]]) == 2
    assert algebra.exact_rank_int([[0, 2], [0, 3], [1, 1]]) == 2


def test_det_int_row_swap_sign():
    """Bareiss with pivoting: a row swap flips the sign (det [[0, 1], [1, 0]] = −1; det [[0, 2], [3, 1]] = −6)."""
    assert algebra.det_int([[0, 1], [1, 0]]) == -1
    assert algebra.det_int([[0, 2], [3, 1]]) == -6
    assert algebra.det_int([[2, 1], [1, 2]]) == 3


def test_lemma6_exact_det_string_is_the_value():
    """The reported closed form evaluates to the reported 50-digit value."""
    r = algebra.lemma6_exact_gradient_det()
    assert float(sp.N(sp.sympify(r["det"]), 50)) == pytest.approx(r["det_50_digits"], rel=1e-15)  # same number
    assert r["abs_det"] == abs(r["det_50_digits"])


def test_eq15_conditional_variance_reading():
    """Assum. 4 literally: σ_s² = 'the variance of the positive pair's conditional', i.e. E_z Var(z~_k | z) for a
    latent z uniform on [0, 1] and z~ | z ~ N(z, σ²) truncated to [0, 1] (numerics.content_style.truncated_normal_box).
    Near the faces the truncated conditional is not centred at z, so E_z Var(z~|z) < E(z − z~)² < σ², and eq. 15
    with it errs too. Population values by quadrature (theory.rusak.table1), re-checked by Monte Carlo; eq. 15 is
    exact with E(z − z~)² (the proved reading), so Σ_x − Σ_x~ = A diag(1/12 − eff) Aᵀ and each reading's relative
    error is ‖A diag(Δ) Aᵀ‖ / ‖A diag(1/12 − eff) Aᵀ‖ for the record's A (d = 4, d_c = 1, seed 0)."""
    from scipy import stats

    from sslverify.numerics.content_style import make_generator, truncated_normal_box
    from sslverify.theory.rusak import table1 as T

    s = 0.1
    for z in (0.3, 0.02):  # the truncated moments against scipy's truncnorm (1e-9: both are float64 closed forms)
        m1, m2 = T._trunc_std_moments(z, s)
        a, b = -z / s, (1 - z) / s
        assert s * m1 == pytest.approx(float(stats.truncnorm.mean(a, b, scale=s)), rel=1e-9)
        assert s**2 * (m2 - m1**2) == pytest.approx(float(stats.truncnorm.var(a, b, scale=s)), rel=1e-9)
    cond_var, msd = T.trunc_cond_var_mean(s), T.trunc_sq_mean(s)
    # quad's default tolerance (1.5e-8 absolute) is far below the 1e-4 digits compared
    assert cond_var == pytest.approx(0.00840, abs=5e-5) and msd == pytest.approx(0.00904, abs=5e-5)
    assert cond_var < msd < s**2
    with pytest.raises(ValueError, match="sigma must be > 0"):
        T.trunc_cond_var_mean(0.0)
    # second method, Monte Carlo with the project's sampler: E(z~ − m(z))² and E(z~ − z)², m(z) = the truncated mean;
    # 2·10⁵ draws: standard error ≈ 0.0084·√2/√(2·10⁵) ≈ 3e-5, so 1.5e-4 is 5 standard errors
    rng = np.random.default_rng(0)
    z = rng.random(200_000)
    zt = truncated_normal_box(z, s, rng)
    m = z + s * T._trunc_std_moments(z, s)[0]
    assert np.mean((zt - m) ** 2) == pytest.approx(cond_var, abs=1.5e-4)
    assert np.mean((zt - z) ** 2) == pytest.approx(msd, abs=1.5e-4)
    d, d_c = 4, 1
    A = make_generator(d, "linear", seed=0).linear_matrix()
    eff = np.array([0.0] * d_c + [msd] * (d - d_c))
    lhs = A @ np.diag(1 / 12 - eff) @ A.T

    def rel(style_var):
        pred = A @ np.diag(1 / 12 - np.array([0.0] * d_c + [style_var] * (d - d_c))) @ A.T
        return float(np.linalg.norm(lhs - pred) / np.linalg.norm(lhs))

    assert rel(msd) == 0.0
    # below: the record's numbers to the digits it quotes (the quadrature inputs are good to ~1e-8, far inside 2e-4)
    # the nominal reading: 0.0119 in the population (the record's Monte Carlo, 4·10⁵ samples: 0.010 ± its 0.002 floor)
    assert rel(s**2) == pytest.approx(0.0119, abs=2e-4)
    assert rel(cond_var) == pytest.approx(0.0080, abs=2e-4)  # the conditional-variance reading: off as well
