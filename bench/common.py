"""What the benchmark scripts under bench/ share: a free loopback port, the
daemon started on a data folder with a bootstrap key, API calls, and wrk's
output read into numbers."""
import json
import os
import pathlib
import re
import signal
import socket
import subprocess
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[1]


def default_binary():
    """The release build if there is one (.build-release first, then .build)."""
    for candidate in (ROOT / ".build-release" / "release" / "crm-host", ROOT / ".build" / "release" / "crm-host"):
        if candidate.exists():
            return str(candidate)
    return str(ROOT / ".build-release" / "release" / "crm-host")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(url, key, method="GET", body=None):
    request = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body else None,
                                     headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read() or b"null")


def wait_until_up(url, process, what, tries=300):
    """Polls url until it answers (any HTTP status counts); fails if process exits first."""
    for _ in range(tries):
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with code {process.returncode} before answering")
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not start")


def start(binary, data, port, key, scripts=None, log=None, options=()):
    """Starts `crm-host serve` on 127.0.0.1:port with any further `options`; its log (stderr) goes to `log`
    (an open file) or nowhere."""
    process = subprocess.Popen([binary, "serve", "--data", data, "--scripts", scripts or os.path.join(data, "bots"),
                                "--listen", f"127.0.0.1:{port}", *options],
                               env=dict(os.environ, CRM_BOOTSTRAP_KEY=key, CRM_LOG_LEVEL="error"),
                               stdout=subprocess.DEVNULL, stderr=log or subprocess.DEVNULL)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz", process, "daemon")
    except BaseException:
        stop(process)
        raise
    return process


def stop(process, timeout=30):
    """SIGTERM, then SIGKILL if it does not exit in time; only the given process."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


def parse_wrk(output):
    """p50 ms, p99 ms, requests/s, non-2xx count from `wrk --latency` output."""
    def latency(label):
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)", output, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return latency("50"), latency("99"), rate, int(errors.group(1)) if errors else 0
