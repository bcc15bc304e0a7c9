"""Mutation testing of the legal core: does a test notice when the code is wrong?

    .venv/bin/python tools/mutate.py app/domain/identifiers.py        # every mutant of one module
    .venv/bin/python tools/mutate.py --list app/domain/history.py   # the mutants, not run
    .venv/bin/python tools/mutate.py --only 12,40 app/...             # re-run some by number
    .venv/bin/python tools/mutate.py --text app/...                   # also mutate prose strings
    .venv/bin/python tools/mutate.py --within decide app/workflow/service.py  # only inside these defs

Each mutant is one small change made on the module's syntax tree: an arithmetic, comparison or
boolean operator swapped, a number moved by one, a boolean flipped, a machine string (a code, a
key, a separator) spoiled, a ``return`` made to return None, one item removed from a module-level
table (tuple, set, frozenset, dict), and in regular expressions one alternative removed, a
``{m,n}`` bound moved, a ``?`` made required or a digit range moved. mutmut 3 mutates only code
inside functions; tables and regexes are where our rules live, hence this script.

The module is rewritten in a scratch copy of the repository and only the tests that reach it
run (``TARGETS``): first the fast, database-free ones; a mutant that survives them meets the
slower database tests, if the module has any. A mutant is killed when a test fails (or it times
out), survives when all pass. The report lists every survivor with its diff. Not in CI: run it by
hand when the legal core or its tests change, and keep the survivors' list in the note.
"""

from __future__ import annotations

import argparse
import ast
import copy
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# module -> (fast database-free tests, slower tests run only on a mutant the fast ones miss)
TARGETS: dict[str, tuple[list[str], list[str]]] = {
    "app/domain/calendar/periods.py": (
        ["tests/calendar/test_calendar_periods.py", "tests/calendar/test_period_guards.py"],
        [],
    ),
    "app/domain/identifiers.py": (["tests/identifiers"], []),
    "app/domain/eligibility/criteria.py": (
        ["tests/intake/test_criteria.py", "tests/intake/test_criteria_boundaries.py"],
        [],
    ),
    # the review arithmetic: bands, sheet sums, medians and outliers, ranking and departures
    "app/domain/review/scoring.py": (
        ["tests/review/test_review_scoring.py", "tests/review/test_review_documents.py"],
        [],
    ),
    "app/domain/history.py": (
        ["tests/workflow/test_history_chain.py", "tests/workflow/test_history_storable.py"],
        [
            "tests/workflow/test_history_tamper.py",
            "tests/workflow/test_worker_and_audit.py::test_history_refuses_update_and_tampering_is_detected",
        ],
    ),
    **{
        f"app/access/{name}.py": (
            ["tests/access/test_rules.py"],
            ["tests/access/test_policy.py", "tests/access/test_access_matrix.py"],
        )
        for name in ("roles", "applications", "office", "applicants")
    },
    # the transition pipeline, the parts named in WITHIN (the rest of these modules compiles or loads)
    "app/workflow/machine.py": (
        ["tests/workflow/test_pipeline.py"],
        ["tests/workflow/test_machine.py", "tests/workflow/test_events.py"],
    ),
    "app/workflow/service.py": (
        ["tests/workflow/test_pipeline.py"],
        ["tests/workflow/test_machine.py", "tests/workflow/test_events.py"],
    ),
}

# modules mutated only inside these functions and classes unless ``--within`` says otherwise: the
# transition pipeline's conditions, validators, effects and the one transition function
WITHIN: dict[str, set[str]] = {
    "app/workflow/machine.py": {
        "Facts",
        "EventInput",
        "_Binding",
        "correction_until",
        "validate_data",
        "decide",
        "guard_failed",
    },
    "app/workflow/service.py": {"may_fire", "allowed_events", "event_input", "decide"},
}

_REGEX_FUNCS = {"compile", "fullmatch", "match", "search", "sub", "subn", "findall", "finditer", "split"}
_SWAPS: dict[type, type] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Mult,
    ast.Mod: ast.FloorDiv,
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
    ast.And: ast.Or,
    ast.Or: ast.And,
}


@dataclass
class Mutant:
    number: int
    line: int
    kind: str
    source: str
    diff: str
    status: str = "not run"


# --- making mutants --------------------------------------------------------------------------


