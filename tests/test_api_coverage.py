"""Every API view has tests built on `tests/api_base.py` (DESIGN.md "Tests", issue 16).

The API's views are read from the URLconf under `/api/v1/`: a router's viewset by its basename,
any other DRF view by its URL names. A view is covered when an `APITestBase` subclass (a class
named `Test…` in a test module) names one of its routes: its `basename` (whose `-list` and
`-detail` routes the base requests) or one of its `url_names`. Exemptions state a reason.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.views import APIView
from rest_framework.viewsets import ViewSetMixin

from tests.api_base import APITestBase

TESTS = Path(__file__).resolve().parent
API_PREFIX = "api/v1/"

# Views with no APITestBase subclass, by URL name, and why.
EXEMPT = {
    "schema": (
        "the OpenAPI document, not a resource: tests/assets/test_api.py "
        "(test_openapi_schema_validates_without_warnings, test_schema_endpoint_answers) and "
        "tests/security/test_schemathesis.py check it"
    ),
}


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def _declared(view_class):
    """The class its module declares: `for_format` subclasses a view once per file format."""
    for cls in view_class.__mro__:
        module = sys.modules.get(cls.__module__)
        if module is not None and getattr(module, cls.__name__, None) is cls:
            return cls
    return view_class


def api_views() -> dict[type, dict]:
    """Each DRF view class under /api/v1/: its router basename (or None) and its URL names."""
    views: dict[type, dict] = {}
    for route, pattern in _routes(get_resolver().url_patterns):
        view_class = getattr(pattern.callback, "cls", None)
        if not route.startswith(API_PREFIX) or view_class is None:
            continue
        if not issubclass(view_class, APIView):
            continue
        entry = views.setdefault(_declared(view_class), {"basename": None, "names": set()})
        if pattern.name:
            entry["names"].add(pattern.name)
        if issubclass(view_class, ViewSetMixin):
            basename = (getattr(pattern.callback, "initkwargs", None) or {}).get("basename")
            entry["basename"] = entry["basename"] or basename
    return views


def api_test_classes() -> list[type[APITestBase]]:
    """The concrete APITestBase subclasses of every test module (browser tests aside)."""
    for path in sorted(TESTS.rglob("test_*.py")):
        relative = path.relative_to(TESTS.parent).with_suffix("")
        if "browser" in relative.parts:
            continue
        importlib.import_module(".".join(relative.parts))
    found, queue = [], list(APITestBase.__subclasses__())
    while queue:
        cls = queue.pop()
        queue.extend(cls.__subclasses__())
        if cls.__name__.startswith("Test") and not inspect.isabstract(cls):
            found.append(cls)
    return sorted(set(found), key=lambda c: f"{c.__module__}.{c.__qualname__}")


def _label(view_class, entry) -> str:
    name = f"{view_class.__module__}.{view_class.__qualname__}"
    if entry["basename"]:
        return f"{name} (basename {entry['basename']!r})"
    return f"{name} (routes {sorted(entry['names'])})"


def test_the_url_conf_lists_the_apis_viewsets():
    """The walk must see the router's viewsets, or every view would count as covered."""
    basenames = {entry["basename"] for entry in api_views().values()}
    assert {"asset", "handover", "stocktake", "label-batch", "notification"} <= basenames


def test_every_api_view_has_a_test_class_on_the_base():
    named = {}
    for cls in api_test_classes():
        for name in cls.route_names():
            named.setdefault(name, []).append(cls.__qualname__)
    missing = [
        _label(view_class, entry)
        for view_class, entry in api_views().items()
        if not entry["names"] & (set(named) | set(EXEMPT))
    ]
    assert not missing, (
        "API views with no test class built on tests/api_base.py (declare `basename` for a "
        "viewset, `url_names` for another view, or add an exemption with its reason):\n  "
        + "\n  ".join(sorted(missing))
    )


def test_every_name_a_test_class_gives_is_a_route_of_the_api():
    routes = set().union(*(entry["names"] for entry in api_views().values()))
    stale = []
    for cls in api_test_classes():
        names = cls.route_names()
        if not names:
            stale.append(f"{cls.__module__}.{cls.__qualname__}: names no route")
        unknown = set(cls.url_names) - routes
        if cls.basename and not ({f"{cls.basename}-list", f"{cls.basename}-detail"} & routes):
            unknown.add(cls.basename)
        if unknown:
            stale.append(f"{cls.__module__}.{cls.__qualname__}: {sorted(unknown)}")
    assert not stale, "test classes naming no API route:\n  " + "\n  ".join(stale)


def test_every_exemption_is_a_route_of_the_api():
    routes = set().union(*(entry["names"] for entry in api_views().values()))
    assert set(EXEMPT) <= routes, sorted(set(EXEMPT) - routes)
