"""rusak.prop4, cor1, prop1, prop5, prop6, lemma1, temperature-sign (Rusak §3, App. D)."""
from __future__ import annotations

import numpy as np

from sslverify.theory.rusak import optimality


def test_d_scaled_limit_symbolic():
    # App. D.1, eq. 19: ℓ(c) → 0 as c → ∞ with style collapsed AND not; ∂ℓ/∂c < 0 form (cor. 1)
    r = optimality.d_scaled_anchor_loss()
    assert r["limit_collapsed"] == 0 and r["limit_full_style"] == 0
    assert r["derivative_form"] and r["positive_at_finite_c"]


def test_d_scaled_losses_numeric():
    # prop. 4 / cor. 1 numerically (1024 box pairs): L decreases in c; at every c the uncollapsed style is lower
    r = optimality.d_scaled_losses(d=6, d_c=2, n=512)
    for key in ("s=0.0", "s=1.0"):
        assert all(np.diff(r[key]) < 0)
    assert all(a < b for a, b in zip(r["s=1.0"], r["s=0.0"]))
    assert r["s=1.0"][0] == r["L_ginv"]  # c = s = 1 is f = g⁻¹


def test_prop1_nonlinear_equals_linear():
    # App. D.2: D∘g⁻¹ sees only D z; MLP and linear g give the same losses (float64 inversion error ~1e-13)
    a = optimality.d_scaled_losses(d=6, d_c=2, n=256, generator="mlp", cs=(1.0, 8.0))
    b = optimality.d_scaled_losses(d=6, d_c=2, n=256, generator="linear", cs=(1.0, 8.0))
    assert np.allclose(a["s=0.0"], b["s=0.0"], rtol=1e-10)


def test_prop5_layer_ranks():
    # App. D.3: rank ≤ d_c only for the last layer of a leaky-ReLU MLP; all layers of a deep linear net
    m = optimality.layer_gradient_ranks(d=6, d_c=2, depth=3)
    lin = optimality.layer_gradient_ranks(d=6, d_c=2, depth=3, linear=True)
    assert m["ranks"][-1] <= 2 and max(m["ranks"][:-1]) > 2
    assert max(lin["ranks"]) <= 2


def test_prop6_symbolic():
    # App. D.5, eq. 23–27: normalize(D∘f) equals the COLLAPSED OPTIMUM's normalized output for any style block of the
    # inner f (the proof's reading); it equals f's own output only when f's style block is 0; rank(D J_f) = d_c < d
    for d_c, d_s in ((2, 1), (3, 2)):
        r = optimality.prop6_symbolic(d_c, d_s)
        assert r["same_as_collapsed_optimum"] and r["same_when_style_zero"]
        assert r["differs_from_own_output_when_style_nonzero"]
        assert r["rank_of_generic_J"] == d_c + d_s and r["rank_of_D_times_generic_J"] == d_c


def test_prop6_numeric_mlp():
    # prop. 6 by a second method: an uncollapsed MLP inner f at d = 6 (rank J_f = 6), D = diag(2 I_3, 0):
    # rank J_{D∘f} = 3 and the cosine-InfoNCE of D∘f equals the collapsed optimum's (same normalized outputs:
    # float64 round-off, 1e-12), while f itself has a different loss (> 1e-3 apart)
    r = optimality.prop6_numeric()
    assert r["rank_J_f"] == [6, 6, 6] and r["rank_J_Df"] == [3, 3, 3]
    assert r["abs_loss_diff"] < 1e-12 and r["max_abs_output_diff"] < 1e-12
    assert abs(r["L_f_itself"] - r["L_collapsed_optimum"]) > 1e-3


def test_prop5_finite_differences():
    # prop. 5 by a second method: central finite differences (no autograd) give the same per-layer ranks
    fd = optimality.layer_gradient_ranks_fd(n=64)
    ag = optimality.layer_gradient_ranks(n=64)
    assert fd["ranks"] == ag["ranks"] == [6, 6, 2]
    # the smallest genuine singular value of an inner layer is far above the FD noise floor rtol = 1e-6
    assert min(fd["relative_singular_values"][0]) > 1e-4


def test_lemma1_source_facts():
    # lemma 1 cites [1, Assums. 3.1, 3.6] without stating them (checked against the seed whenever it is present)
    r = optimality.lemma1_source_facts()
    assert r["cited"] and not r["content_stated"]
    if optimality.SEED_FILE.exists():
        assert r["seed_file_available"]
        assert "[1, Assums. 3.1, 3.6] hold" in optimality.SEED_FILE.read_text(encoding="utf-8")


def test_temperature_reparametrization_symbolic():
    # the reparametrization L(W; τ) = L(T^{-1/2}W; 1) as a polynomial identity (symbolic W, Δ, τ; d = 3)
    assert optimality.temperature_reparametrization_symbolic(3)


def test_simplex_etf_rank():
    # App. D.4 / lemma 1: K-class simplex ETF Gram has rank K − 1
    assert [optimality.simplex_etf_rank(K) for K in (2, 3, 5)] == [1, 2, 4]
    assert "NOT stated" in optimality.lemma1_missing()[1]


def test_temperature_statements():
    # §3 vs §4.1 / Fig. 1 / App. C: the source states both directions
    r = optimality.temperature_statements()
    assert all(r["found"].values())
    assert not r["consistent"] and set(r["directions"].values()) == {"<", ">"}
    if optimality.SEED_FILE.exists():  # the fallback quotes are verbatim from the seed
        text = optimality.SEED_FILE.read_text(encoding="utf-8")
        assert all(q in text for q in optimality.TEMPERATURE_QUOTES.values())


def test_temperature_is_a_reparametrization():
    # §3/§4 temperature fix: L(W; τ) = L(T^{-1/2} W; 1) for the Gaussian kernel (float64, O(1) losses: 1e-12)
    r = optimality.temperature_reparametrization()
    assert r["abs_diff"] < 1e-12
