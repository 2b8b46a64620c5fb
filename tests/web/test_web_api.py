"""The web UI's HTTP API and pages, through FastAPI's test client (no browser).

Uploads, errors and escaping are checked here; jobs run in real worker processes with the
fake LLM backend and the baselines, so a comparison takes seconds.
"""

from __future__ import annotations

import csv
import html
import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from markupsafe import escape
from tests.support.web import demo_train, wait_final


def _upload(
    client,
    name: str,
    data: bytes,
    test: tuple[str, bytes] | None = None,
    corpus: tuple[str, bytes] | None = None,
):
    files = {"file": (name, data, "application/octet-stream")}
    if test:
        files["test_file"] = (test[0], test[1], "application/octet-stream")
    if corpus:
        files["corpus_file"] = (corpus[0], corpus[1], "application/octet-stream")
    return client.post("/uploads", files=files, follow_redirects=False)


def _upload_id(resp) -> str:
    assert resp.status_code == 303, resp.text
    m = re.match(r"^/uploads/([0-9a-f]{32})", resp.headers["location"])
    assert m, resp.headers["location"]
    return m.group(1)


def _corpus_id(resp) -> str:
    assert resp.status_code == 303, resp.text
    m = re.search(r"[?&]corpus=([0-9a-f]{32})", resp.headers["location"])
    assert m, resp.headers["location"]
    return m.group(1)


def _error(page: str) -> str:
    m = re.search(r'<div class="error" id="error">(.*?)</div>', page, re.S)
    assert m, "no error shown in the page"
    return html.unescape(m.group(1))


def _cli_error(args: list[str], cwd: Path) -> str:
    """The one line `taskfit` prints for the same input."""
    proc = subprocess.run(
        [sys.executable, "-m", "taskfit.cli", *args, "--llm", "fake"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "400"},
    )
    assert proc.returncode == 2, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def _stored_files(home: Path) -> list[Path]:
    root = home / "uploads"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_health_and_openapi(client):
    assert client.get("/healthz").json()["status"] == "ok"
    paths = client.get("/openapi.json").json()["paths"]
    for p in ("/api/jobs", "/api/jobs/{job_id}", "/api/runs/{run_id}", "/api/uploads"):
        assert p in paths


def test_upload_preview_shows_columns_and_rows(client, web_home):
    up = _upload_id(_upload(client, "tickets.csv", demo_train().read_bytes()))
    page = client.get(f"/uploads/{up}").text
    with demo_train().open(encoding="utf-8", newline="") as f:
        first = next(csv.DictReader(f))
    assert "tickets.csv" in page
    assert "<th>text</th>" in page and "<th>intent</th>" in page
    assert str(escape(first["text"])) in page and str(escape(first["intent"])) in page
    # the stored file is under the store, named by the server
    assert [p.relative_to(web_home).parts[0::2] for p in _stored_files(web_home)] == [
        ("uploads", "tickets.csv")
    ]


def test_oversized_upload_is_refused_and_nothing_kept(client, web_home):
    big = b"text,intent\n" + b"".join(b"hello there friend %d,greet\n" % i for i in range(60_000))
    assert len(big) > 2**20
    r = _upload(client, "big.csv", big)
    assert r.status_code == 413
    assert "larger than the server's limit of 1 MB" in _error(r.text)
    api = client.post("/api/uploads", files={"file": ("big.csv", big, "text/csv")})
    assert api.status_code == 413 and "limit" in api.json()["error"]
    assert _stored_files(web_home) == []
    with sqlite3.connect(web_home / "store.db") as db:
        assert db.execute("SELECT COUNT(*) FROM uploads").fetchone()[0] == 0


def test_wrong_type_gets_the_cli_message(client, web_home, tmp_path):
    r = _upload(client, "notes.exe", b"text,intent\nhi,greet\n")
    assert r.status_code == 415
    (tmp_path / "notes.exe").write_bytes(b"text,intent\nhi,greet\n")
    # uploads take every task type's formats: the list `--task extraction` gives (CoNLL too)
    args = ["compare", "notes.exe", "--task", "extraction", "--text", "text", "--label", "intent"]
    cli = _cli_error(args, tmp_path)
    assert ".conll" in cli
    assert _error(r.text) == cli
    assert _stored_files(web_home) == []


