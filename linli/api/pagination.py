"""Limit/offset pagination with bounds, refused with a 400 when a value is out of them.

DRF's stock class quietly replaces a bad `limit` with the default and passes any `limit` to the database,
where an integer past 64 bits is a server error on SQLite. Here each value is an integer within the bounds
the OpenAPI document states, or the request is refused and says which bounds apply.
"""

from __future__ import annotations

import re
from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

MAX_LIMIT = 500
# Far past any table here, and within a 32-bit integer on every database.
MAX_OFFSET = 2**31 - 1
_INTEGER = re.compile(r"[+-]?[0-9]+")


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    max_limit = MAX_LIMIT

    def get_limit(self, request: Request) -> int:
        return self._bounded(request, self.limit_query_param, 1, MAX_LIMIT, self.default_limit or MAX_LIMIT)

    def get_offset(self, request: Request) -> int:
        return self._bounded(request, self.offset_query_param, 0, MAX_OFFSET, 0)

    @staticmethod
    def _bounded(request: Request, name: str, low: int, high: int, default: int) -> int:
        values = request.query_params.getlist(name)
        if not values:
            return default
        if len(values) == 1 and _INTEGER.fullmatch(values[0]) and low <= int(values[0]) <= high:
            return int(values[0])
        # Both languages at once, like the API's other messages: callers are programs as often as people.
        raise ValidationError(
            {
                name: [
                    f"{name} 须为 {low} 到 {high} 之间的一个整数 / {name} must be one whole number from {low} to {high}"
                ]
            }
        )

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        bounds = {self.limit_query_param: (1, MAX_LIMIT), self.offset_query_param: (0, MAX_OFFSET)}
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            low, high = bounds[parameter["name"]]
            parameter["schema"] = {"type": "integer", "minimum": low, "maximum": high}
        return parameters
