"""A suite that never lies: `make test` N times in a row from a fresh clone, with CPU-bound
processes spinning beside it (a loaded CI machine), and the count of runs that passed.

    python bench/suite_loop.py --runs 10 --burners 2 [--repo .] [--ref HEAD]

The clone is made once and its virtualenv built once before the runs (as `make test` builds it
from pyproject.toml; a failed install is a failed setup, not a failed run). `--venv DIR` runs
the clone's code on an existing virtualenv instead (a machine without the disk for another):
the clone comes first on PYTHONPATH, so every process, subprocesses included, imports the
clone's modules. Each run gets its own pytest basetemp, removed after it. A failed run's last
lines are printed, and the loop goes on: the figure is the count, not the first failure."""

import argparse
import multiprocessing
import os
import shutil
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


def make(clone: Path, venv: Path | None, target: str,
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = ["make", target]
    if venv is not None:  # its stamp taken as up to date: never reinstalled from the clone
        command += [f"VENV={venv}", "-o", str(venv / ".installed")]
    return subprocess.run(command, cwd=clone, capture_output=True, text=True,
                          env={**os.environ, **(env or {})})


def tail(done: subprocess.CompletedProcess[str], lines: int = 15) -> str:
    return "\n".join((done.stdout + done.stderr).strip().splitlines()[-lines:])


def run_suite(clone: Path, venv: Path | None, basetemp: Path) -> tuple[bool, float, str]:
    started = time.monotonic()
    env = {"PYTEST_ADDOPTS": f"--basetemp={basetemp} -q"}
    if venv is not None:
        env["PYTHONPATH"] = str(clone)
    done = make(clone, venv, "test", env)
    shutil.rmtree(basetemp, ignore_errors=True)
    return done.returncode == 0, time.monotonic() - started, tail(done)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--burners", type=int, default=2, help="CPU-bound processes beside it")
    parser.add_argument("--repo", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--ref", default="HEAD", help="the commit to clone (committed work only)")
    parser.add_argument("--venv", type=Path, help="an existing virtualenv to run the clone on")
    args = parser.parse_args()
    ref = subprocess.run(["git", "-C", str(args.repo), "rev-parse", args.ref], check=True,
                         capture_output=True, text=True).stdout.strip()
    where = Path(tempfile.mkdtemp(prefix="studyflow-suite-loop-"))
    clone = fresh_clone(args.repo, ref, where)
    venv = args.venv.resolve() if args.venv else None
    if venv is None and (setup := make(clone, None, ".venv/.installed")).returncode:
        print(f"setup failed (the clone's virtualenv), no run made:\n{tail(setup)}")
        return 2
    on = f" on {venv}" if venv else ""
    print(f"fresh clone of {ref[:12]}{on}; {args.runs} runs of `make test` beside "
          f"{args.burners} CPU-bound processes", flush=True)
    burners = [multiprocessing.Process(target=burn, daemon=True) for _ in range(args.burners)]
    for b in burners:
        b.start()
    passed, durations = 0, []
    try:
        for i in range(1, args.runs + 1):
            ok, seconds, last = run_suite(clone, venv, where / f"basetemp-{i}")
            passed += ok
            durations.append(seconds)
            print(f"run {i}: {'passed' if ok else 'FAILED'} in {seconds:.0f} s", flush=True)
            if not ok:
                print(last, flush=True)
    finally:
        for b in burners:
            b.terminate()
            b.join()
    shutil.rmtree(where, ignore_errors=True)
    print(f"make test passed {passed}/{args.runs} runs in a row from a fresh clone "
          f"({args.burners} CPU-bound processes beside it; "
          f"{min(durations):.0f}-{max(durations):.0f} s per run)")
    return 0 if passed == args.runs else 1


if __name__ == "__main__":
    sys.exit(main())
