#!/usr/bin/env python3
"""GET /api/conversations under load from a second process (wrk), on a data
folder seeded with 100,000 conversations and 1,000,000 messages.

    bench/inbox.py [--binary .build-release/release/crm-host] [--seconds 20]
                   [--connections 32] [--threads 2]

Prints p50/p99 latency and requests/s for the unified inbox (first page and a
page deep in the list) and for one instance's filter, beside the floor of the
same listener answering /healthz. --connections takes several counts (for
example `--connections 4 8 16 32`) to show how latency grows with the number
of clients kept busy at once; each count runs every scenario."""
import argparse
import os
import random
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # importing common leaves no __pycache__ behind
from common import call, default_binary, free_port, parse_wrk, start, stop

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


def wrk(url, key, seconds, threads, connections):
    output = subprocess.run(["wrk", f"-t{min(threads, connections)}", f"-c{connections}", f"-d{seconds}s", "--latency", "-H", f"Authorization: Bearer {key}", url],
                            capture_output=True, text=True, check=True).stdout
    return parse_wrk(output)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=default_binary())
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--messages-per-conversation", type=int, default=10)
    parser.add_argument("--instances", type=int, default=10)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, nargs="+", default=[32])
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="crm-inbox-bench-")
    data = os.path.join(folder, "data")
    key = "bench-" + secrets.token_hex(8)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    daemon = start(args.binary, data, port, key)
    ids = [call(base + "/api/instances", key, "POST", {"name": f"numero-{n}"})["id"] for n in range(args.instances)]
    stop(daemon)
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
              f"cores={os.cpu_count()} wrk -t{args.threads} -d{args.seconds}s")
        print(f"{'scenario':28} {'conns':>6} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>10} {'non-2xx':>8}")
        for connections in args.connections:
            for label, url in scenarios:
                p50, p99, rate, errors = wrk(url, key, args.seconds, args.threads, connections)
                print(f"{label:28} {connections:6d} {p50:8.2f} {p99:8.2f} {rate:10.0f} {errors:8d}", flush=True)
    finally:
        stop(daemon)
        subprocess.run(["rm", "-rf", folder])


if __name__ == "__main__":
    main()
