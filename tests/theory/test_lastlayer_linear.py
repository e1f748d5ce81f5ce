"""lastlayer.prop1, lastlayer.eq3, lastlayer.prop2 (003 §3.4, eq. 2–6)."""
from __future__ import annotations

import numpy as np
from hypothesis import given, strategies as st

from sslverify.theory.lastlayer import linear
from sslverify.verdicts.builtin import lastlayer as checks

seeds = st.integers(0, 10_000)


def test_covariance_identity():
    # eq. 2/3: Cov(Wⁱx, Wʲx) = WⁱΣWʲᵀ exactly; the source's step ‖Wⁱ‖² tr Σ differs for n ≥ 2
    assert all(linear.covariance_identity(3).values())
    step = linear.source_step_residual(3)
    assert step["zero"] == {1: True, 2: False, 3: False}
    assert step["residual_n2"] == "s_00*w2**2 - 2*s_01*w1*w2 + s_11*w1**2"


def test_prop1_counterexamples():
    # eq. 2: singular Σ_x (x = (s, s)) gives var(h_i) = 0 with ‖Wⁱ‖² = 2; weaker case bound δ/tr Σ fails
    f = linear.prop1_findings()
    assert (f["singular_variance"], f["singular_norm2"], f["singular_det"]) == (0, 2, 0)
    assert f["weak_variance"] == "epsilon" and f["weak_norm_minus_bound"] == "-(epsilon - 1)/(epsilon + 1)"
    assert f["rayleigh_gap_is_nonneg_sum"]


@given(n=st.integers(2, 5), r=st.integers(1, 5), seed=seeds)
def test_prop1_bound_property(n, r, seed):
    # eq. 2 corrected: var(h_i) ≥ λ_min(Σ)‖w‖² always; var = 0 with w ≠ 0 exactly when Σ is singular
    rng = np.random.default_rng(seed)
    r = min(r, n)
    A = rng.standard_normal((n, r))
    S = A @ A.T
    w = rng.standard_normal(n)
    lam = np.linalg.eigvalsh(S)
    # float64 quadratic forms of O(10) entries (≤ 5×5, entries of A·Aᵀ ≲ 30): round-off ≲ 1e-13; 1e-9 absolute slack
    assert w @ S @ w >= lam[0] * (w @ w) - 1e-9
    if r < n:
        v = np.linalg.svd(A.T)[2][-1]  # unit vector in null(Σ)
        # same round-off bound for vᵀΣv; SVD returns orthonormal vectors to ~n·eps = 1e-15, 1e-12 leaves room
        assert abs(v @ S @ v) < 1e-9 and abs(v @ v - 1) < 1e-12


def test_torch_linear_layer():
    # eq. 2 in float64 autograd-free torch: exact cancellation s − s; bias irrelevant
    t = checks._torch_linear_layer()
    assert t["var_h0"] == 0.0 and t["norm2_W0"] == 2.0 and t["var_h1"] > 0.5


def test_prop1_weak_case_monte_carlo():
    # second method for Prop 1's weaker case (Monte Carlo, not SymPy): Σ_x = diag(1, ε), ε = 1/2, Wⁱ = (0, 1),
    # δ = 2ε = 1.  Sample variance of h_i from N = 100 000 draws: var ≈ ε = 0.5 with SE ε·√(2/N) ≈ 0.0022
    rng = np.random.default_rng(7)
    eps, delta, N = 0.5, 1.0, 100_000
    x = rng.standard_normal((N, 2)) * np.sqrt([1.0, eps])
    w = np.array([0.0, 1.0])
    var_h = float((x @ w).var())
    S_hat = np.cov(x.T, bias=True)
    # 10 SE (0.022) around ε: far outside Monte Carlo error, far inside the margin to δ
    assert abs(var_h - eps) < 0.022 and var_h < delta
    # the source's bound δ / tr Σ_x ≈ 2/3 (tr Σ̂ within 0.01 of 1.5 at this N) is exceeded by ‖Wⁱ‖² = 1 ...
    assert w @ w > delta / np.trace(S_hat)
    # ... while the corrected bound holds exactly for the sample covariance: var ≥ λ_min(Σ̂)‖Wⁱ‖² (float64 round-off
    # of an eigenvalue of a 2×2 matrix ~1e-16; 1e-12 slack)
    assert var_h >= np.linalg.eigvalsh(S_hat)[0] * (w @ w) - 1e-12 and w @ w < delta / np.linalg.eigvalsh(S_hat)[0]


def test_eq3_counterexamples():
    # eq. 3: Cov is the Σ-inner product, not Wⁱ·Wʲ
    f = linear.eq3_findings()
    assert f["cov_zero_dot_nonzero"] == [0, 3] and f["dot_zero_cov_nonzero"] == [0, -3]
    assert f["isotropic_cov_is_scaled_dot"] and f["identity_orthogonal_rows"] == [0, 1]
    assert f["constant_row_variance"] == [0, 2]