def _is_prose(s: str) -> bool:
    # messages and sentences: what a reader reads, pinned by tests of the wording, not mutated by default
    return any(ord(c) > 127 for c in s) or " " in s.strip()


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                ids.add(id(first.value))
    return ids


def _type_only(tree: ast.AST) -> set[int]:
    """Nodes that only name types (annotations, ``Literal[...]`` aliases): never run, so never mutated."""
    roots: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.AnnAssign, ast.arg)) and node.annotation is not None:
            roots.append(node.annotation)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.returns is not None:
            roots.append(node.returns)
        elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "Literal":
            roots.append(node)
    return {id(n) for root in roots for n in ast.walk(root)}


def _regex_args(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _REGEX_FUNCS:
            if isinstance(node.func.value, ast.Name) and node.func.value.id == "re" and node.args:
                if isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                    ids.add(id(node.args[0]))
    return ids


def _table_values(tree: ast.Module) -> list[ast.AST]:
    """Literal collections assigned at module level (``frozenset({...})`` and ``tuple(...)`` too)."""
    out = []
    for stmt in tree.body:
        value = stmt.value if isinstance(stmt, (ast.Assign, ast.AnnAssign)) else None
        if (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Name)
            and value.func.id in {"frozenset", "set", "tuple", "list", "dict"}
            and value.args
        ):
            value = value.args[0]
        if isinstance(value, (ast.Tuple, ast.List, ast.Set, ast.Dict)):
            out.append(value)
    return out


def regex_variants(pattern: str) -> list[tuple[str, str]]:
    """(description, mutated pattern) for each alternative, bound, ``?`` and digit range of ``pattern``."""
    out: list[tuple[str, str]] = []
    groups: list[list[int]] = [[-1]]  # per open group: where its branches start (the `(` or a `|`)
    i, in_class = 0, False
    ranges = []
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
            elif c == "-" and pattern[i - 1].isdigit() and i + 1 < len(pattern) and pattern[i + 1].isdigit():
                ranges.append(i)
            i += 1
            continue
        if c == "[":
            in_class = True
        elif c == "(":
            groups.append([i])
        elif c == "|":
            groups[-1].append(i)
        elif c == ")":
            _alternatives(pattern, groups.pop(), i, out)
        elif c == "?" and pattern[i - 1] not in "(*+?}":
            out.append(("make `?` required", pattern[:i] + pattern[i + 1 :]))
        elif c == "{":
            m = re.match(r"\{(\d+)(,(\d*))?\}", pattern[i:])
            if m:
                lo, hi = int(m.group(1)), m.group(3)
                end = i + m.end()
                if m.group(2) is None:
                    bounds = [f"{{{lo + 1}}}"] + ([f"{{{lo - 1}}}"] if lo > 0 else [])
                else:
                    bounds = (
                        [f"{{{lo + 1},{hi}}}"]
                        + ([f"{{{lo - 1},{hi}}}"] if lo > 0 else [])
                        + ([f"{{{lo},{int(hi) + 1}}}", f"{{{lo},{int(hi) - 1}}}"] if hi else [])
                    )
                out += [(f"bound {m.group()} -> {b}", pattern[:i] + b + pattern[end:]) for b in bounds]
        i += 1
    _alternatives(pattern, groups.pop(), len(pattern), out)
    for at in ranges:
        lo, hi = int(pattern[at - 1]), int(pattern[at + 1])
        for a, b in ((lo - 1, hi), (lo + 1, hi), (lo, hi - 1), (lo, hi + 1)):
            if 0 <= a <= b <= 9:
                out.append((f"range {lo}-{hi} -> {a}-{b}", pattern[: at - 1] + f"{a}-{b}" + pattern[at + 2 :]))
    return out


def _alternatives(pattern: str, starts: list[int], end: int, out: list) -> None:
    if len(starts) < 2:
        return
    bounds = starts + [end]
    for k in range(len(starts)):
        # drop branch k with one of the `|` around it
        a, b = (bounds[k] + 1, bounds[k + 1] + 1) if k == 0 else (bounds[k], bounds[k + 1])
        out.append((f"drop alternative {pattern[bounds[k] + 1 : bounds[k + 1]]!r}", pattern[:a] + pattern[b:]))


