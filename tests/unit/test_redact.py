"""Credentials in an endpoint URL: redacted wherever shown or stored, still sent.

``redact_url``/``redact_text`` edge cases, the OpenAI backend's request URL and
authentication (against the real local FakeOpenAIServer) and its messages, and the places
that record specs: settings in the store, the reproduce line, web job rows.
"""

from __future__ import annotations

import base64
import json
import os
import shlex
import socket
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from tests.support.fake_openai_server import FakeOpenAIServer

from taskfit.backends import parse_spec
from taskfit.backends.base import GenerateRequest, ScoreRequest
from taskfit.backends.openai_compat import OpenAICompatBackend
from taskfit.backends.openai_http import Endpoint
from taskfit.backends.options import options_for
from taskfit.backends.redact import is_secret_param, redact_text, redact_url
from taskfit.errors import BackendError, UsageError

KEY = "sk-PLANTED-unit-5e1d"


@pytest.fixture(autouse=True)
def _no_openai_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)


# ------------------------------------------------------------------ redact_url


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        # nothing to hide: the caller's spelling is kept exactly
        ("http://127.0.0.1:8000/v1", "http://127.0.0.1:8000/v1"),
        ("https://api.openai.com/v1/", "https://api.openai.com/v1/"),
        ("http://h/v1?region=eu&model=x", "http://h/v1?region=eu&model=x"),
        ("http://h/v1?api_key=", "http://h/v1?api_key="),  # an empty value hides nothing
        # userinfo, whole: user and password, a token as the user, '@' in the password
        (f"http://u:{KEY}@h:8080/v1", "http://***@h:8080/v1"),
        (f"http://{KEY}@h/v1", "http://***@h/v1"),
        (f"http://u:p@{KEY}@h/v1", "http://***@h/v1"),
        (f"http://u:{KEY}@[::1]:8000/v1", "http://***@[::1]:8000/v1"),
        (f"HTTPS://u:{KEY}@H/v1", "https://***@H/v1"),
        # key-like query parameters, whatever their spelling; others kept
        (f"http://h/v1?api_key={KEY}", "http://h/v1?api_key=***"),
        (f"http://h/v1?a=1&api-key={KEY}&b=2", "http://h/v1?a=1&api-key=***&b=2"),
        (f"http://h/v1?X-Api-Key={KEY}", "http://h/v1?X-Api-Key=***"),
        (f"http://h/v1?key={KEY}&key={KEY}", "http://h/v1?key=***&key=***"),
        (f"http://h/v1?token={KEY}", "http://h/v1?token=***"),
        (f"http://h/v1?access_token={KEY}", "http://h/v1?access_token=***"),
        (f"http://h/v1?sig={KEY}", "http://h/v1?sig=***"),
        ("http://h/v1?api_key=sk%2Fx%26y", "http://h/v1?api_key=***"),  # percent-encoded
        ("http://h/v1?monkey=1&keyboard=2", "http://h/v1?monkey=1&keyboard=2"),
        # a fragment that carries parameters, and both forms at once
        (f"http://h/cb#access_token={KEY}", "http://h/cb#access_token=***"),
        (f"http://u:{KEY}@h/v1?api_key={KEY}", "http://***@h/v1?api_key=***"),
        # not a URL with a host: unchanged
        ("openai:gpt-4o-mini", "openai:gpt-4o-mini"),
        ("/path/model.gguf", "/path/model.gguf"),
        ("", ""),
    ],
)
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown
    assert KEY not in redact_url(url)


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("api_key", True),
        ("apikey", True),
        ("API-KEY", True),
        ("x-goog-api-key", True),
        ("password", True),
        ("auth", True),
        ("session", True),
        ("region", False),
        ("model", False),
        ("monkey", False),
        ("tokens", False),
    ],
)
def test_secret_parameter_names(name: str, secret: bool) -> None:
    assert is_secret_param(name) is secret


def test_redact_text_redacts_every_url_in_free_text() -> None:
    text = (
        f"unknown --llm spec 'openai:m@http://u:{KEY}@h/v1'; also "
        f'(https://g/x?token={KEY}), "http://{KEY}@h2/v1" and <http://h3/v1?key={KEY}>.'
    )
    shown = redact_text(text)
    assert KEY not in shown
    assert "openai:m@http://***@h/v1" in shown
    assert "(https://g/x?token=***)" in shown and "<http://h3/v1?key=***>" in shown
    assert redact_text("no url: see the docs") == "no url: see the docs"


