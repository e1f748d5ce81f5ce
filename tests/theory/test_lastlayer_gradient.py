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


def _cosine_grad_W0(k: float, cut_dr: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """∂L/∂W₀ of the cosine log-InfoNCE (encoder_gradients' data: seed 0, N = 8, 5 inputs, d0 = 3, d_r = 2, τ = 0.2),
    written as the dot-product loss of the normalised embeddings u = h/‖h‖; with ``cut_dr`` the gradient wrt u's d_r
    coordinates is zeroed (a hook), i.e. the part of ∂L/∂W₀ that flows back through them is removed.  Also ∂L/∂u_dr."""
    g = torch.Generator().manual_seed(0)
    x = torch.randn(8, 5, generator=g, dtype=torch.float64)
    xp = x + 0.3 * torch.randn(8, 5, generator=g, dtype=torch.float64)
    W0 = torch.randn(3, 5, generator=g, dtype=torch.float64, requires_grad=True)
    const = torch.full((8, 2), float(k), dtype=torch.float64)
    U = torch.nn.functional.normalize(torch.cat([x @ W0.T, const], 1), dim=1)
    Up = torch.nn.functional.normalize(torch.cat([xp @ W0.T, const], 1), dim=1)
    seen = []

    def hook(grad):
        seen.append(grad.clone())
        if cut_dr:
            grad = grad.clone()
            grad[:, 3:] = 0.0
        return grad
    U.register_hook(hook)
    (gW,) = torch.autograd.grad(gradient.loss(U, Up, 0.2, "dot"), [W0])
    eq8 = gradient.eq8_gradient(U.detach(), Up.detach(), 0.2)
    # eq. 8 with z = u is the gradient wrt the normalised anchors: O(1) entries, float64 round-off ≲ 1e-14
    assert float((seen[0] - eq8).abs().max()) < 1e-10
    return gW, seen[0][:, 3:]


def test_cosine_reading_dr_gradient_reaches_the_weights():
    """Cosine reading (§3.1), gradients wrt the normalised embedding u (where eq. 8 is exact): ∂L/∂u on the d_r
    coordinates is the same in both
    (along 1_{d_r}: they enter the loss symmetrically), 0 at k = 0 (u_dr = 0 in every term), and at k = 1 it reaches W₀
    through u_dr = k/‖h‖ — removing it changes ∂L/∂W₀ by 0.80 (largest entry) of a total k-effect (k = 1 vs 0) of 1.14
    here (an independent audit on its own data: 0.38 of 0.58).  So the source's 'gradient through all d_r
    dimensions' does act on the weights under this
    reading, through the normalisation."""
    g0, u0 = _cosine_grad_W0(0.0, cut_dr=False)
    assert float(u0.abs().max()) == 0.0
    assert torch.equal(_cosine_grad_W0(0.0, cut_dr=True)[0], g0)  # nothing flows through u_dr at k = 0
    g1, u1 = _cosine_grad_W0(1.0, cut_dr=False)
    # the two d_r columns are the same expression of the same numbers: equal up to float64 round-off (~1e-15)
    assert float((u1[:, 0] - u1[:, 1]).abs().max()) < 1e-12 and float(u1.abs().min()) > 1e-3
    g1_cut, _ = _cosine_grad_W0(1.0, cut_dr=True)
    # O(1) gradients; 1e-2 is far above round-off and below the measured O(0.1–1) contribution
    assert float((g1 - g1_cut).abs().max()) > 1e-2
    # the same total as encoder_gradients' cosine loss (normalise inside the similarity): float64 round-off only
    assert float((g1 - gradient.encoder_gradients(1.0, "cosine")["grad_W0"]).abs().max()) < 1e-10
