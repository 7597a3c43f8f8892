"""Real SPARQL servers on loopback ports, started and stopped by the tests themselves."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before answering {url}")
        try:
            httpx.get(url, params={"query": "ASK {}"}, timeout=2.0)
            return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise RuntimeError(f"no answer from {url} within {seconds} s")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def installed_script(name: str) -> str | None:
    """A console script of this Python's environment (a virtualenv's bin/ need not be on PATH)."""
    beside = Path(sys.executable).with_name(name)
    return str(beside) if beside.is_file() else shutil.which(name)


@contextmanager
def oxigraph_server(folder: Path):
    """Oxigraph server (the ``oxigraph`` PyPI package) with the union default graph, as cakg expects."""
    port = free_port()
    binary = installed_script("oxigraph")
    assert binary, "the oxigraph server is installed with the test extra: pip install -e '.[test]'"
    process = subprocess.Popen([binary, "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}",
                                "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/query", process)
        yield {"query": base + "/query", "update": base + "/update", "store": base + "/store"}
    finally:
        stop(process)


@contextmanager
def virtuoso_server(folder: Path):
    """Virtuoso Open Source (Debian package virtuoso-opensource) in a private database folder."""
    binary, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    assert binary and isql, "Virtuoso is a system package: apt-get install virtuoso-opensource"
    folder.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    ini = Path("/etc/virtuoso-opensource-7/virtuoso.ini").read_text()
    ini = ini.replace("/var/lib/virtuoso-opensource-7/db/", f"{folder}/")
    ini = re.sub(r"(?m)^ServerPort(\s*)=\s*1111\b", rf"ServerPort\g<1>= 127.0.0.1:{sql_port}", ini)
    ini = re.sub(r"(?m)^ServerPort(\s*)=\s*8890\b", rf"ServerPort\g<1>= 127.0.0.1:{http_port}", ini)
    (folder / "virtuoso.ini").write_text(ini)
    process = subprocess.Popen([binary, "+foreground", "+configfile", str(folder / "virtuoso.ini")],
                               cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{http_port}"
    try:
        wait_for(base + "/sparql", process, seconds=120)
        # Updates through /sparql run as the SPARQL user, which may only read by default.
        subprocess.run([isql, f"127.0.0.1:{sql_port}", "dba", "dba", 'exec=GRANT SPARQL_UPDATE TO "SPARQL";'],
                       check=True, capture_output=True, timeout=60)
        yield {"query": base + "/sparql", "update": base + "/sparql", "store": base + "/sparql-graph-crud"}
    finally:
        stop(process)


def start_cakg_serve(build: Path, queries: Path, *options: str, seconds: float = 60.0) -> tuple[subprocess.Popen, str]:
    """A real `cakg serve` of ``build`` on a free loopback port, once /health answers; (process, base URL).

    Its standard error goes to a file (``process.log``, read it with :func:`serve_log`), so a
    long test never blocks it on a full pipe.
    """
    port = free_port()
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(
        [sys.executable, "-m", "cakg.cli", "serve", "--store", str(build), "--host", "127.0.0.1",
         "--port", str(port), "--queries", str(queries), "--no-access-log", *options],
        stdout=subprocess.DEVNULL, stderr=log)
    process.log = log  # type: ignore[attr-defined]
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"cakg serve exited with {process.returncode}: {serve_log(process)[-2000:]}")
        try:
            if httpx.get(base + "/health", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.1)
    stop(process)
    raise RuntimeError("cakg serve did not start: " + serve_log(process)[-2000:])


def serve_log(process: subprocess.Popen) -> str:
    """What a server started by :func:`start_cakg_serve` wrote to standard error so far."""
    process.log.seek(0)  # type: ignore[attr-defined]
    return process.log.read().decode("utf-8", "replace")  # type: ignore[attr-defined]
