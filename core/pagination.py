"""The API's page-number pagination, hardened against hostile page numbers.

DRF's default answers 404 for a page past the end and hands any integer to the database: a page
such as 99999999999999999999 overflowed PostgreSQL's bigint OFFSET (a 500). Here a page that is
not a positive whole number answers 400 with a `page` message, and a page past the end is an
empty page (clients iterating until `next` is null stop cleanly either way).
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.views import APIView

# Far beyond any real list here; keeps OFFSET within PostgreSQL's bigint.
MAX_PAGE_NUMBER = 1_000_000
PAGE_MESSAGE = f"Enter a page number between 1 and {MAX_PAGE_NUMBER}."


def page_number(raw: str | None, *, default: int = 1) -> int:
    """A 1-based page number from a query value; ValueError when it is not one."""
    if raw in (None, ""):
        return default
    text = raw.strip()
    if not text.isascii() or not text.isdigit() or len(text) > len(str(MAX_PAGE_NUMBER)):
        raise ValueError(PAGE_MESSAGE)
    number = int(text)
    if not 1 <= number <= MAX_PAGE_NUMBER:
        raise ValueError(PAGE_MESSAGE)
    return number


class _EmptyPage(list[Any]):
    """The slice of a page past the end, with the Page interface DRF's responses use."""

    def __init__(self, number: int, paginator: Paginator[Any]) -> None:
        super().__init__()
        self.number = number
        self.paginator = paginator

    def has_next(self) -> bool:
        return False

    def has_previous(self) -> bool:
        return self.paginator.count > 0

    def previous_page_number(self) -> int:
        return self.paginator.num_pages


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(
        self,
        queryset: Any,  # noqa: ANN401 - a QuerySet or a list, as DRF passes it
        request: Request,
        view: APIView | None = None,
    ) -> list[Any] | None:
        self.request = request
        page_size = self.get_page_size(request)
        if not page_size:
            return None
        raw = request.query_params.get(self.page_query_param)
        if raw in self.last_page_strings:
            return super().paginate_queryset(queryset, request, view)
        try:
            number = page_number(raw)
        except ValueError as error:
            raise exceptions.ValidationError({self.page_query_param: [str(error)]}) from None
        paginator = self.django_paginator_class(queryset, page_size)
        try:
            self.page = paginator.page(number)
        except (EmptyPage, PageNotAnInteger):
            self.page = _EmptyPage(number, paginator)  # type: ignore[assignment]
        if paginator.num_pages > 1 and self.template is not None:
            self.display_page_controls = True
        return list(self.page or [])
