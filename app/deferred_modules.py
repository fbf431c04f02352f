"""Standard-library modules that websockets imports but the app does not use to start: loaded
at their first use instead of at import (cold start, issue 11).

- `importlib.metadata`: `websockets/version.py` imports it, but reads it only in a development
  checkout of websockets. It brings email, zipfile, csv and importlib.resources along.
- `urllib.request`: `websockets/proxy.py` imports it to look up a system proxy when a
  connection opens. The demo and every loopback feed connect with `proxy=None`
  (app/feed/link.py), so they never look one up; a live feed does, when it first connects.
  It brings http.client and the email parser along.

Importing websockets' client and server after Textual took 32-60 ms with them and 20-28
without (6 fresh interpreters each, interleaved, on the loaded 2-core test machine).

A deferred module is in `sys.modules` with its spec, file and path, and an empty namespace
whose PEP 562 `__getattr__` runs the module's own code at the first name read from it (an
`import` of it reads none). `importlib.util.LazyLoader` cannot do this on Python 3.11: the
import statement itself reads `__spec__` from a module already in `sys.modules`, and that
read loads a LazyLoader module.
"""

from __future__ import annotations

import importlib.util
import sys
import threading

DEFERRED = ("importlib.metadata", "urllib.request")

_lock = threading.RLock()


def defer_modules(names: tuple[str, ...] = DEFERRED) -> list[str]:
    """Put each module not yet imported in `sys.modules`, to be run at its first use; returns
    the names deferred (a module already imported stays as it is)."""
    deferred = []
    for name in names:
        if name not in sys.modules and _defer(name):
            deferred.append(name)
    return deferred


def _defer(name: str) -> bool:
    parent_name, _, child = name.rpartition(".")
    parent = sys.modules.get(parent_name) if parent_name else None
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None or (parent_name and parent is None):
        return False
    module = importlib.util.module_from_spec(spec)
    loader = spec.loader

    def load(attr: str) -> object:
        with _lock:
            if module.__dict__.pop("__getattr__", None) is load:  # the first read: run it
                try:
                    loader.exec_module(module)
                except BaseException:
                    sys.modules.pop(name, None)  # as a failed import leaves it
                    raise
        return getattr(module, attr)  # AttributeError if the module has no such name

    module.__dict__["__getattr__"] = load
    sys.modules[name] = module
    if parent is not None:
        setattr(parent, child, module)
    return True