def test_redact_text_handles_an_ipv6_host_with_a_key_query() -> None:
    assert KEY not in redact_text(f"failed: http://[::1]:8000/v1?api_key={KEY} (refused)")


def test_redact_text_keeps_punctuation_after_a_url() -> None:
    assert redact_text(f"http://h/v1?token={KEY}: refused") == "http://h/v1?token=***: refused"


def test_redact_url_masks_userinfo_of_an_unparsable_url() -> None:
    assert KEY not in redact_url(f"http://u:{KEY}@[::1/v1")


# ------------------------------------------------------------------ specs


def test_spec_keeps_the_url_for_requests_and_shows_it_redacted() -> None:
    spec = parse_spec(f"openai:m@http://u:{KEY}@h:9/v1?api_key={KEY}&region=eu")
    assert spec.base_url == f"http://u:{KEY}@h:9/v1?api_key={KEY}&region=eu"
    assert spec.canonical == "openai:m@http://***@h:9/v1?api_key=***&region=eu"
    assert KEY not in repr(spec) and KEY not in spec.short


def test_backend_options_are_found_by_the_spec_as_given_or_canonical() -> None:
    given = f"openai:m@http://u:{KEY}@h/v1"
    spec = parse_spec(given)
    assert options_for({given: {"timeout_s": 1.0}}, spec) == {"timeout_s": 1.0}
    assert options_for({spec.canonical: {"timeout_s": 2.0}}, spec) == {"timeout_s": 2.0}
    assert options_for({"not a spec": {}, "fake": {"x": 1}}, spec) == {}


def test_an_unparsable_endpoint_url_is_refused_without_echoing_it() -> None:
    from taskfit.workflows.checks import check_llms

    for bad in (f"http://u:{KEY}@[::1/v1", f"http://u:{KEY}@h:port/v1"):
        with pytest.raises(UsageError) as info:
            check_llms((f"openai:m@{bad}",))
        assert KEY not in str(info.value) and "cannot be parsed" in str(info.value)
        with pytest.raises(UsageError) as info:
            OpenAICompatBackend("m", bad)
        assert KEY not in str(info.value)


# ------------------------------------------------------------------ the OpenAI backend


def test_endpoint_splits_credentials_from_the_request_url() -> None:
    e = Endpoint.parse(f"http://u%40corp:{KEY}@h:8/v1?api_key={KEY}&region=eu")
    assert (e.username, e.password) == ("u@corp", KEY)
    assert e.url("/completions") == f"http://h:8/v1/completions?api_key={KEY}&region=eu"
    assert e.shown_url("/completions") == "http://***@h:8/v1/completions?api_key=***&region=eu"
    assert e.redact(f"echo {KEY} and http://h:8/v1/x?api_key={KEY}") == (
        "echo *** and http://h:8/v1/x?api_key=***"
    )
    plain = Endpoint.parse("http://127.0.0.1:8000/v1")
    assert plain.url("/chat/completions") == "http://127.0.0.1:8000/v1/chat/completions"
    assert (plain.username, plain.password, plain.secrets) == (None, None, ())


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as srv:
        yield srv


def _with_credentials(server: FakeOpenAIServer, user: str = "u", query: bool = True) -> str:
    host = server.base_url.removeprefix("http://")
    return f"http://{user}:{KEY}@{host}" + (f"?api_key={KEY}&region=eu" if query else "")


def _fast(**kw: Any) -> dict[str, Any]:
    return {"max_retries": 1, "backoff_base_s": 0.001, "backoff_max_s": 0.002, **kw}


