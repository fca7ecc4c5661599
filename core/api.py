"""What every app's API shares: the `?patient=ID` parameter and the cleaned-input serializer."""

from collections.abc import Mapping
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from core.errors import NON_FIELD, FieldErrors

PATIENT_PARAM = OpenApiParameter(
    "patient",
    OpenApiTypes.INT,
    description="Clinicians: a patient's id, to read only that patient's records.",
)
NOT_AN_OBJECT = "Expected a JSON object."


# An input serializer whose validation is the domain's pure cleaner (`clean`). The declared
# fields document the body for the schema; the cleaner the HTML forms reach through the
# services decides what is valid, so a page and the API accept the same values and answer with
# the same field messages. Fields in `ignored_input` (output fields a client echoes back) are
# dropped before cleaning. (Comments, not a docstring: the schema would publish a docstring.)
class CleanedInput(serializers.Serializer[dict[str, Any]]):
    ignored_input: frozenset[str] = frozenset()

    def to_internal_value(self, data: object) -> dict[str, Any]:
        if not isinstance(data, Mapping):
            raise serializers.ValidationError({NON_FIELD: [NOT_AN_OBJECT]})
        values = {key: value for key, value in data.items() if key not in self.ignored_input}
        try:
            return self.clean(values)
        except FieldErrors as error:
            raise serializers.ValidationError(error.errors) from None

    def clean(self, values: dict[str, Any]) -> dict[str, Any]:
        """Typed values, or FieldErrors with every problem found."""
        raise NotImplementedError
