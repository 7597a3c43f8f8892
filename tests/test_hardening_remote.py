"""`cakg query --endpoint` against a hostile or broken endpoint: real misbehaving HTTP servers on loopback.

Each server is a small ``http.server`` in a thread of the test process that answers
one way per path: invalid or wrongly shaped JSON, a boolean that is not one, a
redirect to another origin (a second listener records what it received), a body
trickled one byte every two seconds, a body of 500 MB.
"""

from __future__ import annotations

import base64
import http.server
import json
import os
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from cakg.errors import EndpointError
from cakg.store import RemoteStore

PASSWORD = "s3cret-pass"
ASK_TRUE = json.dumps({"head": {}, "boolean": True}).encode()

BODIES = {
    "truncated": b'{"head": {"vars": ["x"]}, "results": {"bindings": [',
    "html": b"<html><body>Service Unavailable</body></html>",
    "deep": b"[" * 200_000 + b"]" * 200_000,
    "array": b"[]",
    "no-results": json.dumps({"head": {"vars": ["x"]}}).encode(),
    "vars-not-a-list": json.dumps({"head": {"vars": "x"}, "results": {"bindings": []}}).encode(),
    "bindings-not-a-list": json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": {"x": 1}}}).encode(),
    "term-not-an-object": json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": [{"x": "plain"}]}}).encode(),
    "value-not-a-string": json.dumps({"head": {"vars": ["x"]},
                                      "results": {"bindings": [{"x": {"type": "uri", "value": 5}}]}}).encode(),
    "unknown-term-type": json.dumps({"head": {"vars": ["x"]},
                                     "results": {"bindings": [{"x": {"type": "banana", "value": "v"}}]}}).encode(),
    "type-not-hashable": json.dumps({"head": {"vars": ["x"]},
                                     "results": {"bindings": [{"x": {"type": ["uri"], "value": "v"}}]}}).encode(),
    "boolean-yes": json.dumps({"head": {}, "boolean": "yes"}).encode(),
    "boolean-false-string": json.dumps({"head": {}, "boolean": "false"}).encode(),
    "boolean-one": json.dumps({"head": {}, "boolean": 1}).encode(),
}


