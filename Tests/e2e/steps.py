"""Small steps the end-to-end tests share: pairing a number, a contact writing."""
import time


def create_instance(host, name, key=None):
    response = host.api("POST", "/api/instances", key=key, json={"name": name})
    assert response.status_code == 201, response.text
    return response.json()


def pair(host, name, phone, key=None):
    """Creates an instance, connects it, and lets a simulated phone scan its QR."""
    instance = create_instance(host, name, key=key)
    connected = host.api("POST", f"/api/instances/{instance['id']}/connect", key=key)
    assert connected.status_code == 200, connected.text
    qr = wait_for(lambda: host.api("GET", f"/api/instances/{instance['id']}", key=key).json().get("qr_code"))
    scan = host.api("POST", "/sim/scan", json={"qr": qr, "phone": phone})
    assert scan.status_code == 200, scan.text
    assert scan.json()["instance_id"] == instance["id"]
    return wait_for(lambda: ready(host, instance["id"], key))


def ready(host, instance_id, key=None):
    current = host.api("GET", f"/api/instances/{instance_id}", key=key).json()
    return current if current["status"] == "CONNECTED" else None


def contact_writes(host, to, sender, name, text, message_id=None, group=None):
    body = {"to": to, "from": sender, "name": name, "text": text}
    if message_id:
        body["id"] = message_id
    if group:
        body["group"] = group
    response = host.api("POST", "/sim/messages", json=body)
    assert response.status_code == 202, response.text
    return response.json()["id"]


def wait_for(probe, timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def conversations(host, key=None, **params):
    response = host.api("GET", "/api/conversations", key=key, params=params)
    assert response.status_code == 200, response.text
    return response.json()
