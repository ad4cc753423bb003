"""Containment: no script, tenant or client stalls, crashes or crosses into
another. One daemon runs a control instance with an echo bot; hostile bots,
tenants and clients attack it one at a time, and after each attack the control
instance's message is committed and answered within 5 s, the daemon's memory
stays under a stated bound, and nothing of another company shows."""
import hashlib
import hmac
import json
import os
import re
import socket
import threading
import time
import uuid

import pytest
import requests

from containment import Containment, EventTap, HostileInstance, RSS_BOUND, serve_graph_stand_in, still_open
from steps import create_instance, pair, wait_for

# How long a client may take over a request's head or body, and may stay
# idle between requests, and how many connections the listener serves at
# once: shorter and fewer than the defaults, so that slow and idle clients
# are dropped, and the limit reached, within the suite's time.
HEAD_TIMEOUT = 2.0
IDLE_TIMEOUT = 2.0
MAX_CONNECTIONS = 128
SERVE_OPTIONS = ["--header-timeout", str(HEAD_TIMEOUT), "--read-timeout", str(HEAD_TIMEOUT),
                 "--idle-timeout", str(IDLE_TIMEOUT), "--max-connections", str(MAX_CONNECTIONS)]


@pytest.fixture(scope="module")
def graph():
    """The operator's Graph API (`CRM_GRAPH_URL`), for cloud instances."""
    server = serve_graph_stand_in()
    yield server
    server.shutdown()


@pytest.fixture(scope="module")
def containment(tmp_path_factory, graph):
    running = Containment(tmp_path_factory.mktemp("containment"), SERVE_OPTIONS,
                          {"CRM_GRAPH_URL": f"http://127.0.0.1:{graph.server_port}"})
    yield running
    running.close()


@pytest.fixture
def daemon(containment, request):
    """The daemon, answering before the test; its log of the test is printed
    afterwards (pytest shows it when the test failed), and a failed test
    leaves the next one a new daemon."""
    containment.ensure()
    generation, offset = containment.generation, containment.log_size()
    yield containment
    if any(getattr(request.node, "report_" + phase, None) and getattr(request.node, "report_" + phase).failed
           for phase in ("setup", "call")):
        containment.tainted = True
    if containment.generation == generation:
        print("---- daemon log during the test ----")
        print(containment.log_since(offset))


@pytest.fixture
def hostile(daemon, request):
    made = []

    def make(name=None):
        instance = HostileInstance(daemon, name or f"hostile-{len(made)}-{uuid.uuid4().hex[:6]}")
        made.append(instance)
        return instance

    yield make
    for instance in made:
        instance.remove()


# ---------------------------------------------------------------------------
# Hostile bots. Each is saved into a second instance's folder (hot reload picks
# it up), a contact writes to that instance, and the control instance must
# answer meanwhile and after.

SIXTEEN_MIB = """
local huge = string.rep("x", 1 << 20)
for _ = 1, 4 do huge = huge .. huge end
"""

# 50,000 references to one 16 MiB string: 800 GB if a host function copies
# each reference's bytes.
SHARED_REFERENCES = SIXTEEN_MIB + """
local refs = {}
for i = 1, 50000 do refs[i] = huge end
"""

CLOSE_LOOP_COROUTINE = """
local function stopped_with_a_closing_loop()
  local guard <close> = setmetatable({}, { __close = function() while true do end end })
  while true do end
end
"""

