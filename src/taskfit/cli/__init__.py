"""Command line: thin wrappers over the library, with rich progress and tables.

Every user error is a one-line message on stderr and exit code 2, never a traceback.
Each command module registers its commands on the shared :data:`app`.
"""

from __future__ import annotations

import sys
import traceback

from taskfit.cli import advise as _advise  # noqa: F401 - registers commands
from taskfit.cli import approaches as _approaches  # noqa: F401
from taskfit.cli import compare as _compare  # noqa: F401
from taskfit.cli import curve as _curve  # noqa: F401
from taskfit.cli import distill as _distill  # noqa: F401
from taskfit.cli import models as _models  # noqa: F401
from taskfit.cli import profile as _profile  # noqa: F401
from taskfit.cli import report as _report  # noqa: F401
from taskfit.cli import ui as _ui  # noqa: F401
from taskfit.cli.common import app, err
from taskfit.errors import TaskfitError
from taskfit.workflows.inputs import redact_text

__all__ = ["app", "main"]


def main(argv: list[str] | None = None) -> None:
    """Entry point: user errors become one line and exit code 2.

    Whatever is printed for an error has the credentials of any URL in it redacted
    (an ``--llm openai:MODEL@http://user:KEY@host/v1`` must not reach a terminal log),
    an unexpected exception's traceback included.
    """
    # Typer reports usage errors itself (exit 2); taskfit's own errors come out here.
    try:
        app(args=argv)
    except TaskfitError as e:
        err.print(f"error: {redact_text(str(e))}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(e.exit_code)
    except Exception:
        # A bug, not the user's doing: the traceback as Python prints it, redacted.
        sys.stderr.write(redact_text(traceback.format_exc()))
        sys.exit(1)