def test_userinfo_is_sent_as_basic_auth_and_the_query_on_every_request(
    server: FakeOpenAIServer,
) -> None:
    server.basic_auth = ("u", KEY)
    server.required_query = {"api_key": KEY}
    with OpenAICompatBackend("m", _with_credentials(server), **_fast()) as backend:
        (gen,) = backend.generate([GenerateRequest(prompt="Options: yes, no")])
        backend.score_options([ScoreRequest(prefix="Q:", body=" x", options=(" a", " b"))])
    assert gen.text == "yes"
    token = base64.b64encode(f"u:{KEY}".encode()).decode()
    assert server.auth_headers == [f"Basic {token}"] * server.requests
    assert server.targets == [
        f"/v1/chat/completions?api_key={KEY}&region=eu",
        f"/v1/completions?api_key={KEY}&region=eu",
    ]


def test_basic_auth_from_the_url_wins_over_an_api_key(server: FakeOpenAIServer) -> None:
    server.basic_auth = ("u", KEY)
    url = _with_credentials(server, query=False)
    with OpenAICompatBackend("m", url, api_key="sk-other", **_fast()) as backend:
        backend.generate([GenerateRequest(prompt="Options: yes")])
    assert server.auth_headers[0] is not None and server.auth_headers[0].startswith("Basic ")


def test_a_refusal_names_the_url_redacted(server: FakeOpenAIServer) -> None:
    server.basic_auth = ("u", "the-right-one")
    server.error_message = f"bad credentials for {KEY}"  # a server that echoes the key
    with OpenAICompatBackend("m", _with_credentials(server), **_fast()) as backend:
        with pytest.raises(BackendError) as info:
            backend.generate([GenerateRequest(prompt="Options: yes")])
        server.add_faults("403")
        with pytest.raises(BackendError) as echoed:
            backend.generate([GenerateRequest(prompt="Options: yes")])
    message = str(info.value)
    assert "HTTP 401" in message and KEY not in message
    port = server.base_url.split(":")[2].split("/")[0]
    assert f"http://***@127.0.0.1:{port}/v1/chat/completions?api_key=***&region=eu" in message
    assert "HTTP 403" in str(echoed.value) and KEY not in str(echoed.value)
    assert KEY in str(server.targets[0])  # it was sent, and only shown redacted


def test_exhausted_retries_and_refused_connections_are_redacted() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://{KEY}@127.0.0.1:{port}/v1?token={KEY}"
    backend = OpenAICompatBackend("m", url, **_fast())
    with backend, pytest.raises(BackendError) as info:
        backend.generate([GenerateRequest(prompt="hi")])
    message = str(info.value)
    assert message.startswith(
        f"openai backend: http://***@127.0.0.1:{port}/v1/chat/completions?token=***"
    )
    assert message.endswith("connection refused after 1 retry") and KEY not in message


def test_unavailable_logprobs_messages_are_redacted(server: FakeOpenAIServer) -> None:
    server.reject_echo = True
    backend = OpenAICompatBackend("m", _with_credentials(server), **_fast())
    with backend, pytest.raises(BackendError) as info:
        backend.score_options([ScoreRequest(prefix="Q:", body=" x", options=(" a", " b"))])
    assert "unavailable" in str(info.value) and KEY not in str(info.value)
    assert not backend.info().prompt_logprobs


# ------------------------------------------------------------------ what is recorded


def test_store_settings_are_recorded_redacted(tmp_path: Path) -> None:
    from taskfit.run.store import Store

    store = Store(tmp_path / "store.db")
    store.start_run("r1", {"llms": [f"openai:m@http://u:{KEY}@h/v1?api_key={KEY}"]}, "out")
    store.close()
    with closing(sqlite3.connect(tmp_path / "store.db")) as db:
        (args,) = db.execute("SELECT args FROM runs").fetchone()
    assert KEY not in args
    assert json.loads(args)["llms"] == ["openai:m@http://***@h/v1?api_key=***"]


def test_reproduce_line_keeps_the_spec_redacted_and_says_so() -> None:
    from taskfit.report.reproduce import command_line

    doc = {
        "task": {"source": "demo:train.csv", "test_source": "demo:test.csv", "notes": []},
        # a run recorded before specs were redacted, and one after
        "settings": {
            "llms": [f"openai:m@http://u:{KEY}@h/v1", "openai:n@http://***@h/v1"],
            "approaches": ["zero-shot"],
        },
    }
    line, caveats = command_line(doc)
    assert KEY not in line
    words = shlex.split(line)
    assert words[words.index("--llm") :] == [
        "--llm",
        "openai:m@http://***@h/v1",
        "--llm",
        "openai:n@http://***@h/v1",
    ]
    assert any("credentials" in c and "***" in c for c in caveats)
    line, caveats = command_line({**doc, "settings": {"llms": ["fake"]}})
    assert not any("credentials" in c for c in caveats)


