"""Which code of the mutated modules only builds a message: benchmarks/mutation.py's step 4.

Mutations there change only the text of an error or of a verdict's reason, never what is raised or decided, so
``mutation_runner.run_mutmut`` does not create them.
"""
from __future__ import annotations

import re
from pathlib import Path

#: calls whose argument at this position / keyword is a message, not logic -> whether None may replace it (the
#: reason of an Outcome must be a str; inconclusive(reason, details) is the report of a failure of our own
#: machinery, so both its reason and its diagnostic details are its message, and details=None means {})
MESSAGE_ARGS = {"Outcome": {1: False, "reason": False},
                "inconclusive": {0: False, "reason": False, 1: True, "details": True}}


class MessageCode:
    """Which code of the mutated modules only builds a message (module docstring, step 4).

    A *sink* is a ``raise`` statement, an ``assert``'s message, the reason argument of ``Outcome`` /
    ``inconclusive`` (MESSAGE_ARGS), or an argument passed to a *message parameter* of one of the mutated
    functions.  A message parameter is a parameter that is never assigned in its function and is read only
    inside sinks (``_check_nonneg("gamma", gamma)``: ``name`` only appears in the ValueError's text); a
    *message variable* is a local variable assigned only by plain ``v = ...`` and read only inside sinks (a
    string joined for a reason); a *message function* is one that is referred to only from sinks (a
    formatter of a reason) and nowhere outside the mutated modules.  These facts feed each other, so they are
    solved to a fixed point over all mutated modules.  Excluded from mutation: every node inside a sink, the
    value of a message variable and the default of a message parameter, message functions entirely, and a
    call's mutation that only replaces a message argument by ``None`` (where every read of that parameter is
    formatted into an f-string or raised) or drops a trailing message argument that has a default.  Not
    excluded: ``v = None`` for a message variable or ``Outcome(v, None, ...)`` where ``None`` would reach the
    reason itself (Outcome rejects a reason that is not a str: a behaviour change, not a message change).
    """

    def __init__(self, root: Path, paths: list[str]):
        import libcst as cst

        self.cst = cst
        self.modules: dict[str, object] = {}
        for rel in paths:
            base = root / rel
            files = sorted(base.rglob("*.py")) if base.is_dir() else [base]
            for f in files:
                self.modules[self.module_name(str(f.relative_to(root)))] = cst.parse_module(f.read_text("utf-8"))
        own = {str(root / (m.replace(".", "/") + ".py")) for m in self.modules}
        own |= {str(root / m.replace(".", "/") / "__init__.py") for m in self.modules}
        self.other_text = "\n".join(f.read_text("utf-8", errors="replace") for f in root.rglob("*.py")
                                    if str(f) not in own and "/mutants/" not in str(f))
        self.params: dict[tuple[str, str], dict[str, dict]] = {}  # (module, function) -> message params
        self.whole: set[tuple[str, str]] = set()  # message functions
        for _ in range(20):
            before = (repr(sorted((k, sorted(v.items(), key=str)) for k, v in self.params.items())), sorted(self.whole))
            facts = {mod: self.analyse(mod, module) for mod, module in self.modules.items()}
            self.params = {k: v for f in facts.values() for k, v in f["params"].items()}
            refs_outside: set[tuple[str, str]] = set()
            refs_inside: set[tuple[str, str]] = set()
            for f in facts.values():
                refs_outside |= f["refs_outside"]
                refs_inside |= f["refs_inside"]
            self.whole = {key for key in refs_inside - refs_outside
                          if not re.search(rf"\b{re.escape(key[1])}\b", self.other_text)}
            after = (repr(sorted((k, sorted(v.items(), key=str)) for k, v in self.params.items())), sorted(self.whole))
            if after == before:
                break

    @staticmethod
    def module_name(rel: str) -> str:
        rel = rel[:-3] if rel.endswith(".py") else rel
        parts = rel.replace("\\", "/").split("/")
        return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)

    # -- helpers
    def _nodes(self, node) -> list:
        out = []
        cst = self.cst

        class All(cst.CSTVisitor):
            def on_visit(self, n) -> bool:
                out.append(n)
                return True

        node.visit(All())
        return out

    def _imports(self, mod: str, module) -> dict[str, tuple]:
        cst = self.cst
        out: dict[str, tuple] = {}
        package = mod.rsplit(".", 1)[0] if not mod.endswith("__init__") else mod
        for stmt in module.body:
            for small in getattr(stmt, "body", []) if isinstance(stmt, cst.SimpleStatementLine) else []:
                if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                    dots = len(small.relative)
                    base = cst.helpers.get_full_name_for_node(small.module) if small.module else ""
                    if dots:
                        anchor = package.split(".")
                        anchor = anchor[:len(anchor) - dots + 1]
                        base = ".".join(anchor + ([base] if base else []))
                    for alias in small.names:
                        name = cst.helpers.get_full_name_for_node(alias.name)
                        local = alias.asname.name.value if alias.asname else name
                        out[local] = ("mod", f"{base}.{name}") if f"{base}.{name}" in self.modules else ("func", base, name)
                elif isinstance(small, cst.Import):
                    for alias in small.names:
                        if alias.asname:
                            out[alias.asname.name.value] = ("mod", cst.helpers.get_full_name_for_node(alias.name))
        return out

    def _target(self, mod: str, imports: dict, funcs: dict, func_node):
        """(module, function) a call or reference resolves to, among the mutated modules' functions."""
        cst = self.cst
        if isinstance(func_node, cst.Name):
            if func_node.value in funcs:
                return (mod, func_node.value)
            imp = imports.get(func_node.value)
            if imp and imp[0] == "func" and imp[1] in self.modules:
                return (imp[1], imp[2])
        elif isinstance(func_node, cst.Attribute) and isinstance(func_node.value, cst.Name):
            imp = imports.get(func_node.value.value)
            if imp and imp[0] == "mod" and imp[1] in self.modules:
                return (imp[1], func_node.attr.value)
        return None

    def _message_args(self, mod, imports, funcs, call) -> list[tuple[object, int | str, bool | None]]:
        """(arg, position or keyword, None-safe?) of a call's arguments that are messages; None-safe None = a
        reason (MESSAGE_ARGS), whose None Outcome rejects."""
        cst = self.cst
        f = call.func
        bare = f.value if isinstance(f, cst.Name) else None
        target = self._target(mod, imports, funcs, f)
        table = self.params.get(target, {}) if target else {}
        out, pos = [], 0
        for arg in call.args:
            if arg.star:
                break
            key = arg.keyword.value if arg.keyword else pos
            if bare in MESSAGE_ARGS and key in MESSAGE_ARGS[bare]:
                out.append((arg, key, True if MESSAGE_ARGS[bare][key] else None))
            else:
                for pname, info in table.items():
                    if key == pname or key == info["index"]:
                        out.append((arg, key, info["none_safe"]))
            if not arg.keyword:
                pos += 1
        return out

    def analyse(self, mod: str, module) -> dict:
        """Sinks of one module under the current tables: node ids to exclude, call mutations that only touch
        message arguments, message parameters of its functions, references to its functions."""
        cst = self.cst
        imports = self._imports(mod, module)
        funcs = {s.name.value: s for s in module.body if isinstance(s, cst.FunctionDef)}
        excluded: set[int] = set()
        calls: dict[int, tuple] = {}  # id(Call) -> (call, [(arg, key, none_safe)], target)
        params_out: dict[tuple[str, str], dict[str, dict]] = {}
        refs_inside: set[tuple[str, str]] = set()
        refs_outside: set[tuple[str, str]] = set()
        for fname, fdef in funcs.items():
            if (mod, fname) in self.whole:
                excluded |= {id(n) for n in self._nodes(fdef)}
            parent: dict[int, object] = {}
            nodes = []

            class Walk(cst.CSTVisitor):
                def on_visit(self, n) -> bool:
                    nodes.append(n)
                    for c in n.children:
                        parent[id(c)] = n
                    return True

            fdef.body.visit(Walk())
            # names in store / non-variable positions
            store_ids, complex_store, simple = set(), set(), {}
            skip_ids = set()
            for n in nodes:
                if isinstance(n, cst.Attribute):
                    skip_ids.add(id(n.attr))
                elif isinstance(n, cst.Arg) and n.keyword is not None:
                    skip_ids.add(id(n.keyword))
                elif isinstance(n, (cst.FunctionDef, cst.ClassDef)):
                    skip_ids.add(id(n.name))
                    complex_store.add(n.name.value)
                elif isinstance(n, (cst.ImportAlias,)):
                    skip_ids |= {id(x) for x in self._nodes(n)}
                targets = []
                if isinstance(n, cst.Assign):
                    if len(n.targets) == 1 and isinstance(n.targets[0].target, cst.Name):
                        simple.setdefault(n.targets[0].target.value, []).append(n)
                        store_ids.add(id(n.targets[0].target))
                    else:
                        targets = [t.target for t in n.targets]
                elif isinstance(n, (cst.AnnAssign, cst.AugAssign, cst.NamedExpr)):
                    targets = [n.target]
                elif isinstance(n, (cst.For, cst.CompFor)):
                    targets = [n.target]
                elif isinstance(n, cst.AsName):
                    targets = [n.name]
                elif isinstance(n, cst.Del):
                    targets = [n.target]
                elif isinstance(n, cst.Param):
                    targets = [n.name]
                elif isinstance(n, (cst.Global, cst.Nonlocal)):
                    targets = [x.name for x in n.names]
                for t in targets:
                    for x in self._nodes(t):
                        if isinstance(x, cst.Name):
                            store_ids.add(id(x))
                            complex_store.add(x.value)
            loads: dict[str, list] = {}
            for n in nodes:
                if isinstance(n, cst.Name) and id(n) not in store_ids and id(n) not in skip_ids:
                    loads.setdefault(n.value, []).append(n)
            # sinks: (root node, kind) with kind "raise" (None-safe), "reason", or an arg's none_safe flag
            roots: dict[int, tuple[object, object]] = {}
            for n in nodes:
                if isinstance(n, cst.Raise):
                    roots[id(n)] = (n, "raise")
                elif isinstance(n, cst.Assert) and n.msg is not None:
                    roots[id(n.msg)] = (n.msg, "raise")
                elif isinstance(n, cst.Call):
                    margs = self._message_args(mod, imports, funcs, n)
                    if margs:
                        calls[id(n)] = (n, margs)
                        for arg, _key, safe in margs:
                            roots[id(arg.value)] = (arg.value, "reason" if safe is None else ("param", safe))
            message_vars: dict[str, bool] = {}
            while True:
                inside = set()
                for node, _kind in roots.values():
                    inside |= {id(x) for x in self._nodes(node)}

                def none_safe(load) -> bool:
                    n = load
                    while n is not None:
                        if isinstance(n, cst.FormattedStringExpression):
                            return True
                        r = roots.get(id(n))
                        if r is not None:
                            kind = r[1]
                            if kind == "raise" or (isinstance(kind, tuple) and kind[1] and n is load):
                                return True
                        n = parent.get(id(n))
                    return False

                grew = False
                for v, assigns in simple.items():
                    if v in complex_store or v in message_vars or not loads.get(v):
                        continue
                    if all(id(x) in inside for x in loads[v]):
                        message_vars[v] = all(none_safe(x) for x in loads[v])
                        for a in assigns:
                            roots[id(a.value)] = (a.value, "var")
                        grew = True
                if not grew:
                    break
            for v, safe in message_vars.items():
                if safe:  # `v = None` only changes what the message shows
                    excluded |= {id(a) for a in simple[v]}
            for node, _kind in roots.values():
                excluded |= {id(x) for x in self._nodes(node)}
            # message parameters of this function
            table = {}
            positional = list(fdef.params.posonly_params) + list(fdef.params.params)
            for index, prm in [(i, q) for i, q in enumerate(positional)] + [(None, q) for q in fdef.params.kwonly_params]:
                name = prm.name.value
                if name in complex_store or name in simple or not loads.get(name):
                    continue
                if all(id(x) in inside for x in loads[name]):
                    table[name] = {"index": index, "default": prm.default is not None,
                                   "none_safe": all(none_safe(x) for x in loads[name])}
                    if prm.default is not None:
                        excluded |= {id(x) for x in self._nodes(prm.default)}
            if table:
                params_out[(mod, fname)] = table
            # references to mutated functions from this function
            for n in nodes:
                ref = None
                if isinstance(n, cst.Name) and id(n) not in store_ids and id(n) not in skip_ids:
                    ref = self._target(mod, imports, funcs, n)
                elif isinstance(n, cst.Attribute):
                    ref = self._target(mod, imports, funcs, n)
                if ref and ref != (mod, fname) and ref[1] in {s.name.value for s in self.modules[ref[0]].body
                                                              if isinstance(s, cst.FunctionDef)}:
                    (refs_inside if id(n) in inside else refs_outside).add(ref)
        # module-level references (constants, decorators moved after the definitions, __all__ ...)
        for stmt in module.body:
            if isinstance(stmt, cst.FunctionDef):
                continue
            for n in self._nodes(stmt):
                if isinstance(n, (cst.Name, cst.Attribute)):
                    ref = self._target(mod, imports, funcs, n)
                    if ref:
                        refs_outside.add(ref)
                elif isinstance(n, cst.SimpleString) and n.evaluated_value in funcs:  # __all__ = ["name", ...]
                    refs_outside.add((mod, n.evaluated_value))
        return {"excluded": excluded, "calls": calls, "params": params_out, "refs_inside": refs_inside,
                "refs_outside": refs_outside}

    def message_only(self, filename: str, module, mutations) -> list:
        """The mutations of ``module`` (mutmut's parse of ``filename``) that only change a message."""
        cst = self.cst
        facts = self.analyse(self.module_name(filename), module)
        out = []
        for m in mutations:
            node = m.original_node
            if id(node) in facts["excluded"]:
                out.append(m)
            elif id(node) in facts["calls"] and isinstance(m.mutated_node, cst.Call):
                call, margs = facts["calls"][id(node)]
                new = list(m.mutated_node.args)
                old = list(call.args)
                msg = {id(a): (key, safe) for a, key, safe in margs}
                if len(new) == len(old):
                    changed = [(o, n) for o, n in zip(old, new) if o is not n]
                    if changed and all(id(o) in msg and msg[id(o)][1] and isinstance(n.value, cst.Name)
                                       and n.value.value == "None" for o, n in changed):
                        out.append(m)
                elif len(new) == len(old) - 1:
                    gone = [o for o in old if all(o is not n for n in new)]
                    if len(gone) == 1 and id(gone[0]) in msg and msg[id(gone[0])][1] is not None:
                        g = gone[0]
                        key = msg[id(g)][0]
                        target = self._target(self.module_name(filename), self._imports(
                            self.module_name(filename), module), {s.name.value: s for s in module.body
                                                                   if isinstance(s, cst.FunctionDef)}, call.func)
                        info = next((i for p, i in self.params.get(target, {}).items() if key in (p, i["index"])), None)
                        bare = call.func.value if isinstance(call.func, cst.Name) else None
                        has_default = bool(info and info["default"]) or MESSAGE_ARGS.get(bare, {}).get(key) is True
                        last_positional = g.keyword is None and all(a.keyword is not None for a in old[old.index(g) + 1:])
                        if has_default and (g.keyword is not None or last_positional):
                            out.append(m)
        return out

