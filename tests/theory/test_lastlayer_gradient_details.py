"""Details of theory/lastlayer/gradient.py (lastlayer.eq9): input checks, defaults, the no-log loss, the cosine
probabilities and the autograd helper's outputs, each against a hand computation or an independent NumPy one.
Complements test_lastlayer_gradient.py."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from sslverify.theory.lastlayer import gradient

F64 = torch.float64


# ----------------------------------------------------------------------------- input checks
@pytest.mark.parametrize("shape_z, shape_zp", [((2, 3), (3, 3)), ((3, 2), (3, 3)), ((1, 2), (1, 2)), ((4,), (4,))])
def test_logits_reject_bad_shapes(shape_z, shape_zp):
    """Z, Zp must be 2-D of equal shape with N ≥ 2: a row-count or width mismatch, N = 1 and 1-D inputs raise."""
    with pytest.raises(ValueError, match="same shape"):
        gradient.logits(torch.ones(shape_z, dtype=F64), torch.ones(shape_zp, dtype=F64), 1.0)


def test_logits_smallest_legal_batch_and_default_similarity():
    """N = 2 is legal; the default similarity is the dot product: Z = [[1, 1], [0, 2]], Zp = [[3, 0], [0, 1]],
    τ = 1/2 give ZZᵀ/τ = [[4, 4], [4, 8]] with the diagonal replaced by (z_i·z_i⁺)/τ = (6, 4) (by hand)."""
    Z = torch.tensor([[1.0, 1.0], [0.0, 2.0]], dtype=F64)
    Zp = torch.tensor([[3.0, 0.0], [0.0, 1.0]], dtype=F64)
    # small integers times 2: every entry is exact in float64
    assert torch.equal(gradient.logits(Z, Zp, 0.5), torch.tensor([[6.0, 4.0], [4.0, 4.0]], dtype=F64))


# ----------------------------------------------------------------------------- loss without the log (eq. 1 as written)
def test_loss_without_log_is_minus_sum_of_positive_probabilities():
    """log=False: Σ_i −p^{i⇓i⁺}. With Z = 0 every logit is 0, so every p = 1/N: N = 2 gives −1 (no log) and
    2 log 2 (with the log)."""
    Z = torch.zeros(2, 1, dtype=F64)
    # sums of two exact halves: exact; the log form is within one ulp of 2 log 2
    assert float(gradient.loss(Z, Z.clone(), 0.3, log=False)) == -1.0
    assert float(gradient.loss(Z, Z.clone(), 0.3)) == pytest.approx(2 * math.log(2), rel=1e-15)


# ----------------------------------------------------------------------------- cosine probabilities
def test_probabilities_use_the_requested_cosine_similarity():
    """sim='cosine': for 1-D embeddings of one sign every cosine is 1, so all logits are equal and every
    p = 1/2 (N = 2); the dot product would give logits [[6, 2], [2, 1]] instead."""
    Z = torch.tensor([[2.0], [1.0]], dtype=F64)
    Zp = torch.tensor([[3.0], [1.0]], dtype=F64)
    P = gradient.probabilities(Z, Zp, 1.0, sim="cosine")
    # softmax of two equal numbers is exactly 1/2
    assert torch.equal(P, torch.full((2, 2), 0.5, dtype=F64))


# ----------------------------------------------------------------------------- symbolic eq. 9 default
def test_symbolic_eq9_default_is_three_anchors():
    """symbolic_eq9() uses N = 3 anchors: one gradient-at-k=0 entry per anchor, each 0 (k multiplies every term)."""
    r = gradient.symbolic_eq9()
    assert r["gradient_at_k0"] == ["0", "0", "0"]
    assert r["gradient_equals_simplified"] and r["source_bracket_equals_simplified"] and r["dL_dk_is_zero"]


# ----------------------------------------------------------------------------- encoder_gradients vs NumPy
def _numpy_reference(k, sim, seed=0, n=8, n_in=5, d0=3, dr=2, tau=0.2):
    """The same encoder inputs (same generator draws), the logits/softmax of eq. 8 recomputed in NumPy."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, n_in, generator=g, dtype=F64)
    xp = x + 0.3 * torch.randn(n, n_in, generator=g, dtype=F64)
    W0 = torch.randn(d0, n_in, generator=g, dtype=F64)
    x, xp, W0 = x.numpy(), xp.numpy(), W0.numpy()
    Z = np.hstack([x @ W0.T, np.full((n, dr), k)])
    Zp = np.hstack([xp @ W0.T, np.full((n, dr), k)])
    if sim == "cosine":
        Z = Z / np.linalg.norm(Z, axis=1, keepdims=True)
        Zp = Zp / np.linalg.norm(Zp, axis=1, keepdims=True)
    L = Z @ Z.T / tau
    np.fill_diagonal(L, np.sum(Z * Zp, axis=1) / tau)
    E = np.exp(L - L.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("sim", ["dot", "cosine"])
def test_encoder_gradients_match_an_independent_numpy_softmax(sim):
    """P and the no-log loss Σ −p^{i⇓i⁺} of encoder_gradients equal a NumPy recomputation (k = 0.5)."""
    P = _numpy_reference(0.5, sim)
    out = gradient.encoder_gradients(0.5, sim, log=False)
    # probabilities ≤ 1 from O(10) logits: float64 round-off ≲ 1e-15 per entry; 1e-12 absolute slack
    assert np.abs(out["P"].numpy() - P).max() < 1e-12
    # a sum of 8 such probabilities: 1e-12
    assert abs(out["loss"] - (-np.trace(P))) < 1e-12
    # and with the log (the default) it is Σ −log p^{i⇓i⁺} instead; logs of p ≳ 1e-3: 1e-10 absolute
    assert abs(gradient.encoder_gradients(0.5, sim)["loss"] - (-np.log(np.diag(P)).sum())) < 1e-10


def test_encoder_gradients_positive_constant_gradient_closed_form():
    """Dot product: ∂L/∂(z_i⁺)^d = −(z_i^d/τ)(1 − p^{i⇓i⁺}) (only ℓ_i contains z_i⁺), so with z^d = k every
    constant coordinate of the positives gets −(k/τ)(1 − p^{i⇓i⁺}); all gradients are float64 ('float64 autograd')."""
    k, tau = 0.7, 0.2
    out = gradient.encoder_gradients(k, "dot")
    for key in ("grad_W0", "grad_const_anchor", "grad_const_positive", "P"):
        assert out[key].dtype == F64, key
    P = _numpy_reference(k, "dot")
    expected = -(k / tau) * (1 - np.diag(P))
    gp = out["grad_const_positive"].numpy()
    assert gp.shape == (8, 2)
    # O(1) gradients from float64 autograd vs NumPy: round-off ≲ 1e-14; 1e-11 absolute slack
    assert np.abs(gp - expected[:, None]).max() < 1e-11
