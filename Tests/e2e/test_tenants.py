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


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def texts_to(host, phone):
    return [m["text"] for m in host.api("GET", "/sim/messages", params={"phone": phone}).json()]


def test_bots_bind_only_within_their_company(make_host, tmp_path):
    """SPEC §6: top-level folders serve `default`; another company's bots live
    under companies/<name>/ with its own _shared/, and bind only its instances."""
    scripts = tmp_path / "bots"
    write(scripts / "_shared" / "preco.lua", 'return "tabela do default"')
    write(scripts / "vendas" / "main.lua",
          'local preco = require "preco"\non("message", function(msg) msg:reply("default: " .. preco) end)')
    write(scripts / "suporte" / "main.lua", 'on("message", function(msg) msg:reply("suporte do default") end)')
    write(scripts / "companies" / "other" / "_shared" / "preco.lua", 'return "tabela da other"')
    write(scripts / "companies" / "other" / "vendas" / "main.lua",
          'local preco = require "preco"\non("message", function(msg) msg:reply("other: " .. preco) end)')
    host = make_host(scripts).start()
    other = second_company_key(host)
    mine = pair(host, "vendas", "5511999998888")
    theirs = pair(host, "vendas", "5511977776666", key=other)
    namesake = pair(host, "suporte", "5511966665555", key=other)

    contact_writes(host, "5511999998888", "5511911112222", "João", "oi")
    contact_writes(host, "5511977776666", "5511922223333", "Ana", "oi")
    contact_writes(host, "5511966665555", "5511933334444", "Bia", "oi")

    assert wait_for(lambda: texts_to(host, "5511911112222")) == ["default: tabela do default"]
    assert wait_for(lambda: texts_to(host, "5511922223333")) == ["other: tabela da other"]
    namesake_conversation = conversations(host, key=other, instance_id=namesake["id"])["items"][0]
    messages = host.api("GET", f"/api/conversations/{namesake_conversation['id']}/messages", key=other).json()["items"]
    assert [m["direction"] for m in messages] == ["in"], "default's `suporte` must not answer other's customers"

    listed = {s["instance"]["id"]: s for s in host.api("GET", "/api/scripts", key=other).json()["items"]}
    assert set(listed) == {theirs["id"], namesake["id"]}
    assert listed[theirs["id"]]["folder"] == "vendas" and listed[theirs["id"]]["version"]
    assert listed[namesake["id"]]["folder"] is None and listed[namesake["id"]]["version"] is None
    reloaded = host.api("POST", "/api/scripts/reload", key=other)
    assert reloaded.status_code == 200
    assert {s["instance"]["id"] for s in reloaded.json()["items"]} == {theirs["id"], namesake["id"]}
    assert mine["id"] in {s["instance"]["id"] for s in host.api("GET", "/api/scripts").json()["items"]}


def test_missing_or_bad_key_is_401(make_host):
    host = make_host().start()
    import requests
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
        answer = requests.get(host.url + "/api/instances", headers=headers, timeout=10)
        assert answer.status_code == 401
        assert answer.json()["error"]["code"] == "unauthorized"
