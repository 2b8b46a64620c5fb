"""What the report and the web UI add to a comparison, measured side by side.

1. Report: `compare` on banking77 (77 labels) with the learners and the trust suite, then
   the figures (``figures_for``) and the self-contained HTML report (``write_report``),
   each timed; the report's size and its count of external URLs (must be 0).
2. Web UI: the same comparison of the bundled demo data run as ``taskfit compare
   --report`` and through a running ``taskfit ui`` (upload, start, poll until finished;
   the worker writes the report too), each in a fresh store, alternating, ``--repeats``
   times. The ratio ``ui / cli`` is the UI's overhead (upload, parse check, worker start,
   progress writes).

Usage: python benchmarks/bench_report.py [--skip-report] [--skip-ui] [--repeats 2]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BANKING77 = ROOT.parent / "shared" / "data" / "banking77"
LEARNERS = ("majority", "tfidf-lr", "encoder-lr")
TRUST = ("calibration", "robustness", "ood", "shortcuts", "selective")
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//""")


def bench_report(home: Path) -> None:
    from taskfit import compare
    from taskfit.report.html import load_results, write_report
    from taskfit.report.plots_report import figures_for
    from taskfit.run.trust_plan import TrustOptions

    t0 = time.perf_counter()
    res = compare(
        BANKING77 / "train.csv",
        test=BANKING77 / "test.csv",
        text="text",
        label="category",
        approaches=LEARNERS,
        home=str(home),
        out=str(home / "run"),
        plots=False,
        trust=TrustOptions(measures=TRUST, target_accuracy=0.9),
    )
    t_compare = time.perf_counter() - t0
    doc = load_results(res.out_dir)
    t0 = time.perf_counter()
    figures = figures_for(doc, res.out_dir)
    t_figures = time.perf_counter() - t0
    t0 = time.perf_counter()
    path = write_report(res.out_dir)
    t_report = time.perf_counter() - t0
    text = path.read_text()
    print(f"banking77, {', '.join(LEARNERS)}, trust: {', '.join(TRUST)}")
    print(f"  compare (no figures)       {t_compare:8.1f} s")
    print(f"  figures ({len(figures)} files)        {t_figures:8.1f} s")
    print(f"  HTML report                {t_report:8.1f} s")
    print(f"  (figures + report)/compare {(t_figures + t_report) / t_compare:8.3f}")
    print(f"  report size                {len(text.encode()) / 1e6:8.2f} MB")
    print(f"  external URLs in report    {len(EXTERNAL.findall(text)):8d}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cli_run(train: Path) -> float:
    home = Path(tempfile.mkdtemp(prefix="taskfit-bench-cli-"))
    args = [sys.executable, "-m", "taskfit.cli", "compare", str(train), "--text", "text"]
    args += ["--label", "intent", "--approaches", ",".join(LEARNERS), "--report"]
    args += ["--out", str(home / "run")]
    t0 = time.perf_counter()
    subprocess.run(
        args,
        check=True,
        capture_output=True,
        env={**os.environ, "TASKFIT_HOME": str(home)},
    )
    return time.perf_counter() - t0


def _ui_run(train: Path) -> float:
    import httpx

    home = Path(tempfile.mkdtemp(prefix="taskfit-bench-ui-"))
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "taskfit.cli", "ui", "--port", str(port)],
        env={**os.environ, "TASKFIT_HOME": str(home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            for _ in range(300):
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            t0 = time.perf_counter()
            files = {"file": ("train.csv", train.read_bytes(), "text/csv")}
            up = client.post("/api/uploads", files=files).json()["upload_id"]
            form = {"upload_id": up, "text": "text", "label": "intent"}
            form_lists = {**form, "approaches": list(LEARNERS)}
            r = client.post("/jobs", data=form_lists, follow_redirects=False)
            job_id = r.headers["location"].rsplit("/", 1)[1]
            while True:
                job = client.get(f"/api/jobs/{job_id}").json()
                if job["final"]:
                    break
                time.sleep(0.2)
            took = time.perf_counter() - t0
            if job["status"] != "finished":
                raise SystemExit(f"UI job ended {job['status']}: {job.get('error')}")
            return took
    finally:
        server.terminate()
        server.wait(timeout=30)


def bench_ui(repeats: int) -> None:
    from taskfit.data.demo import demo_paths

    train = demo_paths()["train"]
    cli, ui = [], []
    for i in range(repeats):
        order = (("cli", cli, _cli_run), ("ui", ui, _ui_run))
        for _name, bucket, run in order if i % 2 == 0 else order[::-1]:
            bucket.append(run(train))
    c, u = statistics.median(cli), statistics.median(ui)
    print(f"demo data, {', '.join(LEARNERS)}, fresh store each, {repeats} alternating repeats")
    print(f"  taskfit compare --report   {c:8.1f} s  (runs: {', '.join(f'{x:.1f}' for x in cli)})")
    print(f"  through taskfit ui         {u:8.1f} s  (runs: {', '.join(f'{x:.1f}' for x in ui)})")
    print(f"  ui / cli                   {u / c:8.2f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skip-report", action="store_true")
    ap.add_argument("--skip-ui", action="store_true")
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args()
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print(f"{now}; {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    if not args.skip_report:
        if (BANKING77 / "test.csv").exists():
            bench_report(Path(tempfile.mkdtemp(prefix="taskfit-bench-report-")))
        else:
            print(f"report part skipped: {BANKING77} not found (it needs ../shared)")
    if not args.skip_ui:
        bench_ui(args.repeats)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
