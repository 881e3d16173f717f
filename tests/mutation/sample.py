"""Mutation testing on a seeded sample of mutants (issue 8). Not part of CI: run it by hand.

A full mutation run over the parser, the change log and the publishing code is too slow on
2 cores, so this script takes a seeded random sample of the mutants Cosmic Ray can make in
each package and runs each one against that package's fast test tier (TIERS below).

Setup (once, in the worktree):

    .venv/bin/pip install -e ".[test,mutation]"

Run it (measured on 2 cores shared with other jobs, load 8-10, 2 mutants at a time: 150 mutants
of pipeline/changes took 19 min, of pipeline/publish 20 min, whose tier builds the bundled notice
once per surviving mutant; pipeline/core has the largest tier and was not run yet):

    PLANDATA_SHARED=/work/shared .venv/bin/python tests/mutation/sample.py \\
        --package pipeline/changes --package pipeline/publish --package pipeline/core \\
        --seed 8 --size 150 --jobs 2

Output: tests/mutation/results.json (every sampled mutant and its outcome) and
tests/mutation/results.md (per package: killed / survived / timed out / equivalent, the kill
ratio, and each survivor as file:line and the mutated line). A package given on the command
line replaces that package's entry; the others are kept from the previous results.

After adding tests, check that they kill the survivors (the source must be unchanged since):

    PLANDATA_SHARED=/work/shared .venv/bin/python tests/mutation/sample.py --package pipeline/changes \\
        --rerun-survivors tests/mutation/results.json --output /tmp/rerun.json

How each mutant is run:
- The repository (without .git, .venv and caches) is copied once per job into a temporary
  directory; the mutant is written into that copy and `python -m pytest -x -q -p no:cacheprovider`
  runs there with PYTHONPATH pointing at the copy, so the real outputs/ and sources/ are never
  touched and two mutants can run at once. Each run is `nice -n 10`.
- PLANDATA_SHARED is always set (from the environment or --shared): tests that need the shared
  folder then fail instead of skipping, so a skip never counts as a kill or a pass.
- The unmutated copy must pass the tier first (the baseline); its time sets the default
  per-mutant timeout (3 x baseline + 10 s).
- Outcomes: pytest exit 0 = survived; 1 (a test failed) or 2 (import or collection broke) =
  killed; over the timeout = timed out (counted as killed, reported apart); any other exit =
  error (reported, not in the ratio). Kill ratio = (killed + timed out) / (killed + timed out +
  survived).
- tests/mutation/equivalent.txt lists mutants read and judged equivalent (no behaviour change).
  They are not run, not in the ratio, and are reported. The key is the file, the enclosing
  function, the operator and the mutated line (not the line number, so it survives edits
  elsewhere in the file).
"""
from __future__ import annotations

import argparse
import ast
import difflib
import json
import os
import queue
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cosmic_ray.plugins
from cosmic_ray.ast import ast_nodes, get_ast_from_path
from cosmic_ray.ast.ast_query import ASTQuery
from cosmic_ray.mutating import mutate_code

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
EQUIVALENT = HERE / "equivalent.txt"

# The fast tier for each package: the test files that exercise it without a slow tier
# (no SIGKILL matrix, no corpus, no Dagster sensor). Fastest files first, so -x stops early.
TIERS: dict[str, list[str]] = {
    "pipeline/core": ["tests/test_chinese_numeral_rules.py", "tests/test_golden.py", "tests/test_ids.py",
                      "tests/test_registry.py", "tests/test_registry_checks.py",
                      "tests/test_registry_jurisdictions.py", "tests/test_citations.py", "tests/test_faults.py",
                      "tests/test_changes.py", "tests/test_variations.py", "tests/test_blocks_and_gaps.py",
                      "tests/test_clauses.py", "tests/test_outline_genre.py", "tests/test_header_genre.py",
                      "tests/test_readings.py", "tests/test_corpus.py", "tests/test_citation_rules.py",
                      "tests/test_decode_rules.py", "tests/test_run_on_line_rules.py", "tests/test_clause_rules.py",
                      "tests/test_header_rules.py", "tests/test_outline_rules.py", "tests/test_core_edge_rules.py",
                      "tests/test_core_structure_rules.py"],
    "pipeline/changes": ["tests/test_change_matching_rules.py", "tests/test_change_log_rules.py",
                         "tests/test_changes.py"],
    "pipeline/publish": ["tests/test_release_file_rules.py", "tests/test_release_index_rules.py",
                         "tests/test_release_index.py", "tests/test_atomic.py", "tests/test_excel_formula_guard.py",
                         "tests/test_empty_and_null_tables.py", "tests/test_release.py"],
}
# Hypothesis tests in the tiers that are too slow to repeat for every mutant.
DESELECT = "not random_mix"
# The corpus tier reads the shared folder (PLANDATA_SHARED): fast, and it checks the genre, so it
# runs; tiers that start processes, browsers or thousand-notice inputs do not.
MARKS = "not subprocess and not scale and not browser and not multiprocess"

