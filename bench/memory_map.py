"""Where a running program's memory goes: PSS per process and per mapped file, summed from /proc.

    python bench/memory_map.py PID [PID ...] [--top 15]

For each process: its PSS, then the mappings that hold most of it ("[anon]" and "[heap]" are the Python
objects and Qt's pixmaps and backing store; a library's share of pages shared with other processes is
split among them, as PSS does).
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path


def by_mapping(pid: int) -> Counter[str]:
    totals: Counter[str] = Counter()
    current = "[anon]"
    for line in Path(f"/proc/{pid}/smaps").read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split()
        if not parts:
            continue
        if "-" in parts[0] and not parts[0].endswith(":"):
            current = parts[5] if len(parts) > 5 else "[anon]"
        elif parts[0] == "Pss:":
            totals[current] += int(parts[1])
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("pids", type=int, nargs="+")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    for pid in args.pids:
        totals = by_mapping(pid)
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[:80]
        print(f"{pid} {command}: {sum(totals.values()) / 1024:.1f} MB PSS")
        for name, kb in totals.most_common(args.top):
            print(f"  {kb / 1024:7.1f} MB  {name}")


if __name__ == "__main__":
    main()
