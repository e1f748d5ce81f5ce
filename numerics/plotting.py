"""Shared matplotlib helpers for the experiment scripts (Agg backend, one style, PNG at dpi 120).

Usage::

    fig, axes = figure(1, 2)
    scatter_pred_vs_measured(axes[0], pred, meas, log=True, label="quartic")
    save(fig, out_dir / "eigs.png")   # returns the path as str
"""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

DPI = 120
COLORS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown", "tab:gray")
STYLE = {
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 9,
    "legend.fontsize": 8,
    "legend.frameon": False,
}
plt.rcParams.update(STYLE)


def figure(nrows: int = 1, ncols: int = 1, width: float = 4.2, height: float = 3.4):
    """A figure with an (nrows, ncols) grid of axes (always a flat array)."""
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows), squeeze=False)
    return fig, axes.ravel()


def identity_line(ax, lo: float, hi: float, **kw) -> None:
    """The y = x line over [lo, hi] (dashed gray)."""
    kw = {"color": "0.4", "ls": "--", "lw": 1, "label": "prediction = measurement", **kw}
    ax.plot([lo, hi], [lo, hi], **kw)


def scatter_pred_vs_measured(ax, pred, meas, *, log: bool = False, label: str | None = None, color=None,
                             jitter: float = 0.0, seed: int = 0, marker: str = "o", identity: bool = True,
                             xlabel: str = "predicted", ylabel: str = "measured", floor: float | None = None):
    """Scatter measured against predicted values with the identity line.

    ``log``: log-log axes (values ≤ 0, or below ``floor`` if given, are clipped to the floor so
    collapsed directions stay visible).  ``jitter``: uniform jitter (± jitter) on both axes for
    integer data such as ranks, drawn from ``seed``.
    """
    p = np.asarray(pred, dtype=float).ravel()
    m = np.asarray(meas, dtype=float).ravel()
    if p.shape != m.shape:
        raise ValueError(f"pred and meas must have the same size, got {p.size} and {m.size}")
    if log:
        pos = np.concatenate([p[p > 0], m[m > 0]])
        lo_default = pos.min() / 10 if pos.size else 1e-12
        fl = floor if floor is not None else lo_default
        p, m = np.maximum(p, fl), np.maximum(m, fl)
        ax.set_xscale("log")
        ax.set_yscale("log")
    if jitter:
        rng = np.random.default_rng(seed)
        p = p + rng.uniform(-jitter, jitter, p.shape)
        m = m + rng.uniform(-jitter, jitter, m.shape)
    ax.scatter(p, m, s=14, alpha=0.7, label=label, color=color, marker=marker)
    if identity and p.size:
        lo, hi = float(min(p.min(), m.min())), float(max(p.max(), m.max()))
        identity_line(ax, lo, hi, label=None)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


def save(fig, path) -> str:
    """Write ``fig`` as PNG (dpi 120), close it, return the path as str."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return str(path)
