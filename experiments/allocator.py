"""The C allocator's settings for processes that run chunks of a sweep.

A chunk allocates and frees the same few hundred megabytes of arrays day after day. With
glibc's defaults, arrays above 128 KiB are mapped fresh from the kernel and unmapped when freed
(until its adaptive threshold catches up), and the heap is trimmed whenever its top is free, so
the same pages are faulted in and zeroed again and again: the first chunk of a process took
about a quarter longer than the next ones. Keeping freed memory in the process for reuse
removes that cost; a worker then holds on to its peak, which the chunk size bounds.
"""

from __future__ import annotations

import ctypes

# mallopt parameters, from glibc's <malloc.h>.
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
# glibc's ceiling for the mmap threshold on 64-bit systems: larger values are refused.
MMAP_THRESHOLD = 32 * 2**20
TRIM_THRESHOLD = 2**30

_kept = False


def keep_freed_memory() -> bool:
    """Serve arrays up to 32 MiB from the heap and keep up to 1 GiB of freed heap in use.

    Does nothing where the C library has no ``mallopt`` (macOS, Windows). Settings are
    inherited by forked processes.

    Returns:
        Whether the allocator took the settings (now or in an earlier call).
    """
    global _kept
    if _kept:
        return True
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (AttributeError, OSError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    _kept = mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1 and (
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
    )
    return _kept
