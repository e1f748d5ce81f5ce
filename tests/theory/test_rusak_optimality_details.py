"""theory/rusak/optimality.py: argument validation and default sizes of the prop. 4 / prop. 5 numerics, the two
prop. 5 methods on one configuration, prop. 6 at extreme scales and depth, and reading the seed text whatever the
process locale."""
from __future__ import annotations

import inspect
import locale

import pytest

import sslverify.numerics.content_style as content_style
from sslverify.theory.rusak import optimality


class _Drawn(Exception):
    """Raised by the sample_pairs spy: the configuration was recorded, the (expensive) rest is not needed."""


def _spy_sample_pairs(monkeypatch):
    """Replace sample_pairs by a spy recording its bound arguments (defaults applied), then stopping the caller."""
    real = content_style.sample_pairs
    seen = []

    def spy(*args, **kwargs):
        b = inspect.signature(real).bind(*args, **kwargs)
        b.apply_defaults()
        seen.append({k: v for k, v in b.arguments.items() if k != "generator"})
        raise _Drawn

    monkeypatch.setattr(content_style, "sample_pairs", spy)
    return seen


# ----------------------------------------------------------------------------- prop. 4 / prop. 1 numerics
def test_d_scaled_losses_validates_generator_and_seed():
    """The generator kind and the seed are passed on to the generator: an unknown kind and a negative seed raise
    (seed 0 and the kinds 'linear' / 'mlp' are the legal values used in test_rusak_optimality)."""
    with pytest.raises(ValueError, match="kind"):
        optimality.d_scaled_losses(d=3, d_c=1, n=4, generator="bogus")
    with pytest.raises(ValueError, match="seed"):
        optimality.d_scaled_losses(d=3, d_c=1, n=4, seed=-1)


def test_d_scaled_losses_default_size_is_the_full_run(monkeypatch):
    """Without ``n`` the prop. 4 losses are computed on the claim's full-size sample (PROP4_SIZES, 4096 pairs)."""
    from sslverify.verdicts.builtin import rusak as rusak_claims
    seen = _spy_sample_pairs(monkeypatch)
    with pytest.raises(_Drawn):
        optimality.d_scaled_losses()
    assert seen[0]["n"] == rusak_claims.PROP4_SIZES.at(False).n


# ----------------------------------------------------------------------------- prop. 5: two methods, one configuration
def test_prop5_methods_draw_the_same_pairs(monkeypatch):
    """The finite-difference check is a second method for THE SAME configuration: called with the same arguments
    (defaults, and at seed 1) both draw the same box pairs (n, d, d_c, σ_s, seed)."""
    seen = _spy_sample_pairs(monkeypatch)
    for kw in ({}, {"seed": 1}):
        for f in (optimality.layer_gradient_ranks, optimality.layer_gradient_ranks_fd):
            with pytest.raises(_Drawn):
                f(**kw)
    assert seen[0] == seen[1] and seen[2] == seen[3]
    assert seen[0]["seed"] == 0 and seen[2]["seed"] == 1 and seen[0]["space"] == "box"


def test_prop5_autograd_rank_brackets_finite_difference_singular_values():
    """Both methods at their default content scale and nonlinearity (d = 4, depth 2, 32 pairs, seed 1): for every
    nonzero singular value σ_k of each layer's FD gradient, the autograd rank at rtol = (σ_k/σ_max)(1 ± 1e-5) counts
    exactly the FD singular values above that threshold — the two gradients have the same normalised spectrum.

    1e-5: the FD spectrum is exact to ~1e-10·σ_max (see layer_gradient_ranks_fd), and the smallest normalised
    singular value here is ~1e-3, so its relative error is ≲1e-7; 1e-5 is 100x that."""
    kw = dict(d=4, depth=2, n=32, seed=1)
    fd = optimality.layer_gradient_ranks_fd(**kw)["relative_singular_values"]
    thresholds = sorted({v * f for layer in fd for v in layer if 0 < v < 1 for f in (1 - 1e-5, 1 + 1e-5)})
    assert len(thresholds) >= 6  # at least three distinct nonzero σ_k/σ_max < 1 are bracketed
    for t in thresholds:
        want = [sum(v > t for v in layer) for layer in fd]
        assert optimality.layer_gradient_ranks(rtol=t, **kw)["ranks"] == want, t


