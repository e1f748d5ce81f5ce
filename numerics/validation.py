"""Input validation: every error names the parameter, the rule it broke and the offending value.

Modelled on scikit-learn's utils/validation.py: small functions that return the validated value
(converted) or raise ``ValueError("<name> must ..., got ...")``.

Tolerances are dtype-aware (scikit-learn's ``_check_psd_eigenvalues`` keeps separate float64 and
float32 ratios): symmetry and positive semi-definiteness are judged relative to the matrix's own
scale with ``sym_rtol(dtype)`` / ``psd_rtol(dtype)``.

Finiteness checks of tensors can be switched off inside ``with assume_finite():`` (scikit-learn's
``config_context(assume_finite=True)``), for inner loops whose inputs a caller has already checked;
every other rule (shapes, dtypes, ranges) still applies there.
"""
from __future__ import annotations

import contextvars
import math
import weakref
from contextlib import contextmanager
from typing import Any, Iterator

import numpy as np
import torch

#: Relative tolerance for symmetry / PSD checks of float64 covariances.  A float64 covariance built
#: as A = L Lᵀ is symmetric to ~1e-15 relative; 1e-6 relative to the largest entry leaves room for
#: values rounded when typed into a config without letting a genuinely non-symmetric matrix through.
COV_RTOL = 1e-6
#: The same for float32 inputs: products of d ≤ 1000 terms round to ≲ d·eps32 ≈ 1e-4 relative.
COV_RTOL_F32 = 1e-4

_ASSUME_FINITE: contextvars.ContextVar[bool] = contextvars.ContextVar("sslverify_assume_finite", default=False)


@contextmanager
def assume_finite(flag: bool = True) -> Iterator[None]:
    """Skip the NaN/inf scans of tensor arguments inside the block (shapes, dtypes, ranges still checked)."""
    token = _ASSUME_FINITE.set(bool(flag))
    try:
        yield
    finally:
        _ASSUME_FINITE.reset(token)


#: Tensors already validated under a rule, with their version counter at the time: a pure check of
#: an unchanged tensor (same object, no in-place write since) need not run again.  The trainer passes
#: the same alpha / gamma / mask tensors at every step.
_CHECKED: dict[int, tuple[weakref.ref, dict]] = {}


def _already_checked(t: torch.Tensor, key: tuple) -> bool:
    entry = _CHECKED.get(id(t))
    return entry is not None and entry[0]() is t and entry[1].get(key) == t._version


def _mark_checked(t: torch.Tensor, key: tuple) -> None:
    entry = _CHECKED.get(id(t))
    if entry is None or entry[0]() is not t:
        i = id(t)
        try:
            ref = weakref.ref(t, lambda _r, i=i: _CHECKED.pop(i, None))
        except TypeError:  # not weakly referenceable: no memo
            return
        entry = _CHECKED[i] = (ref, {})
    entry[1][key] = t._version


def _is_low_precision(dtype: Any) -> bool:
    """float32 (or lower) numpy/torch dtype."""
    if isinstance(dtype, torch.dtype):
        return dtype.is_floating_point and torch.finfo(dtype).bits <= 32
    try:
        dt = np.dtype(dtype)
    except TypeError:
        return False
    return dt.kind == "f" and dt.itemsize <= 4


def sym_rtol(dtype: Any) -> float:
    """Relative symmetry tolerance: COV_RTOL for float64 (and exact) input, COV_RTOL_F32 for float32."""
    return COV_RTOL_F32 if _is_low_precision(dtype) else COV_RTOL


def psd_rtol(dtype: Any) -> float:
    """Relative tolerance below which a negative eigenvalue counts as round-off of a PSD matrix's 0."""
    return COV_RTOL_F32 if _is_low_precision(dtype) else COV_RTOL


