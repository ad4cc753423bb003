#!/usr/bin/env python3
"""GET /api/conversations under load from a second process (wrk), on a data
folder seeded with 100,000 conversations and 1,000,000 messages.

    bench/inbox.py [--binary .build-release/release/crm-host] [--seconds 20]

Prints p50/p99 latency and requests/s for the unified inbox (first page and a
page deep in the list) and for one instance's filter, beside the floor of the
same listener answering /healthz."""
import argparse
import os
import pathlib
import random
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time
import urllib.request
import json

ROOT = pathlib.Path(__file__).resolve().parents[1]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(url, key, method="GET", body=None):
    request = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body else None,
                                     headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read() or b"null")


def start(binary, data, port, key):
    process = subprocess.Popen([binary, "serve", "--data", data, "--scripts", os.path.join(data, "bots"),
                                "--listen", f"127.0.0.1:{port}"],
                               env=dict(os.environ, CRM_BOOTSTRAP_KEY=key, CRM_LOG_LEVEL="error"),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return process
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("daemon did not start")


def seed(path, instances, conversations, per_conversation):
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    now = time.time()
    rng = random.Random(1)
    rows, messages = [], []
    for index in range(conversations):
        instance = instances[index % len(instances)]
        phone = f"55119{index:08d}"
        stamp = now - rng.random() * 86400 * 30
        rows.append((index + 1, instance, 1, phone, phone, f"Contato {index}", stamp, stamp, index % 3, stamp))
    db.executemany("""INSERT INTO conversations(id, instance_id, company_id, contact_id, contact_phone, contact_name,
                      last_message_at, last_inbound_at, unread_count, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)""", rows)
    message_id = 0
    for conversation_id, instance, *_rest in rows:
        stamp = _rest[5]
        for turn in range(per_conversation):
            message_id += 1
            direction = "in" if turn % 2 == 0 else "out"
            messages.append((message_id, instance, conversation_id, f"wamid.{message_id}", direction,
                             "Olá, gostaria de saber o preço do plano anual" if direction == "in" else "Segue a tabela",
                             stamp - (per_conversation - turn) * 60))
        if len(messages) >= 100_000:
            db.executemany("""INSERT INTO messages(id, instance_id, conversation_id, whatsapp_message_id, direction,
                              content, created_at) VALUES (?,?,?,?,?,?,?)""", messages)
            messages = []
    db.executemany("""INSERT INTO messages(id, instance_id, conversation_id, whatsapp_message_id, direction,
                      content, created_at) VALUES (?,?,?,?,?,?,?)""", messages)
    db.commit()
    db.execute("ANALYZE")
    db.close()
    return message_id


def wrk(url, key, seconds):
    output = subprocess.run(["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency", "-H", f"Authorization: Bearer {key}", url],
                            capture_output=True, text=True, check=True).stdout

    def latency(label):
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)", output, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return latency("50"), latency("99"), rate, int(errors.group(1)) if errors else 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=str(ROOT / ".build-release" / "release" / "crm-host"))
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--messages-per-conversation", type=int, default=10)
    parser.add_argument("--instances", type=int, default=10)
    parser.add_argument("--seconds", type=int, default=20)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="crm-inbox-bench-")
    data = os.path.join(folder, "data")
    key = "bench-" + secrets.token_hex(8)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    daemon = start(args.binary, data, port, key)
    ids = [call(base + "/api/instances", key, "POST", {"name": f"numero-{n}"})["id"] for n in range(args.instances)]
    daemon.send_signal(signal.SIGTERM)
    daemon.wait(timeout=30)
    total = seed(os.path.join(data, "crm.sqlite"), ids, args.conversations, args.messages_per_conversation)
    daemon = start(args.binary, data, port, key)
    try:
        deep = call(base + "/api/conversations?limit=50", key)
        for _ in range(200):
            deep = call(base + f"/api/conversations?limit=50&cursor={deep['next_cursor']}", key)
        scenarios = [
            ("floor: GET /healthz", f"{base}/healthz"),
            ("inbox, first page (50)", f"{base}/api/conversations?limit=50"),
            ("inbox, page 201 (keyset)", f"{base}/api/conversations?limit=50&cursor={deep['next_cursor']}"),
            ("one instance's inbox", f"{base}/api/conversations?limit=50&instance_id={ids[3]}"),
        ]
        print(f"conversations={args.conversations} messages={total} instances={args.instances} "
              f"cores={os.cpu_count()} wrk -t2 -c32 -d{args.seconds}s")
        print(f"{'scenario':28} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>10} {'non-2xx':>8}")
        for label, url in scenarios:
            p50, p99, rate, errors = wrk(url, key, args.seconds)
            print(f"{label:28} {p50:8.2f} {p99:8.2f} {rate:10.0f} {errors:8d}")
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=30)
        subprocess.run(["rm", "-rf", folder])


if __name__ == "__main__":
    main()