def test_curve_settings_record_canonical_specs() -> None:
    from taskfit.data import load_demo
    from taskfit.run.curve_plan import CurveSpec
    from taskfit.workflows.curve import CurveOptions, settings_of

    opts = CurveOptions(llms=(f"openai:m@http://u:{KEY}@h/v1",), prompted=("zero-shot",))
    spec = CurveSpec(units=(), budgets=(8,), seeds=(0,), budget_unit="total", notes=())
    settings = settings_of(opts, load_demo(seed=0), spec)
    assert settings["llms"] == ["openai:m@http://***@h/v1"]


def test_web_job_rows_hold_redacted_specs_and_the_worker_gets_them(tmp_path: Path) -> None:
    from taskfit.web.jobs import JobBoard, params_to_run

    given = f"openai:m@http://u:{KEY}@h/v1?api_key={KEY}"
    board = JobBoard(tmp_path / "store.db")
    try:
        job = board.create({"upload_id": "x", "llms": ["fake", given]})
        assert job.params["llms"] == ["fake", "openai:m@http://***@h/v1?api_key=***"]
        env = f"TASKFIT_JOB_LLMS_{job.job_id}"
        assert KEY in os.environ[env]  # what the worker started next inherits
        # the worker: the specs as given, once
        inherited = os.environ[env]
        board.set_pid(job.job_id, 1)
        assert env not in os.environ  # gone from the server's environment
        os.environ[env] = inherited
        assert params_to_run(job)["llms"] == ["fake", given]
        assert env not in os.environ and params_to_run(job) == job.params
        board.report(job.job_id, {"stage": f"running http://u:{KEY}@h/v1"})
        board.finish(job.job_id, "failed", f"error: http://h/v1?api_key={KEY}: HTTP 401")
        plain = board.create({"upload_id": "y", "llms": ["fake", "openai:m@http://h/v1/"]})
        assert f"TASKFIT_JOB_LLMS_{plain.job_id}" not in os.environ
        assert plain.params["llms"] == ["fake", "openai:m@http://h/v1/"]  # as given
        v6 = board.create({"llms": [f"openai:m@http://[::1]:8/v1?api_key={KEY}"]})
        assert v6.params["llms"] == ["openai:m@http://[::1]:8/v1?api_key=***"]
        board.set_pid(v6.job_id, 1)
    finally:
        board.close()
    with closing(sqlite3.connect(tmp_path / "store.db")) as db:
        rows = db.execute("SELECT params, progress, error FROM jobs").fetchall()
    assert rows and all(KEY not in str(cell) for row in rows for cell in row)


def test_params_to_run_ignores_specs_that_do_not_match_the_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from taskfit.web.jobs import JobBoard, params_to_run

    board = JobBoard(tmp_path / "store.db")
    try:
        job = board.create({"llms": [f"openai:m@http://u:{KEY}@h/v1"]})
        board.set_pid(job.job_id, 1)
        monkeypatch.setenv(f"TASKFIT_JOB_LLMS_{job.job_id}", json.dumps(["openai:m@http://x/v1"]))
        assert params_to_run(job) == job.params
    finally:
        board.close()


def test_cli_errors_are_printed_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    from taskfit.cli import main

    with pytest.raises(SystemExit) as info:
        main(["demo", "--llm", f"openai:@http://u:{KEY}@h/v1?api_key={KEY}"])
    assert info.value.code == 2
    captured = capsys.readouterr()
    assert "unknown --llm spec" in captured.err
    assert KEY not in captured.err + captured.out


def test_an_unknown_spec_with_a_credential_is_refused_without_it() -> None:
    from taskfit.backends import parse_spec
    from taskfit.errors import UsageError

    with pytest.raises(UsageError) as info:
        parse_spec(f"openapi:m@http://u:{KEY}@h/v1?api_key={KEY}")
    assert KEY not in str(info.value) and "unknown --llm spec" in str(info.value)