def test_eq3_counterexample_monte_carlo():
    # second method for eq. 3 (Monte Carlo, not SymPy): x ~ N(0, diag(1, 4)), N = 200 000.
    # Wⁱ = (2, 1), Wʲ = (2, −1): Cov = 0 while Wⁱ·Wʲ = 3; SE of the sample covariance = √(Var h_i·Var h_j + Cov²)/√N
    # = 8/√N ≈ 0.018.  Wⁱ = (1, 1), Wʲ = (1, −1): Wⁱ·Wʲ = 0 while Cov = −3; SE = √34/√N ≈ 0.013
    rng = np.random.default_rng(11)
    N = 200_000
    x = rng.standard_normal((N, 2)) * np.array([1.0, 2.0])

    def cov(a, b):
        ha, hb = x @ np.array(a, float), x @ np.array(b, float)
        return float(((ha - ha.mean()) * (hb - hb.mean())).mean())

    # 5 standard errors: a false failure has probability < 1e-6 (and the seed is fixed)
    assert abs(cov((2, 1), (2, -1))) < 5 * 8 / np.sqrt(N) and np.dot((2, 1), (2, -1)) == 3
    assert abs(cov((1, 1), (1, -1)) + 3) < 5 * np.sqrt(34) / np.sqrt(N) and np.dot((1, 1), (1, -1)) == 0
    # outer-product reading, Σ_x = I: orthogonal rows have Cov ≈ 0 (SE 1/√N) but ‖WⁱᵀWʲ‖ = ‖Wⁱ‖‖Wʲ‖ = 1
    z = rng.standard_normal((N, 2))
    assert abs(float((z[:, 0] - z[:, 0].mean()) @ (z[:, 1] - z[:, 1].mean())) / N) < 5 / np.sqrt(N)
    assert np.linalg.norm(np.outer((1, 0), (0, 1))) == 1.0


@given(seed=seeds)
def test_eq3_property(seed):
    # eq. 3: for random anisotropic Σ ≻ 0 the Σ-orthogonal complement of Wⁱ contains Wʲ with Wⁱ·Wʲ ≠ 0
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((3, 3))
    S = A @ A.T + 0.1 * np.eye(3)
    wi = rng.standard_normal(3)
    u = S @ wi
    wj = np.cross(u, rng.standard_normal(3))  # ⊥ Σwⁱ ⇒ Cov(h_i, h_j) = 0
    # relative float64 round-off of a cross product then a dot product (~1e-15 of ‖u‖‖wʲ‖); 1e-8 relative slack
    assert abs(wi @ S @ wj) < 1e-8 * np.linalg.norm(u) * np.linalg.norm(wj)
    # generic draws: Wⁱ·Wʲ is not 0 — it is 0 only on a measure-zero set of draws; 1e-8 sits far above round-off
    assert abs(wi @ wj) > 1e-8


def test_prop2_counterexamples():
    # eq. 4–6: identity, collapse without zero rows, eq. 5 norm identity 2 vs 0, eq. 6 Cov 0 → 1
    assert linear.two_layer_identity(2, 2)
    f = linear.prop2_findings()
    assert f["collapse_var"] == 0 and f["collapse_last_row_norm2"] == 2 and f["collapse_prev_row_norms2"] == [1, 1]
    assert f["collapse_null_condition"] and f["collapse_input_rank"] == 1
    assert f["eq5_identity_lhs_rhs"] == [2, 0] and f["eq6_cov_before_after"] == [0, 1]
    assert f["full_rank_input_output_rank"] == [2, 1]


def test_prop2_torch_relu():
    # second method for Prop 2 (float64 torch on 400 samples, with and without a ReLU in between): the two equal
    # coordinates cancel exactly (var = 0.0, no tolerance) while ‖W_l^i‖² = 2 and both rows of W_{l−1} have norm 1
    t = checks._torch_two_layer()
    assert t["var_linear"] == 0.0 and t["var_relu"] == 0.0
    assert t["row_norms_prev"] == [1.0, 1.0] and t["row_norm2_last"] == 2.0


@given(n=st.integers(2, 4), r=st.integers(1, 3), seed=seeds)
def test_prop2_null_space_property(n, r, seed):
    # Prop 2 corrected: var(h_i) = 0 ⇔ W_l^i ∈ null(Σ_l); generic rows of W_{l−1} are nonzero
    rng = np.random.default_rng(seed)
    r = min(r, n - 1)
    Wp = rng.standard_normal((n, r)) @ rng.standard_normal((r, n))  # rank-r previous layer
    Sl = Wp @ Wp.T  # Σ_{l−1} = I
    w = np.linalg.svd(Wp.T)[2][-1]  # unit vector with w Wp = 0
    # float64 round-off of a quadratic form in O(10) entries is ≲ 1e-13; a product of Gaussian factors has a zero
    # row only on a measure-zero set, so 1e-6 separates "nonzero row" from round-off by seven orders
    assert abs(w @ Sl @ w) < 1e-9 and np.all(np.linalg.norm(Wp, axis=1) > 1e-6)