HANDLER_BOTS = {
    "endless_loop": 'on("message", function() while true do end end)',
    # Finding 1: the budget's stop inside a coroutine, then its <close> handler
    # loops, run by coroutine.wrap's unwinding or by coroutine.close.
    "close_loop_after_stop_in_wrap": CLOSE_LOOP_COROUTINE + """
on("message", function() coroutine.wrap(stopped_with_a_closing_loop)() end)""",
    "close_loop_after_stop_in_close": CLOSE_LOOP_COROUTINE + """
on("message", function()
  local co = coroutine.create(stopped_with_a_closing_loop)
  coroutine.resume(co)
  coroutine.close(co)
end)""",
    "close_loop_after_stop_caught_by_pcall": CLOSE_LOOP_COROUTINE + """
on("message", function()
  while true do pcall(coroutine.wrap(stopped_with_a_closing_loop)) end
end)""",
    # Finding 2: C functions that work long without VM instructions.
    "sort_with_math_ult": """
local t = {}
for i = 1, 200000 do t[i] = (i * 2654435761) % 4294967296 end
on("message", function() while true do table.sort(t, math.ult) end end)""",
    "sort_with_rawequal": """
local t = {}
for i = 1, 200000 do t[i] = i end
on("message", function() while true do table.sort(t, rawequal) end end)""",
    # The largest table the cap allows, shifted whole by every call.
    "insert_and_remove_at_front": """
local t = {}
for i = 1, 900000 do t[i] = i end
local insert, remove = table.insert, table.remove
on("message", function() while true do insert(t, 1, 0) remove(t, 1) end end)""",
    "upper_on_8_mib": """
local big = string.rep("a", 1 << 20)
for _ = 1, 3 do big = big .. big end
on("message", function() while true do local _ = big:upper() end end)""",
    "utf8_len_on_8_mib": """
local big = string.rep("a", 1 << 20)
for _ = 1, 3 do big = big .. big end
on("message", function() while true do local _ = utf8.len(big) end end)""",
    "pack_on_8_mib": """
local big = string.rep("a", 1 << 20)
for _ = 1, 3 do big = big .. big end
on("message", function() while true do local _ = string.pack("z", big) end end)""",
    "rep_largest_allowed": """
on("message", function() while true do local _ = string.rep("ab", 1 << 19) end end)""",
    # Finding 3: host functions copying a value's bytes without a bound.
    "log_of_shared_references": 'on("message", function()' + SHARED_REFERENCES + "crm.log.info(refs) end)",
    "json_encode_of_shared_references": 'on("message", function()' + SHARED_REFERENCES + "crm.json.encode(refs) end)",
    "kv_set_of_shared_references": 'on("message", function(msg)' + SHARED_REFERENCES + 'crm.kv.set("k", refs) end)',
    "reply_with_shared_references": 'on("message", function(msg)' + SHARED_REFERENCES + "msg:reply(refs) end)",
    "reply_with_16_mib_text": 'on("message", function(msg)' + SIXTEEN_MIB + "msg:reply(huge) end)",
}

LOAD_BOTS = {
    # Finding 1 at the top of main.lua: loading must end too, or no bot of
    # any company reloads again.
    "close_loop_after_stop_at_load": CLOSE_LOOP_COROUTINE + """
coroutine.wrap(stopped_with_a_closing_loop)()
on("message", function(msg) msg:reply("loaded") end)""",
    # Finding 3 at load: the daemon must not crash, nor crash-loop on restart.
    "log_of_shared_references_at_load": SHARED_REFERENCES + """
crm.log.info(refs)
on("message", function(msg) msg:reply("loaded") end)""",
    "endless_loop_at_load": "while true do end",
}


@pytest.mark.parametrize("name", sorted(HANDLER_BOTS))
def test_hostile_bot_in_a_handler_is_contained(daemon, hostile, name):
    attacker = hostile()
    attacker.write_bot(HANDLER_BOTS[name])
    running = attacker.trigger()
    time.sleep(0.3)
    assert daemon.answers(), f"{name}: the control instance waited more than 5 s behind the hostile event"
    running.join(timeout=10)
    daemon.assert_contained(name)
    status = daemon.bot_status(attacker.instance["id"])
    assert status["last_error"], f"{name}: the hostile event's failure was not reported: {status}"


@pytest.mark.parametrize("name", sorted(LOAD_BOTS))
def test_hostile_bot_at_load_is_contained(daemon, hostile, name):
    attacker = hostile()
    attacker.write_bot('on("message", function(msg) msg:reply("old " .. msg.text) end)')
    attacker.write_bot(LOAD_BOTS[name], loads=False)
    daemon.assert_contained(name)
    status = daemon.bot_status(attacker.instance["id"])
    assert status["last_error"], f"{name}: the load neither ended nor was reported as failed: {status}"
    # The old version keeps answering (SPEC §6), and a fixed one still loads.
    attacker.trigger("still there").join(timeout=10)
    assert [reply["text"] for reply in wait_for(lambda: replies(daemon.host, attacker.contact), timeout=5)] \
        == ["old still there"]
    attacker.write_bot('on("message", function(msg) msg:reply("fixed") end)')


def test_hostile_bot_at_load_does_not_crash_a_restart(daemon, hostile):
    attacker = hostile()
    attacker.write_bot(LOAD_BOTS["log_of_shared_references_at_load"], loads=False)
    daemon.assert_contained("a hostile bot at load")
    daemon.restart()
    daemon.assert_contained("a restart with a hostile bot on disk")


