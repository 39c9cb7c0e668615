"""The load run: a real gunicorn (sync workers) on loopback, driven by a small threaded client.

In-process timings leave out the WSGI server, the socket and the competition between workers for
two cores; this shows what they add. gunicorn serves ``config.wsgi`` with the benchmark's settings
and database (the environment ``bench._support`` set up), on 127.0.0.1 and a free port, and is
always stopped again. Sync workers close the connection after every response, so the client's
``http.client`` connections reconnect for each request (cheap on loopback).
"""

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

from bench._support import ROOT, say, summary_ms

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(workers: int = 4, root=ROOT):
    """Start ``gunicorn config.wsgi`` of the source tree at ``root`` with ``workers`` sync
    workers; yield its port; stop it (and its workers, by process group) whatever happens."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench._settings",
        "PYTHONPATH": str(root),
        "CONN_MAX_AGE": "60",  # production's default: workers keep their database connection
    }
    command = [sys.executable, "-m", "gunicorn", "config.wsgi:application"]
    command += ["--workers", str(workers), "--worker-class", "sync", "--bind", f"{HOST}:{port}"]
    command += ["--log-level", "warning", "--timeout", "120"]
    with tempfile.TemporaryFile(mode="w+") as log:
        process = subprocess.Popen(
            command, cwd=root, env=env, stdout=log, stderr=log, start_new_session=True
        )
        try:
            _wait_until_ready(port, process, log)
            yield port
        finally:
            _stop(process)


def _wait_until_ready(port: int, process: subprocess.Popen, log, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"gunicorn exited ({process.returncode}):\n{log.read()[-2000:]}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            connection = http.client.HTTPConnection(HOST, port, timeout=5)
            connection.request("GET", "/api/")
            if connection.getresponse().status == 200:
                connection.close()
                return
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within a minute")


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM to the master (it stops its workers); SIGKILL to its process group if it hangs."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # any worker left behind in its group
    say("stopped gunicorn")


def hammer(port: int, path: str, headers: dict, concurrency: int, seconds: float) -> dict:
    """``concurrency`` threads, each with its own connection, sending GET ``path`` back to back
    for ``seconds``. Requests per second (answered 200) and their latencies."""
    deadline = time.perf_counter() + seconds
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def client() -> None:
        mine, failed = [], 0
        connection = http.client.HTTPConnection(HOST, port, timeout=60)
        try:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                if answers_200(connection, path, headers):
                    mine.append(time.perf_counter() - started)
                else:
                    failed += 1
        finally:
            connection.close()
            with lock:
                latencies.extend(mine)
                errors[0] += failed

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    figures = summary_ms(latencies) if latencies else {"n": 0, "median_ms": None, "p95_ms": None}
    return {
        **figures,
        "concurrency": concurrency,
        "seconds": round(elapsed, 2),
        "errors": errors[0],
        "rps": round(len(latencies) / elapsed, 1),
    }


def answers_200(connection: http.client.HTTPConnection, path: str, headers: dict) -> bool:
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
    except (OSError, http.client.HTTPException):
        connection.close()
        return False
    return response.status == 200


def load_run(targets: list[tuple[str, str, dict]], levels: list[int], seconds: float) -> list:
    """Every target at every concurrency level, through one gunicorn with 4 workers.
    ``targets`` are ``(label, path, headers)``; each is warmed up first (all workers)."""
    results = []
    with gunicorn(workers=4) as port:
        say(f"gunicorn (4 sync workers) on {HOST}:{port}")
        for label, path, headers in targets:
            warm = hammer(port, path, headers, concurrency=8, seconds=1)
            if warm["errors"] and not warm["n"]:
                results.append({"label": label, "path": path, "error": "every request failed"})
                continue
            for level in levels:
                figures = hammer(port, path, headers, level, seconds)
                results.append({"label": label, "path": path, **figures})
                say(f"load {label} c={level}: {figures['rps']} req/s")
    return results
