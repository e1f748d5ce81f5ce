"""numerics/stationary.py: autograd gradient/Hessian against closed forms, Newton's census, classification."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from sslverify.numerics.stationary import StationaryPoint, classify_hessian, gradient, hessian, newton_stationary
from sslverify.numerics.tolerance import assert_rel_close

DT = torch.float64
FLOAT = "closed form vs autograd in float64: a few ulps of O(1) entries"


def quartic(A: torch.Tensor):
    """f(x) = ½ xᵀAx + ¼ |x|⁴: ∇f = Ax + |x|² x, ∇²f = A + |x|² I + 2 x xᵀ."""
    return lambda x: 0.5 * x @ A @ x + 0.25 * (x @ x) ** 2


@given(st.integers(1, 4), st.integers(0, 2**31 - 1))
@settings(max_examples=20, deadline=None)
def test_gradient_and_hessian_match_closed_forms(n, seed):
    rng = np.random.default_rng(seed)
    M = rng.standard_normal((n, n))
    A = torch.tensor(M + M.T)
    x = torch.tensor(rng.standard_normal(n))
    f = quartic(A)
    assert_rel_close(gradient(f, x).numpy(), (A @ x + (x @ x) * x).numpy(), 1e-12, floor=1.0, reason=FLOAT)
    H_want = A + (x @ x) * torch.eye(n, dtype=DT) + 2 * torch.outer(x, x)
    assert_rel_close(hessian(f, x).numpy(), H_want.numpy(), 1e-12, floor=1.0, reason=FLOAT)


def test_hessian_flattens_row_major():
    # f(X) = Σ_ij c_ij X_ij²: Hessian diag(2 c) in row-major order
    c = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=DT)
    H = hessian(lambda X: (c * X * X).sum(), torch.ones(2, 3))
    assert torch.equal(H, torch.diag(2 * c.reshape(-1)))


def test_newton_lands_on_each_kind_of_stationary_point():
    # f(x, y) = (x² − 1)² + y²: minima (±1, 0), saddle (0, 0); Newton converges quadratically
    f = lambda v: (v[0] ** 2 - 1) ** 2 + v[1] ** 2  # noqa: E731
    p = newton_stationary(f, [0.8, 0.3])
    assert p.converged and p.iterations <= 8 and p.grad_norm <= 1e-10
    assert abs(float(p.x[0]) - 1.0) < 1e-10 and abs(float(p.x[1])) < 1e-10  # |x − x*| ≤ |g|/λ_min(H) = |g|/2
    assert classify_hessian(hessian(f, p.x)) == "min"
    s = newton_stationary(f, [0.1, 0.0])
    assert s.converged and float(s.x.abs().max()) < 1e-10
    assert classify_hessian(hessian(f, s.x)) == "saddle"
    g = lambda v: -(v[0] ** 2) - 3 * v[1] ** 2 + v[0] * v[1]  # noqa: E731  (negative definite)
    m = newton_stationary(g, [0.3, -0.2])
    assert m.converged and m.iterations == 1  # a quadratic: one Newton step
    assert classify_hessian(hessian(g, m.x)) == "max"


def test_symmetry_orbit_minimum_is_degenerate():
    # f(x) = (|x|² − 1)²: minima on the unit circle, a zero mode along the orbit
    f = lambda v: ((v ** 2).sum() - 1) ** 2  # noqa: E731
    p = newton_stationary(f, [0.6, 0.9])
    assert p.converged
    assert abs(float(p.x.norm()) - 1.0) < 1e-10
    assert classify_hessian(hessian(f, p.x)) == "degenerate"


def test_newton_failure_is_reported_not_raised():
    # f(x) = x has no stationary point: Newton runs out of iterations, converged = False
    p = newton_stationary(lambda v: v.sum(), [0.0], max_iter=5)
    assert not p.converged and p.iterations == 5 and p.grad_norm == 1.0
    # f(x) = log x − x from x0 = 3: the first step lands at x = −3 where log is NaN: stop at x0
    q = newton_stationary(lambda v: torch.log(v).sum() - v.sum(), [3.0])
    assert not q.converged and float(q.x) == 3.0 and math.isfinite(q.grad_norm)


@pytest.mark.parametrize("lam, kind", [
    ([1.0, 2.0], "min"), ([-1.0, -2.0], "max"), ([-1.0, 2.0], "saddle"), ([0.0, 2.0], "degenerate"),
    ([0.0, -2.0], "degenerate"), ([1e-12, 1.0], "degenerate"), ([1e-6, 1.0], "min"),
])
def test_classify_hessian_known_spectra(lam, kind):
    Q = torch.linalg.qr(torch.randn(2, 2, generator=torch.Generator().manual_seed(0), dtype=DT))[0]
    H = Q @ torch.diag(torch.tensor(lam, dtype=DT)) @ Q.T
    assert classify_hessian(H) == kind


@pytest.mark.parametrize("call, pattern", [
    (lambda: gradient(lambda x: x.sum(), [float("nan")]), r"x must be finite"),
    (lambda: gradient(lambda x: x.sum(), []), r"x must not be empty"),
    (lambda: gradient("loss", [1.0]), r"loss must be a callable"),
    (lambda: gradient(lambda x: x, [1.0, 2.0]), r"loss must return a real scalar"),
    (lambda: gradient(lambda x: torch.tensor(1.0), [1.0]), r"loss must be differentiable"),
    (lambda: gradient(lambda x: x.sum().log(), [-1.0]), r"loss must have a finite value at x"),
    (lambda: gradient(lambda x: x.abs().sqrt().sum(), [0.0]), r"loss must have a finite gradient at x"),
    (lambda: hessian(lambda x: (x.abs() ** 1.5).sum(), [0.0]), r"loss must have a finite Hessian at x"),
    (lambda: newton_stationary(lambda x: x.sum().log(), [-1.0]), r"loss must have a finite value at x0"),
    (lambda: newton_stationary(lambda x: x.sum(), [1.0], damping=-1e-3), r"damping must be >= 0"),
    (lambda: newton_stationary(lambda x: x.sum(), [1.0], tol=0.0), r"tol must be > 0"),
    (lambda: newton_stationary(lambda x: x.sum(), [1.0], max_iter=0), r"max_iter must be an integer >= 1"),
    (lambda: classify_hessian([[1.0, 2.0], [0.0, 1.0]]), r"H must be symmetric .*H\[0, 1\] = 2"),
    (lambda: classify_hessian([[1.0, 2.0, 3.0]]), r"H must be a square matrix"),
    (lambda: classify_hessian(torch.eye(2), rtol=1.0), r"rtol must lie in \(0, 1\)"),
    (lambda: StationaryPoint(torch.zeros(1), float("nan"), True, 0), r"grad_norm must be finite for a converged"),
    (lambda: StationaryPoint(torch.zeros(1), 0.0, "yes", 0), r"converged must be True or False"),
    (lambda: StationaryPoint(torch.zeros(1), 0.0, True, -1), r"iterations must be an integer >= 0"),
])
def test_bad_input_names_the_parameter(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()
