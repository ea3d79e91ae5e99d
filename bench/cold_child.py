"""One cold start: `python -m bench.cold_child ENTRY` with an HTTP API v2 event on stdin.

Imports the module of the Lambda entry point ENTRY (module.attribute, as template.yaml's
Handler names it), sends its handler the event once and reports how long the import took
(Lambda's init phase: the functions build their app and clients and warm up there), how
long the first request took, and the peak RSS after the import and at the end.
It imports nothing before the clock starts beyond what the interpreter already has,
so that the handler's import pays for everything it needs.
"""

from __future__ import annotations

import importlib
import sys
import time

# Not `typing`: the handler's import must pay for it as it would on Lambda.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

PHASE_MARK = "bench-phase:"  # on stderr, to split `python -X importtime` output by phase


def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    module_name, _, attribute = sys.argv[1].rpartition(".")
    started_wall = time.time()
    sys.stderr.write(f"{PHASE_MARK} import\n")
    started = time.perf_counter()
    handler: Any = getattr(importlib.import_module(module_name), attribute)
    imported = time.perf_counter()
    rss_import = _peak_rss_mb()

    import json

    from tests.events import FakeLambdaContext

    event = json.loads(sys.stdin.read())
    context = FakeLambdaContext()
    sys.stderr.write(f"{PHASE_MARK} request\n")
    called = time.perf_counter()
    response = handler(event, context)
    answered = time.perf_counter()
    sys.stderr.write(f"{PHASE_MARK} done\n")
    if not 200 <= response["statusCode"] < 300:
        sys.stderr.write(f"first request answered {response}\n")
        sys.exit(1)
    result = {
        "started_wall": started_wall,
        "import_ms": (imported - started) * 1000,
        "first_request_ms": (answered - called) * 1000,
        "total_ms": (answered - started) * 1000,
        "rss_import_mb": rss_import,
        "peak_rss_mb": _peak_rss_mb(),
        "status": response["statusCode"],
    }
    from bench.child import report

    report(result)


if __name__ == "__main__":
    main()
