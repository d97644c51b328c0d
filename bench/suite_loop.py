"""A suite that never lies: `make test` N times in a row from a fresh clone, with CPU-bound
processes spinning beside it (a loaded CI machine), and the count of runs that passed.

    python bench/suite_loop.py --runs 10 --burners 2 [--repo .] [--ref HEAD]

The clone is made once (its own virtualenv, as `make test` builds it from pyproject.toml); each
run gets its own pytest basetemp. A failed run's last lines are printed, and the loop goes on:
the figure is the count, not the first failure."""

import argparse
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def burn() -> None:
    """One core's worth of pure-Python work until terminated."""
    n = 0
    while True:
        n = (n * 7 + 3) % 1_000_003


def fresh_clone(repo: Path, ref: str, where: Path) -> Path:
    clone = where / "clone"
    subprocess.run(["git", "clone", "--quiet", str(repo), str(clone)], check=True)
    subprocess.run(["git", "-C", str(clone), "checkout", "--quiet", ref], check=True)
    return clone


def run_suite(clone: Path, basetemp: Path) -> tuple[bool, float, str]:
    started = time.monotonic()
    done = subprocess.run(["make", "test"], cwd=clone, capture_output=True, text=True,
                          env={**os.environ, "PYTEST_ADDOPTS": f"--basetemp={basetemp} -q"})
    tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
    return done.returncode == 0, time.monotonic() - started, tail


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--burners", type=int, default=2, help="CPU-bound processes beside it")
    parser.add_argument("--repo", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--ref", default="HEAD", help="the commit to clone (committed work only)")
    args = parser.parse_args()
    ref = subprocess.run(["git", "-C", str(args.repo), "rev-parse", args.ref], check=True,
                         capture_output=True, text=True).stdout.strip()
    where = Path(tempfile.mkdtemp(prefix="studyflow-suite-loop-"))
    clone = fresh_clone(args.repo, ref, where)
    print(f"fresh clone of {ref[:12]}; {args.runs} runs of `make test` beside "
          f"{args.burners} CPU-bound processes", flush=True)
    burners = [multiprocessing.Process(target=burn, daemon=True) for _ in range(args.burners)]
    for b in burners:
        b.start()
    passed, durations = 0, []
    try:
        for i in range(1, args.runs + 1):
            ok, seconds, tail = run_suite(clone, where / f"basetemp-{i}")
            passed += ok
            durations.append(seconds)
            print(f"run {i}: {'passed' if ok else 'FAILED'} in {seconds:.0f} s", flush=True)
            if not ok:
                print(tail, flush=True)
    finally:
        for b in burners:
            b.terminate()
            b.join()
    print(f"make test passed {passed}/{args.runs} runs in a row from a fresh clone "
          f"({args.burners} CPU-bound processes beside it; "
          f"{min(durations):.0f}-{max(durations):.0f} s per run)")
    return 0 if passed == args.runs else 1


if __name__ == "__main__":
    sys.exit(main())
