"""Runs every bench/bench_*.py in turn, each in its own interpreter, and sums up.

    .venv/bin/python bench/run_all.py [NAME ...]

With names (``sync``, ``reads``, ``bulk``...), only the scripts whose file name contains one
of them run. Each script prints its own table of ratios; this prints which ones finished,
how long each took, and exits non-zero if any failed.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if argv:
        scripts = [s for s in scripts if any(name in s.stem for name in argv)]
    if not scripts:
        print(f"no bench/bench_*.py matches {' '.join(argv)}", file=sys.stderr)
        return 2
    outcomes: list[tuple[str, int, float]] = []
    for script in scripts:
        print(f"\n=== {script.name} ===", flush=True)
        start = time.perf_counter()
        code = subprocess.call([sys.executable, str(script)], cwd=HERE.parent)
        outcomes.append((script.name, code, time.perf_counter() - start))
    print("\n=== summary ===")
    width = max(len(name) for name, _, _ in outcomes)
    for name, code, seconds in outcomes:
        state = "ok" if code == 0 else f"FAILED (exit {code})"
        print(f"  {name.ljust(width)}  {seconds:7.1f} s  {state}")
    return 0 if all(code == 0 for _, code, _ in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
