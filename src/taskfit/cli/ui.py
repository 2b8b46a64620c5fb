"""`taskfit ui`: the local web UI over the store."""

from __future__ import annotations

import errno
import json
import os
import socket
from typing import Annotated

import typer

from taskfit.cli.common import ExecutorOpt, RayAddressOpt, app, err
from taskfit.errors import UsageError
from taskfit.workflows.inputs import default_home

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@app.command()
def ui(
    host: Annotated[
        str, typer.Option(help="Address to bind. Anything but loopback exposes your data.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8765,
    max_upload_mb: Annotated[
        float, typer.Option("--max-upload-mb", help="Largest data file accepted, in MB.")
    ] = 100.0,
    executor: ExecutorOpt = "local",
    ray_address: RayAddressOpt = None,
) -> None:
    """Run the web UI: upload data, start comparisons, watch progress, read reports.

    The UI uses the same store as the command line ($TASKFIT_HOME or ./.taskfit), so runs
    from `taskfit compare` appear in it too. Stop it with Ctrl+C; running comparisons go on
    in their worker processes and show up again when the UI restarts.
    """
    if not 0 < max_upload_mb <= 100_000:
        raise UsageError("--max-upload-mb must be a positive number of megabytes")
    if not 0 < port < 65536:
        raise UsageError(f"--port {port}: use a port between 1 and 65535")
    from taskfit.config import RunOptions
    from taskfit.web.worker import EXECUTOR_ENV

    RunOptions(executor=executor, ray_address=ray_address)  # a bad choice fails here
    sock = _bind(host, port)
    os.environ[EXECUTOR_ENV] = json.dumps({"executor": executor, "ray_address": ray_address})
    import uvicorn

    from taskfit.web.app import create_app

    home = default_home()
    if host not in _LOOPBACK:
        err.print(
            f"warning: listening on {host}: anyone who can reach this address can read your"
            " runs and start jobs on this machine",
            markup=False,
        )
    err.print(
        f"taskfit UI on http://{host}:{port}/ (store: {home}); Ctrl+C to stop",
        markup=False,
        highlight=False,
    )
    config = uvicorn.Config(create_app(home, max_upload_mb), log_level="warning")
    uvicorn.Server(config).run(sockets=[sock])


def _bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound here so that a taken port is a one-line usage error."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        why = "is already in use" if e.errno == errno.EADDRINUSE else f"cannot be bound ({e})"
        raise UsageError(f"{host}:{port} {why}; choose another with --host/--port") from None
    return sock