def mutations(tree: ast.Module, text: bool) -> list[tuple[str, int, object]]:
    """(kind, line, apply) where ``apply(node_copy)`` mutates the node with the same walk index."""
    docs, regexes, types = _docstrings(tree), _regex_args(tree), _type_only(tree)
    tables = {id(t) for t in _table_values(tree)}
    table_keys = {id(k) for t in _table_values(tree) if isinstance(t, ast.Dict) for k in t.keys}
    out: list[tuple[str, int, object]] = []
    for idx, node in enumerate(ast.walk(tree)):
        line = getattr(node, "lineno", 0)
        if id(node) in types:
            continue

        def at(index, fn, kind, line=line):
            out.append((kind, line, (index, fn)))

        if isinstance(node, (ast.BinOp, ast.AugAssign, ast.BoolOp)) and type(node.op) in _SWAPS:
            at(
                idx,
                lambda n: setattr(n, "op", _SWAPS[type(n.op)]()),
                f"{type(node.op).__name__} -> {_SWAPS[type(node.op)].__name__}",
            )
        elif isinstance(node, ast.Compare):
            for k, op in enumerate(node.ops):
                if type(op) in _SWAPS:
                    at(
                        idx,
                        lambda n, k=k: n.ops.__setitem__(k, _SWAPS[type(n.ops[k])]()),
                        f"{type(op).__name__} -> {_SWAPS[type(op)].__name__}",
                    )
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            at(
                idx,
                lambda n: (
                    setattr(n, "op", ast.UAdd()),
                    setattr(n, "operand", ast.Call(ast.Name("bool"), [n.operand], [])),
                ),
                "drop `not`",
            )
        elif (
            isinstance(node, ast.Return)
            and node.value is not None
            and not (isinstance(node.value, ast.Constant) and node.value.value is None)
        ):
            at(idx, lambda n: setattr(n, "value", ast.Constant(None)), "return None")
        elif isinstance(node, ast.Constant) and id(node) not in docs and id(node) not in table_keys:
            v = node.value
            if isinstance(v, bool):
                at(idx, lambda n: setattr(n, "value", not n.value), f"{v} -> {not v}")
            elif isinstance(v, int):
                at(idx, lambda n: setattr(n, "value", n.value + 1), f"{v} -> {v + 1}")
            elif isinstance(v, str) and id(node) in regexes:
                for desc, pat in regex_variants(v):
                    at(idx, lambda n, pat=pat: setattr(n, "value", pat), f"regex: {desc}")
            elif isinstance(v, str) and (text or not _is_prose(v)):
                at(idx, lambda n: setattr(n, "value", "XX" + n.value + "XX"), "string spoiled")
        if id(node) in tables:
            items = node.keys if isinstance(node, ast.Dict) else node.elts
            for k in range(len(items)):
                desc = ast.unparse(items[k]) if items[k] is not None else "**"
                at(idx, lambda n, k=k: _drop_item(n, k), f"table item {desc[:40]} removed")
    return out


def _drop_item(node: ast.AST, k: int) -> None:
    if isinstance(node, ast.Dict):
        del node.keys[k], node.values[k]
    else:
        del node.elts[k]


def make_mutants(path: Path, text: bool) -> tuple[str, list[Mutant]]:
    source = path.read_text()
    tree = ast.parse(source)
    base = ast.unparse(tree)
    mutants = []
    for number, (kind, line, (index, fn)) in enumerate(mutations(tree, text), start=1):
        mutated = copy.deepcopy(tree)
        node = next(n for i, n in enumerate(ast.walk(mutated)) if i == index)
        fn(node)
        ast.fix_missing_locations(mutated)
        new = ast.unparse(mutated)
        diff = "\n".join(
            ln
            for ln in difflib.unified_diff(base.splitlines(), new.splitlines(), lineterm="", n=0)
            if not ln.startswith(("---", "+++", "@@"))
        )
        mutants.append(Mutant(number, line, kind, new, diff))
    return base, mutants


# --- running them ----------------------------------------------------------------------------