def test_decoded_json_kept_in_a_global_stays_under_the_cap(daemon, hostile):
    """Finding 4: host-function results count against the state's memory cap.
    The global's slots exist before the handler runs, so storing a result
    allocates nothing in the VM: only the decoding does."""
    attacker = hostile()
    attacker.write_bot("""
local text = "[" .. string.rep("[],", 340000) .. "[]]"
hoard = {}
for i = 1, 200 do hoard[i] = false end
on("message", function()
  for i = 1, 200 do hoard[i] = crm.json.decode(text) end
end)""")
    for round in range(3):
        running = attacker.trigger(f"grow {round}")
        running.join(timeout=10)
        assert daemon.alive(), f"the daemon died after {round + 1} messages"
        if running.is_alive():
            break  # the event outlived its deadline: the control check says what that did
    daemon.assert_contained("decoded JSON kept in a global")
    status = daemon.bot_status(attacker.instance["id"])
    assert status["last_error"] and "memory" in status["last_error"]["message"], status


# ---------------------------------------------------------------------------
# Hostile clients on the listener.

def raw_connection(daemon) -> socket.socket:
    return socket.create_connection(("127.0.0.1", daemon.host.port), timeout=5)


def drain(connection: socket.socket, stop: threading.Event):
    connection.settimeout(0.2)
    while not stop.is_set():
        try:
            if connection.recv(1 << 16) == b"":
                return
        except socket.timeout:
            continue
        except OSError:
            return


def test_pipelined_webhooks_do_not_grow_memory(daemon):
    """Finding 6: a kept-alive connection that always has the next request
    begun; every byte it sent was kept. 400 MiB of garbage bodies."""
    body = os.urandom(1 << 19)
    head = (f"POST /webhooks/cloud/{uuid.uuid4()} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"X-Hub-Signature-256: sha256={'0' * 64}\r\nContent-Length: {len(body)}\r\n\r\n").encode()
    request = head + body
    split = len(head) // 2
    connection = raw_connection(daemon)
    stop = threading.Event()
    reader = threading.Thread(target=drain, args=(connection, stop), daemon=True)
    reader.start()
    peak = 0
    try:
        connection.sendall(request[:split])
        for index in range(800):
            connection.sendall(request[split:] + request[:split])
            if index % 50 == 0:
                peak = max(peak, daemon.rss())
    except OSError:
        pass  # the daemon may close a connection that floods it
    finally:
        peak = max(peak, daemon.rss())
        stop.set()
        reader.join(timeout=2)
        connection.close()
    assert peak < RSS_BOUND, f"the daemon held {peak >> 20} MiB while one connection streamed"
    daemon.assert_contained("pipelined webhooks")


def test_a_stream_of_garbage_bytes_is_dropped(daemon):
    connection = raw_connection(daemon)
    connection.settimeout(1)  # a daemon that stops reading stops the stream too
    chunk = os.urandom(1 << 20)
    try:
        for _ in range(256):
            connection.sendall(chunk)
    except OSError:
        pass
    finally:
        closed = not still_open([connection], 5)
        connection.close()
    assert closed, "the daemon kept reading garbage"
    daemon.assert_contained("garbage bytes")


def test_a_slow_head_is_dropped(daemon):
    """A slowloris: a request head one byte at a time, never finished."""
    connection = raw_connection(daemon)
    connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    deadline = time.monotonic() + HEAD_TIMEOUT + 5
    dropped = False
    try:
        while time.monotonic() < deadline and not dropped:
            connection.sendall(b"X")
            dropped = not still_open([connection], 0.5)
    except OSError:
        dropped = True
    connection.close()
    assert dropped, f"a head still unfinished after {HEAD_TIMEOUT + 5:.0f} s was kept open"
    daemon.assert_contained("a slow head")


def test_idle_connections_are_dropped_and_do_not_block_others(daemon):
    """Connections that never send a byte, and kept-alive ones after their
    answer, fewer than the limit: others are served meanwhile, and the idle
    ones are dropped."""
    idle = [raw_connection(daemon) for _ in range(MAX_CONNECTIONS // 2)]
    kept = []
    for _ in range(MAX_CONNECTIONS // 4):
        connection = raw_connection(daemon)
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        kept.append(connection)
    try:
        assert daemon.answers(), "the control instance did not answer while connections idled"
        within = max(HEAD_TIMEOUT, IDLE_TIMEOUT) + 5
        left = still_open(idle + kept, within)
        assert not left, f"{len(left)} idle connections still open after {within:.0f} s"
    finally:
        for connection in idle + kept:
            connection.close()
    daemon.assert_contained("idle connections")


def open_sockets(pid: int) -> int:
    count = 0
    for descriptor in os.listdir(f"/proc/{pid}/fd"):
        try:
            count += os.readlink(f"/proc/{pid}/fd/{descriptor}").startswith("socket:")
        except OSError:
            pass
    return count


def test_connections_past_the_limit_wait_and_are_served_later(daemon):
    """More idle connections than the listener takes at once: the daemon holds
    no more than its limit, and serves everyone again once the idle ones are
    dropped."""
    before = open_sockets(daemon.host.process.pid)
    flood = [raw_connection(daemon) for _ in range(MAX_CONNECTIONS + 100)]
    try:
        time.sleep(1)
        held = open_sockets(daemon.host.process.pid) - before
        # The listener stops accepting once at its limit; accepts of one
        # read of the listening socket that are already under way (NIO takes
        # up to 4 a read) may pass it by that few.
        assert held <= MAX_CONNECTIONS + 4, f"the daemon holds {held} connections, past its limit of {MAX_CONNECTIONS}"
        within = 2 * IDLE_TIMEOUT + 5
        left = still_open(flood, within)
        assert not left, f"{len(left)} idle connections still open after {within:.0f} s"
    finally:
        for connection in flood:
            connection.close()
    daemon.assert_contained("connections past the limit")


# ---------------------------------------------------------------------------
# Webhook sources.

def cloud_message(phone_number_id: str, wamid: str, timestamp) -> bytes:
    return json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550001111", "phone_number_id": phone_number_id},
            "contacts": [{"profile": {"name": "Contato"}, "wa_id": "5511933334444"}],
            "messages": [{"from": "5511933334444", "id": wamid, "timestamp": timestamp, "type": "text",
                          "text": {"body": "oi"}}]}}]}]}).encode()


