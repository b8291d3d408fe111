"""Memory measurement shared by the tests that bound what a call allocates."""

import tracemalloc


def traced_peak(call):
    """Run ``call()`` and return the peak of memory traced meanwhile, in bytes."""
    tracemalloc.start()
    try:
        call()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak
