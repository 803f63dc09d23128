"""API glue shared by every app: error format, pagination (DESIGN.md, "API contract") and the
serializer field cache."""

import copy

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, Window
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from config.errors import DomainError


class FieldsBuiltOnce:
    """A `ModelSerializer` mixin: the fields are built from the model once per serializer class;
    each instance gets new field objects made from the same arguments.

    DRF introspects the model and builds every field on each instantiation: for the 45 fields
    of a card that was most of the Python time of `GET /api/v1/assets/{tag}/` (about 20 times
    what turning the card into JSON costs; bench/scale.py). Remaking a field from its recorded
    arguments is what DRF's own `Field.__deepcopy__` does for declared fields, without copying
    the arguments that fields only read (choices, querysets: a related field clones its
    queryset on use); an argument that is itself a field (a list's child) is copied. Only for
    serializers whose `get_fields` depends on the class alone, not the request or instance.
    """

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("_fields_built_once")
        if built is None:
            built = super().get_fields()
            cls._fields_built_once = built
        return {name: _remade(field) for name, field in built.items()}


def _remade(field):
    kwargs = {
        key: copy.deepcopy(value) if isinstance(value, serializers.Field) else value
        for key, value in field._kwargs.items()
    }
    return field.__class__(*field._args, **kwargs)


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class CountInPagePaginator(Paginator):
    """Takes the total from the page query itself (`COUNT(*) OVER ()`), not a second query.

    For a ranked search, PostgreSQL collects and sorts every match to find the first page, so
    the window count costs nothing more, where a separate COUNT runs the search a second time
    (bench/register.py). Not for plain filtered lists: their page query stops after its rows,
    and the window would make it read every match.
    """

    total_alias = "_count_in_page"

    def page(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        if self.orphans:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        window = {self.total_alias: Window(Count("*"))}
        rows = list(self.object_list.annotate(**window)[bottom : bottom + self.per_page])
        if not rows:
            # No match, or a page past the end: the ordinary count decides what to answer.
            return super().page(number)
        self.count = getattr(rows[0], self.total_alias)
        return self._get_page(rows, number, self)


def paginator_for(params) -> type[Paginator]:
    """The paginator for a list page or API list with these query parameters."""
    return CountInPagePaginator if (params.get("q") or "").strip() else Paginator


class KeysetPagination(CursorPagination):
    """Pages by position (`?cursor=`): each page continues after the last row of the one before
    (`WHERE key > last ORDER BY key LIMIT n`), so page 1,000 of a million cards costs what page
    1 costs, where `?page=` makes PostgreSQL read and skip every row before it. The view names
    its unique key in `cursor_ordering`; the answer has `next` and `previous`, no `count`.
    """

    cursor_query_param = "cursor"
    page_size = StandardPagination.page_size
    page_size_query_param = StandardPagination.page_size_query_param
    max_page_size = StandardPagination.max_page_size

    def get_ordering(self, request, queryset, view):
        return tuple(view.cursor_ordering)

    def decode_cursor(self, request):
        # An empty `?cursor=` asks for the first page; a cursor that is not one of ours is the
        # client's mistake (400 naming the parameter), not a missing page.
        if not request.query_params.get(self.cursor_query_param):
            return None
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound:
            raise exceptions.ValidationError(
                {self.cursor_query_param: [_("This cursor is not one this list gave out.")]}
            ) from None


class SearchPagination(StandardPagination):
    """`StandardPagination` that counts a `?q=` search in its page query, and pages by keyset
    instead when the request sends `?cursor=` (`KeysetPagination`; views with
    `cursor_ordering`). `?page=` keeps working as the contract says."""

    def _keyset(self, request, view):
        if view is not None and getattr(view, "cursor_ordering", None):
            if KeysetPagination.cursor_query_param in request.query_params:
                return KeysetPagination()
        return None

    def paginate_queryset(self, queryset, request, view=None):
        self.keyset = self._keyset(request, view)
        if self.keyset is not None:
            return self.keyset.paginate_queryset(queryset, request, view)
        self.django_paginator_class = paginator_for(request.query_params)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        if getattr(self, "keyset", None) is not None:
            return self.keyset.get_paginated_response(data)
        return super().get_paginated_response(data)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        if getattr(view, "cursor_ordering", None):
            parameters.append(
                {
                    "name": KeysetPagination.cursor_query_param,
                    "required": False,
                    "in": "query",
                    "description": (
                        "Page by position instead of `page`: send it empty for the first page, "
                        "then follow `next`/`previous` (no `count` in the answer)."
                    ),
                    "schema": {"type": "string"},
                }
            )
        return parameters


def _django_validation_detail(error: DjangoValidationError):
    if hasattr(error, "error_dict"):
        return {field: [str(m) for m in msgs] for field, msgs in error.message_dict.items()}
    return {"non_field_errors": [str(m) for m in error.messages]}


def exception_handler(exc, context):
    """Answer `{"detail", "code"}` or `{"field": ["msg"]}`; never a 500 for a refused change."""
    if isinstance(exc, DomainError):
        if exc.field:
            return Response({exc.field: [str(exc.message)]}, status=exc.status_code)
        return Response({"detail": str(exc.message), "code": exc.code}, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        return Response(_django_validation_detail(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, PermissionDenied):
        # A service's refusal says why (`assets.permissions`); Django's own carry no message.
        exc = exceptions.PermissionDenied(*exc.args[:1])
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        response.data.setdefault("code", getattr(response.data["detail"], "code", "error"))
    return response
