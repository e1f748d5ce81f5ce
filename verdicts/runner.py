"""Run claim checks (cached, in parallel) and compare computed verdicts with the recorded ones.

The status of one check:

* ``reproduced``   the computed verdict equals the recorded one;
* ``computed``     the claim records no verdict (a user's new claim): the computed one is reported;
* ``mismatch``     a verdict was computed and differs from the recorded one;
* ``inconclusive`` the check could not decide (our machinery failed: no convergence, a counterexample
                   that does not re-check, an underpowered experiment); a failure of the check, not a
                   statement about the source;
* ``error``        the check crashed or returned something other than an Outcome.

Only ``reproduced`` and ``computed`` count as success.

:func:`run_checks` is what ``sslverify check`` and ``report`` use: outcomes are reused from the cache
(:mod:`sslverify.verdicts.cache`) when nothing they depend on changed; the rest run in ``jobs`` worker
processes.  Claims that run the same experiment go to the same worker (one run, no two processes
writing one folder).  Every check runs with one torch thread, in the main process (``jobs=1``) as in
workers, so a parallel run computes exactly the numbers of a serial one.
"""
from __future__ import annotations

import multiprocessing
import os
import re
import time
import traceback
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from sslverify.verdicts.record import INCONCLUSIVE, Claim

OK_STATUSES = ("reproduced", "computed")


@dataclass
class CheckReport:
    claim: Claim
    computed: str | None  # None: the check crashed
    reason: str
    details: dict[str, Any] = field(default_factory=dict)
    plots: list[str] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None
    cached: bool = False

    @property
    def status(self) -> str:
        if self.error is not None or self.computed is None:
            return "error"
        if self.computed == INCONCLUSIVE:
            return "inconclusive"
        if self.claim.verdict is None:
            return "computed"
        return "reproduced" if self.computed == self.claim.verdict else "mismatch"

    @property
    def ok(self) -> bool:
        return self.status in OK_STATUSES

    @property
    def reproduced(self) -> bool:
        return self.status == "reproduced"

    def outcome_json(self) -> dict[str, Any]:
        return {"verdict": self.computed, "reason": self.reason, "details": self.details, "plots": self.plots,
                "seconds": round(self.seconds, 2)}

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.claim.id,
            "recorded": self.claim.verdict,
            "computed": self.computed,
            "status": self.status,
            "reproduced": self.reproduced,
            "reason": self.reason,
            "details": self.details,
            "plots": self.plots,
            "seconds": round(self.seconds, 2),
            "cached": self.cached,
            "error": self.error,
        }


def run_check(claim: Claim, quick: bool, out_dir: Path) -> CheckReport:
    """Re-run one claim's derivation (and experiment) in this process; never raises for a failing check."""
    t0 = time.time()
    try:
        outcome = claim.run(quick=quick, out_dir=Path(out_dir))
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # a crashed check is reported, not hidden
        return CheckReport(claim, None, f"check crashed: {type(exc).__name__}: {exc}", seconds=time.time() - t0,
                           error=traceback.format_exc(limit=6))
    return CheckReport(claim, outcome.verdict, outcome.reason, outcome.details, list(outcome.plots),
                       seconds=time.time() - t0)


# ----------------------------------------------------------------------------- grouping and workers
def _experiments_of(claim: Claim) -> set[str]:
    """Experiments a claim's check may run: registered names quoted in its module's source or evidence."""
    from sslverify.experiments import EXPERIMENTS, canonical_name

    names: set[str] = set()
    for ev in claim.evidence:
        m = re.fullmatch(r"experiments/(\w+)\.py", ev)
        if m:
            try:
                names.add(canonical_name(m.group(1)))
            except ValueError:
                pass
    import sys

    from sslverify.verdicts.show import _references

    for fn in (claim.check, claim.gather):
        module = sys.modules.get(getattr(fn, "__module__", ""), None)
        if fn is None or module is None:
            continue
        _, strings = _references(fn, module, set())  # the function and the same-module helpers it calls
        names |= {s for s in strings if s in EXPERIMENTS}
    return names


