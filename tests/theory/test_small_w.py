"""theory/small_w.py: the exact small-W expansion reproduces expansions known in closed form."""
from __future__ import annotations

import pytest
import sympy as sp

from sslverify.theory.small_w import small_w_expansion


def test_spectral_contrastive_expansion_is_exact():
    # SCL per sample: ℓ = −2 f(x)ᵀf(x') + (f(x)ᵀf(χ))², x = x̂ + ε₁, x' = x̂ + ε₂, χ = ĉ + ε₃ (an
    # independent sample), x̂, ĉ ~ N(0, A0), ε ~ N(0, C).  Its expectation is a polynomial in W:
    # E ℓ(tW) = t² (−2 Tr[W A0 Wᵀ]) + t⁴ Tr[(W Σ Wᵀ)²], Σ = A0 + C  (E[xᵀMx'] = Tr M A0 and
    # E[(xᵀMχ)²] = Tr[M Σ Mᵀ Σ] for independent x, χ), so every other coefficient is exactly 0.
    d = 2
    W = sp.Matrix(d, d, lambda i, j: sp.Symbol(f"w{i}{j}", real=True))
    a = sp.symbols("a0:2", positive=True)
    c = sp.symbols("c0:2", positive=True)
    A0, C = sp.diag(*a), sp.diag(*c)
    names = ("xh", "e1", "e2", "ch", "e3")
    vec = {n: sp.Matrix(sp.symbols(f"{n}_0:{d}", real=True)) for n in names}
    variables = [v for n in names for v in vec[n]]
    cov = sp.diag(A0, C, C, A0, C)
    x, xp, chi = vec["xh"] + vec["e1"], vec["xh"] + vec["e2"], vec["ch"] + vec["e3"]

    def loss(Wt):
        return -2 * ((Wt * x).T * (Wt * xp))[0, 0] + (((Wt * x).T * (Wt * chi))[0, 0]) ** 2

    out = small_w_expansion(loss, W, variables, cov, order=5)
    Sig = A0 + C
    P = W * Sig * W.T
    assert sp.expand(out[2] - (-2 * (W * A0 * W.T).trace())) == 0
    assert sp.expand(out[4] - (P * P).trace()) == 0
    assert all(out[k] == 0 for k in (0, 1, 3, 5))


def test_one_dimensional_weighted_infonce_expansion():
    # d = 1, N = 2 (one negative), weight w: with s = t²w²/2, v = (ε₁ − ε₁')², u = (p + ε₁ − ε₂')²
    # (p = x̂₁ − x̂₂), ℓ = s v + log(e^{−s u} + α e^{−s v}).  Expanding the log-sum-exp in s (a cumulant
    # expansion under the weights (1, α)/(1 + α)):
    #   ℓ = log(1 + α) + s (v − u)/(1 + α) + s² α (u − v)² / (2 (1 + α)²) + O(s³).
    # Gaussian moments: E[v − u] = −2a; with A = p + ε₁ − ε₂' (var 2a + 2c), B = ε₁ − ε₁' (var 2c),
    # Cov(A, B) = c: E[(A² − B²)²] = 3(2a+2c)² − 2((2a+2c)(2c) + 2c²) + 3(2c)² = 12(a+c)² − 8c(a+c) + 8c².
    # Hence c₀ = log(1+α), c₂ = −a w²/(1+α), c₄ = α w⁴ (3(a+c)² − 2c(a+c) + 2c²) / (2(1+α)²), odd = 0.
    w = sp.Symbol("w", real=True)
    a, c, alpha = sp.symbols("a c alpha", positive=True)
    x1, e1, e1p, x2, e2p = sp.symbols("x1 e1 e1p x2 e2p", real=True)
    variables = [x1, e1, e1p, x2, e2p]
    cov = sp.diag(a, c, c, a, c)

    def loss(Wt):
        f = Wt[0, 0] * (x1 + e1)
        fp = Wt[0, 0] * (x1 + e1p)
        fn = Wt[0, 0] * (x2 + e2p)
        return (f - fp) ** 2 / 2 + sp.log(sp.exp(-(f - fn) ** 2 / 2) + alpha * sp.exp(-(f - fp) ** 2 / 2))

    out = small_w_expansion(loss, sp.Matrix([[w]]), variables, cov, order=4)
    assert sp.simplify(out[0] - sp.log(1 + alpha)) == 0
    assert sp.simplify(out[2] - (-a * w**2 / (1 + alpha))) == 0
    want4 = alpha * w**4 * (3 * (a + c) ** 2 - 2 * c * (a + c) + 2 * c**2) / (2 * (1 + alpha) ** 2)
    assert sp.simplify(out[4] - want4) == 0
    assert out[1] == 0 and out[3] == 0


w_ = sp.Symbol("w", real=True)
z_ = sp.Symbol("z", real=True)