COPY_IGNORE = shutil.ignore_patterns(".git", ".venv", "__pycache__", ".pytest_cache", "*.pyc",
                                     ".hypothesis", "mutation-work*")


def operators():
    """Every Cosmic Ray operator that needs no arguments, by name (sorted, so the sample is stable)."""
    for name in sorted(cosmic_ray.plugins.operator_names()):
        cls = cosmic_ray.plugins.get_operator(name)
        if not cls.arguments():
            yield name, cls()


def all_mutants(package: str) -> list[dict]:
    mutants = []
    ops = list(operators())
    for path in sorted((ROOT / package).glob("*.py")):
        rel = str(path.relative_to(ROOT))
        module_ast = get_ast_from_path(path)
        for name, op in ops:
            positions = [(node, pos) for node in ast_nodes(module_ast) for pos in op.mutation_positions(node)]
            for occurrence, (node, (start, _end)) in enumerate(positions):
                mutants.append({"file": rel, "definition": ASTQuery(node).get_definition_name() or "",
                                "operator": name, "occurrence": occurrence, "line": start[0]})
    return mutants


def describe(mutant: dict, original: str, mutated: str) -> None:
    """Add the changed line (before and after) and a unified diff to the mutant's record."""
    before, after = original.splitlines(), mutated.splitlines()
    diff = list(difflib.unified_diff(before, after, mutant["file"], mutant["file"], n=0, lineterm=""))
    mutant["diff"] = "\n".join(diff)
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            mutant["line"] = i1 + 1
            mutant["original"] = " ".join(line.strip() for line in before[i1:i2])
            mutant["mutated"] = " ".join(line.strip() for line in after[j1:j2]) or "(line removed)"
            return
    mutant["original"] = mutant["mutated"] = ""


def _without_annotations(source: str) -> str:
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            node.returns = None
        elif isinstance(node, ast.arg):
            node.annotation = None
        elif isinstance(node, ast.AnnAssign):
            node.annotation = ast.Constant(None)
    return ast.dump(tree)


def only_annotations_changed(original: str, mutated: str) -> bool:
    """A mutant inside a type annotation of a module that never evaluates them is equivalent."""
    if "from __future__ import annotations" not in original:
        return False
    try:
        return _without_annotations(original) == _without_annotations(mutated)
    except SyntaxError:
        return False


ANNOTATION_REASON = "only a type annotation changed, and the module never evaluates them (from __future__ import annotations)"


def equivalent_key(mutant: dict) -> tuple[str, str, str, str]:
    return mutant["file"], mutant["definition"], mutant["operator"], mutant["mutated"]


