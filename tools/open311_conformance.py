"""An Open311 GeoReport v2 conformance check, written from the specification (wiki.open311.org/GeoReport_v2
and its Service Discovery page) and nothing of the server it checks. Standard library only.

    python tools/open311_conformance.py --url http://127.0.0.1:8000/open311/v2/ --api-key KEY \
        [--lat 39.915 --long 116.415] [--address-string TEXT]

It checks discovery, the service list, a service definition, a keyed POST read back by id and by token,
GET requests with its filters and date ranges, both formats (XML is required, JSON is announced by
discovery), and the error format and status codes for a wrong api_key, an unknown service code and a
missing location. The POST creates one request (twice sent, once stored when the server honours a client
request id). Prints one line per check; exits 1 if any failed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode, urljoin
from urllib.request import Request, urlopen

SPEC = "http://wiki.open311.org/GeoReport_v2"
# W3C datetime with a time zone (Z or an offset), as the spec requires of every date/time field.
W3C = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}
REQUEST_FIELDS = ("service_request_id", "status", "service_code", "requested_datetime")
# Made-up personal data sent with the POST; none of it may come back in a GET.
NAME = ("Conformance", "Tester")
PHONE = "13800138000"
EMAIL = "open311.conformance@example.com"


@dataclass
class Answer:
    status: int
    content_type: str
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))

    def xml(self) -> ET.Element:
        return ET.fromstring(self.body)  # noqa: S314 - the server under test, run by the person testing it


@dataclass
class Checker:
    base: str
    api_key: str
    failures: list[str] = field(default_factory=list)
    passed: int = 0

    def check(self, name: str, ok: bool, detail: Any = "") -> bool:
        if ok:
            self.passed += 1
            print(f"PASS {name}")
        else:
            self.failures.append(name)
            print(f"FAIL {name}: {str(detail)[:300]}")
        return ok

    def call(
        self, method: str, path: str, query: dict[str, str] | None = None, form: Any = None, **headers: str
    ) -> Answer:
        url = urljoin(self.base, path) + ("?" + urlencode(query) if query else "")
        data = urlencode(form).encode() if form is not None else None
        if data is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
        request = Request(url, data=data, method=method, headers=headers)  # noqa: S310 - http(s) given by the tester
        try:
            with urlopen(request, timeout=30) as response:  # noqa: S310
                return Answer(response.status, response.headers.get("Content-Type", ""), response.read())
        except HTTPError as error:
            return Answer(error.code, error.headers.get("Content-Type", ""), error.read())

    # -- helpers ------------------------------------------------------------------------------------------

    def content_type(self, name: str, answer: Answer, fmt: str) -> None:
        wanted = "text/xml" if fmt == "xml" else "application/json"
        ctype = answer.content_type.lower()
        self.check(
            f"{name}: Content-Type {wanted}; charset=utf-8", ctype.startswith(wanted) and "utf-8" in ctype, ctype
        )

    def error_format(self, name: str, answer: Answer, status: int, fmt: str) -> None:
        """HTTP status as the spec says, and a body of errors, each with a code and a description."""
        self.check(f"{name}: HTTP {status}", answer.status == status, answer.status)
        try:
            if fmt == "json":
                errors = answer.json()
                ok = isinstance(errors, list) and bool(errors)
                ok = ok and all(isinstance(e, dict) and "code" in e and e.get("description") for e in errors)
            else:
                root = answer.xml()
                items = root.findall("error")
                ok = root.tag == "errors" and bool(items)
                ok = ok and all(e.findtext("code") and e.findtext("description") for e in items)
        except (ValueError, ET.ParseError) as error:
            ok, errors = False, error
        self.check(f"{name}: errors body in {fmt}", ok, answer.body[:200])

    def requests_json(self, query: dict[str, str]) -> list[dict[str, Any]]:
        answer = self.call("GET", "requests.json", {"api_key": self.api_key, **query})
        if answer.status != 200:
            return []
        data = answer.json()
        return data if isinstance(data, list) else []


def check_discovery(c: Checker) -> None:
    answer = c.call("GET", "discovery.json")
    c.check("discovery.json answers 200", answer.status == 200, answer.status)
    data = answer.json() if answer.status == 200 else {}
    c.check(
        "discovery has changeset, contact, key_service, endpoints",
        all(k in data for k in ("changeset", "contact", "key_service", "endpoints")),
        data,
    )
    endpoints = [e for e in data.get("endpoints", []) if e.get("specification") == SPEC]
    c.check("discovery lists a GeoReport v2 endpoint", bool(endpoints), data.get("endpoints"))
    for endpoint in endpoints[:1]:
        c.check(
            "endpoint has url, changeset, type, formats",
            all(k in endpoint for k in ("url", "changeset", "type", "formats")),
        )
        c.check(
            "endpoint type is production or test", endpoint.get("type") in {"production", "test"}, endpoint.get("type")
        )
        c.check("endpoint formats include text/xml (required)", "text/xml" in endpoint.get("formats", []))
        c.check(
            "endpoint formats include application/json (checked below)",
            "application/json" in endpoint.get("formats", []),
        )
    answer = c.call("GET", "discovery.xml")
    c.content_type("discovery.xml", answer, "xml")
    root = answer.xml() if answer.status == 200 else ET.Element("none")
    c.check(
        "discovery.xml root and endpoint",
        root.tag == "discovery" and root.find("endpoints/endpoint/specification") is not None,
    )


def check_services(c: Checker) -> dict[str, Any]:
    answer = c.call("GET", "services.json")
    c.content_type("services.json", answer, "json")
    services = answer.json() if answer.status == 200 else []
    c.check("services.json is a non-empty list", isinstance(services, list) and bool(services), answer.body[:200])
    for s in services:
        if not (
            "service_code" in s
            and "service_name" in s
            and isinstance(s.get("metadata"), bool)
            and s.get("type") in {"realtime", "batch", "blackbox"}
        ):
            c.check("every service has service_code, service_name, metadata (true/false), type", False, s)
            break
    else:
        c.check("every service has service_code, service_name, metadata (true/false), type", True)
    answer = c.call("GET", "services.xml")
    c.content_type("services.xml", answer, "xml")
    root = answer.xml()
    codes_xml = [s.findtext("service_code") for s in root.findall("service")]
    c.check(
        "services.xml lists the same services",
        root.tag == "services" and codes_xml == [s["service_code"] for s in services],
    )
    c.check(
        "services.xml writes metadata as true/false",
        all(s.findtext("metadata") in {"true", "false"} for s in root.findall("service")),
    )
    return next((s for s in services if s.get("type") == "realtime"), services[0] if services else {})


def check_definition(c: Checker, service: dict[str, Any]) -> list[dict[str, Any]]:
    code = service.get("service_code", "")
    answer = c.call("GET", f"services/{code}.json")
    c.check(f"services/{code}.json answers 200", answer.status == 200, answer.status)
    definition = answer.json() if answer.status == 200 else {}
    c.check(
        "definition echoes the service_code", definition.get("service_code") == code, definition.get("service_code")
    )
    attributes = definition.get("attributes", [])
    ok = all(
        isinstance(a.get("variable"), bool)
        and a.get("code")
        and a.get("datatype") in DATATYPES
        and isinstance(a.get("required"), bool)
        and isinstance(a.get("order"), int)
        and "description" in a
        and (a["datatype"] not in {"singlevaluelist", "multivaluelist"} or a.get("values"))
        for a in attributes
    )
    c.check(
        "every attribute has variable, code, datatype, required, order, description (values for lists)", ok, attributes
    )
    orders = [a.get("order") for a in attributes]
    c.check(
        "attribute orders are distinct positive integers",
        len(set(orders)) == len(orders) and all(o > 0 for o in orders),
    )
    root = c.call("GET", f"services/{code}.xml").xml()
    c.check("definition in XML", root.tag == "service_definition" and root.findtext("service_code") == code)
    c.error_format(
        "unknown service definition", c.call("GET", f"services/no-such-{uuid.uuid4().hex[:8]}.json"), 404, "json"
    )
    return attributes


def form_for(
    c: Checker, service: dict[str, Any], attributes: list[dict[str, Any]], location: dict[str, str], client_id: str
) -> dict[str, str]:
    form = {
        "api_key": c.api_key,
        "service_code": service["service_code"],
        **location,
        "description": "Open311 conformance check: please ignore",
        "first_name": NAME[0],
        "last_name": NAME[1],
        "phone": PHONE,
        "email": EMAIL,
    }
    for attribute in attributes:
        if not attribute.get("variable"):
            continue
        key = f"attribute[{attribute['code']}]"
        if attribute["datatype"] in {"singlevaluelist", "multivaluelist"}:
            form[key] = str(attribute["values"][0]["key"])
        elif attribute["code"] == "client_request_id" or attribute.get("required"):
            form[key] = client_id if attribute["code"] == "client_request_id" else "conformance"
    return form


def check_post(c: Checker, service: dict[str, Any], attributes: list[dict[str, Any]], location: dict[str, str]) -> str:
    client_id = f"conformance-{uuid.uuid4().hex}"
    form = form_for(c, service, attributes, location, client_id)
    answer = c.call("POST", "requests.json", form=form, **{"Idempotency-Key": client_id})
    c.check("keyed POST requests.json is accepted (2xx)", 200 <= answer.status < 300, answer.body[:300])
    c.content_type("POST requests.json", answer, "json")
    created = answer.json() if 200 <= answer.status < 300 else [{}]
    number = str(created[0].get("service_request_id") or "")
    c.check("POST answers a list with a service_request_id", bool(number), created)
    again = c.call("POST", "requests.xml", form=form, **{"Idempotency-Key": client_id})
    c.content_type("POST requests.xml", again, "xml")
    root = again.xml() if 200 <= again.status < 300 else ET.Element("none")
    c.check(
        "POST requests.xml answers service_requests/request/service_request_id",
        root.tag == "service_requests" and bool(root.findtext("request/service_request_id")),
        again.body[:200],
    )
    c.check("the same client request id gives the same request", root.findtext("request/service_request_id") == number)
    # Read back by id, in both formats.
    one = c.call("GET", f"requests/{number}.json", {"api_key": c.api_key})
    got = one.json() if one.status == 200 else []
    c.check(
        "GET requests/<id>.json finds it",
        len(got) == 1 and str(got[0].get("service_request_id")) == number,
        one.body[:200],
    )
    if got:
        r = got[0]
        c.check("the request has the spec's fields", all(k in r for k in REQUEST_FIELDS), sorted(r))
        c.check("its status is open", r.get("status") == "open", r.get("status"))
        c.check("its service_code is the one posted", r.get("service_code") == service["service_code"])
        c.check("requested_datetime is a W3C datetime with a zone", bool(W3C.match(str(r.get("requested_datetime")))))
        c.check(
            "updated_datetime is a W3C datetime with a zone",
            r.get("updated_datetime") is None or bool(W3C.match(str(r.get("updated_datetime")))),
        )
    root = c.call("GET", f"requests/{number}.xml", {"api_key": c.api_key}).xml()
    c.check(
        "GET requests/<id>.xml finds it",
        root.tag == "service_requests" and root.findtext("request/service_request_id") == number,
    )
    c.check("its XML status is open or closed", root.findtext("request/status") in {"open", "closed"})
    # And by token.
    token = c.call("GET", f"tokens/{client_id}.json", {"api_key": c.api_key})
    data = token.json() if token.status == 200 else []
    c.check(
        "GET tokens/<token>.json gives the service_request_id",
        bool(data) and str(data[0].get("service_request_id")) == number,
        token.body[:200],
    )
    root = c.call("GET", f"tokens/{client_id}.xml", {"api_key": c.api_key}).xml()
    c.check(
        "GET tokens/<token>.xml gives the service_request_id",
        root.findtext("request/service_request_id") == number and root.findtext("request/token") == client_id,
    )
    # Nothing of the reporter in what anyone reads back.
    for path in (f"requests/{number}.json", f"requests/{number}.xml", "requests.json"):
        text = c.call("GET", path, {"api_key": c.api_key, "extensions": "true"}).body.decode("utf-8", "replace")
        c.check(
            f"{path} holds none of the reporter's name, phone or e-mail",
            not any(secret in text for secret in (*NAME, PHONE, EMAIL)),
            path,
        )
    return number


def check_queries(c: Checker, service: dict[str, Any], number: str) -> None:
    def ids(query: dict[str, str]) -> set[str]:
        return {str(r.get("service_request_id")) for r in c.requests_json(query)}

    now = datetime.now(UTC)
    w3 = lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    c.check("GET requests.json (default: the latest 90 days) includes it", number in ids({}))
    c.check("service_request_id=<id> finds exactly it", ids({"service_request_id": number}) == {number})
    c.check(
        "service_request_id overrides other arguments",
        ids({"service_request_id": number, "status": "closed"}) == {number},
    )
    c.check("status=open includes it", number in ids({"status": "open"}))
    c.check("status=closed leaves it out", number not in ids({"status": "closed"}))
    c.check("status=open,closed includes it", number in ids({"status": "open,closed"}))
    c.check("service_code=<its code> includes it", number in ids({"service_code": service["service_code"]}))
    c.check(
        "a date range around now includes it",
        number in ids({"start_date": w3(now - timedelta(days=1)), "end_date": w3(now + timedelta(days=1))}),
    )
    c.check(
        "a date range in the past leaves it out",
        number not in ids({"start_date": w3(now - timedelta(days=40)), "end_date": w3(now - timedelta(days=30))}),
    )
    c.check("start_date alone: 90 days from it include it", number in ids({"start_date": w3(now - timedelta(days=2))}))
    for r in c.requests_json({}):
        if r.get("status") not in {"open", "closed"} or not W3C.match(str(r.get("requested_datetime"))):
            c.check("every listed request has status open/closed and a W3C requested_datetime", False, r)
            break
    else:
        c.check("every listed request has status open/closed and a W3C requested_datetime", True)
    c.check("at most 1000 requests by default", len(c.requests_json({})) <= 1000)
    root = c.call("GET", "requests.xml", {"api_key": c.api_key, "service_request_id": number}).xml()
    c.check(
        "GET requests.xml with a filter",
        root.tag == "service_requests" and [e.text for e in root.iter("service_request_id")] == [number],
    )
    wide = {"start_date": w3(now - timedelta(days=200)), "end_date": w3(now)}
    for fmt in ("json", "xml"):
        answer = c.call("GET", f"requests.{fmt}", wide)
        if answer.status == 200:  # a server may serve a wider range; if it refuses, it says so in the spec's form
            c.check(f"a 200-day range in {fmt}: served", True)
        else:
            c.error_format(f"a 200-day range in {fmt}", answer, 400, fmt)


def check_errors(
    c: Checker, service: dict[str, Any], attributes: list[dict[str, Any]], location: dict[str, str]
) -> None:
    form = form_for(c, service, attributes, location, f"conformance-{uuid.uuid4().hex}")
    for fmt in ("json", "xml"):
        c.error_format(
            f"POST with a wrong api_key ({fmt})",
            c.call("POST", f"requests.{fmt}", form={**form, "api_key": "wrong-" + uuid.uuid4().hex}),
            403,
            fmt,
        )
        c.error_format(
            f"POST without api_key ({fmt})",
            c.call("POST", f"requests.{fmt}", form={k: v for k, v in form.items() if k != "api_key"}),
            403,
            fmt,
        )
        c.error_format(
            f"POST with an unknown service_code ({fmt})",
            c.call("POST", f"requests.{fmt}", form={**form, "service_code": "no-such-" + uuid.uuid4().hex[:8]}),
            404,
            fmt,
        )
        unlocated = {k: v for k, v in form.items() if k not in {"lat", "long", "address_string", "address_id"}}
        c.error_format(f"POST without a location ({fmt})", c.call("POST", f"requests.{fmt}", form=unlocated), 400, fmt)
        c.error_format(
            f"GET an unknown request ({fmt})", c.call("GET", f"requests/no-such-{uuid.uuid4().hex[:6]}.{fmt}"), 404, fmt
        )


def check_updates(c: Checker, number: str) -> None:
    """mySociety's extension, where the server offers it: a list of updates with the extension's fields."""
    answer = c.call("GET", "servicerequestupdates.json", {"api_key": c.api_key})
    if answer.status == 404:
        print("SKIP servicerequestupdates (not offered)")
        return
    updates = answer.json() if answer.status == 200 else None
    c.check("servicerequestupdates.json is a list", isinstance(updates, list), answer.body[:200])
    fields = ("update_id", "service_request_id", "status", "updated_datetime", "description")
    c.check("every update has the extension's fields", all(all(k in u for k in fields) for u in updates or []))
    c.check(
        "the new request's submission is an update",
        any(str(u.get("service_request_id")) == number for u in updates or []),
    )
    root = c.call("GET", "servicerequestupdates.xml", {"api_key": c.api_key}).xml()
    c.check("servicerequestupdates.xml", root.tag in {"service_request_updates", "service_requests_updates"})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--url", required=True, help="the GeoReport v2 endpoint, e.g. http://127.0.0.1:8000/open311/v2/"
    )
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--lat", default="39.915", help="a point the server serves (default: inside the demo city)")
    parser.add_argument("--long", default="116.415")
    parser.add_argument("--address-string", default="", help="a location by address instead of --lat/--long")
    args = parser.parse_args(argv)
    base = args.url if args.url.endswith("/") else args.url + "/"
    c = Checker(base=base, api_key=args.api_key)
    location = {"address_string": args.address_string} if args.address_string else {"lat": args.lat, "long": args.long}
    check_discovery(c)
    service = check_services(c)
    if not service:
        print("no service to post to: stopping")
        return 1
    attributes = check_definition(c, service)
    number = check_post(c, service, attributes, location)
    if number:
        check_queries(c, service, number)
        check_updates(c, number)
    check_errors(c, service, attributes, location)
    print(f"{c.passed} passed, {len(c.failures)} failed")
    return 1 if c.failures else 0


if __name__ == "__main__":
    sys.exit(main())