@pytest.mark.parametrize("kwargs, pattern", [
    (dict(order=-1), r"order must be an integer >= 0"),
    (dict(order=2.0), r"order must be an integer >= 0"),
    (dict(loss="ell"), r"loss must be a callable"),
    (dict(loss=lambda Wt: sp.sqrt((Wt[0, 0] * z_) ** 2)), r"loss: the order-1 term is not a polynomial"),
    (dict(loss=lambda Wt: [Wt[0, 0]]), r"loss must return a scalar SymPy expression"),
    (dict(W=[[w_]]), r"W must be a SymPy Matrix"),
    (dict(W=sp.Matrix([[w_ * z_]])), r"W must not contain the Gaussian variables"),
    (dict(variables=[z_, z_], cov=sp.eye(2)), r"variables must be distinct"),
    (dict(variables=[]), r"variables must name at least one"),
    (dict(cov=sp.Matrix([[-1]])), r"cov must be positive semi-definite: the variance cov\[0, 0\] = -1"),
    (dict(cov=sp.Matrix([[sp.nan]])), r"cov must be finite"),
    (dict(cov=sp.eye(2)), r"cov must have shape \(1, 1\)"),
])
def test_bad_input_names_the_parameter(kwargs, pattern):
    args = dict(loss=lambda Wt: (Wt[0, 0] * z_) ** 2, W=sp.Matrix([[w_]]), variables=[z_], cov=sp.Matrix([[1]]),
                order=2)
    args.update(kwargs)
    with pytest.raises(ValueError, match=pattern):
        small_w_expansion(**args)


def test_valid_default_case():
    # E[(w z)²] = w² Var z
    s = sp.Symbol("s", positive=True)
    assert small_w_expansion(lambda Wt: (Wt[0, 0] * z_) ** 2, sp.Matrix([[w_]]), [z_], sp.Matrix([[s]])) == \
        {0: 0, 1: 0, 2: s * w_**2, 3: 0, 4: 0}


# ----------------------------------------------------------------------------- theory/gaussian.py checks
from sslverify.theory.gaussian import block_covariance, gaussian_expectation  # noqa: E402

a_, b_ = sp.symbols("a b", real=True)


@pytest.mark.parametrize("cov, pattern", [
    # before: both returned a number (E[x²y²] = 9 and E[x²] = −1)
    (sp.Matrix([[1, 2], [2, 1]]), r"cov must be positive semi-definite, got smallest eigenvalue -1"),
    (sp.Matrix([[-1, 0], [0, 1]]), r"the variance cov\[0, 0\] = -1 is negative"),
    # before: "cov must be symmetric" (nan − nan is nan)
    (sp.Matrix([[1, sp.nan], [sp.nan, 1]]), r"cov must be finite .*cov\[0, 1\] = nan"),
    (sp.Matrix([[1, sp.Rational(1, 2)], [0, 1]]), r"cov must be symmetric, got cov\[0, 1\] = 1/2 but cov\[1, 0\] = 0"),
    # symbolic entries: what is decidable is checked
    (sp.Matrix([[a_, 3], [3, 1]]), None),  # a unknown: Cauchy–Schwarz undecidable, accepted (documented)
    (sp.Matrix([[4, 3], [3, 2]]), r"cov must be positive semi-definite, got smallest eigenvalue"),
    (sp.Matrix([[1, 3, 0], [3, 1, 0], [0, 0, b_]]), r"\|cov\[0, 1\]\|² = 9 exceeds cov\[0, 0\]·cov\[1, 1\] = 1"),
    (sp.Matrix([[-sp.Symbol("s", positive=True), 0], [0, 1]]), r"the variance cov\[0, 0\] = -s is negative"),
    (sp.Matrix([[1, sp.I], [sp.I, 1]]), r"cov must be real"),
])
def test_gaussian_expectation_covariance_checks(cov, pattern):
    v = sp.symbols(f"v0:{cov.shape[0]}", real=True)
    if pattern is None:
        assert gaussian_expectation(v[0] * v[1], v, cov) == 3
        return
    with pytest.raises(ValueError, match=pattern):
        gaussian_expectation(v[0] ** 2 * v[1] ** 2, v, cov)


def test_gaussian_expectation_isserlis_values_unchanged():
    # E[x²y²] = K_xx K_yy + 2 K_xy² (Isserlis), symbolic and numeric PSD covariances
    x, y = sp.symbols("x y", real=True)
    s, r = sp.symbols("s r", positive=True)
    assert sp.expand(gaussian_expectation(x**2 * y**2, [x, y], sp.Matrix([[s, r], [r, s]])) - (s**2 + 2 * r**2)) == 0
    assert gaussian_expectation(x**2 * y**2 + x, [x, y], [[2, 1], [1, 1]]) == 4
    assert gaussian_expectation(x**2, [x], sp.Matrix([[0]])) == 0  # a degenerate (PSD) variable


def test_block_covariance_checks_the_assembled_matrix():
    K = block_covariance([[sp.eye(2), None], [None, sp.Matrix([[3]])]])
    assert K == sp.diag(1, 1, 3)
    with pytest.raises(ValueError, match=r"blocks \(assembled covariance\) must be symmetric"):
        block_covariance([[sp.eye(1), sp.Matrix([[sp.Rational(1, 2)]])], [None, sp.eye(1)]])
    with pytest.raises(ValueError, match=r"blocks\[0\]\[1\] must have shape \(2, 1\), got \(1, 1\)"):
        block_covariance([[sp.eye(2), sp.eye(1)], [None, sp.eye(1)]])
    with pytest.raises(ValueError, match=r"blocks must be a square grid: row 0 must have 2 entries"):
        block_covariance([[sp.eye(1)], [None, sp.eye(1)]])