def read_equivalents() -> dict[tuple[str, str, str, str], str]:
    """file <TAB> function <TAB> operator <TAB> mutated line <TAB> reason, one a line; # starts a comment."""
    found = {}
    if EQUIVALENT.exists():
        for number, line in enumerate(EQUIVALENT.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 5:
                sys.exit(f"{EQUIVALENT}:{number}: expected 5 tab-separated fields, found {len(parts)}")
            found[tuple(parts[:4])] = parts[4]
    return found


def make_copy(work: Path, index: int) -> Path:
    copy = work / f"copy{index}"
    shutil.copytree(ROOT, copy, ignore=COPY_IGNORE, symlinks=True)
    return copy


def run_tier(copy: Path, tests: list[str], timeout: float, env: dict) -> tuple[str, float, str]:
    command = ["nice", "-n", "10", sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
               "--basetemp", str(copy / ".pytest-tmp"), "-k", DESELECT, "--all-tiers", "-m", MARKS,
               *[t for t in tests if (copy / t).exists()]]
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=copy, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return "timed out", time.monotonic() - started, ""
    elapsed = time.monotonic() - started
    outcome = {0: "survived", 1: "killed", 2: "killed"}.get(process.returncode, "error")
    return outcome, elapsed, output[-2000:]


def environment(copy: Path, shared: str) -> dict:
    env = dict(os.environ, PLANDATA_SHARED=shared, PYTHONPATH=str(copy), PYTHONDONTWRITEBYTECODE="1",
               PYTHONHASHSEED="0")
    env.pop("PYTEST_ADDOPTS", None)
    return env


def check_copy_is_imported(copy: Path, env: dict) -> None:
    where = subprocess.run([sys.executable, "-c", "import pipeline; print(pipeline.__file__)"], cwd=copy,
                           env=env, capture_output=True, text=True, check=True).stdout.strip()
    if not where.startswith(str(copy)):
        sys.exit(f"the tests would import pipeline from {where}, not from the copy {copy}")


def run_package(package: str, args, copies: "queue.Queue[Path]", equivalents, results: dict) -> dict:
    tests = TIERS[package]
    population = all_mutants(package)
    sample = random.Random(f"{args.seed}:{package}").sample(population, min(args.size, len(population)))
    if args.rerun_survivors:  # the survivors of an earlier run, against the tier as it is now
        earlier = json.loads(args.rerun_survivors.read_text(encoding="utf-8"))[package]["mutants"]
        wanted = {(m["file"], m["operator"], m["occurrence"]) for m in earlier if m["outcome"] == "survived"}
        sample = [m for m in population if (m["file"], m["operator"], m["occurrence"]) in wanted]
    sample.sort(key=lambda m: (m["file"], m["line"], m["operator"], m["occurrence"]))

    copy = copies.get()
    tests = [t for t in tests if (copy / t).exists()]  # record the files that were run
    baseline, baseline_seconds, output = run_tier(copy, tests, 1800, environment(copy, args.shared))
    copies.put(copy)
    if baseline != "survived":
        sys.exit(f"{package}: the unmutated tier does not pass ({baseline}):\n{output}")
    timeout = args.timeout or 3 * baseline_seconds + 10
    print(f"{package}: {len(population)} mutants, sample {len(sample)}, baseline {baseline_seconds:.1f} s, "
          f"timeout {timeout:.0f} s", flush=True)

    def one(mutant: dict) -> dict:
        copy = copies.get()
        try:
            target = copy / mutant["file"]
            original = (ROOT / mutant["file"]).read_text(encoding="utf-8")
            operator = cosmic_ray.plugins.get_operator(mutant["operator"])()
            mutated = mutate_code(original, operator, mutant["occurrence"])
            if mutated is None:
                mutant["outcome"] = "error"
                mutant["output"] = "Cosmic Ray made no mutation at this occurrence"
                return mutant
            describe(mutant, original, mutated)
            reason = equivalents.get(equivalent_key(mutant))
            if reason is None and only_annotations_changed(original, mutated):
                reason = ANNOTATION_REASON
            if reason is not None:
                mutant["outcome"], mutant["reason"] = "equivalent", reason
                return mutant
            target.write_text(mutated, encoding="utf-8")
            try:
                outcome, seconds, output = run_tier(copy, tests, timeout, environment(copy, args.shared))
            finally:
                target.write_text(original, encoding="utf-8")
            mutant["outcome"], mutant["seconds"] = outcome, round(seconds, 1)
            failed = [line.split()[1].split("::")[0] for line in output.splitlines()
                      if line.startswith(("FAILED ", "ERROR "))]
            if outcome == "killed" and failed:
                mutant["killed_by"] = failed[0]
            if outcome in ("survived", "error"):
                mutant["output"] = output
            return mutant
        finally:
            copies.put(copy)

    started = time.monotonic()
    done = []

    def summary() -> dict:
        counts = {k: sum(m["outcome"] == k for m in done)
                  for k in ("killed", "survived", "timed out", "equivalent", "error")}
        judged = counts["killed"] + counts["timed out"] + counts["survived"]
        ratio = (counts["killed"] + counts["timed out"]) / judged if judged else None
        return {"tests": tests, "deselect": DESELECT, "seed": args.seed, "population": len(population),
                "sample": len(sample), "run": len(done), "baseline_seconds": round(baseline_seconds, 1),
                "timeout": round(timeout), "jobs": args.jobs, "seconds": round(time.monotonic() - started),
                "counts": counts, "kill_ratio": round(ratio, 4) if ratio is not None else None,
                "rerun_of": str(args.rerun_survivors) if args.rerun_survivors else None, "mutants": done}

    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for number, mutant in enumerate(pool.map(one, sample), 1):
            done.append(mutant)
            if mutant["outcome"] == "survived":
                print(f"  [{number}/{len(sample)}] survived {mutant['file']}:{mutant['line']}: "
                      f"{mutant['mutated']}", flush=True)
            if number % 10 == 0:  # a run stopped early still leaves its results so far
                print(f"  [{number}/{len(sample)}] {time.monotonic() - started:.0f} s", flush=True)
                save(args.output, {**results, package: summary()})
    result = summary()
    if args.rerun_survivors and args.merge:
        result = merged(json.loads(args.rerun_survivors.read_text(encoding="utf-8"))[package], result)
    print(f"{package}: {result['counts']}, kill ratio {result['kill_ratio']:.1%}, "
          f"{result['seconds'] / 60:.1f} min", flush=True)
    return result


def save(output: Path, results: dict) -> None:
    output.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    output.with_suffix(".md").write_text(markdown(results), encoding="utf-8")


def markdown(results: dict) -> str:
    lines = ["# Mutation sample", "",
             "Written by `tests/mutation/sample.py` (see its docstring). Cosmic Ray mutants, a seeded",
             "sample per package, each run against the package's fast test tier.", "",
             "| package | sampled / all | killed | timed out | survived | equivalent | error | kill ratio | minutes |",
             "|---|---|---|---|---|---|---|---|---|"]
    for package, r in sorted(results.items()):
        c = r["counts"]
        ratio = "n/a" if r["kill_ratio"] is None else f"{r['kill_ratio']:.1%}"
        sampled = f"{r['sample']} / {r['population']}" if r.get("run", r["sample"]) == r["sample"] else \
            f"{r['run']} of {r['sample']} (stopped) / {r['population']}"
        lines.append(f"| {package} | {sampled} | {c['killed']} | {c['timed out']} | "
                     f"{c['survived']} | {c['equivalent']} | {c['error']} | {ratio} | {r['seconds'] / 60:.1f} |")
    for package, r in sorted(results.items()):
        lines += ["", f"## {package}", "", f"Seed {r['seed']}; tier: `{' '.join(r['tests'])}` "
                  f"`-k \"{r['deselect']}\"`; baseline {r['baseline_seconds']} s; timeout {r['timeout']} s.", ""]
        if r.get("rerun_of"):
            lines += [f"Only the survivors recorded in {r['rerun_of']}, run again against this tier.", ""]
        for kind in ("survived", "equivalent", "error"):
            chosen = [m for m in r["mutants"] if m["outcome"] == kind]
            if not chosen:
                continue
            lines += [f"{kind.capitalize()} ({len(chosen)}):", ""]
            for m in chosen:
                text = m.get("mutated", "").replace("`", "'")
                extra = f" ({m['reason']})" if kind == "equivalent" else ""
                lines.append(f"- `{m['file']}:{m['line']}` {m['operator']}: `{text}`{extra}")
            lines.append("")
        while lines[-1] == "" and lines[-2] == "":
            lines.pop()
    return "\n".join(lines).rstrip() + "\n"


def merged(earlier: dict, rerun: dict) -> dict:
    """The earlier sample with its survivors' outcomes replaced by the rerun's (same mutants, newer tests)."""
    again = {(m["file"], m["operator"], m["occurrence"]): m for m in rerun["mutants"]}
    mutants = [again.get((m["file"], m["operator"], m["occurrence"]), m) for m in earlier["mutants"]]
    counts = {k: sum(m["outcome"] == k for m in mutants) for k in ("killed", "survived", "timed out", "equivalent", "error")}
    judged = counts["killed"] + counts["timed out"] + counts["survived"]
    return {**earlier, "tests": rerun["tests"], "counts": counts, "mutants": mutants,
            "kill_ratio": round((counts["killed"] + counts["timed out"]) / judged, 4) if judged else None,
            "survivors_rerun_seconds": rerun["seconds"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", action="append", choices=sorted(TIERS),
                        help="package to sample (repeat; default all three)")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--size", type=int, default=150, help="mutants sampled per package")
    parser.add_argument("--timeout", type=float, default=0, help="seconds per mutant (default 3 x baseline + 10)")
    parser.add_argument("--jobs", type=int, default=2, help="mutants run at once, each in its own copy")
    parser.add_argument("--shared", default=os.environ.get("PLANDATA_SHARED", str(ROOT.parent / "shared")),
                        help="the shared folder, passed to the tests as PLANDATA_SHARED")
    parser.add_argument("--output", type=Path, default=HERE / "results.json")
    parser.add_argument("--rerun-survivors", type=Path, metavar="RESULTS_JSON",
                        help="run only the survivors recorded in this results file (write to another --output)")
    parser.add_argument("--merge", action="store_true",
                        help="with --rerun-survivors: write the earlier sample with the survivors' new outcomes")
    args = parser.parse_args()
    packages = args.package or sorted(TIERS)

    results = json.loads(args.output.read_text(encoding="utf-8")) if args.output.exists() else {}
    equivalents = read_equivalents()
    with tempfile.TemporaryDirectory(prefix="plandata-mutation-") as tmp:
        work = Path(tmp)
        copies: queue.Queue[Path] = queue.Queue()
        for index in range(args.jobs):
            copies.put(make_copy(work, index))
        first = copies.get()
        check_copy_is_imported(first, environment(first, args.shared))
        copies.put(first)
        for package in packages:
            results[package] = run_package(package, args, copies, equivalents, results)
            save(args.output, results)


if __name__ == "__main__":
    main()
