"""Reads a `strace -f -xx` log into syscall events, in the order strace saw them.

A syscall is stopped by the tracer at its entry and at its exit, and its effect happens
between the two; strace prints each stop before letting the thread go on. So if the exit of
an fsync is printed before the entry of a write (any threads), the write took effect after the
fsync had returned: the order of lines is a sound order of effects for "completes before".
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

LINE = re.compile(r"^(\d+)\s+(.*)$")
CALL = re.compile(r"^([a-z0-9_]+)\((.*)$")
RESUMED = re.compile(r"^<\.\.\. ([a-z0-9_]+) resumed>(.*)$")
RESULT = re.compile(r"\)\s+=\s+(-?\d+)")
STRING = re.compile(r'"((?:\\x[0-9a-f]{2})*)"')


@dataclass
class Call:
    name: str
    tid: int
    fd: int | None
    data: bytes            # every string argument, decoded and joined (truncated at strace's -s)
    entry: int             # line index of the entry
    exit: int | None = None  # line index of the exit (None: never returned)
    result: int | None = None
    args: str = field(default="", repr=False)


def _decode(args: str) -> bytes:
    return b"".join(bytes.fromhex(m.group(1).replace("\\x", "")) for m in STRING.finditer(args))


def _fd(args: str) -> int | None:
    m = re.match(r"\s*(-?\d+)", args)
    return int(m.group(1)) if m else None


def parse(text: str) -> list[Call]:
    calls: list[Call] = []
    open_by_tid: dict[int, Call] = {}
    for i, raw in enumerate(text.splitlines()):
        m = LINE.match(raw)
        if not m:
            continue
        tid, rest = int(m.group(1)), m.group(2)
        if rest.startswith(("+++", "---")):
            continue
        r = RESUMED.match(rest)
        if r:
            call = open_by_tid.pop(tid, None)
            if call is not None and call.name == r.group(1):
                call.exit = i
                res = RESULT.search(r.group(2)) or re.search(r"=\s+(-?\d+)", r.group(2))
                call.result = int(res.group(1)) if res else None
                call.data += _decode(r.group(2))
            continue
        c = CALL.match(rest)
        if not c:
            continue
        name, args = c.group(1), c.group(2)
        call = Call(name=name, tid=tid, fd=_fd(args), data=_decode(args), entry=i, args=args)
        if args.rstrip().endswith("<unfinished ...>"):
            open_by_tid[tid] = call
        else:
            call.exit = i
            res = RESULT.search(args) or re.search(r"=\s+(-?\d+)\s*$", args)
            call.result = int(res.group(1)) if res else None
        calls.append(call)
    return calls


WRITES = ("write", "writev", "pwrite64", "pwritev", "pwritev2", "sendto", "sendmsg")
SYNCS = ("fsync", "fdatasync")


def first_write_with(calls: list[Call], *needles: bytes, after: int = -1) -> Call | None:
    for c in calls:
        if c.name in WRITES and c.entry > after and all(n in c.data for n in needles):
            return c
    return None


def sync_after(calls: list[Call], write: Call) -> Call | None:
    """The first fsync/fdatasync of the same file that returned 0 after `write` returned."""
    for c in calls:
        if c.name in SYNCS and c.fd == write.fd and c.entry > (write.exit or write.entry) and c.result == 0:
            return c
    return None
