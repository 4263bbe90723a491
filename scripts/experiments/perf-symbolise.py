#!/usr/bin/env python3
"""Per-thread profile of a `perf record --call-graph dwarf` of linkaudit.

perf 6.1 (this machine's) leaves the Swift release binary's frames as bare
addresses; this names them from the binary's own symbol table (nm) and
demangles them (swift demangle). Usage:

  perf record -F 499 --call-graph dwarf,32768 -o cg.data BIN import links ...
  perf script -i cg.data --show-mmap-events | grep 'r-xp BIN'   # its load address
  perf script -i cg.data -F tid,ip,sym,dso > cg.txt
  scripts/experiments/perf-symbolise.py BIN LOAD_ADDRESS [self|incl] < cg.txt

Prints, for each thread, the share of its samples in each function: the
function itself (self) or anywhere on the stack (incl, the default).
"""
import bisect
import collections
import subprocess
import sys

binary, base = sys.argv[1], int(sys.argv[2], 16)
inclusive = len(sys.argv) < 4 or sys.argv[3] == "incl"
symbols = []
for line in subprocess.run(["nm", "-n", "--defined-only", binary], capture_output=True, text=True).stdout.splitlines():
    parts = line.split()
    if len(parts) == 3 and parts[1] in "tTwW":
        symbols.append((int(parts[0], 16), parts[2]))
starts = [a for a, _ in symbols]
name_of_binary = binary.split("/")[-1]


def name(address):
    i = bisect.bisect_right(starts, address) - 1
    return symbols[i][1] if i >= 0 else hex(address)


counts, totals = collections.Counter(), collections.Counter()
thread, stack = None, []


def finish():
    global stack
    if stack:
        totals[thread] += 1
        for s in set(stack) if inclusive else stack[:1]:
            counts[(thread, s)] += 1
    stack = []


for line in sys.stdin:
    if not line.strip():
        finish()
    elif not line.startswith(("\t", " ")):
        finish()
        thread = line.split()[0]
    else:
        fields = line.split()
        symbol = " ".join(fields[1:-1])
        if name_of_binary in fields[-1] and (symbol.startswith("[unknown]") or not symbol):
            address = int(fields[0], 16)
            symbol = name(address - base if address > base else address)
        stack.append(symbol.split("+0x")[0])
finish()

names = sorted({s for _, s in counts})
demangled = subprocess.run(
    ["swift", "demangle", "--simplified", "--compact"], input="\n".join(names), capture_output=True, text=True
).stdout.splitlines()
readable = dict(zip(names, demangled))
for t, total in totals.most_common():
    print(f"== thread {t}: {total} samples")
    for (tt, s), n in counts.most_common():
        if tt == t and n / total >= 0.008:
            print(f"{100 * n / total:6.1f}%  {readable.get(s, s)[:160]}")
