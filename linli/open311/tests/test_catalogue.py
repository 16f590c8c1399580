"""Discovery, services and service definitions in both formats; the spec's 404 and 400 for the rest."""

from __future__ import annotations

import pytest

from linli.orgs.models import Matter

from .conftest import BASE, parse

pytestmark = pytest.mark.django_db


def test_discovery_in_both_formats(client):
    data = client.get(f"{BASE}discovery.json").json()
    assert {"changeset", "contact", "key_service", "endpoints"} <= set(data)
    (endpoint,) = data["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2/") and set(endpoint["formats"]) == {"text/xml", "application/json"}
    root = parse(client.get(f"{BASE}discovery.xml").content)
    assert root.tag == "discovery" and root.findtext("endpoints/endpoint/type") in {"test", "production"}
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]
    assert client.get(BASE).content == client.get(f"{BASE}discovery.xml").content


def test_services_are_the_active_matters(client, matter):
    Matter.objects.create(code="M99999", name="停用事项", category="城乡建设", owner_level="street", is_active=False)
    (service,) = client.get(f"{BASE}services.json").json()
    assert service == {
        "service_code": "M01001",
        "service_name": "道路不洁",
        "description": "诉求",
        "metadata": True,
        "type": "realtime",
        "keywords": "路面脏",
        "group": "城乡建设",
    }
    root = parse(client.get(f"{BASE}services.xml").content)
    assert [s.findtext("service_code") for s in root.findall("service")] == ["M01001"]
    assert root.findtext("service/metadata") == "true"


def test_service_definition_asks_for_consent(client, matter):
    data = client.get(f"{BASE}services/{matter.code}.json").json()
    assert data["service_code"] == matter.code
    consent = data["attributes"][0]
    assert consent["code"] == "consent" and consent["required"] is True and consent["values"][0]["key"] == "yes"
    root = parse(client.get(f"{BASE}services/{matter.code}.xml").content)
    assert root.tag == "service_definition" and root.findtext("attributes/attribute/datatype") == "singlevaluelist"
    missing = client.get(f"{BASE}services/NOPE.json")
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404
    assert client.get(f"{BASE}services/M99999.json").status_code == 404
    assert client.get(f"{BASE}services.json", {"api_key": "wrong"}).status_code == 403


def test_unknown_addresses_and_methods_answer_in_the_specs_format(client):
    missing = client.get(f"{BASE}nothing.json")
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404
    root = parse(client.get(f"{BASE}services.html").content)
    assert root.tag == "errors" and root.findtext("error/code") == "404"
    wrong = client.put(f"{BASE}services.json")
    assert wrong.status_code == 400 and "GET" in wrong["Allow"]
    assert client.delete(f"{BASE}requests.xml").status_code == 400
