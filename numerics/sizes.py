"""Run sizes declared once: the quick / default / full values of a check or an experiment.

An experiment declares its sizes as its ``Config`` defaults (default size) plus the ``QUICK`` and ``FULL``
override dicts of its ``ExperimentSpec`` (``numerics.experiment``; tests/numerics/test_sizes.py checks
that they only name Config fields).  A check that sizes a derivation or a Monte Carlo itself declares
them with :func:`sizes` next to it, instead of writing ``6 if quick else 20`` inline::

    MC = sizes(n=400_000, reps=300, quick=dict(n=100_000, reps=150))
    ...
    n, reps = MC.at(quick).n, MC.at(quick).reps      # or MC.at(quick, full).n

``full`` (the source's sizes, for ``--full``) defaults to the default size.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType, SimpleNamespace
from typing import Any, Mapping


@dataclass(frozen=True)
class Sizes:
    default: Mapping[str, Any]
    quick: Mapping[str, Any] = field(default_factory=dict)
    full: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        for name in ("quick", "full"):
            extra = set(getattr(self, name)) - set(self.default)
            if extra:
                raise ValueError(f"{name} sizes name {sorted(extra)}, which have no default size "
                                 f"(defaults: {sorted(self.default)})")
        for name in ("default", "quick", "full"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

    def at(self, quick: bool = False, full: bool = False) -> SimpleNamespace:
        """The sizes of one run: quick, full or (neither) default."""
        if quick and full:
            raise ValueError("quick and full exclude each other")
        values = dict(self.default)
        values.update(self.quick if quick else self.full if full else {})
        return SimpleNamespace(**values)


def sizes(*, quick: Mapping[str, Any] | None = None, full: Mapping[str, Any] | None = None, **default) -> Sizes:
    """Sizes(default=the keyword arguments, quick=..., full=...)."""
    if not default:
        raise ValueError("sizes needs at least one default size (keyword arguments)")
    return Sizes(default, quick or {}, full or {})
