"""The permission matrix (SECURITY.md test 1): route × method × role × own/other department → status.

`tests/test_permission_matrix.py` walks the URL resolver (API and pages) and fails for any route
that is neither in MATRIX nor in EXEMPT, then replays every row below.

Adding a route is one line: `R(route_name, method, object_kind, anonymous=…, clerk=…, receiver=…,
auditor=…, admin=…)`. A status is an int (same for the user's own department and another one) or
an `(own, other)` pair. `object_kind` names an entry of OBJECTS: a function that builds an object
owned by the users' department (own=True) or by another department (own=False) and returns the
URL kwargs; rows without an object pass None and give plain ints.

Every signed-in role belongs to the department OWN (市大数据中心, under 市数据局); OTHER is
another bureau (市卫健委). Requests carry an empty body: a role that may act gets a 400 (API) or
the form again (200, pages), never a change, so the matrix tests authorisation, not rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

ROLES = ("anonymous", "clerk", "receiver", "auditor", "admin")

Status = int | tuple[int, int]


@dataclass(frozen=True)
class Row:
    route: str
    method: str
    object_kind: str | None
    expected: dict[str, Status] = field(default_factory=dict)
    data: dict | None = None

    def status_for(self, role: str, own: bool) -> int:
        value = self.expected[role]
        if isinstance(value, tuple):
            return value[0] if own else value[1]
        return value

    @property
    def id(self) -> str:
        return f"{self.method} {self.route}"


def R(route, method, object_kind=None, *, anonymous, clerk, receiver, auditor, admin, data=None):
    return Row(
        route,
        method,
        object_kind,
        {
            "anonymous": anonymous,
            "clerk": clerk,
            "receiver": receiver,
            "auditor": auditor,
            "admin": admin,
        },
        data,
    )


# --- objects: how to build an own/other object and the URL kwargs to reach it -----------------
def _asset(ctx, own: bool) -> dict:
    from tests.factories import make_asset

    return {"tag": make_asset(owner=ctx.own if own else ctx.other, name="矩阵测试设备").tag}


def _department(ctx, own: bool) -> dict:
    return {"code": (ctx.own if own else ctx.other).code}


def _location(ctx, own: bool) -> dict:
    from tests.factories import LocationFactory

    department = ctx.own if own else ctx.other
    return {"code": LocationFactory(code=f"LOC-{department.code}", department=department).code}


def _category(ctx, own: bool) -> dict:
    return {"code": "A02010104"}


def _user(ctx, own: bool) -> dict:
    from tests.factories import UserFactory

    if own:
        return {"username": ctx.users["clerk"].username}
    return {"username": UserFactory(username="m-other", department=ctx.other).username}


OBJECTS: dict[str, Callable] = {
    "asset": _asset,
    "department": _department,
    "location": _location,
    "category": _category,
    "user": _user,
}

# --- routes that are not in the matrix, and why -------------------------------------------------
EXEMPT: dict[str, str] = {
    "admin:": "Django admin: every page is scoped by role in assets/admin.py and tested in "
    "tests/assets/test_admin.py; its URLs are generated per model.",
    "/admin/": "Django admin (unnamed catch-all and object URLs), as above.",
}

# Shorthands for the common shapes.
PAGE_ANON = 302  # pages send anonymous visitors to the sign-in page

# One row per line, however long: fmt: off keeps it that way.
# fmt: off
MATRIX: list[Row] = [
    # Project-wide
    R("api-token", "POST", anonymous=400, clerk=400, receiver=400, auditor=400, admin=400),
    R("schema", "GET", anonymous=200, clerk=200, receiver=200, auditor=200, admin=200),
    R("api-docs", "GET", anonymous=200, clerk=200, receiver=200, auditor=200, admin=200),
    R("login", "GET", anonymous=200, clerk=302, receiver=302, auditor=302, admin=302),
    R("login", "POST", anonymous=200, clerk=302, receiver=302, auditor=302, admin=302),
    R("logout", "POST", anonymous=302, clerk=302, receiver=302, auditor=302, admin=302),
    R("logout", "GET", anonymous=405, clerk=405, receiver=405, auditor=405, admin=405),
    R("set_language", "POST", anonymous=302, clerk=302, receiver=302, auditor=302, admin=302),
    R("healthz", "GET", anonymous=200, clerk=200, receiver=200, auditor=200, admin=200),
    # Register API: reference data
    R("department-list", "GET", anonymous=401, clerk=200, receiver=200, auditor=200, admin=200),
    R("department-list", "POST", anonymous=401, clerk=403, receiver=403, auditor=403, admin=400),
    R("department-detail", "GET", "department", anonymous=401, clerk=200, receiver=200, auditor=200, admin=200),
    R("department-detail", "PATCH", "department", anonymous=401, clerk=403, receiver=403, auditor=403, admin=200),
    R("department-detail", "PUT", "department", anonymous=401, clerk=403, receiver=403, auditor=403, admin=400),
    R("location-list", "GET", anonymous=401, clerk=200, receiver=200, auditor=200, admin=200),
    R("location-list", "POST", anonymous=401, clerk=403, receiver=403, auditor=403, admin=400),
    R("location-detail", "GET", "location", anonymous=401, clerk=200, receiver=200, auditor=200, admin=200),
    R("location-detail", "PATCH", "location", anonymous=401, clerk=403, receiver=403, auditor=403, admin=200),
    R("location-detail", "PUT", "location", anonymous=401, clerk=403, receiver=403, auditor=403, admin=400),
    R("category-list", "GET", anonymous=401, clerk=200, receiver=200, auditor=200, admin=200),
    R("category-list", "POST", anonymous=401, clerk=403, receiver=403, auditor=403, admin=405),
    R("category-detail", "GET", "category", anonymous=401, clerk=200, receiver=200, auditor=200, admin=200),
    # Register API: users (admins only)
    R("user-list", "GET", anonymous=401, clerk=403, receiver=403, auditor=403, admin=200),
    R("user-list", "POST", anonymous=401, clerk=403, receiver=403, auditor=403, admin=400),
    R("user-detail", "GET", "user", anonymous=401, clerk=403, receiver=403, auditor=403, admin=200),
    R("user-detail", "PATCH", "user", anonymous=401, clerk=403, receiver=403, auditor=403, admin=200),
    R("user-detail", "PUT", "user", anonymous=401, clerk=403, receiver=403, auditor=403, admin=400),
    # Register API: assets
    R("asset-list", "GET", anonymous=401, clerk=200, receiver=200, auditor=200, admin=200),
    R("asset-list", "POST", anonymous=401, clerk=400, receiver=403, auditor=403, admin=400),
    R("asset-detail", "GET", "asset", anonymous=401, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("asset-detail", "PATCH", "asset", anonymous=401, clerk=(200, 404), receiver=403, auditor=403, admin=200),
    R("asset-detail", "PUT", "asset", anonymous=401, clerk=(400, 404), receiver=403, auditor=403, admin=400),
    R("asset-components", "GET", "asset", anonymous=401, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("asset-events", "GET", "asset", anonymous=401, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("asset-nest", "POST", "asset", anonymous=401, clerk=(400, 404), receiver=403, auditor=403, admin=400),
    R("asset-move", "POST", "asset", anonymous=401, clerk=(400, 404), receiver=403, auditor=403, admin=400),
    R("asset-retire", "POST", "asset", anonymous=401, clerk=(400, 404), receiver=403, auditor=403, admin=400),
    R("asset-change-status", "POST", "asset", anonymous=401, clerk=(400, 404), receiver=403, auditor=403, admin=400),
    # Register pages
    R("assets:asset-list", "GET", anonymous=PAGE_ANON, clerk=200, receiver=200, auditor=200, admin=200),
    R("assets:asset-create", "GET", anonymous=PAGE_ANON, clerk=200, receiver=403, auditor=403, admin=200),
    R("assets:asset-create", "POST", anonymous=PAGE_ANON, clerk=200, receiver=403, auditor=403, admin=200),
    R("assets:asset-detail", "GET", "asset", anonymous=PAGE_ANON, clerk=(200, 404), receiver=(200, 404), auditor=200, admin=200),
    R("assets:asset-update", "GET", "asset", anonymous=PAGE_ANON, clerk=(200, 404), receiver=(403, 404), auditor=403, admin=200),
    R("assets:asset-update", "POST", "asset", anonymous=PAGE_ANON, clerk=(200, 404), receiver=(403, 404), auditor=403, admin=200),
    R("assets:asset-nest", "GET", "asset", anonymous=PAGE_ANON, clerk=(200, 404), receiver=(403, 404), auditor=403, admin=200),
    R("assets:asset-nest", "POST", "asset", anonymous=PAGE_ANON, clerk=(302, 404), receiver=(403, 404), auditor=403, admin=302),
    R("assets:asset-move", "GET", "asset", anonymous=PAGE_ANON, clerk=(200, 404), receiver=(403, 404), auditor=403, admin=200),
    R("assets:asset-move", "POST", "asset", anonymous=PAGE_ANON, clerk=(200, 404), receiver=(403, 404), auditor=403, admin=200),
    R("assets:asset-status", "GET", "asset", anonymous=PAGE_ANON, clerk=(200, 404), receiver=(403, 404), auditor=403, admin=200),
    R("assets:asset-status", "POST", "asset", anonymous=PAGE_ANON, clerk=(200, 404), receiver=(403, 404), auditor=403, admin=200),
    R("assets:asset-retire", "GET", "asset", anonymous=PAGE_ANON, clerk=(200, 404), receiver=(403, 404), auditor=403, admin=200),
    R("assets:asset-retire", "POST", "asset", anonymous=PAGE_ANON, clerk=(200, 404), receiver=(403, 404), auditor=403, admin=200),
]
# fmt: on
