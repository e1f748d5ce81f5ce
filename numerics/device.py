"""Device and dtype: one validation for every trainer, experiment and CLI flag.

``--device auto`` (the default) picks the GPU when torch sees one and the CPU otherwise; ``cuda`` on a
machine without a GPU is a ValueError (the CLI turns it into one line and exit code 2).  ``--dtype`` is
``float32`` or ``float64``.

Randomness does not depend on the device: every trainer draws its random numbers from
``torch.Generator`` objects on the CPU (one per run, seeded from the run's seed) and moves them to the
device, so a run on CUDA sees the same initialisation, data and augmentation noise as on the CPU.  What
differs between devices is the arithmetic (CUDA kernels sum in another order; results agree to float
round-off, not bitwise).  A run is bitwise reproducible on the same device, dtype and torch version.
"""
from __future__ import annotations

import torch

DEVICES = ("auto", "cpu", "cuda")
DTYPES = ("float32", "float64")


def resolve_device(device: str | torch.device | None = None) -> torch.device:
    """'auto'/None -> cuda if available else cpu; 'cuda' without a GPU is a ValueError."""
    if isinstance(device, torch.device):
        device = str(device)
    if device in (None, "", "auto"):
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if not isinstance(device, str):
        raise ValueError(f"device must be 'auto', 'cpu' or 'cuda[:i]', got {device!r}")
    try:
        dev = torch.device(device)
    except RuntimeError:
        raise ValueError(f"device must be 'auto', 'cpu' or 'cuda[:i]', got {device!r}") from None
    if dev.type not in ("cpu", "cuda"):
        raise ValueError(f"device must be 'auto', 'cpu' or 'cuda[:i]', got {device!r}")
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError("device 'cuda' was requested but no GPU is available; use --device cpu or auto")
    if dev.type == "cuda" and dev.index is not None and dev.index >= torch.cuda.device_count():
        raise ValueError(f"device {device!r} does not exist: torch sees {torch.cuda.device_count()} GPU(s)")
    return dev


def resolve_dtype(dtype: str | torch.dtype | None = "float64") -> torch.dtype:
    """'float32' / 'float64' (or the torch dtype) -> torch dtype; anything else is a ValueError."""
    if isinstance(dtype, torch.dtype):
        dtype = str(dtype).removeprefix("torch.")
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be 'float32' or 'float64', got {dtype!r}")
    return getattr(torch, dtype)


def check_placement(obj) -> None:
    """Validate the ``device`` / ``dtype`` fields of a config object (those it has)."""
    if hasattr(obj, "device"):
        resolve_device(obj.device)
    if hasattr(obj, "dtype"):
        resolve_dtype(obj.dtype)
