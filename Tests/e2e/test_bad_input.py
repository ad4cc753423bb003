"""SPEC §8: bad input answers 4xx with {"error": {"code", "message"}} and stores nothing."""
import requests

from steps import conversations, pair, wait_for, contact_writes


def snapshot(host):
    instances = host.api("GET", "/api/instances").json()["items"]
    ids = [row["id"] for row in conversations(host)["items"]]
    # Reading a conversation's messages marks it read, so the rows are taken after.
    messages = {id: host.api("GET", f"/api/conversations/{id}/messages").json()["items"] for id in ids}
    return instances, conversations(host)["items"], messages


def test_bad_requests_change_nothing(make_host):
    host = make_host().start()
    instance = pair(host, "Vendas", "5511999998888")
    contact_writes(host, "5511999998888", "5511911112222", "João", "oi")
    conversation = wait_for(lambda: conversations(host)["items"])[0]
    before = snapshot(host)
    auth = {"Authorization": f"Bearer {host.key}"}

    cases = [
        ("POST", "/api/instances", b"{not json", 400, "invalid_json"),
        ("POST", "/api/instances", b"[1,2]", 400, "invalid_json"),
        ("POST", "/api/instances", b'{"name": 5}', 400, "invalid_field"),
        ("POST", "/api/instances", b"{}", 400, "missing_field"),
        ("POST", "/api/instances", b'{"name": "x", "connector": "telegram"}', 400, "invalid_field"),
        ("POST", "/api/instances", b'{"name": "' + b"a" * (2 << 20) + b'"}', 413, "body_too_large"),
        ("GET", "/api/instances/not-a-uuid", None, 400, "invalid_id"),
        ("GET", "/api/instances/6f1d7a3e-0000-4000-8000-000000000000", None, 404, "not_found"),
        ("GET", "/api/conversations/abc/messages", None, 400, "invalid_id"),
        ("GET", "/api/conversations?limit=0", None, 400, "invalid_field"),
        ("POST", f"/api/conversations/{conversation['id']}/messages", b'{"text": ""}', 400, "invalid_field"),
        ("POST", f"/api/conversations/{conversation['id']}/messages", b'{"text": 12}', 400, "invalid_field"),
        ("POST", f"/api/conversations/{conversation['id']}/messages", b'{"text": "' + b"x" * 5000 + b'"}', 400, "invalid_field"),
        ("POST", "/api/conversations/999999/messages", b'{"text": "hi"}', 404, "not_found"),
        ("POST", "/sim/messages", b'{"to": "5511999998888", "from": "5511911112222", "text": "\xff\xfe"}', 400, "invalid_json"),
        ("POST", "/sim/messages", b'{"to": "5500000000000", "from": "5511911112222", "text": "hi"}', 404, "not_found"),
        ("POST", "/sim/scan", b'{"qr": "nope", "phone": "5511977776666"}', 404, "not_found"),
    ]
    for method, path, body, status, code in cases:
        answer = requests.request(method, host.url + path, data=body, headers=auth, timeout=30)
        assert answer.status_code == status, (path, body[:60] if body else None, answer.status_code, answer.text)
        error = answer.json()["error"]
        assert error["message"]
        if code:
            assert error["code"] == code, (path, error)
    assert snapshot(host) == before
    assert host.api("GET", f"/api/instances/{instance['id']}").json()["status"] == "CONNECTED"


def test_message_to_disconnected_instance_is_refused(make_host):
    host = make_host().start()
    instance = pair(host, "Vendas", "5511999998888")
    assert host.api("POST", f"/api/instances/{instance['id']}/logout").status_code == 200
    answer = host.api("POST", "/sim/messages", json={"to": "5511999998888", "from": "5511911112222", "text": "oi"})
    assert answer.status_code in (404, 409)
    assert conversations(host)["items"] == []