def signed_post(daemon, instance_id: str, body: bytes, secret: str):
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return requests.post(f"{daemon.host.url}/webhooks/cloud/{instance_id}", data=body, timeout=10,
                         headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature})


def test_signed_webhooks_with_timestamps_out_of_range_crash_nothing(daemon):
    """Finding 5: a Cloud message's timestamp far out of range, signed with the
    instance's app secret; its listing and its bot must not trap, now or after
    a restart."""
    folder = daemon.scripts / "nuvem"
    folder.mkdir()
    (folder / "main.lua").write_text('on("message", function(msg) crm.log.info("at " .. tostring(msg.at)) end)')
    number = daemon.next_phone()
    cloud = create_instance_with(daemon, {"name": "nuvem", "connector": "cloud", "config": {
        "phone_number_id": number, "access_token": "token", "app_secret": "segredo", "verify_token": "v"}})
    try:
        try:
            connected = daemon.host.api("POST", f"/api/instances/{cloud['id']}/connect", timeout=10)
        except requests.RequestException as error:
            connected = error
        assert getattr(connected, "status_code", None) == 200 and connected.json()["status"] == "CONNECTED", \
            f"a cloud instance did not connect through the operator's Graph API (CRM_GRAPH_URL): {connected}"
        for index, timestamp in enumerate(["1e19", "-100000000000", "-1e19", "1e400", "nan", "inf",
                                            "99999999999999999999999", 1e19, -100000000000]):
            answer = signed_post(daemon, cloud["id"], cloud_message(number, f"wamid.T{index}", timestamp), "segredo")
            assert answer.status_code < 500, (timestamp, answer.status_code, answer.text)
            assert daemon.alive(), f"timestamp {timestamp!r} crashed the daemon"
        lists_everything(daemon)
        daemon.assert_contained("timestamps out of range")
        daemon.restart()
        lists_everything(daemon)
        daemon.assert_contained("a restart after timestamps out of range")
    finally:
        daemon.host.api("DELETE", f"/api/instances/{cloud['id']}", timeout=5)


