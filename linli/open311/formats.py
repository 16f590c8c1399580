"""Open311's two formats from one structure: JSON as it is, XML by the Spark convention the spec uses (a list
becomes an element per item, named by `ITEM_NAMES`; true/false as words; nothing as an empty element)."""

from __future__ import annotations

import json
import re
from typing import Any
from xml.etree.ElementTree import Element, tostring

from django.http import HttpResponse

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "notes": "note",
}
# Characters XML 1.0 cannot carry at all; stored text never has them (intake refuses control characters),
# but an answer must never be a broken document because of one.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class Open311Error(Exception):
    """Answered in the spec's error format: HTTP 404 for what does not exist, 403 for a missing or wrong
    api_key, 400 for anything else; each description is one `error` of the body."""

    def __init__(self, status: int, *descriptions: str) -> None:
        super().__init__(*descriptions)
        self.status = status
        self.descriptions = [str(d) for d in descriptions]


def _element(name: str, value: Any) -> Element:
    element = Element(name)
    if isinstance(value, dict):
        for key, item in value.items():
            element.append(_element(key, item))
    elif isinstance(value, list | tuple):
        child = ITEM_NAMES.get(name, "item")
        for item in value:
            element.append(_element(child, item))
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = _NOT_XML.sub("", str(value))
    return element


def to_xml(root: str, data: Any) -> bytes:
    body = tostring(_element(root, data), encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body).encode()


def render(fmt: str, root: str, data: Any, status: int = 200) -> HttpResponse:
    """`root` names the XML document element (`services`, `service_requests` …); JSON has no root."""
    if fmt == "json":
        content = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    else:
        content = to_xml(root, data)
    return HttpResponse(content, status=status, content_type=CONTENT_TYPES.get(fmt, CONTENT_TYPES["xml"]))


def error_response(fmt: str, error: Open311Error) -> HttpResponse:
    errors = [{"code": error.status, "description": d} for d in error.descriptions]
    return render(fmt, "errors", errors, status=error.status)
