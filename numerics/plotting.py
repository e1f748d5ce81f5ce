"""Shared matplotlib helpers for the experiment scripts (Agg backend, one style, PNG at dpi 120).

Usage::

    fig, axes = figure(1, 2)
    claim_title(fig, ("ziyin.prop2",), "trained eigenvalues vs Thm 1's global minimum")
    scatter_pred_vs_measured(axes[0], pred, meas, log=True, label="quartic")
    threshold_line(axes[0], y=thr, label="rank threshold (pass: above)")
    save(fig, out_dir / "eigs.png")   # returns the path as str

Every plot must read without the code (:func:`readability_problems` checks it through matplotlib's
object model; tests/experiments/test_plots.py runs it on every experiment): a title naming the claim
id and what is compared, axis labels with units / symbols, a legend entry for every series, the derived
prediction and the source's statement as separate series, thresholds drawn, unresolved points marked.
"""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402
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
    """The y = x line over [lo, hi] (dashed gray), labelled once per axes."""
    kw = {"color": "0.4", "ls": "--", "lw": 1, "label": "measured = predicted", **kw}
    if any(line.get_label() == kw["label"] for line in ax.lines):
        kw["label"] = "_nolegend_"  # already in the legend
    ax.plot([lo, hi], [lo, hi], **kw)


