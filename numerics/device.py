"""Device choice: the GPU when present, the CPU otherwise."""
from __future__ import annotations

import torch


def resolve_device(device: str | None = None) -> torch.device:
    """'auto'/None -> cuda if available else cpu; 'cuda' without a GPU is a ValueError."""
    if device in (None, "", "auto"):
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except RuntimeError:
        raise ValueError(f"device must be 'auto', 'cpu' or 'cuda[:i]', got {device!r}") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError("device 'cuda' was requested but no GPU is available; use --device cpu or auto")
    if dev.type not in ("cpu", "cuda"):
        raise ValueError(f"device must be 'auto', 'cpu' or 'cuda[:i]', got {device!r}")
    return dev
