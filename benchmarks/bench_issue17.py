"""Before/after timings of the default reach, the help text and the beam simulation.

Each measurement runs the command line in a fresh process, once with the code under test and
once with a reference checkout ("before"), alternating, so that both see the same load on a
shared machine; the table gives medians over the repeats and the ratio before/after of the same
run. Run by hand::

    python benchmarks/bench_issue17.py --before /path/to/reference/src --repeat 3

``--before`` is the ``src`` folder of the reference code (for example a worktree of the main
branch); without it only the code on ``PYTHONPATH`` is timed. Measured, per command:

* wall time (s) and CPU time (user + system of the process and its children, s);
* peak resident memory of the main process (MB).

Commands: ``muphilic --help``; the default ``muphilic reach`` cold (empty cache: the beam is
simulated) and warm (the cached beam), with the default worker setting, with ``--workers 1``
and with ``--workers 2``;
``muphilic beam --pot N`` (``--beam-pot``, default 1e6) with an empty cache.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass
class Timing:
    """Wall and CPU seconds and peak memory of repeated runs of one command."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)

    def median(self, name: str) -> float:
        values = getattr(self, name)
        return statistics.median(values) if values else float("nan")


def run(args: list[str], src: Path, cache: Path, cwd: Path) -> tuple[float, float, float]:
    """Run ``python -m muphilic ARGS``: (wall s, CPU s of it and its children, peak RSS MB)."""
    env = dict(os.environ)
    env.update(PYTHONPATH=str(src), MUPHILIC_CACHE_DIR=str(cache), MPLBACKEND="Agg")
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "muphilic", *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed with {src}: {err[-2000:]}")
    # on Linux, wait4 reports the child's usage plus that of the children it waited for
    # (pool or dask worker processes); ru_maxrss is the largest single process
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, usage.ru_maxrss / 1024.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="src folder of the reference code")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--beam-pot", type=int, default=1_000_000)
    parser.add_argument(
        "--only",
        default="help,cold,warm,warm1,warm2,beam",
        help="comma-separated subset of help, cold, warm, warm1, warm2, beam",
    )
    args = parser.parse_args()
    after = Path(os.environ.get("PYTHONPATH", str(HERE.parent / "src")).split(os.pathsep)[0])
    codes = {"after": after.resolve()}
    if args.before:
        codes = {"before": args.before.resolve(), **codes}
    wanted = args.only.split(",")
    timings: dict[tuple[str, str], Timing] = {}
    work = Path(tempfile.mkdtemp(prefix="bench17-"))
    try:
        for repeat in range(args.repeat):
            for label, src in codes.items():
                cache = work / f"cache-{label}-{repeat}"
                out = work / f"out-{label}-{repeat}"
                jobs = []
                if "help" in wanted:
                    jobs.append(("muphilic --help", ["--help"], cache))
                if {"cold", "warm", "warm1", "warm2"} & set(wanted):
                    jobs.append(("reach cold", ["reach", "--out", str(out), "--json"], cache))
                if "warm" in wanted:
                    jobs.append(("reach warm", ["reach", "--out", str(out), "--json"], cache))
                if "warm1" in wanted:
                    one = ["reach", "--out", str(out), "--json", "--workers", "1"]
                    jobs.append(("reach warm --workers 1", one, cache))
                if "warm2" in wanted:
                    two = ["reach", "--out", str(out), "--json", "--workers", "2"]
                    jobs.append(("reach warm --workers 2", two, cache))
                if "beam" in wanted:
                    pot = ["beam", "--pot", str(args.beam_pot), "--json", "--allow-long-runs"]
                    jobs.append((f"beam {args.beam_pot:.0e} POT cold", pot, work / f"b-{label}"))
                for name, command, where in jobs:
                    where.mkdir(exist_ok=True)
                    wall, cpu, rss = run(command, src, where, work)
                    if name.startswith("beam"):
                        shutil.rmtree(where)
                    t = timings.setdefault((name, label), Timing())
                    t.wall.append(wall)
                    t.cpu.append(cpu)
                    t.rss_mb.append(rss)
                    print(
                        f"[{repeat}] {label:6} {name:26} wall {wall:6.2f} s  cpu {cpu:6.2f} s  "
                        f"rss {rss:6.0f} MB",
                        flush=True,
                    )
                shutil.rmtree(cache, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    names = list(dict.fromkeys(name for name, _ in timings))
    print()
    print(f"medians of {args.repeat} runs; ratio = before / after (same run)")
    head = "| command | before wall s | after wall s | wall ratio | before CPU s | after CPU s "
    print(head + "| CPU ratio | before MB | after MB |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name in names:
        a = timings[(name, "after")]
        b = timings.get((name, "before"))
        if b is None:
            print(
                f"| {name} | | {a.median('wall'):.2f} | | | {a.median('cpu'):.2f} | | "
                f"| {a.median('rss_mb'):.0f} |"
            )
            continue
        print(
            f"| {name} | {b.median('wall'):.2f} | {a.median('wall'):.2f} | "
            f"{b.median('wall') / a.median('wall'):.2f} | {b.median('cpu'):.2f} | "
            f"{a.median('cpu'):.2f} | {b.median('cpu') / a.median('cpu'):.2f} | "
            f"{b.median('rss_mb'):.0f} | {a.median('rss_mb'):.0f} |"
        )


if __name__ == "__main__":
    main()
