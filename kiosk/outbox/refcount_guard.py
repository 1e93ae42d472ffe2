"""Work around a PySide6 reference-count bug that crashes long-running processes on Python 3.11.

With PySide6 6.12.0 on CPython 3.11, every ``SignalInstance.emit()`` drops one reference to ``True``
that it never took (its return value is handed back without a new reference). ``True`` starts with a few
hundred references, so after a few hundred emits in total CPython aborts with "Fatal Python error:
bool_dealloc: deallocating True or False". Seen in this project's delivery benchmark after ~500
deliveries; any busy signal in the UI reaches it as well. (A failed ``disconnect`` does the same to
``False``.) CPython 3.12+ makes ``True``/``False`` immortal, which is why the bug goes unnoticed there.

The guard does for 3.11 what 3.12 does: it gives both objects so many extra references (2**60) that no
run can ever use them up. It only acts when a probe shows the bug, and it is idempotent.
"""

from __future__ import annotations

import ctypes
import sys
import threading

_EXTRA_REFERENCES = 1 << 60
_lock = threading.Lock()
_applied = False


def emit_leaks_true() -> bool:
    """Probe: does emitting a signal lose references to ``True`` in this PySide6?"""
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        probed = Signal()

    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(8):
        probe.probed.emit()
    return sys.getrefcount(True) - before <= -8


def guard_bool_refcounts() -> bool:
    """Make ``True`` and ``False`` effectively immortal if PySide6 needs it; True if the guard is on."""
    global _applied
    with _lock:
        if _applied:
            return True
        if sys.version_info >= (3, 12) or not emit_leaks_true():
            return False
        for value in (True, False):
            # ob_refcnt is the first field of every CPython object; the GIL makes this update atomic
            # with respect to Python code.
            counter = ctypes.c_ssize_t.from_address(id(value))
            counter.value += _EXTRA_REFERENCES
        _applied = True
        return True
