"""The AWS emulator in a process of its own, as the handlers under test would see AWS.

`python -m bench.emulator` starts moto's server on a free loopback port, creates the
tables and the bucket, prints the endpoint URL on one line and serves until its stdin
closes. `EmulatorProcess` runs it from the harness.
"""

from __future__ import annotations

import subprocess
import sys
from types import TracebackType

from bench.environment import child_environment


class EmulatorProcess:
    """The emulator as a child process; a context manager yielding its endpoint URL."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> str:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "bench.emulator"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=child_environment(None),
            text=True,
        )
        assert self._process.stdout is not None
        endpoint = self._process.stdout.readline().strip()
        if not endpoint.startswith("http://"):
            self._process.kill()
            raise RuntimeError("the emulator did not start")
        return endpoint

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._process is None:
            return
        assert self._process.stdin is not None
        self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


def main() -> None:
    from api.settings import Settings
    from dev.emulator import Emulator, create_resources

    emulator = Emulator().start()
    create_resources(Settings(aws_endpoint_url=emulator.endpoint_url))
    print(emulator.endpoint_url, flush=True)
    sys.stdin.read()  # until the harness closes our stdin
    emulator.stop()


if __name__ == "__main__":
    main()