def test_malformed_file_gets_the_cli_message_naming_row(client, tmp_path):
    bad = b'text,intent\nhello,greet\n"unterminated,greet\nbye,leave\n'
    r = _upload(client, "bad.csv", bad)
    assert r.status_code == 400
    (tmp_path / "bad.csv").write_bytes(bad)
    cli = _cli_error(["compare", "bad.csv", "--text", "text", "--label", "intent"], tmp_path)
    assert _error(r.text) == cli
    assert "bad.csv" in cli and "row" in cli


def test_path_traversal_names_stay_inside_the_store(client, web_home, tmp_path):
    data = demo_train().read_bytes()
    for name in ("../../escaped.csv", "..\\..\\escaped.csv", "/etc/escaped.csv", ".hidden.csv"):
        up = _upload_id(_upload(client, name, data))
        page = client.get(f"/uploads/{up}").text
        assert "escaped.csv" in page or "hidden.csv" in page
        heading = re.search(r"<h1>(.*?)</h1>", page)
        assert heading is not None and "../" not in heading.group(1)
    files = _stored_files(web_home)
    assert sorted(p.name for p in files) == ["escaped.csv"] * 3 + ["hidden.csv"]
    assert all(p.parent.parent == web_home / "uploads" for p in files)
    outside = [p for p in tmp_path.rglob("escaped.csv") if web_home / "uploads" not in p.parents]
    assert outside == [] and not Path("/etc/escaped.csv").exists()
    # ids in URLs are matched, never joined onto a path
    for url in ("/uploads/..%2F..%2Fetc%2Fpasswd", "/runs/..%2F..%2Fstore.db", "/jobs/../x"):
        assert client.get(url).status_code == 404


def test_unknown_ids_are_404(client):
    r = client.get("/runs/20990101-000000-deadbeef")
    assert r.status_code == 404
    assert _error(r.text) == "error: unknown run '20990101-000000-deadbeef'"
    assert client.get("/api/runs/nope").status_code == 404
    assert client.get("/api/jobs/0123456789abcdef").status_code == 404
    assert client.get("/jobs/0123456789abcdef").status_code == 404
    assert client.post("/api/jobs/0123456789abcdef/cancel").status_code == 404
    assert client.get("/uploads/" + "0" * 32).status_code == 404


def test_user_text_is_escaped_in_pages(client):
    evil = b'text,<b>lab&el</b>\n"<script>alert(1)</script> hi",<script>alert(1)</script>\nbye,x\n'
    up = _upload_id(_upload(client, "<img src=x>.csv", evil))
    page = client.get(f"/uploads/{up}").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>lab&el</b>" not in page and "&lt;b&gt;lab&amp;el&lt;/b&gt;" in page
    assert "<img src=x>" not in page


def test_bad_mapping_shows_the_cli_message(client, tmp_path):
    up = _upload_id(_upload(client, "train.csv", demo_train().read_bytes()))
    form = {"upload_id": up, "text": "text", "label": "text", "llms": "fake"}
    r = client.post("/jobs", data=form, follow_redirects=False)
    assert r.status_code == 400
    (tmp_path / "train.csv").write_bytes(demo_train().read_bytes())
    cli = _cli_error(["compare", "train.csv", "--text", "text", "--label", "text"], tmp_path)
    assert _error(r.text) == cli
    r2 = client.post("/jobs", data={**form, "label": "intent", "llms": "gguf:/etc/passwd"})
    assert r2.status_code == 400 and "command line" in _error(r2.text)
    assert client.get("/api/jobs").json() == []  # nothing was started