class Hostile(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *_args) -> None:
        return None

    def do_POST(self) -> None:
        self._answer()

    def do_GET(self) -> None:
        self._answer()

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        path = self.path.split("?", 1)[0]
        self.server.seen.append((path, self.headers.get("Authorization")))
        name = path.strip("/")
        if name in BODIES:
            return self._send(200, BODIES[name])
        if name == "answer":
            return self._send(200, ASK_TRUE)
        if name == "turtle":
            return self._send(200, b"<urn:s> <urn:p> <urn:o> .\n", "text/turtle")
        if name == "bad-turtle":
            return self._send(200, b"<urn:s> <urn:p> \"unterminated .\n", "text/turtle")
        if name == "rdf-xml":
            return self._send(200, b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">]>'
                                   b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
                              "application/rdf+xml")
        if name.startswith("redirect-away-"):
            return self._redirect(int(name.rsplit("-", 1)[1]), f"http://127.0.0.1:{self.server.other_port}/answer")
        if name.startswith("redirect-here-"):
            return self._redirect(int(name.rsplit("-", 1)[1]), "/answer")
        if name == "trickle":
            return self._trickle()
        if name in ("huge", "huge-declared"):
            return self._huge(declared=name == "huge-declared")
        return self._send(404, b"no such thing")

    def _send(self, status: int, body: bytes, content_type: str = "application/sparql-results+json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, status: int, location: str) -> None:
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _trickle(self) -> None:
        body = ASK_TRUE + b" " * 200
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        for byte in body:  # one byte every two seconds: about seven minutes in all
            if self.server.stopping.is_set():
                return
            try:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            except OSError:
                return
            self.server.stopping.wait(2.0)

    def _huge(self, declared: bool) -> None:
        total = 500 * 2**20
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        if declared:
            self.send_header("Content-Length", str(total))
        else:
            self.send_header("Connection", "close")
        self.end_headers()
        block = b" " * 2**20
        sent = 0
        try:
            while sent < total and not self.server.stopping.is_set():
                self.wfile.write(block)
                sent += len(block)
        except OSError:
            pass
        self.server.sent_bytes.append(sent)
        self.close_connection = True


def _start(other_port: int = 0) -> http.server.ThreadingHTTPServer:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    server.daemon_threads = True
    server.seen, server.sent_bytes = [], []
    server.stopping = threading.Event()
    server.other_port = other_port
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def servers():
    other = _start()
    main = _start(other_port=other.server_address[1])
    try:
        yield main, other
    finally:
        for server in (main, other):
            server.stopping.set()
            server.shutdown()
            server.server_close()


def url(server, path: str) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/{path}"


def query(endpoint: str, *extra: str, expression: str = "ASK {}", env: dict | None = None,
          timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cakg.cli", "query", "-e", expression, "--endpoint", endpoint,
                           *extra], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def one_line_exit_3(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 3, (result.returncode, result.stdout, result.stderr[-2000:])
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]
    assert result.stdout == ""
    return lines[0]


# ---------------------------------------------------------------- malformed answers

@pytest.mark.parametrize("name", ["truncated", "html", "deep"])
def test_an_answer_that_is_not_json_is_one_line_exit_3(servers, name):
    line = one_line_exit_3(query(url(servers[0], name), expression="SELECT ?x WHERE { ?x ?p ?o }"))
    assert "not JSON" in line


@pytest.mark.parametrize("name", ["array", "no-results", "vars-not-a-list", "bindings-not-a-list",
                                  "term-not-an-object", "value-not-a-string", "unknown-term-type",
                                  "type-not-hashable"])
def test_wrongly_shaped_json_is_one_line_exit_3(servers, name):
    line = one_line_exit_3(query(url(servers[0], name), expression="SELECT ?x WHERE { ?x ?p ?o }"))
    assert "malformed SPARQL JSON results" in line


@pytest.mark.parametrize("name", ["boolean-yes", "boolean-false-string", "boolean-one"])
def test_a_boolean_that_is_not_one_is_refused_not_printed_true(servers, name):
    result = query(url(servers[0], name))
    line = one_line_exit_3(result)
    assert '"boolean"' in line and "true" not in result.stdout


def test_a_well_formed_answer_still_reads(servers):
    result = query(url(servers[0], "answer"))
    assert result.returncode == 0 and result.stdout.strip() == "true", result.stderr


def test_construct_answers_are_read_as_turtle_or_n_triples_only(servers):
    construct = "CONSTRUCT WHERE { ?s ?p ?o }"
    good = query(url(servers[0], "turtle"), expression=construct)
    assert good.returncode == 0 and "<urn:s>" in good.stdout, good.stderr
    assert "unreadable text/turtle" in one_line_exit_3(query(url(servers[0], "bad-turtle"), expression=construct))
    line = one_line_exit_3(query(url(servers[0], "rdf-xml"), expression=construct))
    assert "application/rdf+xml" in line and "Turtle or N-Triples" in line


# ---------------------------------------------------------------- credentials and redirects

def _basic() -> str:
    return "Basic " + base64.b64encode(f"analyst:{PASSWORD}".encode()).decode()


REDIRECTS = [301, 302, 303, 307, 308]


@pytest.mark.parametrize("status", REDIRECTS)
def test_credentials_never_follow_a_redirect_to_another_origin(servers, status):
    main, other = servers
    result = query(url(main, f"redirect-away-{status}"), "--user", "analyst", env={"CAKG_PASSWORD": PASSWORD})
    line = one_line_exit_3(result)
    assert "another origin" in line and PASSWORD not in line
    assert (f"/redirect-away-{status}", _basic()) in main.seen  # sent to the origin the user named
    assert not any(auth for _path, auth in other.seen), other.seen
    assert other.seen == []  # not followed at all with credentials


@pytest.mark.parametrize("status", REDIRECTS)
def test_a_redirect_to_another_origin_without_credentials_is_followed(servers, status):
    main, other = servers
    result = query(url(main, f"redirect-away-{status}"))
    assert result.returncode == 0 and result.stdout.strip() == "true", result.stderr
    assert other.seen == [("/answer", None)]


@pytest.mark.parametrize("status", REDIRECTS)
def test_a_redirect_within_the_origin_keeps_the_credentials(servers, status):
    main, _other = servers
    result = query(url(main, f"redirect-here-{status}"), "--user", "analyst", env={"CAKG_PASSWORD": PASSWORD})
    assert result.returncode == 0 and result.stdout.strip() == "true", result.stderr
    assert ("/answer", _basic()) in main.seen


# ---------------------------------------------------------------- deadline and bytes

def test_timeout_is_a_total_deadline_even_for_a_trickled_body(servers):
    started = time.monotonic()
    result = query(url(servers[0], "trickle"), "--timeout", "3", timeout=120)
    elapsed = time.monotonic() - started
    line = one_line_exit_3(result)
    assert "within 3 s" in line
    # The body would take about seven minutes; the process (start-up included) ends soon after 3 s.
    assert elapsed < 30, elapsed


def _peak_rss_kib(command: list[str]) -> tuple[subprocess.CompletedProcess, int]:
    """Run ``command`` in a fresh wrapper process and return its result and the peak RSS of the command."""
    wrapper = textwrap.dedent("""
        import json, resource, subprocess, sys
        result = subprocess.run(json.loads(sys.argv[1]), capture_output=True, text=True)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print(json.dumps([result.returncode, result.stdout, result.stderr, peak]))
    """)
    run = subprocess.run([sys.executable, "-c", wrapper, json.dumps(command)], capture_output=True, text=True,
                         timeout=300)
    code, stdout, stderr, peak = json.loads(run.stdout)
    return subprocess.CompletedProcess(command, code, stdout, stderr), peak


def test_a_500_mb_body_is_not_read_into_memory(servers):
    command = [sys.executable, "-m", "cakg.cli", "query", "-e", "SELECT * WHERE { ?s ?p ?o }",
               "--endpoint", url(servers[0], "huge")]
    result, peak_kib = _peak_rss_kib(command)
    line = one_line_exit_3(result)
    assert "134,217,728-byte cap" in line and "--max-bytes" in line
    assert peak_kib < 450 * 1024, f"peak RSS {peak_kib / 1024:.0f} MiB"


def test_max_bytes_lowers_the_cap_and_a_declared_length_is_refused_unread(servers):
    line = one_line_exit_3(query(url(servers[0], "huge"), "--max-bytes", "1000000",
                                 expression="SELECT * WHERE { ?s ?p ?o }"))
    assert "1,000,000-byte cap" in line
    line = one_line_exit_3(query(url(servers[0], "huge-declared"), expression="SELECT * WHERE { ?s ?p ?o }"))
    assert "524,288,000 bytes" in line


# ---------------------------------------------------------------- the library, for other callers

def test_remote_store_raises_endpoint_errors(servers):
    store = RemoteStore(url(servers[0], "boolean-yes"))
    with pytest.raises(EndpointError, match="boolean"):
        store.select("ASK {}")
    with pytest.raises(EndpointError, match="within 1 s"):
        RemoteStore(url(servers[0], "trickle"), timeout=1).select("ASK {}")


# ---------------------------------------------------------------- the request itself

class Recording(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *_args) -> None:
        return None

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.requests.append((self.command, self.path, self.headers, body))
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(ASK_TRUE)))
        self.end_headers()
        self.wfile.write(ASK_TRUE)


def test_the_request_is_the_one_sparqlwrapper_forms_with_credentials_added_by_cakg():
    from SPARQLWrapper import JSON, POST, SPARQLWrapper

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recording)
    server.requests = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{server.server_address[1]}/sparql?db=main"
    text = "# described and constructed\nASK { ?s ?p ?o }"
    try:
        RemoteStore(endpoint, user="analyst", password=PASSWORD).select(text)
    finally:
        server.shutdown()
        server.server_close()
    [(method, path, headers, body)] = server.requests
    reference = SPARQLWrapper(endpoint, agent="x")
    reference.setMethod(POST)
    reference.setQuery(text)
    reference.setReturnFormat(JSON)
    expected = reference._createRequest()
    assert method == "POST" and path == "/sparql?db=main"
    assert body == expected.data  # the query, form-encoded, with the format parameters SPARQLWrapper adds
    assert headers["Accept"] == expected.get_header("Accept")
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert base64.b64decode(headers["Authorization"].split()[1]).decode() == f"analyst:{PASSWORD}"
