"""The harness of the containment suite: one daemon with a control instance
whose echo bot must keep answering whatever the other instances, tenants and
clients do, and the checks each attack ends with."""
import http.server
import json
import pathlib
import resource
import secrets
import selectors
import shutil
import socket
import subprocess
import threading
import time
import uuid

import requests

from conftest import Host, binary
from steps import pair, wait_for

# The bound: after an attack, the control instance's message is
# committed and answered within this many seconds.
ANSWER_WITHIN = 5.0

# The daemon's resident memory must stay below this. At rest it holds about
# 50 MiB; each Lua state is capped at 32 MiB and an attack keeps at most a few
# states alive; SQLite's page cache, the event loops' buffers and the
# allocator's slack take the rest. Every unbounded growth the review found
# (decoded JSON kept past the cap, a connection's bytes never dropped) passes
# it within a few messages or megabytes sent.
RSS_BOUND = 320 << 20

# The daemon's address space is limited, so that an allocation without bound
# fails inside the daemon (which then dies, and the test says so) instead of
# pressing the whole machine. At rest it maps about 640 MiB, most of it
# reserved for threads' stacks and malloc's arenas.
ADDRESS_SPACE = 4 << 30

# SIGTERM finishes the events in flight and exits; this is long enough for that.
STOP_WITHIN = 10.0

ECHO_BOT = 'on("message", function(msg) msg:reply("echo " .. msg.text) end)\n'
CONTROL_PHONE = "5511900000001"
CONTROL_CONTACT = "5511900000002"


def limit_address_space():
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