def test_prop5_methods_agree_in_the_hard_max_regime():
    """c = 1e39: every kernel value but the nearest underflows, yet float64 still holds the loss (~c²); both methods
    give the prop. 5 picture, full rank for the inner layer and d_c = 2 for the layer feeding D."""
    kw = dict(d=4, depth=2, n=32, seed=1, c=1e39)
    assert optimality.layer_gradient_ranks_fd(**kw)["ranks"] == optimality.layer_gradient_ranks(**kw)["ranks"] == [4, 2]


# ----------------------------------------------------------------------------- prop. 6 numerics
def test_prop6_numeric_default_scale_is_exact():
    """The default α = 2 is a power of two: α·z is exact in binary floating point and ‖2z‖ = 2‖z‖ exactly, so D∘f and
    the collapsed optimum have bit-identical normalised outputs and losses (as the recorded rusak.prop6 run shows:
    abs_loss_diff = max_abs_output_diff = 0.0)."""
    r = optimality.prop6_numeric(d=4, d_c=2, n=16, seed=1)
    assert r["max_abs_output_diff"] == 0.0 and r["abs_loss_diff"] == 0.0


def test_prop6_numeric_any_positive_alpha():
    """Prop. 6 holds for every α > 0: at α = 1e-50 (far inside float64's range) D∘f still has Jacobian rank d_c and
    the same normalised outputs as the collapsed optimum (float64 round-off, 1e-12)."""
    r = optimality.prop6_numeric(d=4, d_c=2, n=16, alpha=1e-50, seed=1)
    assert r["rank_J_Df"] == [2, 2, 2]
    assert r["max_abs_output_diff"] < 1e-12


def test_prop6_numeric_jacobian_of_the_same_deep_encoder():
    """J_f of a leaky-ReLU MLP (slope 0.2) with invertible square layers is invertible at every input (the masks are
    nonsingular diagonals): at depth 6 its smallest singular value is still ≥ 1e-6·σ_max at the three inputs checked,
    far above the 1e-9 rank threshold, so rank J_f = d and rank J_{D∘f} = d_c."""
    r = optimality.prop6_numeric(d=4, d_c=2, n=8, depth=6, seed=0)
    assert r["rank_J_f"] == [4, 4, 4] and r["rank_J_Df"] == [2, 2, 2]


# ----------------------------------------------------------------------------- seed text in any locale
@pytest.fixture
def c_locale():
    """The process's text encoding set to ASCII (LC_CTYPE = C) for the duration of a test."""
    old = locale.setlocale(locale.LC_CTYPE)
    locale.setlocale(locale.LC_CTYPE, "C")
    try:
        yield
    finally:
        locale.setlocale(locale.LC_CTYPE, old)


def test_seed_text_is_read_as_utf8_in_any_locale(monkeypatch, tmp_path, c_locale):
    """The seed documents are UTF-8 (τ, §, ü): lemma 1's and the temperature statements' readers decode them as UTF-8
    even when the process locale is plain C (ASCII)."""
    f = tmp_path / "seed.txt"
    f.write_text(optimality.TEMPERATURE_QUOTES["§3"] + " see [1, Assums. 3.1, 3.6] hold ü", encoding="utf-8")
    monkeypatch.setattr(optimality, "SEED_FILE", f)
    assert optimality.lemma1_source_facts() == {"seed_file_available": True, "cited": True, "content_stated": False}
    assert optimality.lemma1_missing() == ["[1, Assums. 3.1, 3.6] cited", "their content is NOT stated in the source"]
    t = optimality.temperature_statements()
    assert t["directions"] == {"§3": ">"} and t["seed_file_available"]