def _index(flat: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(int(i) for i in np.unravel_index(int(flat), shape)) if shape else ()


# ----------------------------------------------------------------------------- scalars
def check_finite_number(value: Any, name: str) -> float:
    if isinstance(value, (bool, np.bool_)) or isinstance(value, (complex, np.complexfloating)):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    if isinstance(value, torch.Tensor) and (value.numel() != 1 or value.is_complex()):
        raise ValueError(f"{name} must be a real number, got a tensor of shape {tuple(value.shape)}")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a real number, got {value!r}") from None
    if math.isnan(v) or math.isinf(v):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return v


def check_nonnegative(value: Any, name: str) -> float:
    v = check_finite_number(value, name)
    if v < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return v


def check_positive(value: Any, name: str) -> float:
    v = check_finite_number(value, name)
    if v <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return v


def check_alpha(value: Any, name: str = "alpha") -> float:
    v = check_finite_number(value, name)
    if not 0.0 <= v <= 1.0:
        raise ValueError(f"{name} must lie in [0, 1], got {value!r}")
    return v


def check_open_unit(value: Any, name: str) -> float:
    """A finite number in the open interval (0, 1)."""
    v = check_finite_number(value, name)
    if not 0.0 < v < 1.0:
        raise ValueError(f"{name} must lie in (0, 1), got {value!r}")
    return v


def check_int(value: Any, name: str, minimum: int) -> int:
    is_integral = isinstance(value, (int, np.integer)) or (isinstance(value, float) and value.is_integer())
    if isinstance(value, (bool, np.bool_)) or not is_integral:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    v = int(value)
    if v < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return v


def check_bool(value: Any, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)


# ----------------------------------------------------------------------------- tensors
def check_tensor(x: Any, name: str, *, ndim: int | None = None, min_ndim: int | None = None,
                 layout: str = "", finite: bool = True, nonempty: bool = True) -> torch.Tensor:
    """A real float32/float64 tensor (array-likes and integer tensors are converted to float64).

    ``layout`` (e.g. "(K, N, d)") only makes the shape message readable.  Rejected: bool, complex,
    string/object and float16/bfloat16 data, the wrong number of dimensions, empty axes, and
    (unless ``finite=False`` or inside ``assume_finite()``) NaN or inf entries.
    """
    if isinstance(x, torch.Tensor):
        t = x
    else:
        try:
            a = np.asarray(x)
        except Exception:  # ragged lists and the like
            raise ValueError(f"{name} must be a real array or tensor, got {type(x).__name__}") from None
        if a.dtype.kind not in "iuf":
            raise ValueError(f"{name} must hold real numbers, got {type(x).__name__} of dtype {a.dtype}")
        t = torch.as_tensor(np.ascontiguousarray(a if a.dtype.kind == "f" else a.astype(np.float64)))
    if t.dtype == torch.bool or t.is_complex():
        raise ValueError(f"{name} must hold real floating-point numbers (float32 or float64), got dtype {t.dtype}")
    if not t.is_floating_point():
        t = t.to(torch.float64)
    if t.dtype not in (torch.float32, torch.float64):
        raise ValueError(f"{name} must be float32 or float64, got dtype {t.dtype}")
    what = f" {layout}" if layout else ""
    if ndim is not None and t.dim() != ndim:
        raise ValueError(f"{name} must be a {ndim}-D tensor{what}, got shape {tuple(t.shape)}")
    if min_ndim is not None and t.dim() < min_ndim:
        raise ValueError(f"{name} must have at least {min_ndim} dimensions{what}, got shape {tuple(t.shape)}")
    if nonempty and t.numel() == 0:
        raise ValueError(f"{name} must not be empty{what}, got shape {tuple(t.shape)}")
    if finite:
        check_finite_tensor(t, name)
    return t


def check_finite_tensor(t: torch.Tensor, name: str) -> None:
    """Raise naming the first NaN/inf entry (skipped inside ``assume_finite()``).

    Fast path: one reduction — a finite sum proves every entry finite (NaN and ±inf propagate); only
    a non-finite sum (a bad entry, or finite entries whose sum overflows) pays for the exact scan."""
    if _ASSUME_FINITE.get():
        return
    td = t.detach()
    if bool(torch.isfinite(td.sum())) or bool(torch.isfinite(td).all()):
        return
    flat = int(torch.nonzero(~torch.isfinite(t.detach().reshape(-1)))[0])
    idx = _index(flat, tuple(t.shape))
    hint = " (it is part of an autograd graph: if it comes from a model being trained, the training diverged)" \
        if t.requires_grad else ""
    raise ValueError(f"{name} must be finite (no NaN or inf), got {float(t.detach().reshape(-1)[flat])} "
                     f"at index {idx}{hint}")


def check_same_layout(t: torch.Tensor, ref: torch.Tensor, name: str, ref_name: str) -> None:
    """Same shape, dtype and device as ``ref``."""
    if t.shape != ref.shape:
        raise ValueError(f"{name} must have the same shape as {ref_name} {tuple(ref.shape)}, got {tuple(t.shape)}")
    if t.dtype != ref.dtype:
        raise ValueError(f"{name} must have the same dtype as {ref_name} ({ref.dtype}), got {t.dtype}")
    if t.device != ref.device:
        raise ValueError(f"{name} must be on the same device as {ref_name} ({ref.device}), got {t.device}")


def check_mask(mask: Any, shape: tuple[int, int], device: torch.device, min_rows: int, rule: str,
               data_name: str = "fx") -> torch.Tensor | None:
    """A bool (K, N) tensor marking real rows; every configuration needs ``min_rows`` real rows."""
    if mask is None:
        if shape[1] < min_rows:
            raise ValueError(f"{data_name} must have N >= {min_rows} rows per configuration ({rule}), "
                             f"got N = {shape[1]}")
        return None
    if not isinstance(mask, torch.Tensor) or mask.dtype != torch.bool:
        kind = mask.dtype if isinstance(mask, torch.Tensor) else type(mask).__name__
        raise ValueError(f"mask must be a bool tensor of shape {shape}, got {kind}")
    if tuple(mask.shape) != tuple(shape):
        raise ValueError(f"mask must have shape {tuple(shape)}, got {tuple(mask.shape)}")
    if mask.device != device:
        raise ValueError(f"mask must be on device {device}, got {mask.device}")
    if _already_checked(mask, ("mask", min_rows)):
        return mask
    counts = mask.sum(-1)
    low = counts < min_rows
    if bool(low.any()):
        k = int(torch.nonzero(low)[0])
        raise ValueError(f"mask must mark >= {min_rows} real rows in every configuration ({rule}), "
                         f"got {int(counts[k])} in configuration {k}")
    _mark_checked(mask, ("mask", min_rows))
    return mask


def check_param_vector(value: Any, name: str, k: int, like: torch.Tensor, rule: str = "unit") -> torch.Tensor:
    """A number or a () / (K,) tensor, every entry finite and in [0, 1] (rule "unit") or >= 0 (rule
    "nonnegative"); returned as a (K,) tensor of ``like``'s dtype and device."""
    text = {"unit": "lie in [0, 1]", "nonnegative": "be >= 0"}[rule]
    if isinstance(value, torch.Tensor):
        if value.is_complex() or value.dtype == torch.bool:
            raise ValueError(f"{name} must be a real number or a ({k},) tensor, got dtype {value.dtype}")
        if value.dim() > 1 or (value.dim() == 1 and value.shape[0] != k):
            raise ValueError(f"{name} must be a number or a tensor of shape ({k},), got shape {tuple(value.shape)}")
        t = value.to(dtype=like.dtype, device=like.device)
        if _already_checked(value, ("param", rule)):
            return t.expand(k)
        vals = t.detach().reshape(-1)
        ok = (vals >= 0) & (vals <= 1) if rule == "unit" else (vals >= 0) & (vals < math.inf)  # NaN fails both
        if not bool(ok.all()):
            bad = ~ok
            i = int(torch.nonzero(bad)[0])
            where = f" at index {i}" if value.dim() else ""
            raise ValueError(f"{name} must {text} (finite), got {float(vals[i])}{where}")
        _mark_checked(value, ("param", rule))
        return t.expand(k)
    v = check_alpha(value, name) if rule == "unit" else check_nonnegative(value, name)
    return torch.full((k,), v, dtype=like.dtype, device=like.device)


def check_spectrum(eigs: Any, name: str = "eigs", tol_dtype: Any = None) -> torch.Tensor:
    """Eigenvalues of PSD matrices, (..., d): finite, and no eigenvalue below −psd_rtol·max|λ| (round-off).

    ``tol_dtype``: the dtype whose round-off the tolerance allows for (defaults to the spectrum's).
    """
    e = check_tensor(eigs, name, min_ndim=1, layout="(..., d)")
    scale = e.detach().abs().amax(-1, keepdim=True)
    rtol = psd_rtol(tol_dtype or e.dtype)
    bad = e.detach() < -rtol * scale
    if bool(bad.any()):
        flat = int(torch.nonzero(bad.reshape(-1))[0])
        idx = _index(flat, tuple(e.shape))
        raise ValueError(f"{name} must be the eigenvalues of a positive semi-definite matrix (>= -{rtol:g}·max|λ|, "
                         f"round-off), got {float(e.detach().reshape(-1)[flat]):.6g} at index {idx} "
                         f"(max|λ| = {float(scale.reshape(-1)[flat // e.shape[-1]]):.6g})")
    return e


def check_not_all_zero(x: torch.Tensor, name: str, batch_dims: int, what: str) -> None:
    """Raise if any slice x[b] over the first ``batch_dims`` axes is exactly zero (``what``: why undefined)."""
    zero = (x.detach() == 0).reshape(*x.shape[:batch_dims], -1).all(-1)
    if bool(zero.any()):
        idx = _index(int(torch.nonzero(zero.reshape(-1))[0]), tuple(x.shape[:batch_dims]))
        where = f" at batch index {idx}" if batch_dims else ""
        raise ValueError(f"{name} must not be all zero ({what}), got an all-zero {name}{where}")


def _square_matrices(S: Any, name: str, layout: str) -> torch.Tensor:
    S = check_tensor(S, name, min_ndim=2, layout=layout)
    if S.shape[-1] != S.shape[-2]:
        raise ValueError(f"{name} must be square matrices {layout}, got shape {tuple(S.shape)}")
    return S


def _check_symmetric(S: torch.Tensor, name: str) -> None:
    Sd = S.detach()
    scale = Sd.abs().amax((-1, -2)).clamp_min(torch.finfo(S.dtype).tiny)
    asym = (Sd - Sd.transpose(-1, -2)).abs().amax((-1, -2))
    bad = asym > sym_rtol(S.dtype) * scale
    if bool(bad.any()):
        k = _index(int(torch.nonzero(bad.reshape(-1))[0]), tuple(S.shape[:-2]))
        where = f" at batch index {k}" if k else ""
        raise ValueError(f"{name} must be symmetric, got max |{name} - {name}ᵀ| = {float(asym[k]):.3g} "
                         f"(relative {float(asym[k] / scale[k]):.3g} > {sym_rtol(S.dtype):g}){where}")


def check_symmetric_matrices(S: Any, name: str, layout: str = "(..., d, d)") -> torch.Tensor:
    """Finite symmetric matrices (..., d, d) (dtype-aware tolerance).  A passed check is remembered
    for the same unchanged tensor (the trainer passes one B at every step)."""
    S = _square_matrices(S, name, layout)
    if not _already_checked(S, ("sym",)):
        _check_symmetric(S, name)
        _mark_checked(S, ("sym",))
    return S


def check_psd_matrices(S: Any, name: str, layout: str = "(..., d, d)") -> torch.Tensor:
    """Finite symmetric positive semi-definite matrices (..., d, d) (dtype-aware tolerance); remembered
    like ``check_symmetric_matrices``."""
    S = _square_matrices(S, name, layout)
    if _already_checked(S, ("psd",)):
        return S
    _check_symmetric(S, name)
    Sd = S.detach()
    scale = Sd.abs().amax((-1, -2)).clamp_min(torch.finfo(S.dtype).tiny)
    lam_min = torch.linalg.eigvalsh(0.5 * (Sd + Sd.transpose(-1, -2)))[..., 0]
    bad = lam_min < -psd_rtol(S.dtype) * scale
    if bool(bad.any()):
        k = _index(int(torch.nonzero(bad.reshape(-1))[0]), tuple(S.shape[:-2]))
        where = f" at batch index {k}" if k else ""
        raise ValueError(f"{name} must be positive semi-definite, got smallest eigenvalue {float(lam_min[k]):.6g}"
                         f"{where}")
    _mark_checked(S, ("psd",))
    return S


# ----------------------------------------------------------------------------- numpy covariances
def check_covariance(cov: Any, name: str = "cov", dim: int | None = None, definite: bool = False) -> np.ndarray:
    """A real symmetric positive semi-definite (or definite) matrix as float64 array.

    Tolerances relative to the largest entry: ``sym_rtol`` / ``psd_rtol`` of the input's dtype
    (float32 input gets the looser float32 bound).
    """
    src_dtype = cov.dtype if isinstance(cov, (np.ndarray, torch.Tensor)) else np.float64
    if isinstance(cov, torch.Tensor):
        cov = cov.detach().cpu().numpy()
    try:
        raw = np.asarray(cov)
    except Exception:
        raise ValueError(f"{name} must be a real square matrix, got {type(cov).__name__}") from None
    if raw.dtype.kind not in "iuf":
        raise ValueError(f"{name} must be a real square matrix, got dtype {raw.dtype}")
    a = raw.astype(np.float64)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise ValueError(f"{name} must be a square matrix, got shape {a.shape}")
    if dim is not None and a.shape[0] != dim:
        raise ValueError(f"{name} must have shape ({dim}, {dim}), got {a.shape}")
    if a.size == 0:
        raise ValueError(f"{name} must be at least 1x1, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        i, j = (int(v) for v in np.argwhere(~np.isfinite(a))[0])
        raise ValueError(f"{name} must be finite (it contains NaN or inf): {name}[{i}, {j}] = {a[i, j]}")
    scale = max(float(np.max(np.abs(a))), 1e-300)
    diff = np.abs(a - a.T)
    if np.max(diff) > sym_rtol(src_dtype) * scale:
        i, j = (int(v) for v in np.unravel_index(np.argmax(diff), diff.shape))
        raise ValueError(f"{name} must be symmetric, got {name}[{i}, {j}] = {a[i, j]:.6g} but "
                         f"{name}[{j}, {i}] = {a[j, i]:.6g} (max |{name} - {name}ᵀ| = {np.max(diff):.3g})")
    a = 0.5 * (a + a.T)
    lam_min = float(np.linalg.eigvalsh(a)[0])
    if definite and lam_min <= psd_rtol(src_dtype) * scale:
        raise ValueError(f"{name} must be positive definite (smallest eigenvalue {lam_min:.3g})")
    if lam_min < -psd_rtol(src_dtype) * scale:
        raise ValueError(f"{name} must be positive semi-definite (smallest eigenvalue {lam_min:.3g})")
    return a


def check_no_nan(t: Any, name: str) -> None:
    """Raise if a tensor/array parameter holds NaN or inf."""
    arr = t.detach().cpu().numpy() if hasattr(t, "detach") else np.asarray(t)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must not contain NaN or inf")
