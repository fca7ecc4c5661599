"""Slow clients against the serving stack: real nginx in front of real gunicorn, on 127.0.0.1.

nginx runs with the repository's config (deploy/nginx/site-http.conf, http.conf, proxy.conf),
changed only where compose and this machine differ (listen port, upstream address, file paths);
gunicorn runs with gunicorn.conf.py (gthread). While SLOW connections send one header line every
2 s (slowloris; they reconnect whenever the server drops them), normal requests (/healthz and the
login page) are timed through the proxy. `--direct` first runs the same attack straight at
gunicorn, to show what the proxy prevents.

Run: .venv/bin/python tools/slow_clients.py [--slow 20] [--seconds 20] [--direct]
Needs nginx on PATH (apt-get install nginx). Bounded: about --seconds (x2 with --direct) + 10 s.
Exit status 1 when a normal request through the proxy failed or was slow (p95 over --max-p95-ms).
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
NGINX_DIR = ROOT / "deploy" / "nginx"
SLOW_LINE_INTERVAL = 2.0
NORMAL_PATHS = ("/healthz", "/accounts/login/")
HOST = "localhost"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), 0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f} s")


def render_nginx(
    workdir: Path,
    *,
    listen_port: int,
    upstream_port: int,
    tls_port: int | None = None,
    cert_dir: Path | None = None,
) -> Path:
    """Write a runnable nginx.conf under `workdir` from the repository's files; return its path.

    Only the ports, the upstream (compose's `web:8000` becomes the local gunicorn) and file paths
    change; every timeout and limit is the repository's. With `tls_port`, site-https.conf is
    used with the certificates in `cert_dir` (fullchain.pem, privkey.pem).
    """
    portal = workdir / "portal"
    portal.mkdir()
    for name in ("http.conf", "proxy.conf"):
        text = (NGINX_DIR / name).read_text()
        text = text.replace("http://web:8000", f"http://127.0.0.1:{upstream_port}")
        (portal / name).write_text(text)
    site = (NGINX_DIR / ("site-https.conf" if tls_port else "site-http.conf")).read_text()
    site = site.replace("listen 80;", f"listen 127.0.0.1:{listen_port};")
    site = site.replace("/etc/nginx/portal/", f"{portal}/")
    if tls_port:
        site = site.replace("listen 443 ", f"listen 127.0.0.1:{tls_port} ")
        site = site.replace("/etc/nginx/certs/", f"{cert_dir}/")
    (workdir / "site.conf").write_text(site)
    temp_paths = "\n".join(
        f"    {kind}_temp_path {workdir / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    config = workdir / "nginx.conf"
    config.write_text(
        f"""daemon off;
worker_processes 1;
pid {workdir / "nginx.pid"};
error_log {workdir / "error.log"} warn;
events {{ worker_connections 1024; }}
http {{
    # The http block of the official nginx image's nginx.conf, which includes the site file:
    # a directive repeated by deploy/nginx at this level would fail here as it would there.
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {workdir / "access.log"};
    sendfile on;
    keepalive_timeout 65;
{temp_paths}
    include {workdir / "site.conf"};
}}
"""
    )
    # mkdtemp makes 0700 directories; nginx's workers run as an unprivileged user under root.
    workdir.chmod(0o755)
    portal.chmod(0o755)
    return config


def start_nginx(config: Path) -> subprocess.Popen:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    check = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [nginx, "-t", "-c", str(config), "-p", str(config.parent)],
        capture_output=True,
        text=True,
        check=False,
    )
    if check.returncode != 0:
        raise RuntimeError(f"nginx refused the config:\n{check.stderr}")
    return subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
        [nginx, "-c", str(config), "-p", str(config.parent)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def gunicorn_environment(database_url: str) -> dict[str, str]:
    """Production settings (DEBUG off) that serve plain HTTP on 127.0.0.1."""
    environment = {
        **os.environ,
        "DEBUG": "0",
        "ENV_FILE": "",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "slow-client-check-" + "k" * 40,
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
    }
    environment.pop("CELERY_TASK_ALWAYS_EAGER", None)
    return environment


def start_gunicorn(
    *, port: int, database_url: str, workers: int = 1, threads: int = 4
) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        str(ROOT / "gunicorn.conf.py"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--access-logfile",
        "/dev/null",
        "portal.wsgi:application",
    ]
    return subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
        command,
        cwd=ROOT,
        env=gunicorn_environment(database_url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


@dataclass
class SlowStats:
    connections: int = 0
    dropped_by_server: list[float] = field(default_factory=list)  # seconds each one lasted
    lock: threading.Lock = field(default_factory=threading.Lock)


def slow_client(port: int, stop_event: threading.Event, stats: SlowStats) -> None:
    """Slowloris: a request line, then one header line every 2 s, never the blank line."""
    while not stop_event.is_set():
        try:
            sock = socket.create_connection(("127.0.0.1", port), 5)
        except OSError:
            stop_event.wait(0.5)
            continue
        with stats.lock:
            stats.connections += 1
        opened = time.monotonic()
        try:
            sock.sendall(f"GET /healthz HTTP/1.1\r\nHost: {HOST}\r\n".encode())
            line = 0
            while not stop_event.wait(SLOW_LINE_INTERVAL):
                line += 1
                sock.sendall(f"X-Slow-{line}: {'a' * 10}\r\n".encode())
                sock.settimeout(0.01)
                try:
                    sock.recv(4096)  # an answer (408) or b"" (closed): dropped either way
                except TimeoutError:
                    sock.settimeout(5)
                    continue
                raise ConnectionResetError
        except OSError:
            # The server answered (408) or closed the connection: how long did it take?
            with stats.lock:
                stats.dropped_by_server.append(time.monotonic() - opened)
        finally:
            sock.close()


def normal_request(port: int, path: str, timeout: float) -> tuple[int, float]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Host": HOST})
        response = connection.getresponse()
        response.read()
        status = response.status
    except OSError:
        status = 0
    finally:
        connection.close()
    return status, (time.perf_counter() - started) * 1000


def attack(
    port: int, *, slow: int, seconds: float, request_timeout: float = 5.0, settle: float = 1.0
) -> dict:
    """Open `slow` slowloris connections, then time normal requests for `seconds`."""
    stop_event = threading.Event()
    stats = SlowStats()
    threads = [
        threading.Thread(target=slow_client, args=(port, stop_event, stats), daemon=True)
        for _ in range(slow)
    ]
    for thread in threads:
        thread.start()
    time.sleep(settle)  # every slow connection is open before the first normal request
    results: list[tuple[int, float]] = []
    deadline = time.monotonic() + seconds
    index = 0
    while time.monotonic() < deadline:
        results.append(
            normal_request(port, NORMAL_PATHS[index % len(NORMAL_PATHS)], request_timeout)
        )
        index += 1
        time.sleep(0.2)
    stop_event.set()
    for thread in threads:
        thread.join(SLOW_LINE_INTERVAL + 6)
    times = sorted(ms for status, ms in results)
    answered = [status for status, _ in results if 200 <= status < 400]
    return {
        "slow_connections": slow,
        "slow_connects_total": stats.connections,
        "slow_dropped_by_server": len(stats.dropped_by_server),
        "slow_lifetime_median_s": (
            round(statistics.median(stats.dropped_by_server), 1)
            if stats.dropped_by_server
            else None
        ),
        "requests": len(results),
        "answered": len(answered),
        "failed": len(results) - len(answered),
        "p50_ms": round(statistics.median(times), 1) if times else None,
        "p95_ms": round(times[min(len(times) - 1, int(0.95 * len(times)))], 1) if times else None,
        "max_ms": round(times[-1], 1) if times else None,
    }


def body_too_large(port: int, megabytes: int = 3) -> tuple[int, str, str]:
    """Announce a body over the proxy's limit: nginx answers 413 before reading it."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.putrequest("POST", "/api/v1/entries/", skip_host=True)
        connection.putheader("Host", HOST)
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Content-Length", str(megabytes * 1024 * 1024))
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read().decode()
    finally:
        connection.close()


class Stack:
    """nginx (repository config) → gunicorn (gthread) on free local ports; a context manager."""

    def __init__(self, *, database_url: str, workers: int = 1, threads: int = 4):
        self.database_url = database_url
        self.workers = workers
        self.threads = threads
        self.processes: list[subprocess.Popen] = []

    def __enter__(self) -> Stack:
        self.workdir = Path(tempfile.mkdtemp(prefix="slow-clients-"))
        self.gunicorn_port = free_port()
        self.proxy_port = free_port()
        gunicorn = start_gunicorn(
            port=self.gunicorn_port,
            database_url=self.database_url,
            workers=self.workers,
            threads=self.threads,
        )
        self.processes.append(gunicorn)
        config = render_nginx(
            self.workdir, listen_port=self.proxy_port, upstream_port=self.gunicorn_port
        )
        self.processes.append(start_nginx(config))
        wait_for_port(self.gunicorn_port)
        wait_for_port(self.proxy_port)
        # First request loads Django in the worker; time it outside the measurements.
        normal_request(self.gunicorn_port, "/healthz", 30)
        return self

    def __exit__(self, *exc: Any) -> None:
        for process in reversed(self.processes):
            stop(process)
        shutil.rmtree(self.workdir, ignore_errors=True)


def _print(label: str, figures: dict) -> None:
    print(
        f"{label:<34} slow={figures['slow_connections']:>3} "
        f"(connects {figures['slow_connects_total']}, dropped by server "
        f"{figures['slow_dropped_by_server']}, median life {figures['slow_lifetime_median_s']} s)  "
        f"normal: {figures['answered']}/{figures['requests']} answered, "
        f"p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, max {figures['max_ms']} ms"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slow", type=int, default=20, help="slowloris connections")
    parser.add_argument("--seconds", type=float, default=20, help="measurement time per run")
    parser.add_argument("--direct", action="store_true", help="also attack gunicorn directly")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads (1 worker)")
    parser.add_argument("--max-p95-ms", type=float, default=1000)
    args = parser.parse_args(argv)
    database_url = os.environ.get("DATABASE_URL") or "sqlite:///" + str(
        Path(tempfile.gettempdir()) / "slow-clients.sqlite3"
    )
    with Stack(database_url=database_url, threads=args.threads) as stack:
        print(
            f"gunicorn gthread 1 worker x {args.threads} threads on :{stack.gunicorn_port}, "
            f"nginx on :{stack.proxy_port}; one header line every {SLOW_LINE_INTERVAL:.0f} s"
        )
        if args.direct:
            _print(
                "direct to gunicorn (no proxy):",
                attack(stack.gunicorn_port, slow=args.slow, seconds=args.seconds),
            )
        through_proxy = attack(stack.proxy_port, slow=args.slow, seconds=args.seconds)
        _print("through nginx (deploy/nginx):", through_proxy)
        status, content_type, body = body_too_large(stack.proxy_port)
        print(f"3 MB body through nginx: {status} {content_type} {body.strip()}")
    ok = through_proxy["failed"] == 0 and (through_proxy["p95_ms"] or 0) <= args.max_p95_ms
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
