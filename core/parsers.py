"""The API's JSON parser: refuses text containing NUL characters with a field message.

PostgreSQL text cannot hold U+0000; without this a NUL in any string would reach the database
and fail there (a 500) instead of answering 400 like every other bad value.
"""

from collections.abc import Mapping
from typing import IO, Any

from rest_framework import exceptions
from rest_framework.parsers import JSONParser

NUL_MESSAGE = "Text may not contain NUL (\\u0000) characters."


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class JSONWithoutNulParser(JSONParser):
    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:  # noqa: ANN401 - any JSON value
        data = super().parse(stream, media_type, parser_context)
        if isinstance(data, dict):
            fields = sorted(str(k) for k, v in data.items() if _has_nul(k) or _has_nul(v))
            if fields:
                raise exceptions.ValidationError({field: [NUL_MESSAGE] for field in fields})
        elif _has_nul(data):
            raise exceptions.ValidationError({"non_field_errors": [NUL_MESSAGE]})
        return data
