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

    def start(self):
        env = dict(os.environ, CRM_BOOTSTRAP_KEY=self.key, CRM_LOG_LEVEL="warning")
        self.log = open(self.data / "host.log", "ab")
        self.process = subprocess.Popen(
            [str(binary()), "serve", "--data", str(self.data), "--scripts", str(self.scripts),
             "--listen", f"127.0.0.1:{self.port}"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT)
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

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.process.returncode if self.process else None

    def api(self, method, path, key=None, **kwargs):
        headers = {"Authorization": f"Bearer {key or self.key}"}
        return requests.request(method, self.url + path, headers=headers, timeout=30, **kwargs)


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
