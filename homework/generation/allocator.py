"""Keep freed memory in the process (Linux, glibc), so that decoding reuses it instead of faulting it in anew.

glibc's malloc hands blocks larger than its mmap threshold (it rises to at most 32 MB) straight back to
the OS when they are freed, and shrinks its heap once more than twice that lies free at the top. A
decoding call allocates and frees the same large tensors at every step (key/value buffers, a batch's
hidden states, logits), so the kernel zeroed and mapped the same memory again and again: 190k-690k page
faults and 0.8-2.5 s of system time per call of 200 SFT questions (27.7-29.2 s). With the thresholds
below, freed memory stays for the next tensor: 2k-315k faults (the most on a first call), 0.1-1.0 s
(2-core AMD EPYC, AVX2, float32; commit 5fde21f, 2026-11-30). The price: up to TRIM_THRESHOLD of
freed memory stays with the process.
"""

import ctypes
import ctypes.util
import logging

logger = logging.getLogger(__name__)

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # mallopt's parameter numbers (malloc.h)
MMAP_THRESHOLD = 256 * 2**20  # blocks up to this size come from the heap and are reused
TRIM_THRESHOLD = 1 * 2**30  # free memory at the heap's top kept before it is returned
_done: bool | None = None


def keep_freed_memory() -> bool:
    """Set glibc's thresholds once per process; True where they apply (glibc found and the calls accepted)."""
    global _done
    if _done is None:
        _done = False
        name = ctypes.util.find_library("c")
        try:
            libc = ctypes.CDLL(name) if name else None
            _done = bool(libc is not None and hasattr(libc, "mallopt")
                         and libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
                         and libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1)
        except OSError:
            _done = False
        if _done:
            logger.info("allocator: freed blocks up to %d MB kept for reuse (glibc mallopt)", MMAP_THRESHOLD >> 20)
    return _done
