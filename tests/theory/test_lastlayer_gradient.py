"""lastlayer.eq9 (003 §3.4, eq. 8–9) and lastlayer.prop3 (Prop 3, eq. 10)."""
from __future__ import annotations

import pytest
import torch
from hypothesis import given, strategies as st

from sslverify.theory.lastlayer import gradient, information


def test_eq9_symbolic():
    # eq. 9: ∂L/∂z_i^d = (k/τ)Σ_{j≠i}p^{j⇓i} (= source bracket), zero at k = 0; dL/dk ≡ 0 (dot product)
    r = gradient.symbolic_eq9(2)
    assert r["gradient_equals_simplified"] and r["source_bracket_equals_simplified"]
    assert r["dL_dk_is_zero"] and r["gradient_at_k0"] == ["0", "0"]


@given(n=st.integers(2, 6), dim=st.integers(1, 4), seed=st.integers(0, 10_000))
def test_eq8_symbolic_and_autograd(n, dim, seed):
    # eq. 8: the closed form equals the autograd gradient of Σ_i −log p^{i⇓i⁺} (dot product / τ)
    assert gradient.symbolic_eq8(2, 2)
    g = torch.Generator().manual_seed(seed)
    Z = torch.randn(n, dim, generator=g, dtype=torch.float64, requires_grad=True)
    Zp = torch.randn(n, dim, generator=g, dtype=torch.float64)
    (gz,) = torch.autograd.grad(gradient.loss(Z, Zp, 0.5), Z)
    # float64 gradients of O(10) losses: 1e-10 absolute is far above rounding, far below any error
    assert float((gz - gradient.eq8_gradient(Z.detach(), Zp, 0.5)).abs().max()) < 1e-10


def test_constant_subvector_torch():
    # eq. 9 via autograd: zero at k = 0, (k/τ)Σp^{j⇓i} > 0 at k = 1; dot loss/weights blind to k, cosine not
    d0, d1 = gradient.encoder_gradients(0.0, "dot"), gradient.encoder_gradients(1.0, "dot")
    c0, c1 = gradient.encoder_gradients(0.0, "cosine"), gradient.encoder_gradients(1.0, "cosine")
    assert float(d0["grad_const_anchor"].abs().max()) == 0.0 and float(c0["grad_const_anchor"].abs().max()) == 0.0
    src, simpl = gradient.eq9_bracket(d1["P"], 1.0, 0.2)
    # the two brackets are sums of 8 probabilities (each ≤ 1) times k/τ = 5: float64 round-off ≲ 1e-14, slack 1e-12
    assert float((src - simpl).abs().max()) < 1e-12 and bool(torch.all(d1["grad_const_anchor"] > 0))
    # autograd vs closed form of O(10) gradients: round-off ≲ 1e-13; 1e-10 is far below any real discrepancy
    assert float((d1["grad_const_anchor"][:, 0] - simpl).abs().max()) < 1e-10
    # same float64 bound: the k-dependence of the dot-product loss is exactly zero up to round-off
    assert float((d0["grad_W0"] - d1["grad_W0"]).abs().max()) < 1e-10 and abs(d0["loss"] - d1["loss"]) < 1e-10
    # a real dependence: O(1) gradients and a loss of ≈ 4.4 change by O(0.1–1) (4.40 → 4.90), 1e-3 / 0.1 are
    # far above round-off and far below the measured change
    assert float((c0["grad_W0"] - c1["grad_W0"]).abs().max()) > 1e-3 and abs(c0["loss"] - c1["loss"]) > 0.1
    # eq. 1 as written (no log): also zero at k = 0
    n0 = gradient.encoder_gradients(0.0, "cosine", log=False)
    assert float(n0["grad_const_anchor"].abs().max()) == 0.0
    with pytest.raises(ValueError, match="tau must be > 0"):
        gradient.loss(torch.zeros(3, 2), torch.zeros(3, 2), 0.0)


def test_prop3_readings():
    # Prop 3: deterministic encoder — MI independent of the row scale; additive noise — increasing, → 0
    r = information.prop3_readings()
    assert r["A_independent_of_w"] and r["B_increasing_in_w"] and r["B_limit_w_to_0"] == "0"
    assert r["density_peak_limit_s_to_0"] == "oo"
