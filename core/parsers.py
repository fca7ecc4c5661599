"""The API's JSON parser: refuses what the database or Python cannot hold, with a clear 400/413.

- NUL (U+0000) and unpaired surrogates (e.g. "\\ud800", valid JSON but not encodable as UTF-8):
  PostgreSQL text cannot hold the first and psycopg cannot encode the second, so without this
  they would reach the database and fail there (a 500) instead of answering 400 with a field
  message like every other bad value.
- Nesting deeper than MAX_JSON_DEPTH: no request of this API nests more than a few levels, and
  ~1000 levels make `json.loads` (or any recursive walk after it) raise RecursionError.
A body larger than DATA_UPLOAD_MAX_MEMORY_SIZE never gets here: Django refuses to read it and
portal.middleware.HostileInputMiddleware answers 413.
"""

from collections.abc import Mapping
from typing import IO, Any

from rest_framework import exceptions
from rest_framework.parsers import JSONParser

NUL_MESSAGE = "Text may not contain NUL (\\u0000) characters."
SURROGATE_MESSAGE = "Text may not contain unpaired surrogate characters (such as \\ud800)."
MAX_JSON_DEPTH = 32
DEPTH_MESSAGE = f"JSON nested more than {MAX_JSON_DEPTH} levels deep is not accepted."


class TooDeep(exceptions.ParseError):
    default_detail = DEPTH_MESSAGE


def text_problem(value: str) -> str:
    """The message for a string the database cannot store, or ""."""
    if "\x00" in value:
        return NUL_MESSAGE
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return SURROGATE_MESSAGE
    return ""


def first_problem(value: object) -> str:
    """The first text problem anywhere in a parsed JSON value, or "". Iterative, so a deeply
    nested value cannot exhaust the stack; raises TooDeep past MAX_JSON_DEPTH."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            problem = text_problem(item)
            if problem:
                return problem
        elif isinstance(item, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise TooDeep()
            if isinstance(item, dict):
                for key, child in item.items():
                    stack.append((key, depth))
                    stack.append((child, depth + 1))
            else:
                stack.extend((child, depth + 1) for child in item)
    return ""


class JSONWithoutNulParser(JSONParser):
    """JSON, refusing NUL, unpaired surrogates and deep nesting."""

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:  # noqa: ANN401 - any JSON value
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise TooDeep() from None
        if isinstance(data, dict):
            errors: dict[str, list[str]] = {}
            for key, value in data.items():
                problem = first_problem(key) or first_problem(value)
                if problem:
                    errors[_field_name(key)] = [problem]
            if errors:
                raise exceptions.ValidationError(dict(sorted(errors.items())))
        else:
            problem = first_problem(data)
            if problem:
                raise exceptions.ValidationError({"non_field_errors": [problem]})
        return data


def _field_name(key: object) -> str:
    """A key safe to echo back in the error (a NUL or surrogate in the key itself is replaced)."""
    return str(key).replace("\x00", "\\u0000").encode("utf-8", "backslashreplace").decode("utf-8")
