"""The local web UI: a thin FastAPI app over the store.

Pages are rendered on the server; a comparison runs in a separate worker process
(:mod:`taskfit.web.worker`) that records its progress in the store, so a page reload or
a server restart loses nothing. Nothing here computes a result: the worker calls
:func:`taskfit.workflows.compare.compare` and the run page is
:func:`taskfit.report.html.render_report`.
"""

from __future__ import annotations

__all__: list[str] = []
