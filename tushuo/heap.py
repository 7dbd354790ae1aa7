"""glibc's malloc told to keep freed memory for reuse while tushuo paints (Linux/glibc only).

Why: painting and encoding a long image allocate and free a few MB per band (tiles, crops,
the rows handed to zlib). glibc gives the top of its heap back to the system as soon as
more than a few hundred KB are free there (the trim threshold follows the mmap threshold,
128 KiB to 32 MiB), so the next band touches fresh pages again: ~4,600 page faults and
~15 ms of system time per warm render of benchmarks/page.yaml (1080 x 5,322 px), about a
sixth of its CPU. With the heap top kept up to ``TRIM_THRESHOLD`` and blocks under
``MMAP_THRESHOLD`` taken from the heap, the same render makes ~70 faults and ~1 ms of
system time; the peak RSS moves from 101 to 103 MB.

Setting either threshold also stops glibc from raising the mmap threshold by itself (which it
does after the first large free, up to 32 MiB). So the mmap threshold is set to that same
32 MiB: at 4 MiB, a pocket PDF rendered after a PNG in one process (``tushuo serve``, a
script) mapped and faulted ~44 MB of fresh pages per render (10,900 faults, 23 ms of system
time: 43 → 68 ms); at 32 MiB it makes 3 faults, and neither render's peak RSS moved.

``keep_freed_memory()`` is called once, on the first raster render (pipeline.py). It changes
nothing when the process already chose: ``GLIBC_TUNABLES`` or a ``MALLOC_*`` variable in
the environment, or a C library other than glibc.
"""

from __future__ import annotations

import os
import sys

#: Free memory kept at the top of the heap (M_TRIM_THRESHOLD); glibc's own ceiling for the
#: dynamic threshold is 64 MiB (2 x the largest mmap threshold on 64-bit).
TRIM_THRESHOLD = 32 << 20
#: Blocks at least this big are mapped on their own (M_MMAP_THRESHOLD) and returned on free:
#: a whole 60,000 px image for a JPEG is, a 1080 x 512 band or a PDF's buffers are not
#: (glibc's own dynamic threshold stops at the same 32 MiB).
MMAP_THRESHOLD = 32 << 20
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's malloc.h

_done = False


def keep_freed_memory() -> bool:
    """Raise glibc's trim and mmap thresholds once per process; whether they were set."""
    global _done
    if _done:
        return False
    _done = True
    if not sys.platform.startswith("linux") or "GLIBC_TUNABLES" in os.environ:
        return False
    if any(k.startswith("MALLOC_") for k in os.environ):
        return False
    try:
        if not (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc"):
            return False
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
    except (ValueError, OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    return bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)) and bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD))


__all__ = ["MMAP_THRESHOLD", "TRIM_THRESHOLD", "keep_freed_memory"]
