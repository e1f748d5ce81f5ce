"""Ziyin et al. App. D.4: spectral contrastive loss (eq. 16–17) and Barlow Twins for a linear model."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sslverify.numerics.tolerance import assert_rel_close
from sslverify.theory.ziyin import landscape as la
from sslverify.theory.ziyin import other_losses as ol


def test_scl_isserlis():
    # eq. 16 → our form −2Tr[WA0Wᵀ] + Tr[(WΣWᵀ)²] exactly; eq. 17's −2Tr[WCWᵀ] differs by 2Tr[W(C−A0)Wᵀ]
    s = ol.scl_symbolic()
    assert s["ours"] == 0 and s["source"] != 0 and s["source_minus_ours"] == 0


def test_scl_spread_and_rank():
    # App. D.4: features spread along A0 (not C); no collapse when A0 ≻ 0 (Prop 2 with B = 2A0)
    G = ol.scl_predicted_gram(np.diag([2.0, 1.0]), np.diag([1.0, 2.0]), 2)
    assert_rel_close(G, np.diag([2 / 9, 1 / 9]), 1e-12, floor=1e-3, reason="float64 round-off")
    assert ol.scl_predicted_rank(np.diag([2.0, 1.0]), np.diag([5.0, 9.0]), 2) == 2
    assert ol.scl_predicted_rank(np.diag([2.0, 0.0]), np.diag([5.0, 9.0]), 2) == 1


@given(st.integers(0, 10_000))
def test_scl_global_min_property(seed):
    # the SCL quartic form's global minimum is Thm 1's with B = 2A0: WᵀW = Σ⁻¹A0Σ⁻¹ when commuting, d1 = d0
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    a, c = rng.uniform(0.1, 2, 3), rng.uniform(0, 2, 3)
    A0, C = Q @ np.diag(a) @ Q.T, Q @ np.diag(c) @ Q.T
    S = A0 + C
    G = ol.scl_predicted_gram(A0, C, 3)
    assert_rel_close(G, np.linalg.inv(S) @ A0 @ np.linalg.inv(S), 1e-9, floor=1.0, reason="float64 round-off")
    W = la.weights_from_gram(G, 3)
    assert np.abs(la.quartic_grad(W, 2 * A0, S)).max() < 1e-9  # float64 round-off


def test_barlow_isserlis():
    # App. D.4: E[f(x)f(x')ᵀ] = WA0Wᵀ; W² term −2Tr[WA0Wᵀ] (source: −2Tr[WΣWᵀ]); λ = 1: ‖I − WA0Wᵀ‖²;
    # standardized BT is scale invariant (no expansion at W = 0)
    s = ol.barlow_symbolic()
    assert all(x == 0 for x in s["cross_minus_WA0W"]) and any(x != 0 for x in s["cross_minus_WSigmaW"])
    assert s["second_order_minus_ours"] == 0 and s["second_order_minus_source"] != 0
    assert s["lambda1_identity"] == 0
    assert all(x == 0 for x in s["standardized_scale_residual"])


@given(st.integers(0, 10_000), st.floats(0.0, 3.0), st.integers(1, 3))
def test_barlow_global_minimum_property(seed, lam, d1):
    # App. D.4: WA0Wᵀ = I reaches zero loss (rank d1, no collapse); loss formula checked at λ = 1 and a perturbation
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(3, 3))
    A0 = A @ A.T + 0.1 * np.eye(3)
    W = ol.barlow_global_min_weights(A0, d1)
    assert_rel_close(W @ A0 @ W.T, np.eye(d1), 1e-9, floor=1.0, reason="float64 round-off")
    assert ol.barlow_loss(W, A0, lam) < 1e-18  # squared round-off
    V = W + 0.1 * rng.normal(size=W.shape)
    Cm = V @ A0 @ V.T
    assert ol.barlow_loss(V, A0, 1.0) == pytest.approx(np.sum((np.eye(d1) - Cm) ** 2), rel=1e-12)
    if d1 > 1:
        assert ol.barlow_loss(V, A0, lam) > 0
    with pytest.raises(ValueError, match="d1 <= d0"):
        ol.barlow_global_min_weights(A0, 4)


def test_barlow_second_order_scale():
    # the W² coefficient: L(tW) = d1 − 2t²Tr[WA0Wᵀ] + O(t⁴), numerically at small t
    A0 = np.diag([2.0, 1.0])
    W = np.array([[0.3, -0.2], [0.1, 0.4]])
    t = 1e-3
    slope = (ol.barlow_loss(t * W, A0, 0.7) - 2) / t ** 2
    assert slope == pytest.approx(-2 * np.trace(W @ A0 @ W.T), rel=1e-5)  # O(t²) remainder
    assert not slope == pytest.approx(-2 * np.trace(W @ (A0 + np.eye(2)) @ W.T), rel=1e-2)
