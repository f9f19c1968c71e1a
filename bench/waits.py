"""What the serving threads of a running `regiold serve` wait for: who had the CPUs meanwhile.

    python bench/waits.py MASTER_PID [--seconds 3] [--min-ms 2]

Records the scheduler for ``--seconds`` with ``perf sched record -a`` (Linux perf with the sched
tracepoints; root or perf_event_paranoid <= 1), then for every time a thread of a serving process
(a child of MASTER_PID) was runnable but waited at least ``--min-ms`` for a CPU, sums who ran on
the CPUs during that wait: the serving processes themselves, their query workers, the process
that started the server (a benchmark such as bench/attack.py), its other children (the
attackers), or others (every other task on the machine). A page is slow while it waits; this says for whom.
``bench/attack.py --waits`` runs it in the middle of each phase.
"""

from __future__ import annotations

import argparse
import bisect
import re
import subprocess
import tempfile
import threading
from collections import Counter
from pathlib import Path

_LINE = re.compile(r"^\s*([\d.]+)\s+\[(\d+)\]\s+.*?\[(\d+)(?:/(\d+))?\]\s+[\d.]+\s+([\d.]+)\s+([\d.]+)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("master", type=int)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--min-ms", type=float, default=2.0)
    args = parser.parse_args()
    print(report(waits(args.master, args.seconds, args.min_ms), args.min_ms))


def waits(master: int, seconds: float, min_ms: float = 2.0) -> dict[str, float]:
    """Seconds of CPU each group used while a serving thread waited ``min_ms`` or more for one;
    "waited" is the total of those waits, "span" the seconds recorded."""
    seconds = min(max(seconds, 0.5), 30.0)  # bounded: the trace grows by ~5 MB a second
    starter = _ppid(master)
    seen: dict[int, str] = {}
    stop = threading.Event()

    def classify() -> None:  # query workers live for a fraction of a second: look often
        while not stop.is_set():
            for worker in children(master):
                seen[worker] = "serving"
                for child in children(worker):
                    seen.setdefault(child, "query workers")
            seen[master] = "serving"
            for child in children(starter):
                seen.setdefault(child, "attackers")  # the benchmark's other children
            seen[starter] = "benchmark"  # bench/attack.py: its measuring client and sampler
            stop.wait(0.02)

    watcher = threading.Thread(target=classify, daemon=True)
    watcher.start()
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "sched.data"
        subprocess.run(["perf", "sched", "record", "-a", "-o", str(data), "--", "sleep",
                        str(seconds)], check=True, capture_output=True, timeout=seconds + 60)
        stop.set()
        watcher.join()
        lines = subprocess.run(["perf", "sched", "timehist", "-i", str(data)], check=True,
                               capture_output=True, text=True, timeout=300).stdout.splitlines()
    return _attribute(lines, seen, min_ms / 1000)


def _attribute(lines: list[str], seen: dict[int, str], min_wait: float) -> dict[str, float]:
    runs, waited = [], []  # (start, end, group) on some CPU; (from, to) of serving waits
    for line in lines:
        match = _LINE.match(line)
        if not match:
            continue
        end, _cpu, tid, pid, delay, run = match.groups()
        end, delay, run = float(end), float(delay) / 1000, float(run) / 1000
        group = seen.get(int(pid or tid), "others") if int(pid or tid) else "idle"
        runs.append((end - run, end, group))
        if group == "serving" and delay >= min_wait:
            waited.append((end - run - delay, end - run))
    runs.sort()
    starts = [start for start, _, _ in runs]
    used: Counter[str] = Counter()
    longest = max((end - start for start, end, _ in runs), default=0.0)
    for begin, end in waited:
        for start, stop, group in runs[bisect.bisect_left(starts, begin - longest):]:
            if start > end:
                break
            used[group] += max(0.0, min(stop, end) - max(start, begin))
    return {"span": (runs[-1][1] - runs[0][0]) if runs else 0.0,
            "waited": sum(end - start for start, end in waited), **used}


def report(found: dict[str, float], min_ms: float = 2.0) -> str:
    shares = {k: v for k, v in found.items() if k not in ("span", "waited")}
    total = sum(shares.values()) or 1.0
    parts = ", ".join(f"{group} {100 * v / total:.0f} %" for group, v in
                      sorted(shares.items(), key=lambda item: -item[1]))
    return (f"serving threads waited {found['waited']:.2f} s for a CPU in {found['span']:.1f} s "
            f"(waits of {min_ms:g} ms or more); the CPUs ran meanwhile: {parts}")


def children(pid: int) -> list[int]:
    """The processes forked by any thread of ``pid``."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _ppid(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


if __name__ == "__main__":
    main()