class Containment:
    """The daemon under attack. A test that leaves it dead or wedged gets it
    replaced, on a fresh data folder, before the next test starts, so that one
    finding fails one test."""

    def __init__(self, root: pathlib.Path, arguments=(), environment=None):
        self.root = root
        self.arguments = list(arguments)
        self.environment = dict(environment or {})
        self.host = None
        self.generation = 0
        self.numbers = 0
        self.checks = 0
        # Set when a test failed: what it did may still hold the daemon (a
        # wedged reload, a thread spinning), so the next test gets a new one.
        self.tainted = False

    # -- lifecycle

    def ensure(self):
        if self.host is None or self.tainted or not self.answers(within=3):
            self.replace()
        return self

    def replace(self):
        if self.host is not None and self.alive():
            self.host.kill()
        self.generation += 1
        data = self.root / f"data{self.generation}"
        scripts = self.root / f"scripts{self.generation}"
        data.mkdir()
        (scripts / "control").mkdir(parents=True)
        (scripts / "control" / "main.lua").write_text(ECHO_BOT)
        self.host = Host(data, scripts, "test-" + secrets.token_hex(16))
        self.host.arguments = self.arguments
        self.host.environment = self.environment
        self.host.before_exec = limit_address_space
        self.host.start()
        self.tainted = False
        self.control = pair(self.host, "control", CONTROL_PHONE)

    def restart(self):
        """Stops the daemon as an operator would (SIGTERM: it finishes what is
        in flight and exits 0, SPEC §11) and starts it on the same data."""
        self.stop_gracefully()
        self.host.start()
        wait_for(lambda: self.host.api("GET", f"/api/instances/{self.control['id']}").json()["status"] == "CONNECTED",
                 timeout=15)

    def stop_gracefully(self):
        started = time.monotonic()
        code = self.host.stop(grace=STOP_WITHIN)
        took = time.monotonic() - started
        if code != 0:
            self.tainted = True
        assert code == 0, f"SIGTERM: exit {code} after {took:.1f} s (killed after {STOP_WITHIN:.0f} s)"

    def close(self):
        if self.host is not None:
            self.host.stop(grace=5)

    @property
    def scripts(self) -> pathlib.Path:
        return self.host.scripts

    def log_size(self) -> int:
        path = self.host.data / "host.log"
        return path.stat().st_size if path.exists() else 0

    def log_since(self, offset: int) -> str:
        path = self.host.data / "host.log"
        if not path.exists():
            return ""
        with open(path, "rb") as log:
            log.seek(offset)
            return log.read()[-20_000:].decode("utf-8", "replace")

    # -- the checks every attack ends with

    def alive(self) -> bool:
        return self.host.process.poll() is None

    def rss(self) -> int:
        for line in pathlib.Path(f"/proc/{self.host.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise AssertionError("no VmRSS")

    def answers(self, within=ANSWER_WITHIN) -> bool:
        """Whether a message to the control number is committed (202) and its
        echo reaches the contact within `within` seconds."""
        if not self.alive():
            return False
        self.checks += 1
        text = f"ping {self.generation}.{self.checks}"
        deadline = time.monotonic() + within
        try:
            sent = requests.post(self.host.url + "/sim/messages", timeout=within,
                                 json={"to": CONTROL_PHONE, "from": CONTROL_CONTACT, "name": "control", "text": text})
            if sent.status_code != 202:
                return False
            while time.monotonic() < deadline:
                left = max(0.1, deadline - time.monotonic())
                got = requests.get(self.host.url + "/sim/messages", params={"phone": CONTROL_CONTACT}, timeout=left)
                if any(message["text"] == "echo " + text for message in got.json()):
                    return True
                time.sleep(0.05)
        except requests.RequestException:
            return False
        return False

    def assert_contained(self, what: str):
        """The issue's three promises after an attack: the daemon lives, the
        control instance answers in time, and memory stayed bounded."""
        assert self.alive(), f"{what}: the daemon died (exit {self.host.process.returncode})"
        assert self.answers(), f"{what}: the control instance did not answer within {ANSWER_WITHIN} s"
        rss = self.rss()
        assert rss < RSS_BOUND, f"{what}: the daemon holds {rss >> 20} MiB, above the bound of {RSS_BOUND >> 20} MiB"

    # -- tenants and instances

    def next_phone(self) -> str:
        self.numbers += 1
        return f"55119{self.generation:02d}{self.numbers:06d}"

    def other_company(self, name: str) -> str:
        output = subprocess.run([str(binary()), "keys", "create", "--company", name, "--data", str(self.host.data)],
                                check=True, capture_output=True, text=True, timeout=30).stdout
        return output.strip().splitlines()[-1]

    def bot_status(self, instance_id: str, key=None):
        items = self.host.api("GET", "/api/scripts", key=key).json()["items"]
        return next((item for item in items if item["instance"]["id"] == instance_id), None)


class HostileInstance:
    """A second sim instance whose bot folder an attack writes; deleted, with
    its folder, when the attack is over."""

    def __init__(self, containment: Containment, name: str):
        self.containment = containment
        self.host = containment.host
        self.name = name
        self.phone = containment.next_phone()
        self.contact = containment.next_phone()
        self.instance = pair(self.host, name, self.phone)
        self.folder = self.host.scripts / name

    def write_bot(self, source: str, loads=True):
        """Saves main.lua; hot reload picks it up. With `loads`, waits until
        this version runs; otherwise until it runs or fails, at most 5 s (a
        load that never ends does neither)."""
        before = self.containment.bot_status(self.instance["id"]) or {}
        self.folder.mkdir(exist_ok=True)
        (self.folder / "main.lua").write_text(source)
        deadline = time.monotonic() + 5

        def settled():
            status = self.containment.bot_status(self.instance["id"]) or {}
            replaced = status.get("version") and status.get("version") != before.get("version")
            failed = status.get("last_error") and status.get("last_error") != before.get("last_error")
            return replaced or (not loads and failed)

        while time.monotonic() < deadline:
            try:
                if settled():
                    return
            except requests.RequestException:
                pass
            time.sleep(0.05)
        assert not loads, f"the bot of {self.name} did not load: {self.containment.bot_status(self.instance['id'])}"

    def trigger(self, text="go", wait=8.0) -> threading.Thread:
        """A contact writes to this instance, from a thread: the answer comes
        only once the bot's event is committed, however long it runs."""
        body = {"to": self.phone, "from": self.contact, "name": "attacker", "text": text,
                "id": "attack-" + uuid.uuid4().hex}

        def post():
            try:
                requests.post(self.host.url + "/sim/messages", json=body, timeout=wait)
            except requests.RequestException:
                pass

        thread = threading.Thread(target=post, daemon=True)
        thread.start()
        return thread

    def remove(self):
        shutil.rmtree(self.folder, ignore_errors=True)
        try:
            self.host.api("DELETE", f"/api/instances/{self.instance['id']}", timeout=2)
        except requests.RequestException:
            pass


def still_open(connections, within: float) -> list:
    """The connections the daemon has not closed (nor reset) after `within`
    seconds; what it sends meanwhile is read and dropped."""
    waiting = selectors.DefaultSelector()
    for connection in connections:
        waiting.register(connection, selectors.EVENT_READ)
    left = set(connections)
    deadline = time.monotonic() + within
    while left and time.monotonic() < deadline:
        for key, _ in waiting.select(timeout=min(0.5, max(0.0, deadline - time.monotonic()))):
            try:
                closed = key.fileobj.recv(1 << 16) == b""
            except OSError:
                closed = True
            if closed:
                waiting.unregister(key.fileobj)
                left.discard(key.fileobj)
    waiting.close()
    return list(left)


class GraphStandIn(http.server.BaseHTTPRequestHandler):
    """The operator's Graph API, as far as a cloud instance's connect and sends
    need it: a phone number id reads as that number, every send is taken."""

    def do_GET(self):
        number = self.path.rstrip("/").split("/")[-1].split("?")[0]
        self.answer({"id": number, "display_phone_number": "+" + number, "verified_name": "Test"})

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.answer({"messaging_product": "whatsapp", "messages": [{"id": "wamid." + uuid.uuid4().hex}]})

    def answer(self, payload):
        self.server.seen.append((self.command, self.path))
        body = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def serve_graph_stand_in() -> http.server.ThreadingHTTPServer:
    """Starts a `GraphStandIn` on 127.0.0.1; its `seen` lists the calls it took."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), GraphStandIn)
    server.daemon_threads = True
    server.seen = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class EventTap:
    """Reads a company's `/api/events` stream on a raw socket, from a thread,
    until closed: every byte it carried, to look for what must not be there."""

    def __init__(self, host: Host, key: str):
        self.received = bytearray()
        self.stopped = threading.Event()
        self.socket = socket.create_connection(("127.0.0.1", host.port), timeout=5)
        self.socket.sendall(f"GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {key}\r\n"
                            "Accept: text/event-stream\r\n\r\n".encode())
        self.socket.settimeout(0.2)
        self.thread = threading.Thread(target=self.read, daemon=True)
        self.thread.start()
        wait_for(lambda: b"connected" in self.received, timeout=5)

    def read(self):
        while not self.stopped.is_set():
            try:
                chunk = self.socket.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            if not chunk:
                return
            self.received += chunk

    def close(self) -> str:
        self.stopped.set()
        self.thread.join(timeout=2)
        self.socket.close()
        return self.received.decode("utf-8", "replace")
