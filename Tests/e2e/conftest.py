"""Starts a real crm-host daemon on 127.0.0.1 with a fresh data folder for each
test module, and hands the tests its URL and API key."""
import os
import pathlib
import secrets
import signal
import socket
import subprocess
import tempfile
import time

import pytest
import requests

ROOT = pathlib.Path(__file__).resolve().parents[2]


def binary() -> pathlib.Path:
    for candidate in ("debug", "release"):
        path = ROOT / ".build" / candidate / "crm-host"
        if path.exists():
            return path
    raise RuntimeError("build crm-host first (swift build)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Host:
    """One daemon process: start, stop gracefully, or kill -9."""

    def __init__(self, data: pathlib.Path, scripts: pathlib.Path, key: str):
        self.data, self.scripts, self.key = data, scripts, key
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None
        # Extra `serve` options, and a function run in the child before exec
        # (resource limits), for suites that need them.
        self.arguments = []
        self.environment = {}
        self.before_exec = None

    def start(self):
        env = dict(os.environ, CRM_BOOTSTRAP_KEY=self.key, CRM_LOG_LEVEL="warning", **self.environment)
        self.log = open(self.data / "host.log", "ab")
        self.process = subprocess.Popen(
            [str(binary()), "serve", "--data", str(self.data), "--scripts", str(self.scripts),
             "--listen", f"127.0.0.1:{self.port}", *self.arguments],
            env=env, stdout=self.log, stderr=subprocess.STDOUT, preexec_fn=self.before_exec)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("crm-host exited: " + (self.data / "host.log").read_text()[-2000:])
            try:
                if requests.get(self.url + "/healthz", timeout=1).ok:
                    return self
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError("crm-host did not start in time")

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self, grace=30):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.process.returncode if self.process else None

    def api(self, method, path, key=None, timeout=30, **kwargs):
        headers = {"Authorization": f"Bearer {key or self.key}"}
        return requests.request(method, self.url + path, headers=headers, timeout=timeout, **kwargs)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keeps each phase's report on the test, for fixtures that act on failure."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, "report_" + report.when, report)


@pytest.fixture
def make_host(tmp_path):
    hosts = []

    def make(scripts=None):
        data = tmp_path / f"data{len(hosts)}"
        data.mkdir()
        folder = scripts or (tmp_path / "scripts")
        folder.mkdir(exist_ok=True)
        host = Host(data, folder, "test-" + secrets.token_hex(16))
        hosts.append(host)
        return host

    yield make
    for host in hosts:
        host.stop()
