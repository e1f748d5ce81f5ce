"""Every public function of the derivation / loss / metric / stationary-point layers rejects bad input
with a ValueError that names the parameter (issue 11, item 1) — never a silent result, never a raw
library error (IndexError, torch's RuntimeError, numpy's or torch's LinAlgError, SymPy errors).

Hypothesis draws a valid call for each function of ``sslverify.api.__all__`` that lives in
numerics/{metrics,ssl_metrics,losses,stationary}.py or theory/{gaussian,small_w}.py, then corrupts
one parameter: NaN/inf entries, wrong shapes, wrong dtypes, empty axes, out-of-range scalars,
non-symmetric / indefinite covariances, rank-deficient inputs where a metric is undefined.
A coverage test fails when a function is added to those files' public API without cases here.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pytest
import sympy as sp
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sslverify.api as api

OWN_MODULES = {
    "sslverify.numerics.metrics", "sslverify.numerics.ssl_metrics", "sslverify.numerics.losses",
    "sslverify.numerics.validation", "sslverify.numerics.stationary", "sslverify.theory.gaussian",
    "sslverify.theory.small_w",
}
DT = torch.float64
NONFINITE = st.sampled_from([math.nan, math.inf, -math.inf])


# ----------------------------------------------------------------------------- drawing helpers
def rand(data, shape, scale=1.0, dtype=DT) -> torch.Tensor:
    seed = data.draw(st.integers(0, 2**31 - 1), label="seed")
    return scale * torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=dtype)


def psd(data, k, d, definite=True) -> torch.Tensor:
    L = rand(data, (k, d, d))
    return L @ L.transpose(-1, -2) + (0.5 * torch.eye(d, dtype=DT) if definite else 0)


def with_nonfinite(data, t: torch.Tensor) -> torch.Tensor:
    t = t.detach().clone()
    i = data.draw(st.integers(0, t.numel() - 1), label="bad index")
    t.view(-1)[i] = data.draw(NONFINITE, label="bad value")
    return t


def wrong_dtype(data, t: torch.Tensor):
    kind = data.draw(st.sampled_from(["bool", "complex", "half", "str"]), label="dtype")
    if kind == "bool":
        return t > 0
    if kind == "complex":
        return t.to(torch.complex128)
    if kind == "half":
        return t.to(torch.float16)
    return np.full(tuple(t.shape), "a")


def tensor_corruptions(param: str, ndim: int | None = None, min_ndim: int | None = None) -> list:
    """Generic corruptions of a tensor parameter: each returns {param: bad value}."""
    out = [
        (param, lambda data, kw: {param: with_nonfinite(data, torch.as_tensor(kw[param]))}),
        (param, lambda data, kw: {param: wrong_dtype(data, torch.as_tensor(kw[param]))}),
    ]
    if ndim is not None:
        out.append((param, lambda data, kw: {param: torch.as_tensor(kw[param])[None]}))  # one axis too many
        out.append((param, lambda data, kw: {param: torch.as_tensor(kw[param])[0]}))  # one too few
    if min_ndim is not None:
        out.append((param, lambda data, kw: {param: torch.as_tensor(kw[param]).reshape(-1)[:1].reshape(
            (1,) * (min_ndim - 1))}))  # below the minimum number of axes
    out.append((param, lambda data, kw: {param: torch.as_tensor(kw[param])[..., :0]}))  # an empty axis
    return out


def bad_scalar(rule: str):
    """Numbers that break a scalar rule: 'unit' [0, 1], 'open' (0, 1), 'pos' > 0, 'nonneg' >= 0."""
    below = {"unit": st.floats(-1e6, -1e-9), "open": st.floats(-1e6, 0.0), "pos": st.floats(-1e6, 0.0),
             "nonneg": st.floats(-1e6, -1e-12)}[rule]
    above = {"unit": st.floats(1 + 1e-9, 1e6), "open": st.floats(1.0, 1e6)}.get(rule, st.nothing())
    return st.one_of(below, above, NONFINITE, st.just("0.5x"), st.just(None), st.just(1j))


def scalar_corruption(param: str, rule: str):
    return (param, lambda data, kw: {param: data.draw(bad_scalar(rule), label=param)})


def nonsymmetric(data, S: torch.Tensor) -> torch.Tensor:
    S = S.clone()
    d = S.shape[-1]
    i = data.draw(st.integers(0, d - 2), label="i")
    S[..., i, d - 1] += data.draw(st.floats(1e-3, 10.0), label="asym") * S.abs().amax((-1, -2))
    return S


def indefinite(data, k: int, d: int) -> torch.Tensor:
    Q = torch.linalg.qr(rand(data, (k, d, d)))[0]
    lam = rand(data, (k, d)).abs() + 0.1
    lam[..., 0] = -data.draw(st.floats(1e-3, 10.0), label="negative eigenvalue") * lam.amax(-1)
    return Q @ torch.diag_embed(lam) @ Q.transpose(-1, -2)


def mask_with_short_row(data, K, N, need):
    m = torch.ones(K, N, dtype=torch.bool)
    k = data.draw(st.integers(0, K - 1), label="short row")
    m[k, need - 1:] = False  # need − 1 real rows left
    return m


# ----------------------------------------------------------------------------- the cases
@dataclass
class Case:
    fn: Callable
    valid: Callable[[Any], dict]
    corrupt: list  # (parameter the message must name, data, kwargs -> {param: bad value, ...})
    examples: int = 6  # hypothesis draws per corruption kind (sizes, seeds, bad values)


def pair_case(fn, a, b, extra_valid, extra_corrupt, min_rows):
    def valid(data):
        K, N, d = (data.draw(st.integers(lo, hi), label=n) for n, lo, hi in (("K", 1, 3), ("N", 2, 5), ("d", 1, 3)))
        fx = rand(data, (K, N, d))
        kw = {a: fx, b: fx + 0.3 * rand(data, (K, N, d))}
        kw.update(extra_valid(data, K, N))
        return kw

    corrupt = tensor_corruptions(a, ndim=3) + tensor_corruptions(b, ndim=3) + [
        (b, lambda data, kw: {b: torch.cat([kw[b], kw[b][:, :1]], 1)}),  # one row more than a
        (b, lambda data, kw: {b: kw[b].float()}),  # dtype differs from a
        ("mask", lambda data, kw: {"mask": torch.ones(kw[a].shape[0], kw[a].shape[1] + 1, dtype=torch.bool)}),
        ("mask", lambda data, kw: {"mask": torch.ones(kw[a].shape[:2], dtype=DT)}),
        ("mask", lambda data, kw: {"mask": mask_with_short_row(data, *kw[a].shape[:2], min_rows)}),
        (a, lambda data, kw: {a: kw[a][:, :min_rows - 1], b: kw[b][:, :min_rows - 1]}),  # too few rows
    ] + extra_corrupt
    return Case(fn, valid, corrupt)


def alpha_tensor_bad(data, kw):
    K = kw["fx"].shape[0]
    t = torch.rand(K, generator=torch.Generator().manual_seed(data.draw(st.integers(0, 999))), dtype=DT)
    t[data.draw(st.integers(0, K - 1))] = data.draw(st.one_of(st.floats(1.001, 5.0), st.floats(-5.0, -1e-6), NONFINITE))
    return {"alpha": t}


def barlow_constant_column(data, kw):
    fx = kw["fx"].clone()
    fx[..., data.draw(st.integers(0, fx.shape[-1] - 1))] = data.draw(st.floats(-3.0, 3.0))
    return {"fx": fx, "eps": 0.0}


x_, y_, z_ = sp.symbols("x y z", real=True)
s_ = sp.Symbol("s", positive=True)
w_ = sp.Symbol("w", real=True)


def sym_valid(data):
    n = data.draw(st.integers(1, 3), label="n")
    vs = [x_, y_, z_][:n]
    if data.draw(st.booleans(), label="numeric"):
        L = np.array(data.draw(st.lists(st.integers(-3, 3), min_size=n * n, max_size=n * n)), dtype=int).reshape(n, n)
        cov = sp.Matrix(L @ L.T + np.eye(n, dtype=int))
    else:
        cov = sp.diag(*([s_] * n))
    expr = sp.Integer(1)
    for _ in range(data.draw(st.integers(0, 4), label="degree")):
        expr *= data.draw(st.sampled_from(vs))
    return {"expr": expr + 2, "variables": vs, "cov": cov}


def sym_cov_corruptions(n_of: Callable[[dict], int], param: str = "cov") -> list:
    def indef(data, kw):
        n = n_of(kw)
        if n == 1:
            return {param: sp.Matrix([[-data.draw(st.integers(1, 9))]])}
        M = sp.eye(n)
        M[0, 1] = M[1, 0] = data.draw(st.integers(2, 9))  # |K01|² > K00 K11: Cauchy–Schwarz fails
        return {param: M}

    def nan_entry(data, kw):
        n = n_of(kw)
        M = sp.eye(n)
        i, j = data.draw(st.integers(0, n - 1)), data.draw(st.integers(0, n - 1))
        M[i, j] = M[j, i] = data.draw(st.sampled_from([sp.nan, sp.oo, sp.zoo, -sp.oo]))
        return {param: M}

    def asym(data, kw):
        n = max(n_of(kw), 2)
        M = sp.eye(n)
        M[0, 1] = sp.Rational(data.draw(st.integers(1, 5)), 10)
        return {param: M, **({"variables": [x_, y_]} if n_of(kw) < 2 and "variables" in kw else {})}

    def neg_var_symbolic(data, kw):
        n = n_of(kw)
        M = sp.diag(*([s_] * n))
        M[n - 1, n - 1] = -s_  # SymPy knows −s < 0 for s > 0
        return {param: M}

    def wrong_shape(data, kw):
        return {param: sp.eye(n_of(kw) + 1)}

    return [(param, indef), (param, nan_entry), (param, asym), (param, neg_var_symbolic), (param, wrong_shape),
            (param, lambda data, kw: {param: sp.Matrix([[1j] * n_of(kw)] * n_of(kw))}),
            (param, lambda data, kw: {param: "cov"})]


def small_w_valid(data):
    return {"loss": lambda Wt: (Wt[0, 0] * x_) ** 2 + Wt[0, 0] ** 2 * x_ * y_, "W": sp.Matrix([[w_]]),
            "variables": [x_, y_], "cov": sp.Matrix([[2, 1], [1, 3]]), "order": data.draw(st.integers(0, 3))}


def quad(x):
    return (x ** 2).sum() + x.sum() ** 3


def point_valid(data):
    return {"loss": quad, "x": rand(data, (data.draw(st.integers(1, 3)),))}


LOSS_CORRUPTIONS = [
    ("loss", lambda data, kw: {"loss": data.draw(st.sampled_from(["loss", 3, None]))}),
    ("loss", lambda data, kw: {"loss": lambda x: torch.stack([x.sum(), x.sum()])}),  # not a scalar
    ("loss", lambda data, kw: {"loss": lambda x: x.detach().sum().item()}),  # a float, not a tensor
    ("loss", lambda data, kw: {"loss": lambda x: torch.tensor(1.0, dtype=DT)}),  # not differentiable in x
    ("loss", lambda data, kw: {"loss": lambda x: torch.log(-(x ** 2).sum() - 1)}),  # NaN everywhere
]


def sp_valid(data):
    grad_norm = data.draw(st.floats(0.0, 1e-3))
    return {"x": rand(data, (2,)), "grad_norm": grad_norm, "converged": data.draw(st.booleans()),
            "iterations": data.draw(st.integers(0, 50))}


def angle_valid(data):
    n = data.draw(st.integers(2, 6), label="n")
    d = data.draw(st.integers(1, n), label="d")
    k = data.draw(st.integers(1, n), label="k")
    return {"W": rand(data, (d, n)), "U": rand(data, (n, k))}


def rank_deficient_rows(data, W):
    d, n = W.shape[-2:]
    kind = data.draw(st.sampled_from(["zero", "rank1", "too_many"]), label="deficiency")
    if kind == "zero" or d == 1:
        return torch.zeros_like(W) if kind != "too_many" else rand(data, (n + 1, n))
    if kind == "rank1":
        return rand(data, (d, 1)) @ rand(data, (1, n))
    return rand(data, (n + 1, n))


CASES: dict[str, Case] = {
    "weighted_infonce": pair_case(
        api.weighted_infonce, "fx", "fxp",
        lambda data, K, N: {"alpha": data.draw(st.floats(0.0, 1.0)), "fused": data.draw(st.booleans())},
        [scalar_corruption("alpha", "unit"), ("alpha", alpha_tensor_bad),
         ("alpha", lambda data, kw: {"alpha": torch.full((kw["fx"].shape[0] + 1,), 0.5, dtype=DT)}),
         ("fused", lambda data, kw: {"fused": data.draw(st.sampled_from(["yes", 1, None]))})], 2),
    "nt_xent": pair_case(
        api.nt_xent, "z1", "z2", lambda data, K, N: {"tau": data.draw(st.floats(0.05, 2.0))},
        [scalar_corruption("tau", "pos")], 1),
    "spectral_contrastive": pair_case(api.spectral_contrastive, "fx", "fxp", lambda data, K, N: {}, [], 2),
    "barlow_twins": pair_case(
        api.barlow_twins, "fx", "fxp",
        lambda data, K, N: {"lam": data.draw(st.floats(0.0, 1.0)), "eps": data.draw(st.floats(1e-8, 1e-3))},
        [scalar_corruption("lam", "nonneg"), scalar_corruption("eps", "nonneg"), ("fx", barlow_constant_column),
         ("standardize", lambda data, kw: {"standardize": data.draw(st.sampled_from(["no", 0, None]))})], 2),
    "quartic_loss": Case(
        api.quartic_loss,
        lambda data: (lambda K, d1, d0: {"W": rand(data, (K, d1, d0)), "B": psd(data, K, d0) - 1.0,
                                         "Sigma": psd(data, K, d0, definite=data.draw(st.booleans()))})(
            data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3)), data.draw(st.integers(2, 3))),
        tensor_corruptions("W", ndim=3) + tensor_corruptions("B", min_ndim=2) + tensor_corruptions("Sigma", min_ndim=2) + [
            ("Sigma", lambda data, kw: {"Sigma": indefinite(data, *kw["Sigma"].shape[:2])}),
            ("Sigma", lambda data, kw: {"Sigma": nonsymmetric(data, kw["Sigma"])}),
            ("B", lambda data, kw: {"B": nonsymmetric(data, kw["B"])}),
            ("B", lambda data, kw: {"B": torch.eye(kw["W"].shape[-1] + 1, dtype=DT)}),
            ("Sigma", lambda data, kw: {"Sigma": torch.eye(kw["W"].shape[-1] + 1, dtype=DT)}),
        ]),
    "weight_decay": Case(
        api.weight_decay, lambda data: {"W": rand(data, (2, 3, 2)), "gamma": data.draw(st.floats(0.0, 1.0))},
        tensor_corruptions("W", ndim=3) + [
            scalar_corruption("gamma", "nonneg"),
            ("gamma", lambda data, kw: {"gamma": torch.tensor([0.1, data.draw(st.floats(-5, -1e-9))], dtype=DT)}),
            ("gamma", lambda data, kw: {"gamma": torch.zeros(3, dtype=DT)}),
        ]),
    "gram_eigenvalues": Case(api.gram_eigenvalues, lambda data: {"W": rand(data, (2, 3, 4))},
                             tensor_corruptions("W", min_ndim=2)),
    "numerical_rank": Case(
        api.numerical_rank, lambda data: {"eigs": rand(data, (2, 4)).abs()},
        tensor_corruptions("eigs", min_ndim=1) + [
            ("eigs", lambda data, kw: {"eigs": torch.tensor([data.draw(st.floats(-10, -1e-3)), 1.0], dtype=DT)}),
            ("dtype", lambda data, kw: {"dtype": data.draw(st.sampled_from([torch.int64, "float32", np.float32, torch.bool]))}),
        ]),
    "rank_above": Case(
        api.rank_above, lambda data: {"eigs": rand(data, (3,)).abs(), "rtol": data.draw(st.floats(1e-6, 0.9))},
        tensor_corruptions("eigs", min_ndim=1) + [scalar_corruption("rtol", "open")]),
    "stable_rank": Case(
        api.stable_rank, lambda data: {"eigs": rand(data, (2, 3)).abs() + 0.01},
        tensor_corruptions("eigs", min_ndim=1) + [
            ("eigs", lambda data, kw: {"eigs": torch.zeros(data.draw(st.integers(1, 4)), dtype=DT)}),
            ("eigs", lambda data, kw: {"eigs": torch.tensor([[1.0, 2.0], [data.draw(st.floats(-9, -1e-4)), 1.0]], dtype=DT)}),
        ]),
    "entropy_rank": Case(
        api.entropy_rank, lambda data: {"eigs": rand(data, (2, 3)).abs() + 0.01},
        tensor_corruptions("eigs", min_ndim=1) + [
            ("eigs", lambda data, kw: {"eigs": torch.zeros(2, data.draw(st.integers(1, 4)), dtype=DT)}),
            ("eigs", lambda data, kw: {"eigs": torch.tensor([1.0, data.draw(st.floats(-9, -1e-4))], dtype=DT)}),
        ]),
    "rankme": Case(
        api.rankme, lambda data: {"Z": rand(data, (2, 6, 3)), "eps": data.draw(st.floats(0.0, 1e-3))},
        tensor_corruptions("Z", min_ndim=2) + [
            ("Z", lambda data, kw: {"Z": torch.zeros(data.draw(st.integers(1, 4)), 3, dtype=DT)}),
            scalar_corruption("eps", "nonneg")]),
    "covariance_spectrum": Case(api.covariance_spectrum, lambda data: {"Z": rand(data, (5, 3))},
                                tensor_corruptions("Z", min_ndim=2)),
    "principal_angles": Case(
        api.principal_angles, angle_valid,
        tensor_corruptions("W", min_ndim=2) + tensor_corruptions("U", min_ndim=2) + [
            ("W", lambda data, kw: {"W": rank_deficient_rows(data, kw["W"])}),
            ("U", lambda data, kw: {"U": rank_deficient_rows(data, kw["U"].T).T}),
            ("U", lambda data, kw: {"U": torch.cat([kw["U"], kw["U"][:1]], 0)}),
        ]),
    "gaussian_expectation": Case(
        api.gaussian_expectation, sym_valid,
        sym_cov_corruptions(lambda kw: len(kw["variables"])) + [
            ("expr", lambda data, kw: {"expr": data.draw(st.sampled_from([sp.sin(x_), 1 / x_, sp.exp(x_), sp.Abs(x_)]))}),
            ("expr", lambda data, kw: {"expr": data.draw(st.sampled_from(["x +", sp.Matrix([x_]), x_ * sp.nan]))}),
            ("variables", lambda data, kw: {"variables": [x_, x_], "cov": sp.eye(2)}),
            ("variables", lambda data, kw: {"variables": [x_, data.draw(st.sampled_from([2, x_**2, "y"]))],
                                            "cov": sp.eye(2)}),
            ("variables", lambda data, kw: {"variables": [], "cov": sp.zeros(0, 0)}),
            ("variables", lambda data, kw: {"variables": x_}),
        ], examples=4),
    "block_covariance": Case(
        api.block_covariance,
        lambda data: {"blocks": [[sp.eye(2) * 2, sp.ones(2, 1) * sp.Rational(1, 2)],
                                 [sp.ones(1, 2) * sp.Rational(1, 2), sp.Matrix([[data.draw(st.integers(1, 5))]])]]},
        [("blocks", lambda data, kw: {"blocks": [[sp.eye(2), sp.ones(2, 1) / 2], [None, sp.eye(1)]]}),
         ("blocks", lambda data, kw: {"blocks": [[sp.eye(2), sp.ones(2, 1) * 3], [sp.ones(1, 2) * 3, sp.eye(1)]]}),
         ("blocks", lambda data, kw: {"blocks": [[sp.eye(2), sp.ones(3, 1)], [None, sp.eye(1)]]}),
         ("blocks", lambda data, kw: {"blocks": [[None, None], [None, sp.eye(1)]]}),
         ("blocks", lambda data, kw: {"blocks": [[sp.eye(2), None]]}),
         ("blocks", lambda data, kw: {"blocks": [[sp.Matrix([[-1]])]]}),
         ("blocks", lambda data, kw: {"blocks": [[sp.Matrix([[sp.nan]])]]}),
         ("blocks", lambda data, kw: {"blocks": []}),
         ("blocks", lambda data, kw: {"blocks": sp.eye(2)})],
        examples=3),
    "small_w_expansion": Case(
        api.small_w_expansion, small_w_valid,
        sym_cov_corruptions(lambda kw: len(kw["variables"])) + [
            ("order", lambda data, kw: {"order": data.draw(st.sampled_from([-1, 1.5, "2", True, None]))}),
            ("loss", lambda data, kw: {"loss": "loss"}),
            ("loss", lambda data, kw: {"loss": lambda Wt: sp.sqrt((Wt[0, 0] * x_) ** 2), "order": 2}),  # |w x|: no c₁
            ("loss", lambda data, kw: {"loss": lambda Wt: [Wt[0, 0]]}),
            ("W", lambda data, kw: {"W": data.draw(st.sampled_from([[[w_]], sp.zeros(0, 1), sp.Matrix([[w_ * x_]])]))}),
            ("variables", lambda data, kw: {"variables": [x_, x_]}),
        ], examples=3),
    "gradient": Case(api.gradient, point_valid, tensor_corruptions("x") + LOSS_CORRUPTIONS),
    "hessian": Case(api.hessian, point_valid, tensor_corruptions("x") + LOSS_CORRUPTIONS),
    "newton_stationary": Case(
        api.newton_stationary, lambda data: {"loss": quad, "x0": rand(data, (2,)), "max_iter": 3},
        tensor_corruptions("x0") + LOSS_CORRUPTIONS + [
            scalar_corruption("tol", "pos"), scalar_corruption("damping", "nonneg"),
            ("max_iter", lambda data, kw: {"max_iter": data.draw(st.sampled_from([0, -3, 2.5, "10", True]))})]),
    "classify_hessian": Case(
        api.classify_hessian, lambda data: {"H": psd(data, 1, 3)[0] - 1.0, "rtol": data.draw(st.floats(1e-12, 0.5))},
        tensor_corruptions("H", ndim=2) + [
            ("H", lambda data, kw: {"H": kw["H"][:, :2]}),
            ("H", lambda data, kw: {"H": nonsymmetric(data, kw["H"])}),
            scalar_corruption("rtol", "open")]),
    "StationaryPoint": Case(
        api.StationaryPoint, sp_valid,
        [("x", lambda data, kw: {"x": data.draw(st.sampled_from([[1.0], None, "x"]))}),
         ("grad_norm", lambda data, kw: {"grad_norm": data.draw(st.sampled_from([-1.0, "0", None, True]))}),
         ("grad_norm", lambda data, kw: {"grad_norm": data.draw(NONFINITE), "converged": True}),
         ("converged", lambda data, kw: {"converged": data.draw(st.sampled_from(["yes", 1, None]))}),
         ("iterations", lambda data, kw: {"iterations": data.draw(st.sampled_from([-1, 2.5, "3", True]))})]),
}


# ----------------------------------------------------------------------------- tests
def test_every_public_function_of_these_modules_has_cases():
    public = {n for n in api.__all__ if getattr(getattr(api, n), "__module__", None) in OWN_MODULES}
    assert public == set(CASES), f"missing: {public - set(CASES)}, stale: {set(CASES) - public}"


def names(param: str) -> re.Pattern:
    return re.compile(rf"(?<![\w]){re.escape(param)}(?![\w])")


@pytest.mark.parametrize("fname", sorted(CASES))
def test_valid_calls_pass(fname):
    # the corruption tests below start from these calls: they must succeed, or a ValueError there
    # would be no evidence of validation
    case = CASES[fname]

    @settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(data=st.data())
    def run(data):
        case.fn(**case.valid(data))

    run()


CORRUPTIONS = [(fname, i) for fname in sorted(CASES) for i in range(len(CASES[fname].corrupt))]


@pytest.mark.parametrize("fname, i", CORRUPTIONS, ids=[f"{f}-{CASES[f].corrupt[i][0]}-{i}" for f, i in CORRUPTIONS])
def test_invalid_input_raises_valueerror_naming_the_parameter(fname, i):
    # every corruption kind of every function runs (a few hypothesis draws each: sizes, seeds, values)
    case = CASES[fname]
    param, corrupt = case.corrupt[i]

    @settings(max_examples=case.examples, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(data=st.data())
    def run(data):
        kw = case.valid(data)
        kw.update(corrupt(data, kw))
        with pytest.raises(Exception) as info:
            case.fn(**kw)
        # exactly ValueError: numpy's LinAlgError and SymPy's SympifyError subclass it, torch's errors
        # are RuntimeError / IndexError — each of those is a raw library error here
        assert info.type is ValueError, f"{info.type.__name__}: {info.value}"
        assert names(param).search(str(info.value)), f"message does not name {param!r}: {info.value}"

    run()