def group_by_experiment(claims: list[Claim], cost: Callable[[Claim], float] | None = None) -> list[list[Claim]]:
    """Claims that share an experiment end up in one group (union-find); order kept within groups."""
    parent = list(range(len(claims)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, c in enumerate(claims):
        for name in _experiments_of(c):
            if name in owner:
                parent[find(i)] = find(owner[name])
            else:
                owner[name] = i
    groups: dict[int, list[Claim]] = {}
    for i, c in enumerate(claims):
        groups.setdefault(find(i), []).append(c)
    # longest first (``cost``: scheduling_cost; claims of unknown cost count 0, experiment groups first among
    # equals), so that the workers finish together
    def weight(g: list[Claim]) -> tuple[float, int]:
        return (sum((cost(c) or 0.0) for c in g) if cost else 0.0, sum(bool(_experiments_of(c)) for c in g))

    return sorted(groups.values(), key=weight, reverse=True)


def _single_thread():
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    return before


def _worker_init(claim_paths: tuple[str, ...]) -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("MKL_NUM_THREADS", "1")
    _single_thread()
    from sslverify.verdicts.registry import registry

    registry(claim_paths)  # import users' claim files once per worker


def _worker_run(ids: list[str], claim_paths: tuple[str, ...], quick: bool, out_dir: str) -> list[dict]:
    from sslverify.verdicts.registry import registry

    reg = registry(claim_paths)
    out = []
    for cid in ids:
        rep = run_check(reg[cid], quick, Path(out_dir))
        out.append(rep.to_json())
    return out


def _from_json(claim: Claim, d: dict) -> CheckReport:
    return CheckReport(claim, d["computed"], d["reason"], d.get("details", {}), list(d.get("plots", [])),
                       d.get("seconds", 0.0), d.get("error"), d.get("cached", False))


def scheduling_cost(out_dir: Path, quick: bool) -> Callable[[Claim], float | None]:
    """Seconds a check is expected to take, to start the longest first: its last time in ``out_dir``'s cache, else
    the shipped hint of a built-in claim (:mod:`sslverify.verdicts.timings`; a cold report has no cache), else None."""
    from sslverify.verdicts import cache, timings

    def cost(c: Claim) -> float | None:
        last = cache.previous_seconds(out_dir, c)
        return last if last is not None else timings.hint(c.id, quick)

    return cost


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def run_checks(claims: list[Claim], quick: bool, out_dir: Path, jobs: int | None = None, use_cache: bool = True,
               claim_paths: tuple[str, ...] = (), on_done: Callable[[CheckReport], None] | None = None
               ) -> list[CheckReport]:
    """Check ``claims``: cached outcomes reused (``use_cache``), the rest in ``jobs`` processes; reports in claim
    order.  Every computed outcome is stored in the cache, also under ``use_cache=False`` (a forced recompute
    refreshes it).

    ``claim_paths`` are the users' claims files the claims came from (workers import them again).
    ``on_done(report)`` is called as each claim finishes (progress output).
    """
    from sslverify.verdicts import cache

    if jobs is None:
        jobs = default_jobs()
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be an integer >= 1, got {jobs!r}")
    out_dir = Path(out_dir)
    done: dict[str, CheckReport] = {}
    keys: dict[str, str] = {}
    todo: list[Claim] = []
    for c in claims:
        keys[c.id] = cache.claim_key(c, quick, out_dir)  # also with use_cache=False: a recompute refreshes the cache
        if use_cache:
            hit = cache.load(out_dir, c, keys[c.id])
            if hit is not None:
                rep = CheckReport(c, hit["verdict"], hit["reason"], hit.get("details", {}), list(hit.get("plots", [])),
                                  hit.get("seconds", 0.0), None, cached=True)
                done[c.id] = rep
                if on_done:
                    on_done(rep)
                continue
        todo.append(c)

    def finish(rep: CheckReport) -> None:
        done[rep.claim.id] = rep
        if rep.error is None and rep.computed is not None:
            cache.store(out_dir, rep.claim, keys[rep.claim.id], rep.outcome_json())
        if on_done:
            on_done(rep)

    groups = group_by_experiment(todo, cost=scheduling_cost(out_dir, quick))
    if jobs == 1 or len(groups) <= 1:
        before = _single_thread()
        try:
            for c in todo:
                finish(run_check(c, quick, out_dir))
        finally:
            import torch

            torch.set_num_threads(before)
    else:
        by_id = {c.id: c for c in todo}
        ctx = multiprocessing.get_context("spawn")  # torch and fork do not mix; workers start clean
        with ProcessPoolExecutor(max_workers=min(jobs, len(groups)), mp_context=ctx, initializer=_worker_init,
                                 initargs=(tuple(map(str, claim_paths)),)) as pool:
            futures = {pool.submit(_worker_run, [c.id for c in g], tuple(map(str, claim_paths)), quick,
                                   str(out_dir)): g for g in groups}
            try:
                pending = set(futures)
                while pending:
                    finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for fut in finished:
                        group = futures[fut]
                        try:
                            results = fut.result()
                        except Exception as exc:  # a worker died (out of memory, killed): report, not hide
                            results = [{"computed": None, "reason": f"worker failed: {type(exc).__name__}: {exc}",
                                        "error": traceback.format_exc(limit=4)} for _ in group]
                        for c, d in zip(group, results):
                            finish(_from_json(by_id[c.id], d))
            except KeyboardInterrupt:
                for fut in futures:
                    fut.cancel()
                raise
    return [done[c.id] for c in claims]
