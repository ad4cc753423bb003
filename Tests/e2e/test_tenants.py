"""SPEC §2.6: a key sees only its company; another company's objects answer 404."""
import subprocess

from conftest import binary
from steps import contact_writes, conversations, pair, wait_for


def second_company_key(host):
    output = subprocess.run([str(binary()), "keys", "create", "--company", "other", "--data", str(host.data)],
                            check=True, capture_output=True, text=True).stdout
    return output.strip().splitlines()[-1]


def test_other_company_sees_nothing(make_host):
    host = make_host().start()
    mine = pair(host, "Vendas", "5511999998888")
    contact_writes(host, "5511999998888", "5511911112222", "João", "oi")
    conversation = wait_for(lambda: conversations(host)["items"])[0]
    other = second_company_key(host)

    assert host.api("GET", "/api/instances", key=other).json()["items"] == []
    assert conversations(host, key=other)["items"] == []
    assert conversations(host, key=other, instance_id=mine["id"])["items"] == []
    for method, path, body in [
        ("GET", f"/api/instances/{mine['id']}", None),
        ("PATCH", f"/api/instances/{mine['id']}", {"name": "stolen"}),
        ("POST", f"/api/instances/{mine['id']}/connect", None),
        ("POST", f"/api/instances/{mine['id']}/logout", None),
        ("POST", f"/api/instances/{mine['id']}/restart", None),
        ("GET", f"/api/instances/{mine['id']}/qr", None),
        ("DELETE", f"/api/instances/{mine['id']}", None),
        ("GET", f"/api/conversations/{conversation['id']}/messages", None),
        ("POST", f"/api/conversations/{conversation['id']}/messages", {"text": "from elsewhere"}),
    ]:
        answer = host.api(method, path, key=other, json=body)
        assert answer.status_code == 404, (method, path, answer.text)
        assert answer.json()["error"]["code"] == "not_found"
    assert all(s["instance"]["id"] != mine["id"] for s in host.api("GET", "/api/scripts", key=other).json()["items"])

    still = host.api("GET", f"/api/instances/{mine['id']}").json()
    assert still["name"] == "Vendas" and still["status"] == "CONNECTED"
    assert host.api("GET", "/sim/messages", params={"phone": "5511911112222"}).json() == []


def test_missing_or_bad_key_is_401(make_host):
    host = make_host().start()
    import requests
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
        answer = requests.get(host.url + "/api/instances", headers=headers, timeout=10)
        assert answer.status_code == 401
        assert answer.json()["error"]["code"] == "unauthorized"
