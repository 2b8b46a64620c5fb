"""``python -m llama_cpp.server`` on 127.0.0.1 for a test or a benchmark: started on a free
port, waited for until ``/v1/models`` answers, stopped on exit."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

__all__ = ["ServerError", "llama_server"]


class ServerError(RuntimeError):
    """The server exited or did not answer in time; the message ends with its log's tail."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tail(path: Path, lines: int = 15) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    return ""


@contextlib.contextmanager
def llama_server(
    model: Path, log: Path, *, startup_s: float = 180.0, threads: int | None = None
) -> Iterator[str]:
    """Serve ``model`` (its output in ``log``) and yield the base URL ``http://.../v1``.

    Raises :class:`ServerError` when the server exits or is not ready in ``startup_s``.
    """
    import httpx

    port = _free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(model)]
    command += ["--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048"]
    if threads is not None:  # the server's own default: all the machine's cores
        command += ["--n_threads", str(threads), "--n_threads_batch", str(threads)]
    with log.open("wb") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}/v1"
        deadline = time.monotonic() + startup_s
        while True:
            if proc.poll() is not None:
                raise ServerError(f"llama_cpp.server exited with {proc.returncode}:\n{_tail(log)}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/models", timeout=2.0).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise ServerError(
                    f"llama_cpp.server not ready after {startup_s:.0f}s:\n{_tail(log)}"
                )
            time.sleep(0.25)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
