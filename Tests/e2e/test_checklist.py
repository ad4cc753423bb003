"""The brief's checklist, over real HTTP against a running daemon."""
from steps import contact_writes, conversations, create_instance, pair, wait_for

SALES = "5511999998888"
SUPPORT = "5511988887777"


def test_brief_checklist(make_host):
    host = make_host().start()

    sales = pair(host, "WhatsApp Vendas", SALES)
    assert sales["status"] == "CONNECTED" and sales["phone_number"] == SALES
    for fmt, kind in (("png", "image/png"), ("svg", "image/svg+xml"), ("text", "text/plain")):
        other = create_instance(host, f"qr-{fmt}")
        host.api("POST", f"/api/instances/{other['id']}/connect")
        wait_for(lambda: host.api("GET", f"/api/instances/{other['id']}").json().get("qr_code"))
        qr = host.api("GET", f"/api/instances/{other['id']}/qr", params={"format": fmt})
        assert qr.status_code == 200 and qr.headers["content-type"].startswith(kind)
        assert len(qr.content) > 50
    support = pair(host, "WhatsApp Suporte", SUPPORT)

    contact_writes(host, SALES, "5511911112222", "João", "qual o preço?")
    contact_writes(host, SUPPORT, "5511933334444", "Pedro", "meu pedido atrasou")
    contact_writes(host, SALES, "5511922223333", "Maria", "oi")

    listing = wait_for(lambda: (lambda page: page if len(page["items"]) == 3 else None)(conversations(host)))
    rows = listing["items"]
    assert [row["contact_name"] for row in rows] == ["Maria", "Pedro", "João"]
    stamps = [row["last_message_at"] for row in rows]
    assert stamps == sorted(stamps, reverse=True)
    via = {row["contact_name"]: row["instance"] for row in rows}
    assert via["João"] == {"id": sales["id"], "name": "WhatsApp Vendas", "phone_number": SALES}
    assert via["Pedro"]["phone_number"] == SUPPORT

    only_sales = conversations(host, instance_id=sales["id"])["items"]
    assert {row["contact_name"] for row in only_sales} == {"João", "Maria"}

    pedro = next(row for row in rows if row["contact_name"] == "Pedro")
    sent = host.api("POST", f"/api/conversations/{pedro['id']}/messages", json={"text": "Vamos verificar!"})
    assert sent.status_code == 202, sent.text
    delivered = wait_for(lambda: [m for m in host.api("GET", "/sim/messages", params={"phone": "5511933334444"}).json()
                                  if m["text"] == "Vamos verificar!"])
    assert len(delivered) == 1 and delivered[0]["from"] == SUPPORT

    third = create_instance(host, "Intruso")
    host.api("POST", f"/api/instances/{third['id']}/connect")
    qr = wait_for(lambda: host.api("GET", f"/api/instances/{third['id']}").json().get("qr_code"))
    conflict = host.api("POST", "/sim/scan", json={"qr": qr, "phone": SALES})
    assert conflict.status_code == 409 and conflict.json()["error"]["code"] == "conflict"
    assert host.api("GET", f"/api/instances/{sales['id']}").json()["status"] == "CONNECTED"


def test_health_and_metrics(make_host):
    host = make_host().start()
    assert host.api("GET", "/healthz").json() == {"status": "ok"}
    metrics = host.api("GET", "/metrics")
    assert metrics.status_code == 200 and "crm_" in metrics.text

    pair(host, "WhatsApp Vendas", SALES)
    contact_writes(host, SALES, "5511911112222", "João", "oi")
    wait_for(lambda: conversations(host)["items"])
    values = {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
              for line in host.api("GET", "/metrics").text.splitlines() if line and not line.startswith("#")}
    assert values["crm_pipeline_batches_total"] >= 1
    assert values["crm_pipeline_writer_cpu_seconds_total"] > 0