def _start(client, up: str, approaches=("majority", "tfidf-lr", "zero-shot"), **extra) -> str:
    form = {
        "upload_id": up,
        "text": "text",
        "label": "intent",
        "llms": "fake",
        "max_test": "40",
        "approaches": list(approaches),
        **extra,
    }
    r = client.post("/jobs", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    return r.headers["location"].rsplit("/", 1)[1]


def test_job_runs_to_a_report_matching_results(client, web_home):
    up = _upload_id(_upload(client, "train.csv", demo_train().read_bytes()))
    job_id = _start(client, up)
    job = wait_final(client, job_id)
    assert job["status"] == "finished", job
    names = [u["name"] for u in job["progress"]["finished_units"]]
    assert {"majority", "tfidf-lr", "zero-shot@fake"} <= set(names)
    doc = client.get(f"/api/runs/{job['run_id']}").json()
    report = client.get(f"/runs/{job['run_id']}").text
    assert doc["recommendation"]["choice"] in report
    for a in doc["approaches"]:
        assert f"{a['metrics']['accuracy']['value']:.3f}" in report
    runs = client.get("/api/runs").json()
    assert runs[0]["run_id"] == job["run_id"] and runs[0]["status"] == "finished"
    assert runs[0]["dataset"] == "train.csv"
    assert runs[0]["recommended"] == doc["recommendation"]["choice"]
    top = max(a["metrics"]["accuracy"]["value"] for a in doc["approaches"])
    best = next(a for a in doc["approaches"] if a["name"] == runs[0]["most_accurate"])
    assert best["metrics"]["accuracy"]["value"] == runs[0]["most_accurate_accuracy"] == top
    index = client.get("/").text
    assert job["run_id"] in index and "train.csv" in index


def _plant_run(home: Path, run_id: str, choice: str, accuracies: dict[str, float]) -> None:
    """A finished run in the store with a minimal results.json."""
    from taskfit.run.store import Store

    out = home / "runs" / run_id
    out.mkdir(parents=True)
    approaches = [
        {
            "name": name,
            "metrics": {"accuracy": {"value": acc}, "macro_f1": {"value": acc}},
        }
        for name, acc in accuracies.items()
    ]
    doc = {
        "run_id": run_id,
        "task": {"source": "tickets.csv"},
        "approaches": approaches,
        "recommendation": {"choice": choice, "reasons": [], "warnings": []},
        "run_stats": {},
    }
    (out / "results.json").write_text(json.dumps(doc), encoding="utf-8")
    store = Store(home / "store.db")
    try:
        store.start_run(run_id, {}, str(out))
        store.finish_run(run_id, "finished")
    finally:
        store.close()


def test_runs_list_shows_the_recommended_and_the_most_accurate_approach(client, web_home):
    # cheaper and not significantly less accurate: the choice is not the most accurate
    _plant_run(web_home, "r-cheap", "tfidf-lr", {"zero-shot@gpt-4o": 0.91, "tfidf-lr": 0.88})
    _plant_run(web_home, "r-same", "tfidf-lr", {"majority": 0.2, "tfidf-lr": 0.88})
    runs = {r["run_id"]: r for r in client.get("/api/runs").json()}
    cheap, same = runs["r-cheap"], runs["r-same"]
    assert (cheap["recommended"], cheap["recommended_accuracy"]) == ("tfidf-lr", 0.88)
    assert (cheap["most_accurate"], cheap["most_accurate_accuracy"]) == ("zero-shot@gpt-4o", 0.91)
    assert same["recommended"] == same["most_accurate"] == "tfidf-lr"

    index = client.get("/").text
    head = index[index.index('<table id="runs">') :]
    assert "<th>Recommended</th><th>Most accurate</th>" in head
    assert "Best approach" not in index
    row = re.search(r"<tr>\s*<td><a href=\"/runs/r-cheap\">.*?</tr>", index, re.S)
    assert row is not None
    cells = re.findall(r'<td class="(recommended|most-accurate)">(.*?)</td>', row.group(0), re.S)
    text = {cls: re.sub(r"<[^>]+>", "", html).split() for cls, html in cells}
    assert text == {
        "recommended": ["tfidf-lr", "0.880"],
        "most-accurate": ["zero-shot@gpt-4o", "0.910"],
    }


def test_runs_survive_a_server_restart_and_lost_workers_are_marked(web_home):
    from fastapi.testclient import TestClient

    from taskfit.web.app import create_app

    with TestClient(create_app(web_home)) as c1:
        up = _upload_id(_upload(c1, "train.csv", demo_train().read_bytes()))
        job = wait_final(c1, _start(c1, up, approaches=("majority", "tfidf-lr")))
        assert job["status"] == "finished"
        report_before = c1.get(f"/runs/{job['run_id']}").text
    # a job whose worker died while the server was down
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    with sqlite3.connect(web_home / "store.db") as db:
        db.execute(
            "INSERT INTO jobs VALUES ('00000000000000aa', 0, 0, 'running', ?, '{}', NULL,"
            " 'r-lost', ?)",
            (json.dumps({"upload_id": up, "text": "text", "label": "intent"}), dead.pid),
        )
        db.execute("INSERT INTO runs VALUES ('r-lost', 0, 'running', '{}', NULL)")
    with TestClient(create_app(web_home)) as c2:
        assert c2.get(f"/runs/{job['run_id']}").text == report_before
        assert c2.get(f"/api/jobs/{job['job_id']}").json()["status"] == "finished"
        lost = c2.get("/api/jobs/00000000000000aa").json()
        assert lost["status"] == "interrupted" and "start the comparison again" in lost["error"]
        runs = {r["run_id"]: r["status"] for r in c2.get("/api/runs").json()}
        assert runs == {job["run_id"]: "finished", "r-lost": "interrupted"}


def test_cancel_stops_the_worker(client, web_home):
    up = _upload_id(_upload(client, "train.csv", demo_train().read_bytes()))
    # setfit trains for minutes on this data: plenty of time to cancel
    job_id = _start(client, up, approaches=("setfit",))
    deadline = time.monotonic() + 120
    while not (job := client.get(f"/api/jobs/{job_id}").json())["run_id"]:
        assert not job["final"] and time.monotonic() < deadline, job
        time.sleep(0.2)
    r = client.post(f"/jobs/{job_id}/cancel", follow_redirects=False)
    assert r.status_code == 303
    job = wait_final(client, job_id, timeout=120)
    assert job["status"] == "cancelled", job
    runs = {r["run_id"]: r["status"] for r in client.get("/api/runs").json()}
    assert runs == {job["run_id"]: "cancelled"}
    assert client.get(f"/runs/{job['run_id']}").status_code == 404  # no results to show


class _Refusing(BaseHTTPRequestHandler):
    """An endpoint that refuses every request with 401, as with a wrong API key."""

    def do_POST(self) -> None:
        body = json.dumps({"error": {"message": "invalid api key"}}).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def test_a_failed_job_shows_its_one_line_error(client):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Refusing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        up = _upload_id(_upload(client, "train.csv", demo_train().read_bytes()))
        llm = f"openai:m@http://127.0.0.1:{server.server_address[1]}/v1"
        job = wait_final(client, _start(client, up, approaches=("zero-shot",), llms=llm))
    finally:
        server.shutdown()
    assert job["status"] == "failed", job
    error = job["error"]
    assert error.startswith("error: ") and "\n" not in error and "401" in error, error
    assert "Traceback" not in error
    page = client.get(f"/jobs/{job['job_id']}").text
    assert html.escape(error, quote=False) in page
    runs = {r["run_id"]: r["status"] for r in client.get("/api/runs").json()}
    assert runs == {job["run_id"]: "failed"}  # the half-done run is not marked finished


# -- question answering and extraction ----------------------------------------------


def _demo(task: str) -> dict[str, Path]:
    from taskfit.data.demo import demo_paths

    return demo_paths(task)


def _qa_upload(client) -> tuple[str, str]:
    """The demo QA train set as data and its corpus: (data id, corpus id)."""
    qa = _demo("qa")
    r = _upload(
        client,
        "train.csv",
        qa["train"].read_bytes(),
        corpus=("corpus.csv", qa["corpus"].read_bytes()),
    )
    return _upload_id(r), _corpus_id(r)


QA_FORM = {"text": "question", "label": "answer", "task": "qa", "llms": "fake"}


def test_qa_job_with_a_corpus_passes_the_checks(client, web_home):
    from taskfit.web.jobs import JobBoard
    from taskfit.web.params import check_message, compare_kwargs, parse_form

    up, corpus = _qa_upload(client)
    page = client.get(f"/uploads/{up}?corpus={corpus}").text
    assert "corpus: corpus.csv" in page
    assert f'name="corpus_upload_id" value="{corpus}"' in page
    assert '<option value="qa" selected>' in page  # a corpus is for QA
    evidence = re.search(r'<select id="evidence" name="evidence">(.*?)</select>', page, re.S)
    assert evidence is not None
    assert re.findall(r'value="([^"]*)"', evidence.group(1)) == [
        "",
        "question",
        "answer",
        "passage_id",
    ]
    assert 'id="top_k" name="top_k" type="number" min="1" value="3"' in page

    form = {**QA_FORM, "upload_id": up, "corpus_upload_id": corpus, "evidence": "passage_id"}
    params = parse_form({**form, "top_k": "5"}, {})
    assert (params.corpus_upload_id, params.evidence, params.top_k) == (corpus, "passage_id", 5)
    board = JobBoard(web_home / "store.db")
    try:
        assert check_message(params, board, str(web_home)) is None
        kwargs, names = compare_kwargs(params, board, str(web_home))
    finally:
        board.close()
    stored = Path(kwargs["corpus"])
    assert stored.parent == web_home / "uploads" / corpus and stored.name == "corpus.csv"
    assert stored.read_bytes() == _demo("qa")["corpus"].read_bytes()
    assert (kwargs["evidence"], kwargs["top_k"], kwargs["task"]) == ("passage_id", 5, "qa")
    assert names[str(stored)] == "corpus.csv (corpus)"
    assert client.get("/api/jobs").json() == []  # checked, not started


def test_empty_corpus_upload_gets_the_cli_message(client, web_home, tmp_path):
    train = _demo("qa")["train"].read_bytes()
    r = _upload(client, "train.csv", train, corpus=("empty.csv", b""))
    assert r.status_code == 400
    (tmp_path / "train.csv").write_bytes(train)
    (tmp_path / "empty.csv").write_bytes(b"")
    args = ["compare", "train.csv", "--task", "qa", "--text", "question", "--label", "answer"]
    cli = _cli_error([*args, "--corpus", "empty.csv"], tmp_path)
    assert _error(r.text) == cli == "error: empty.csv: the corpus has no passages"
    assert _stored_files(web_home) == []  # the data uploaded with it is not kept either


def test_corpus_of_another_type_gets_the_cli_message(client, web_home, tmp_path):
    train = _demo("qa")["train"].read_bytes()
    r = _upload(client, "train.csv", train, corpus=("notes.exe", b"text\nhello\n"))
    assert r.status_code == 415
    (tmp_path / "train.csv").write_bytes(train)
    (tmp_path / "notes.exe").write_bytes(b"text\nhello\n")
    args = ["compare", "train.csv", "--task", "qa", "--text", "question", "--label", "answer"]
    assert _error(r.text) == _cli_error([*args, "--corpus", "notes.exe"], tmp_path)
    assert _stored_files(web_home) == []


def test_evidence_column_not_in_the_data_gets_the_cli_message(client, tmp_path):
    up, corpus = _qa_upload(client)
    form = {**QA_FORM, "upload_id": up, "corpus_upload_id": corpus, "evidence": "gold"}
    r = client.post("/jobs", data=form, follow_redirects=False)
    assert r.status_code == 400
    qa = _demo("qa")
    (tmp_path / "train.csv").write_bytes(qa["train"].read_bytes())
    (tmp_path / "corpus.csv").write_bytes(qa["corpus"].read_bytes())
    args = ["compare", "train.csv", "--task", "qa", "--text", "question", "--label", "answer"]
    cli = _cli_error([*args, "--corpus", "corpus.csv", "--evidence", "gold"], tmp_path)
    assert _error(r.text) == cli
    assert cli.startswith("error: train.csv, column 'gold': no such column")
    # the form comes back as sent, the corpus still attached
    assert f'name="corpus_upload_id" value="{corpus}"' in r.text
    assert client.get("/api/jobs").json() == []


def test_bad_qa_options_are_refused_on_the_page(client):
    up, corpus = _qa_upload(client)
    form = {**QA_FORM, "upload_id": up, "corpus_upload_id": corpus}
    r = client.post("/jobs", data={**form, "top_k": "0"}, follow_redirects=False)
    assert r.status_code == 400
    assert _error(r.text) == "error: passages per question (top-k) must be 1 or more, got 0"
    r = client.post("/jobs", data={**form, "task": "classification"}, follow_redirects=False)
    assert r.status_code == 400
    assert _error(r.text) == "error: --corpus: classification tasks do not retrieve passages"
    # a corpus upload is not data, nor data a corpus
    r = client.post("/jobs", data={**form, "upload_id": corpus}, follow_redirects=False)
    assert r.status_code == 404
    api = client.post("/api/jobs", json={**form, "corpus_upload_id": up, "llms": ["fake"]})
    assert api.status_code == 400
    assert api.json()["error"] == (
        "error: train.csv was not uploaded as the corpus; upload it again as the corpus"
    )
    assert client.get("/api/jobs").json() == []


def test_api_upload_returns_the_corpus_id(client):
    qa = _demo("qa")
    files = {
        "file": ("train.csv", qa["train"].read_bytes(), "text/csv"),
        "corpus_file": ("corpus.csv", qa["corpus"].read_bytes(), "text/csv"),
    }
    r = client.post("/api/uploads", files=files)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["columns"] == ["question", "answer", "passage_id"]
    assert re.fullmatch(r"[0-9a-f]{32}", body["corpus_upload_id"])
    assert body["test_upload_id"] is None


def test_extraction_span_outside_its_text_names_row_and_column(client, tmp_path):
    good = _demo("extraction")["train"].read_text(encoding="utf-8").splitlines()[:3]
    bad = {"text": "Order NW-1 late", "spans": [{"start": 6, "end": 40, "label": "ORDER_ID"}]}
    data = ("\n".join([*good, json.dumps(bad)]) + "\n").encode()
    up = _upload_id(_upload(client, "messages.jsonl", data))
    form = {"upload_id": up, "text": "text", "label": "spans", "task": "extraction"}
    r = client.post("/jobs", data={**form, "llms": "fake"}, follow_redirects=False)
    assert r.status_code == 400
    (tmp_path / "messages.jsonl").write_bytes(data)
    args = ["compare", "messages.jsonl", "--task", "extraction", "--text", "text"]
    cli = _cli_error([*args, "--label", "spans"], tmp_path)
    assert _error(r.text) == cli
    assert cli.startswith("error: messages.jsonl, row 4, column 'spans': ")
    assert "outside the text" in cli
    assert client.get("/api/jobs").json() == []


def test_conll_upload_is_accepted_and_previewed(client, web_home):
    from taskfit.web.jobs import JobBoard
    from taskfit.web.params import check_message, parse_form

    conll = _demo("extraction")["conll"]
    up = _upload_id(_upload(client, "messages.conll", conll.read_bytes()))
    page = client.get(f"/uploads/{up}").text
    assert "<th>row</th><th>text</th><th>spans</th>" in page
    first = conll.read_text(encoding="utf-8").split("\n\n")[0]
    sentence = " ".join(line.split()[0] for line in first.splitlines())
    assert str(escape(sentence)) in page  # the first sentence, its tokens joined
    n_sentences = len([b for b in conll.read_text(encoding="utf-8").split("\n\n") if b.strip()])
    assert f"{n_sentences} rows, 2 columns" in page
    assert '<option value="extraction" selected>' in page
    assert re.search(r'<select id="label" name="label">.*?<option value="spans" selected', page)
    params = parse_form(
        {"upload_id": up, "text": "text", "label": "spans", "task": "extraction"}, {}
    )
    board = JobBoard(web_home / "store.db")
    try:
        assert check_message(params, board, str(web_home)) is None
    finally:
        board.close()
