"""Per-item work spread over the machine's cores, for the stages whose cost grows with the number
of files (reading and checking thousands of profiles, writing `run`'s traces).

Only where it pays: at least ``PARALLEL_FROM`` items, more than one core this process may use, and
``fork`` (Linux), so that each worker starts as a copy of this process: the work and its inputs
are inherited, never pickled; only the results travel back. They come back in the items' order,
so the output (and every error, in its order) is the one a plain loop gives. ``ASSESS_WORKERS=1``
runs the loop in this process (to profile it, or where forking is unwelcome).
"""

from __future__ import annotations

import gc
import itertools
import os
import signal
import sys
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, TypeVar

from ..errors import UsageError

PARALLEL_FROM = 1_000  # below this a worker's start (tens of ms) costs more than it saves
CHUNKS_PER_WORKER = 4  # uneven files even out without a result per item crossing the pipe alone

T = TypeVar("T")
R = TypeVar("R")

_inherited: tuple[Callable[[Any], Any], Sequence[Any]] | None = None  # what the forked workers run


def workers() -> int:
    """How many processes may work at once: ``ASSESS_WORKERS``, else the cores this process may use."""
    setting = os.environ.get("ASSESS_WORKERS", "").strip()
    if setting:
        if not setting.isdigit() or int(setting) < 1:
            raise UsageError(f"ASSESS_WORKERS must be a whole number of processes, 1 or more (got {setting!r})")
        return int(setting)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def mapped(function: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """``[function(item) for item in items]``, over several processes where that pays."""
    count = min(workers(), len(items))
    if len(items) < PARALLEL_FROM or count < 2 or sys.platform != "linux":
        return [function(item) for item in items]
    import multiprocessing  # here, not at start-up: most commands read fewer files (15 ms saved)

    global _inherited
    _inherited = (function, items)
    gc.freeze()  # a worker's collector then leaves the inherited heap alone, unwritten and shared
    for stream in (sys.stdout, sys.stderr):  # a worker that exits before the pool ends it flushes its copy
        stream.flush()
    pool = multiprocessing.get_context("fork").Pool(count, initializer=_leave_interrupts_to_parent)
    try:
        chunks = list(pool.imap(_run_slice, _slices(len(items), count * CHUNKS_PER_WORKER)))
        # the workers end on their own: terminating one while it sends a result leaves the results
        # queue's lock held, and the pool's shutdown then waits on it for ever (seen in the suite)
        pool.close()
        pool.join()
    except BaseException:  # Ctrl-C in the parent: the workers are stopped, not waited for
        pool.terminate()
        raise
    finally:
        _inherited = None
        gc.unfreeze()
    results = []
    for chunk in chunks:  # in order: the first failure met is the one a loop would meet first
        if isinstance(chunk, _Failed):
            raise chunk.error
        results.extend(chunk)
    return results


def _leave_interrupts_to_parent() -> None:
    """Ctrl-C reaches the whole process group: the parent stops the pool and says so once; a
    worker printing its own traceback would break the promise of no tracebacks."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _slices(total: int, parts: int) -> list[tuple[int, int]]:
    """``parts`` contiguous ranges covering ``range(total)``, as even as they can be."""
    bounds = [total * part // parts for part in range(parts + 1)]
    return [(start, end) for start, end in itertools.pairwise(bounds) if end > start]


class _Failed(NamedTuple):
    """A worker's failure, sent back as a result so that no worker has to be ended mid-send."""

    error: Exception


def _run_slice(bounds: tuple[int, int]) -> list[Any] | _Failed:
    """In a worker: the results of one range of the inherited items, or the first failure among them."""
    assert _inherited is not None, "a worker runs only what its parent set before forking"
    function, items = _inherited
    try:
        return [function(items[index]) for index in range(*bounds)]
    except Exception as error:  # raised by the parent, in the items' order
        return _Failed(error)