def _pytest(scratch: Path, tests: list[str], timeout: float) -> tuple[bool, float]:
    started = time.monotonic()
    env = {**os.environ, "QAWARD_MUTATION_PURE": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-p", "tools.mutate", *tests]
    try:
        done = subprocess.run(cmd, cwd=scratch, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return False, time.monotonic() - started
    return done.returncode == 0, time.monotonic() - started


def _pure_run(scratch: Path, tests: list[str], timeout: float) -> tuple[bool, float]:
    return _pytest(scratch, tests, timeout)


def _db_run(scratch: Path, tests: list[str], timeout: float) -> tuple[bool, float]:
    started = time.monotonic()
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
    try:
        done = subprocess.run(cmd, cwd=scratch, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return False, time.monotonic() - started
    return done.returncode == 0, time.monotonic() - started


def pytest_collection_modifyitems(config, items):
    """In a mutation run, the fast tests are database-free: start no database for them."""
    if os.environ.get("QAWARD_MUTATION_PURE"):
        import pytest

        for item in items:
            item.add_marker(pytest.mark.no_database)


def _spans(path: Path, names: set[str]) -> list[tuple[int, int]]:
    """The lines of every function or class called one of ``names`` (methods too), at any depth."""
    return [
        (node.lineno, node.end_lineno or node.lineno)
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name in names
    ]


def run(module: str, only: set[int] | None, text: bool, list_only: bool, within: set[str] | None = None) -> int:
    fast, slow = TARGETS.get(module, ([], []))
    if not fast and not slow:
        print(f"no tests listed for {module} in TARGETS", file=sys.stderr)
        return 2
    _, mutants = make_mutants(ROOT / module, text)
    if only:
        mutants = [m for m in mutants if m.number in only]
    if within:
        # a part of a large module (the transition pipeline inside the workflow); numbers stay the module's
        spans = _spans(ROOT / module, within)
        mutants = [m for m in mutants if any(a <= m.line <= b for a, b in spans)]
    if list_only:
        for m in mutants:
            print(f"#{m.number} line {m.line}: {m.kind}\n{m.diff}\n")
        print(f"{len(mutants)} mutants")
        return 0
    scratch = Path(tempfile.mkdtemp(prefix="qaward-mutate-"))
    try:
        shutil.copytree(
            ROOT,
            scratch / "repo",
            ignore=shutil.ignore_patterns(".git", ".venv", ".qaward", "__pycache__", "*.egg-info", ".ruff_cache"),
        )
        repo = scratch / "repo"
        target = repo / module
        target.write_text(ast.unparse(ast.parse((ROOT / module).read_text())))
        # no fast tests (a module only the database tests reach): pytest with no path would run everything
        ok, fast_time = _pure_run(repo, fast, 600) if fast else (True, 0.0)
        slow_time = 0.0
        if ok and slow:
            ok, slow_time = _db_run(repo, slow, 1200)
        if not ok:
            print("the tests fail on the unmutated module: fix them first", file=sys.stderr)
            return 2
        print(f"{module}: {len(mutants)} mutants; baseline {fast_time:.1f}s fast, {slow_time:.1f}s slow", flush=True)
        for m in mutants:
            target.write_text(m.source)
            survived = _pure_run(repo, fast, fast_time * 4 + 20)[0] if fast else True
            if survived and slow:
                survived, _ = _db_run(repo, slow, slow_time * 4 + 60)
            m.status = "survived" if survived else "killed"
            print(f"  #{m.number:<4} {m.status:<8} line {m.line}: {m.kind}", flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    killed = sum(m.status == "killed" for m in mutants)
    survivors = [m for m in mutants if m.status == "survived"]
    print(f"\n{module}: {killed}/{len(mutants)} killed ({100 * killed / max(len(mutants), 1):.1f}%)")
    for m in survivors:
        print(f"\nSURVIVED #{m.number} line {m.line}: {m.kind}\n{m.diff}")
    return 0 if not survivors else 1


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("modules", nargs="+", help="modules listed in TARGETS, e.g. app/domain/identifiers.py")
    p.add_argument("--only", help="comma-separated mutant numbers to run")
    p.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    p.add_argument("--text", action="store_true", help="also spoil prose strings (messages, sentences)")
    p.add_argument("--within", help="comma-separated function/class names: mutate only inside them")
    args = p.parse_args(argv)
    only = {int(n) for n in args.only.split(",")} if args.only else None
    worst = 0
    for module in args.modules:
        within = set(args.within.split(",")) if args.within else WITHIN.get(module)
        worst = max(worst, run(module, only, args.text, args.list, within))
    return worst


if __name__ == "__main__":
    sys.exit(main())
