"""Every status an endpoint can answer with is in the OpenAPI document, with the body it comes with.

drf-spectacular documents the success response of each operation; the errors DRF and our views raise are
added here, by what the operation takes: every operation needs a logged-in caller (401 or 403, which one
depends on the authentication class that answers first), parameters and bodies can be invalid (400),
a path with an identifier can name nothing in the caller's scope (404), a body can come in a type no parser
reads (415). A view that answers 404 for another reason declares it itself with `extend_schema` (a
description is enough: the error body is filled in here).
"""

from __future__ import annotations

from typing import Any

ERROR = {
    "type": "object",
    "description": "What went wrong, in Chinese and English.",
    "properties": {"detail": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}},
    "required": ["detail"],
}
VALIDATION_ERROR = {
    "type": "object",
    "description": "Each invalid field or parameter, with what is wrong with it.",
    "additionalProperties": {
        "oneOf": [
            {"type": "array", "items": {"type": "string"}},
            {"type": "string"},
            {"type": "object"},
        ]
    },
}
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def _response(description: str, component: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
    }


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR
    schemas["ValidationError"] = VALIDATION_ERROR
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            errors = {
                "401": _response("Not logged in (an authentication scheme that can challenge)", "Error"),
                "403": _response("Not logged in, or not allowed to do this", "Error"),
            }
            if operation.get("parameters") or operation.get("requestBody"):
                errors["400"] = _response("A parameter or the body is invalid", "ValidationError")
            if "{" in path:
                errors["404"] = _response("Nothing with this identifier in your scope", "Error")
            if operation.get("requestBody"):
                errors["415"] = _response("The body's content type is not one the API reads", "Error")
            for status, response in errors.items():
                responses.setdefault(status, response)
            for status, response in responses.items():
                # A view's own extend_schema names an error status and why; the body is the common one.
                if status.startswith(("4", "5")) and "content" not in response:
                    response["content"] = _response("", "Error")["content"]
    return result
