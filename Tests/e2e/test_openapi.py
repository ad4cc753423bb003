"""Real answers of a running daemon checked against docs/openapi.yaml (OpenAPI 3.1,
whose schemas are JSON Schema 2020-12)."""
import re

import jsonschema
import yaml
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from conftest import ROOT
from steps import contact_writes, conversations, create_instance, pair, wait_for

SPEC = yaml.safe_load((ROOT / "docs" / "openapi.yaml").read_text())
REGISTRY = Registry().with_resource("urn:openapi", DRAFT202012.create_resource(SPEC))


def operation(path, method):
    for template, item in SPEC["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path) and method.lower() in item:
            return template, item[method.lower()]
    raise AssertionError(f"{method} {path} is not described in docs/openapi.yaml")


def escape(part):
    return str(part).replace("~", "~0").replace("/", "~1")


def check(answer, method, path):
    template, op = operation(path, method)
    location = ["paths", template, method.lower(), "responses"]
    responses = op["responses"]
    status = str(answer.status_code)
    key = next((k for k in (status, status[0] + "XX", "default") if k in responses), None)
    assert key, f"{method} {template} answered {answer.status_code}, which is not described"
    location.append(key)
    described = responses[key]
    while "$ref" in described:
        location = described["$ref"].lstrip("#/").split("/")
        described = resolve(described)
    kind = answer.headers.get("content-type", "").split(";")[0]
    if kind == "application/json":
        content = described.get("content", {})
        assert "application/json" in content, f"{method} {template} {answer.status_code}: JSON not described"
        pointer = "/".join(escape(part) for part in location + ["content", "application/json", "schema"])
        validator = jsonschema.Draft202012Validator({"$ref": "urn:openapi#/" + pointer}, registry=REGISTRY)
        errors = sorted(validator.iter_errors(answer.json()), key=lambda e: list(e.path))
        assert not errors, f"{method} {template} {answer.status_code}: " + "; ".join(e.message for e in errors[:3])
    return answer


def resolve(node):
    while "$ref" in node:
        target = SPEC
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def test_responses_match_the_openapi_description(make_host):
    host = make_host().start()

    def call(method, path, **kwargs):
        return check(host.api(method, path, **kwargs), method, path.split("?")[0])

    sales = pair(host, "Vendas", "5511999998888")
    created = create_instance(host, "Outra")
    check(host.api("GET", "/api/instances"), "GET", "/api/instances")
    call("GET", f"/api/instances/{sales['id']}")
    call("PATCH", f"/api/instances/{created['id']}", json={"name": "Renomeada"})
    call("POST", f"/api/instances/{created['id']}/connect")
    contact_writes(host, "5511999998888", "5511911112222", "João", "oi")
    row = wait_for(lambda: conversations(host)["items"])[0]
    call("GET", "/api/conversations")
    call("GET", f"/api/conversations/{row['id']}/messages")
    call("POST", f"/api/conversations/{row['id']}/messages", json={"text": "olá"})
    call("GET", "/api/scripts")
    call("POST", "/api/scripts/reload")
    call("GET", "/api/instances/not-a-uuid")
    call("GET", "/api/conversations/999999/messages")
    check(host.api("GET", "/api/instances", key="wrong"), "GET", "/api/instances")
    call("POST", f"/api/instances/{created['id']}/logout")
    call("DELETE", f"/api/instances/{created['id']}")
    check(host.api("GET", "/healthz"), "GET", "/healthz")
    check(host.api("GET", "/sim/messages", params={"phone": "5511911112222"}), "GET", "/sim/messages")