def scatter_pred_vs_measured(ax, pred, meas, *, log: bool = False, label: str | None = None, color=None,
                             jitter: float = 0.0, seed: int = 0, marker: str = "o", identity: bool = True,
                             xlabel: str | None = None, ylabel: str | None = None, floor: float | None = None):
    """Scatter measured against predicted values with the identity line.

    ``log``: log-log axes (values ≤ 0, or below ``floor`` if given, are clipped to the floor so
    collapsed directions stay visible).  ``jitter``: uniform jitter (± jitter) on both axes, drawn
    from ``seed``; the label says so (for integer data prefer :func:`count_scatter`).
    ``xlabel`` / ``ylabel``: set when given, else "predicted" / "measured" if the axis has none yet
    (a second series on the same axes keeps the first one's labels).
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
        if label:
            label = f"{label} (points jittered ±{jitter:g})"
    ax.scatter(p, m, s=14, alpha=0.7, label=label, color=color, marker=marker)
    if identity and p.size:
        lo, hi = float(min(p.min(), m.min())), float(max(p.max(), m.max()))
        identity_line(ax, lo, hi)
    if xlabel is not None or not ax.get_xlabel():
        ax.set_xlabel(xlabel or "predicted")
    if ylabel is not None or not ax.get_ylabel():
        ax.set_ylabel(ylabel or "measured")
    return ax


def claim_title(fig, claim_ids, what: str, fontsize: float = 10) -> None:
    """Figure title: the claim id(s) the plot is evidence for, then what is compared."""
    import textwrap

    ids = ", ".join(claim_ids)
    chars = max(30, int(fig.get_figwidth() * 72 / (0.55 * fontsize)))  # ≈ average glyph width 0.55 em
    fig.suptitle(textwrap.fill(f"{ids}: {what}", chars), fontsize=fontsize)


def count_scatter(ax, x, y, *, label: str, color=None, marker: str = "o", dx: float = 0.0, hollow: bool = False,
                  size: float = 30.0):
    """Scatter integer data (ranks) without jitter: one marker per distinct (x, y), its area ∝ the number of
    runs there, the count written beside it when > 1.  ``dx`` shifts the series sideways so several series
    stay apart; the caller says so in ``label``.  ``hollow``: unfilled markers (e.g. unresolved runs)."""
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    if x.shape != y.shape:
        raise ValueError(f"x and y must have the same size, got {x.size} and {y.size}")
    pairs, counts = (np.unique(np.stack([x, y], 1), axis=0, return_counts=True) if x.size
                     else (np.zeros((0, 2)), np.zeros(0, dtype=int)))
    kw = dict(facecolors="none", edgecolors=color, linewidths=1.2) if hollow else dict(color=color)
    coll = ax.scatter(pairs[:, 0] + dx, pairs[:, 1], s=size * np.sqrt(counts), marker=marker, label=label,
                      zorder=3, **kw)
    for (px, py), n in zip(pairs, counts):
        if n > 1:
            ax.annotate(f"×{n}", (px + dx, py), textcoords="offset points", xytext=(5, 3), fontsize=6,
                        color=color if color is not None else "0.2")
    return coll


def threshold_line(ax, *, y: float | None = None, x: float | None = None, label: str, color="tab:red",
                   ls: str = "--", lw: float = 1.0):
    """A pass/fail threshold (horizontal at ``y`` or vertical at ``x``), labelled for the legend."""
    if (y is None) == (x is None):
        raise ValueError("threshold_line needs exactly one of x and y")
    if y is not None:
        return ax.axhline(y, color=color, ls=ls, lw=lw, label=label)
    return ax.axvline(x, color=color, ls=ls, lw=lw, label=label)


def fixed_ticks(axis, values, fmt: str = "{:g}", labels=None) -> None:
    """Ticks exactly at ``values`` (e.g. the grid of a sweep on a log axis) with plain labels (``fmt`` or
    ``labels``) and no minor labels: log axes otherwise write 3×10⁰, 4×10⁰ ... into each other."""
    from matplotlib.ticker import FixedFormatter, FixedLocator, NullFormatter, NullLocator

    vals = sorted({float(v) for v in values})
    texts = list(labels) if labels is not None else [fmt.format(v) for v in vals]
    if len(texts) != len(vals):
        raise ValueError(f"labels must have one entry per distinct value ({len(vals)}), got {len(texts)}")
    axis.set_major_locator(FixedLocator(vals))
    axis.set_major_formatter(FixedFormatter(texts))
    axis.set_minor_locator(NullLocator())
    axis.set_minor_formatter(NullFormatter())


def integer_ticks(axis, values) -> None:
    """:func:`fixed_ticks` at integer ``values`` (ranks, dataset sizes)."""
    fixed_ticks(axis, sorted({int(v) for v in values}), fmt="{:.0f}")


# ----------------------------------------------------------------------------- readability check
def _rgba(c):
    from matplotlib.colors import to_rgba

    try:  # named colours ("tab:blue", "C0", "red") first: np.asarray of a name fails
        return tuple(np.round(to_rgba(c), 3))
    except (ValueError, TypeError):
        pass
    try:
        arr = np.asarray(c, dtype=float)
        if arr.ndim == 2:
            arr = arr[0] if len(arr) else np.zeros(4)
        return tuple(np.round(to_rgba(arr if arr.ndim == 1 and arr.size in (3, 4) else c), 3))
    except (ValueError, TypeError):
        return None


def _series(ax) -> list[tuple[str, object, tuple | None]]:
    """(label, artist, colour) of every data series of ``ax``: lines, scatters, filled areas, error bars
    (a container counts once, with its own label); artists inside containers are not counted again."""
    from matplotlib.collections import Collection

    inside = set()
    out = []
    for cont in ax.containers:
        kids = [a for a in cont.get_children() if a is not None]
        inside.update(id(a) for a in kids)
        colour = next((_rgba(a.get_color()) for a in kids if hasattr(a, "get_color")), None)
        out.append((cont.get_label() or "", cont, colour))
    for line in ax.lines:
        if id(line) in inside or not line.get_visible() or len(np.atleast_1d(line.get_xdata())) == 0:
            continue
        out.append((line.get_label() or "", line, _rgba(line.get_color())))
    for coll in ax.collections:
        if id(coll) in inside or not coll.get_visible() or not isinstance(coll, Collection):
            continue
        if hasattr(coll, "get_offsets") and len(coll.get_offsets()) == 0 and not coll.get_paths():
            continue
        colour = _rgba(coll.get_facecolor()) if len(coll.get_facecolor()) else _rgba(coll.get_edgecolor())
        out.append((coll.get_label() or "", coll, colour))
    return out


def _overlapping_ticklabels(ax, axis, renderer) -> list[str]:
    lo, hi = sorted(axis.get_view_interval())
    span = max(hi - lo, 1e-300)
    boxes = []
    for tick in list(axis.get_major_ticks(len(axis.get_majorticklocs()))) + list(
            axis.get_minor_ticks(len(axis.get_minorticklocs()))):
        loc = tick.get_loc()
        if loc is None or not (lo - 1e-9 * span <= loc <= hi + 1e-9 * span):  # relative round-off of the limits
            continue
        lab = tick.label1
        if lab.get_visible() and lab.get_text().strip():
            boxes.append((lab.get_text(), lab.get_window_extent(renderer)))
    clashes = []
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            a, b = boxes[i][1], boxes[j][1]
            # 1 px: anti-aliasing margin of the glyph boxes
            if min(a.x1, b.x1) - max(a.x0, b.x0) > 1 and min(a.y1, b.y1) - max(a.y0, b.y0) > 1:
                clashes.append(f"{boxes[i][0]!r}/{boxes[j][0]!r}")
    return clashes


def readability_problems(fig, claim_ids=()) -> list[str]:
    """What keeps ``fig`` from reading on its own; [] if nothing.

    * a title (figure suptitle or an axes title) names one of ``claim_ids`` (when given);
    * every axes has a title and x / y labels;
    * every data series has a legend label — except a series labelled ``_nolegend_`` drawn in the colour of
      a labelled one (one entry for several seeds of one setting);
    * an axes with more than one labelled series shows a legend (its own or the figure's);
    * no two tick labels of one axis overlap, and no title or axis label runs off the figure (after the
      figure was drawn, e.g. saved).
    """
    problems = []
    sup = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) is not None else ""
    titles = [sup] + [ax.get_title() for ax in fig.axes]
    if claim_ids and not any(cid in t for t in titles for cid in claim_ids):
        problems.append(f"no title names the claim ({', '.join(claim_ids)}); titles: {titles}")
    fig.canvas.draw()  # lay out at the figure's own dpi (savefig may have drawn at another one)
    renderer = fig.canvas.get_renderer()
    fb = fig.bbox

    def off_figure(text) -> bool:
        if not text.get_visible() or not text.get_text():
            return False
        bb = text.get_window_extent(renderer)
        # 1 px: anti-aliasing margin of the glyph boxes
        return bb.x0 < fb.x0 - 1 or bb.x1 > fb.x1 + 1 or bb.y0 < fb.y0 - 1 or bb.y1 > fb.y1 + 1

    if sup and off_figure(fig._suptitle):
        problems.append("the figure title runs off the figure")
    if sup:
        sb = fig._suptitle.get_window_extent(renderer)
        for i, ax in enumerate(fig.axes):
            for part in (ax.title, ax.bbox):
                bb = part.get_window_extent(renderer) if hasattr(part, "get_window_extent") else part
                if part is ax.title and not ax.title.get_text():
                    continue
                # 1 px: anti-aliasing margin of the glyph boxes
                if min(sb.x1, bb.x1) - max(sb.x0, bb.x0) > 1 and min(sb.y1, bb.y1) - max(sb.y0, bb.y0) > 1:
                    problems.append(f"axes {i}: the figure title overlaps its {'title' if part is ax.title else 'plot'}")
                    break
    for i, ax in enumerate(fig.axes):
        if not ax.get_visible() or not ax.axison:
            continue
        if getattr(ax, "_colorbar", None) is not None or ax.get_label() == "<colorbar>":
            if not ax.get_ylabel() and not ax.get_xlabel():
                problems.append(f"axes {i}: colour bar without a label")
            continue
        name = f"axes {i} ({ax.get_title()!r})"
        if not ax.get_title():
            problems.append(f"axes {i}: no title")
        if not ax.get_xlabel():
            problems.append(f"{name}: no x label")
        if not ax.get_ylabel():
            problems.append(f"{name}: no y label")
        series = _series(ax)
        labelled = [(lab, c) for lab, _, c in series if lab and not lab.startswith("_")]
        colours = {c for _, c in labelled}
        for lab, artist, colour in series:
            if lab and not lab.startswith("_"):
                continue
            if lab == "_nolegend_" and colour in colours:
                continue
            problems.append(f"{name}: a {type(artist).__name__} without a legend label")
        if len(labelled) > 1 and ax.get_legend() is None and not fig.legends:
            problems.append(f"{name}: {len(labelled)} labelled series but no legend")
        for what, text in (("title", ax.title), ("x label", ax.xaxis.label), ("y label", ax.yaxis.label)):
            if off_figure(text):
                problems.append(f"{name}: the {what} runs off the figure")
        for axis, which in ((ax.xaxis, "x"), (ax.yaxis, "y")):
            clashes = _overlapping_ticklabels(ax, axis, renderer)
            if clashes:
                problems.append(f"{name}: overlapping {which} tick labels {', '.join(clashes[:4])}")
    return problems


def shared_legend(fig, axes, ncol: int = 2, fontsize: float = 7):
    """One legend for several panels, below them (entries of every axes, each label once); :func:`save`
    keeps it on the image."""
    seen: dict[str, object] = {}
    for ax in np.atleast_1d(axes):
        for h, lab in zip(*ax.get_legend_handles_labels()):
            seen.setdefault(lab, h)
    return fig.legend(list(seen.values()), list(seen), loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=ncol,
                      fontsize=fontsize, frameon=False)


def save(fig, path) -> str:
    """Write ``fig`` as PNG (dpi 120), close it, return the path as str (a figure legend placed outside the
    axes by :func:`shared_legend` is kept: the image is cropped to everything drawn)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sup = getattr(fig, "_suptitle", None)
    if sup is not None and sup.get_text():  # keep the axes (and their titles) below a multi-line figure title
        fig.canvas.draw()
        h = sup.get_window_extent(fig.canvas.get_renderer()).height / fig.bbox.height
        fig.tight_layout(rect=(0, 0, 1, 1 - h - 0.01))
    else:
        fig.tight_layout()
    fig.savefig(path, dpi=DPI, **({"bbox_inches": "tight"} if fig.legends else {}))
    plt.close(fig)
    return str(path)
