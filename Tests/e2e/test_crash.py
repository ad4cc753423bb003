"""SPEC §5: a crash at any point loses no acknowledged event and sends no reply
twice. A real daemon is killed with SIGKILL at random moments while messages
with scripted replies stream in, then restarted, several times."""
import concurrent.futures
import random
import threading

import requests

from steps import pair, wait_for

NUMBERS = ["5511999998888", "5511988887777", "5511977776666", "5511966665555"]
CONTACTS = [f"55119{index:08d}" for index in range(20)]
TOTAL = 10_000
BOT = 'on("message", function(msg) msg:reply("echo " .. msg.text) end)\n'


def owner(index):
    """Each contact writes to one number; its replies must come from that number."""
    return NUMBERS[index % len(NUMBERS)]


def test_kill_9_loses_nothing_and_duplicates_nothing(make_host, tmp_path):
    scripts = tmp_path / "bots"
    for number in NUMBERS:
        (scripts / number).mkdir(parents=True)
        (scripts / number / "main.lua").write_text(BOT)
    host = make_host(scripts).start()
    for number in NUMBERS:
        pair(host, f"n{number}", number)

    pending = list(range(TOTAL))
    acknowledged = set()
    lock = threading.Lock()
    rng = random.Random(7)
    session = requests.Session()

    def deliver(index):
        body = {"to": owner(index), "from": CONTACTS[index % len(CONTACTS)], "name": "c", "text": f"n{index}",
                "id": f"m-{index}"}
        try:
            answer = session.post(host.url + "/sim/messages", json=body, timeout=10)
        except requests.RequestException:
            return
        if answer.status_code == 202:
            with lock:
                acknowledged.add(index)

    kills = 0
    while pending:
        batch, pending = pending, []
        stop_after = rng.randint(1_000, 3_000) if kills < 4 else None
        killer = None
        if stop_after is not None:
            def kill_when_due(limit=len(acknowledged) + stop_after):
                wait_for(lambda: len(acknowledged) >= limit or not alive[0], timeout=120)
                host.kill()
            alive = [True]
            killer = threading.Thread(target=kill_when_due)
            killer.start()
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(deliver, batch))
        if killer:
            alive[0] = False
            killer.join()
            kills += 1
            host.start()
            wait_for(lambda: all(i["status"] == "CONNECTED" for i in host.api("GET", "/api/instances").json()["items"]),
                     timeout=30)
        pending = [index for index in batch if index not in acknowledged]

    assert kills >= 3
    assert len(acknowledged) == TOTAL

    def replies_complete():
        got = {}
        for contact in CONTACTS:
            got[contact] = host.api("GET", "/sim/messages", params={"phone": contact}).json()
        return got if sum(len(v) for v in got.values()) >= TOTAL else None

    delivered = wait_for(replies_complete, timeout=120)
    texts = [message["text"] for messages in delivered.values() for message in messages]
    assert len(texts) == TOTAL, "some reply was delivered twice or lost"
    assert sorted(texts) == sorted(f"echo n{index}" for index in range(TOTAL))
    for contact, messages in delivered.items():
        assert {message["from"] for message in messages} == {owner(CONTACTS.index(contact))}

    stored = 0
    conversations = host.api("GET", "/api/conversations", params={"limit": 200}).json()["items"]
    assert len(conversations) == len(CONTACTS)
    for conversation in conversations:
        cursor = None
        inbound = []
        while True:
            params = {"limit": 200}
            if cursor:
                params["cursor"] = cursor
            page = host.api("GET", f"/api/conversations/{conversation['id']}/messages", params=params).json()
            inbound += [m["whatsapp_message_id"] for m in page["items"] if m["direction"] == "in"]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert len(inbound) == len(set(inbound)), "an inbound message was stored twice"
        stored += len(inbound)
    assert stored == TOTAL