def create_instance_with(daemon, body, key=None):
    answer = daemon.host.api("POST", "/api/instances", key=key, json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()


def lists_everything(daemon):
    page = daemon.host.api("GET", "/api/conversations", params={"limit": 200}, timeout=10)
    assert page.status_code == 200, page.text
    for conversation in page.json()["items"]:
        messages = daemon.host.api("GET", f"/api/conversations/{conversation['id']}/messages", timeout=10)
        assert messages.status_code == 200, messages.text


def test_graph_url_in_an_instance_config_is_refused(daemon):
    """Finding 8: the Graph API's address is the operator's, never a tenant's."""
    tenants_address = serve_graph_stand_in()
    try:
        answer = daemon.host.api("POST", "/api/instances", json={"name": "ssrf", "connector": "cloud", "config": {
            "phone_number_id": daemon.next_phone(), "access_token": "chosen-token", "app_secret": "s",
            "verify_token": "v", "graph_url": f"http://127.0.0.1:{tenants_address.server_port}"}})
        if answer.status_code == 201:
            daemon.host.api("POST", f"/api/instances/{answer.json()['id']}/connect", timeout=10)
            daemon.host.api("DELETE", f"/api/instances/{answer.json()['id']}", timeout=10)
        assert answer.status_code == 400, answer.text
        assert "graph_url" in answer.json()["error"]["message"]
        assert tenants_address.seen == [], "the host called a tenant's address"
    finally:
        tenants_address.shutdown()
    daemon.assert_contained("graph_url")


# ---------------------------------------------------------------------------
# Tenants.

A_BOT = """
local prices = require "precos_secretos"
on("message", function(msg)
  if msg.text == "boom" then error("segredo da empresa A") end
  msg:reply("bot de A " .. prices.table)
end)
"""
B_BOT = 'on("message", function(msg) msg:reply("bot de B") end)'


def test_another_company_naming_an_instance_like_a_bot_folder_gets_nothing_of_it(daemon, tmp_path):
    """Finding 7: company B names an instance like company A's bot folder."""
    host = daemon.host
    folder = daemon.scripts / "loja"
    folder.mkdir()
    # A module linked from outside the scripts folder: its edits reach the
    # daemon only by a reload, which shows whose reload reloads A.
    outside = tmp_path / "precos_secretos.lua"
    outside.write_text('return { table = "v1" }')
    (folder / "precos_secretos.lua").symlink_to(outside)
    (folder / "main.lua").write_text(A_BOT)
    b_folder = daemon.scripts / "companies" / "outra" / "loja"
    b_folder.mkdir(parents=True)
    (b_folder / "main.lua").write_text(B_BOT)
    other = daemon.other_company("outra")
    a_shop = pair(host, "loja", daemon.next_phone())
    a_contact, b_contact = daemon.next_phone(), daemon.next_phone()
    b_shop = None
    try:
        wait_for(lambda: (daemon.bot_status(a_shop["id"]) or {}).get("version"), timeout=5)
        a_stream, b_stream = EventTap(host, host.key), EventTap(host, other)
        b_shop = pair(host, "loja", daemon.next_phone(), key=other)
        try:
            write(host, a_shop["phone_number"], a_contact, "boom")
            write(host, b_shop["phone_number"], b_contact, "oi")
            reply = wait_for(lambda: replies(host, b_contact), timeout=5)
            assert [r["text"] for r in reply] == ["bot de B"], "company B's instance ran company A's bot"
            time.sleep(0.5)
        finally:
            seen_by_a, seen_by_b = a_stream.close(), b_stream.close()
        assert "segredo da empresa A" in seen_by_a, "the probe saw no script event at all"
        for secret in ("segredo", "precos_secretos", a_shop["id"], a_contact):
            assert secret not in seen_by_b, f"company B's event stream showed {secret!r}"

        b_scripts = host.api("GET", "/api/scripts", key=other).text
        assert a_shop["id"] not in b_scripts
        for secret in ("segredo", "precos_secretos"):
            assert secret not in b_scripts, f"company B's /api/scripts showed {secret!r}: {b_scripts}"

        version = daemon.bot_status(a_shop["id"])["version"]
        outside.write_text('return { table = "v2" }')
        assert host.api("POST", "/api/scripts/reload", key=other).status_code == 200
        assert daemon.bot_status(a_shop["id"])["version"] == version, "company B's reload reloaded company A's bot"
        assert host.api("POST", "/api/scripts/reload").status_code == 200
        assert daemon.bot_status(a_shop["id"])["version"] != version, "company A's own reload did not reload its bot"
    finally:
        for shop, key in ((a_shop, None), (b_shop, other)):
            if shop:
                host.api("DELETE", f"/api/instances/{shop['id']}", key=key, timeout=5)
    daemon.assert_contained("a name like another company's bot folder")


def test_another_company_pairing_a_number_named_by_a_bot_folder_gets_nothing_of_it(daemon):
    """Finding 7 by number: company A keeps a bot for a number it has not
    paired yet; company B pairs that number first."""
    host = daemon.host
    number = daemon.next_phone()
    (daemon.scripts / number).mkdir()
    (daemon.scripts / number / "main.lua").write_text('on("message", function(msg) msg:reply("bot de A") end)')
    b_folder = daemon.scripts / "companies" / "quarta" / "balcao"
    b_folder.mkdir(parents=True)
    (b_folder / "main.lua").write_text(B_BOT)
    other = daemon.other_company("quarta")
    b_shop = pair(host, "balcao", number, key=other)
    contact = daemon.next_phone()
    try:
        write(host, number, contact, "oi")
        reply = wait_for(lambda: replies(host, contact), timeout=5)
        assert [r["text"] for r in reply] == ["bot de B"], "company B's instance ran company A's bot"
    finally:
        host.api("DELETE", f"/api/instances/{b_shop['id']}", key=other, timeout=5)
    daemon.assert_contained("a number named by another company's bot folder")


def write(host, to, sender, text):
    answer = requests.post(host.url + "/sim/messages", json={"to": to, "from": sender, "name": "c", "text": text},
                           timeout=10)
    assert answer.status_code == 202, answer.text


def replies(host, contact):
    return requests.get(host.url + "/sim/messages", params={"phone": contact}, timeout=5).json()


def test_a_taken_number_names_nothing_of_its_holder(daemon):
    """Finding 8's second half: pairing a number another company holds is a
    409 that says nothing of the holder."""
    other = daemon.other_company("terceira")
    mine = create_instance(daemon.host, "tentativa", key=other)
    try:
        assert daemon.host.api("POST", f"/api/instances/{mine['id']}/connect", key=other).status_code == 200
        qr = wait_for(lambda: daemon.host.api("GET", f"/api/instances/{mine['id']}", key=other).json().get("qr_code"))
        answer = requests.post(daemon.host.url + "/sim/scan", json={"qr": qr, "phone": daemon.control["phone_number"]},
                               timeout=10)
        assert answer.status_code == 409, answer.text
        assert daemon.control["id"] not in answer.text, f"the 409 names the holder: {answer.text}"
        assert "control" not in answer.text, f"the 409 names the holder: {answer.text}"
    finally:
        daemon.host.api("DELETE", f"/api/instances/{mine['id']}", key=other, timeout=5)
    daemon.assert_contained("a taken number")


def test_event_streams_left_or_dropped_by_their_clients_do_not_hold_a_stop(daemon):
    """An inbox's live event streams, some still open and some closed by
    their clients, with no event since: SIGTERM still stops the daemon."""
    taps = [EventTap(daemon.host, daemon.host.key) for _ in range(6)]
    for tap in taps[:3]:
        tap.close()
    try:
        daemon.restart()
    finally:
        for tap in taps[3:]:
            tap.close()
    daemon.assert_contained("event streams at a stop")


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


def test_metrics_without_credentials_name_no_tenant(daemon, hostile):
    """Finding 11: anonymous /metrics lists no company's instance ids."""
    attacker = hostile()
    attacker.write_bot('on("message", function() error("fails on purpose") end)')
    attacker.trigger().join(timeout=10)
    wait_for(lambda: (daemon.bot_status(attacker.instance["id"]) or {}).get("last_error"), timeout=5)
    answer = requests.get(daemon.host.url + "/metrics", timeout=10)
    if answer.status_code == 200:
        assert not UUID.search(answer.text), f"anonymous /metrics names instances: {UUID.findall(answer.text)[:3]}"
        assert attacker.name not in answer.text
    else:
        assert answer.status_code in (401, 403), answer.text
    daemon.assert_contained("metrics")


# ---------------------------------------------------------------------------
# Last: whatever the attacks left behind, the daemon still stops as SPEC §11
# says, finishing what is in flight and exiting 0 on SIGTERM.

def test_the_daemon_stops_gracefully_after_the_attacks(daemon):
    daemon.stop_gracefully()
    daemon.tainted = True
