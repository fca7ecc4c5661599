"""Database helpers shared by the apps' selectors and services."""

from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, F, Func, Q
from django.db.models.sql.compiler import SQLCompiler


class AnyOf(Func):
    """`column = ANY(%s)` with the ids as one array parameter (PostgreSQL).

    Five hundred ids written out as IN (%s, ...) in each of several conditions cost more to
    prepare and parse than the sweep's own work; one array parameter costs nothing.
    """

    output_field = BooleanField()

    def __init__(self, column: str, values: Iterable[object]) -> None:
        super().__init__(F(column))
        # The array travels as one parameter: Django's own types only know scalar parameters.
        self.values: list[Any] = list(values)

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, tuple[Any, ...]]:
        column, params = compiler.compile(self.source_expressions[0])
        return f"{column} = ANY(%s)", (*params, self.values)


def id_in(column: str, values: Iterable[object]) -> Q:
    """`column IN values`, as one array parameter on PostgreSQL."""
    if connection.vendor == "postgresql":
        return Q(AnyOf(column, values))
    return Q(**{f"{column}__in": list(values)})
