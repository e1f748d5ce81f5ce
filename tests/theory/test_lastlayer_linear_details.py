"""Details of theory/lastlayer/linear.py (lastlayer.prop1, lastlayer.eq3) and of the prop1 evidence gather.

Complements test_lastlayer_linear.py: the symbol helpers' documented assumptions, the defaults of the
symbolic identity checks, and the printed/closed-form entries of the findings that no other test reads.
"""
from __future__ import annotations

import pytest
import sympy as sp

from sslverify.theory.lastlayer import linear
from sslverify.verdicts.builtin import lastlayer as checks


# ----------------------------------------------------------------------------- symbol helpers
def test_sym_covariance_is_symmetric_with_real_entries():
    """sym_covariance: 'a symmetric n×n matrix of real symbols' — Σ_ab = Σ_ba, named s_ab (a ≤ b), each real."""
    S = linear.sym_covariance(2)
    assert S == S.T
    assert S[0, 1] == sp.Symbol("s_01", real=True) and S[1, 1] == sp.Symbol("s_11", real=True)
    assert all(x.is_real is True for x in S)
    # a real symbol equals its conjugate (what the identities rely on); a plain symbol would not
    assert sp.conjugate(S[0, 1]) == S[0, 1]


def test_row_is_a_row_of_real_symbols():
    """row(name, n): a 1×n matrix of the real symbols name1..name_n (weights are real)."""
    r = linear.row("w", 3)
    assert r.shape == (1, 3)
    assert list(r) == [sp.Symbol(f"w{i}", real=True) for i in (1, 2, 3)]
    assert all(x.is_real is True for x in r) and sp.conjugate(r[0]) == r[0]


# ----------------------------------------------------------------------------- defaults of the identity checks
def test_covariance_identity_default_covers_n_1_to_4():
    """covariance_identity() checks n = 1..nmax with nmax = 4 by default; the identity holds at each n."""
    assert linear.covariance_identity() == {1: True, 2: True, 3: True, 4: True}


def test_source_step_residual_default_and_smallest_size():
    """source_step_residual(): n = 1..4 by default, zero only at n = 1 (‖w‖² tr Σ = wΣwᵀ only for scalars);
    with nmax = 1 no n = 2 residual is computed, so residual_n2 stays empty."""
    r = linear.source_step_residual()
    assert r["zero"] == {1: True, 2: False, 3: False, 4: False}
    one = linear.source_step_residual(1)
    assert one == {"zero": {1: True}, "residual_n2": ""}


# ----------------------------------------------------------------------------- prop1 findings, printed forms
def test_prop1_weak_source_bound_is_two_eps_over_trace():
    """The source's weaker-case bound δ/tr Σ_x with δ = 2ε, Σ_x = diag(1, ε): 2ε/(1 + ε) (worked by hand)."""
    f = linear.prop1_findings()
    eps = sp.Symbol("epsilon")
    assert sp.simplify(sp.sympify(f["weak_source_bound"]) - 2 * eps / (1 + eps)) == 0


def test_prop1_rayleigh_gap_is_d2_v2sq_plus_d3_v3sq():
    """wΣwᵀ − λ_min‖w‖² in the eigenbasis with λ_k = λ₁ + d_k: λ₁ cancels, leaving d₂v₂² + d₃v₃² (by hand)."""
    f = linear.prop1_findings()
    d2, d3, v2, v3 = sp.symbols("d2 d3 v2 v3")
    assert sp.expand(sp.sympify(f["rayleigh_gap"]) - (d2 * v2**2 + d3 * v3**2)) == 0


# ----------------------------------------------------------------------------- eq. 3 findings
def test_eq3_outer_product_norm_is_five():
    """‖WⁱᵀWʲ‖_F = ‖Wⁱ‖‖Wʲ‖ for the rank-one outer product; Wⁱ = (2, 1), Wʲ = (2, −1): √5·√5 = 5."""
    f = linear.eq3_findings()
    assert f["outer_product_norm_when_cov_zero"] == 5
    # and it is the counterexample's pair: Cov = 0 under Σ = diag(1, 4) (2·2·1 + 1·(−1)·4 = 0)
    assert f["cov_zero_dot_nonzero"] == [0, 3]


# ----------------------------------------------------------------------------- prop1 evidence default
def test_prop1_evidence_default_is_the_quick_size(monkeypatch):
    """prop1_evidence() without arguments gathers at the quick size: the identity is checked for n = 1..3
    (PROP1_SIZES quick dim = 3; the default run would check n = 1..4)."""
    seen = []

    def spy(nmax):
        seen.append(nmax)
        return {n: True for n in range(1, nmax + 1)}

    monkeypatch.setattr(checks.linear, "covariance_identity", spy)
    ev = checks.prop1_evidence()
    assert seen == [3] and ev["covariance_identity"] == {"1": True, "2": True, "3": True}
