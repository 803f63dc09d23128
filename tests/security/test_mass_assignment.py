"""Mass assignment (SECURITY.md test 3): a reviewed snapshot of the fields every write operation
of the API accepts (its serializers, as `/api/v1/schema/` documents them), and privileged fields written through the API are refused (400 naming the action) or
ignored, never applied.

A new writable field fails `test_writable_fields_match_the_reviewed_snapshot`. After reviewing
it, refresh the snapshot with `YIKA_UPDATE_SNAPSHOT=1 .venv/bin/pytest tests/security -k snapshot`.
"""

import json
import os
from pathlib import Path

import pytest

from assets.models import Asset, AssetEvent, User
from tests.factories import make_asset

SNAPSHOT = Path(__file__).with_name("writable_fields.json")
WRITE_METHODS = ("post", "put", "patch")


def schema_fields(schema, node, prefix="", seen=()):
    """Property paths of a request body schema, following `$ref`s, arrays and nested objects."""
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        return schema_fields(schema, schema["components"]["schemas"][name], prefix, (*seen, name))
    if node.get("type") == "array" and "items" in node:
        return schema_fields(schema, node["items"], prefix + "[].", seen)
    for key in ("allOf", "oneOf", "anyOf"):
        if key in node:
            return sorted(
                {p for part in node[key] for p in schema_fields(schema, part, prefix, seen)}
            )
    names = []
    for name, child in (node.get("properties") or {}).items():
        if child.get("readOnly"):
            continue
        names.append(prefix + name)
        names.extend(schema_fields(schema, child, f"{prefix}{name}.", seen))
    return names


def collect() -> dict[str, list[str]]:
    """What every write operation of `/api/v1/schema/` accepts, field by field."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = {}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method not in WRITE_METHODS:
                continue
            fields = set()
            for media in (operation.get("requestBody") or {}).get("content", {}).values():
                fields |= set(schema_fields(schema, media.get("schema", {})))
            found[f"{method.upper()} {path}"] = sorted(fields)
    return dict(sorted(found.items()))


@pytest.mark.django_db
def test_writable_fields_match_the_reviewed_snapshot():
    current = collect()
    if os.environ.get("YIKA_UPDATE_SNAPSHOT"):
        SNAPSHOT.write_text(json.dumps(current, ensure_ascii=False, indent=2) + "\n")
    reviewed = json.loads(SNAPSHOT.read_text())
    added = {k: sorted(set(v) - set(reviewed.get(k, []))) for k, v in current.items()}
    added = {k: v for k, v in added.items() if v}
    removed = {k: sorted(set(v) - set(current.get(k, []))) for k, v in reviewed.items()}
    removed = {k: v for k, v in removed.items() if v}
    assert not added, f"new writable fields, review them and refresh the snapshot: {added}"
    assert not removed, f"writable fields gone, refresh the snapshot: {removed}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field", ["is_staff", "is_superuser", "groups", "user_permissions", "date_joined"]
)
def test_user_fields_outside_the_allow_list_are_never_applied(api, admin_user, centre, field):
    value = {"is_staff": True, "is_superuser": True, "date_joined": "2000-01-01T00:00:00Z"}.get(
        field, [1]
    )
    response = api.as_user(admin_user).post(
        "/api/v1/users/",
        {
            "username": "newclerk",
            "password": "Lantern-Harbour-42",
            "department": centre.code,
            "roles": ["clerk"],
            field: value,
        },
        format="json",
    )
    assert response.status_code in (201, 400)
    user = User.objects.filter(username="newclerk").first()
    if user is not None:
        assert not user.is_staff and not user.is_superuser
        assert not user.user_permissions.exists()
        assert set(user.groups.values_list("name", flat=True)) == {"clerk"}


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["roles", "department", "is_active", "password", "email"])
def test_only_admins_write_accounts(api, clerk, admin_user, field):
    value = {
        "roles": ["admin"],
        "department": "HEALTH",
        "is_active": False,
        "password": "Lantern-Harbour-42",
        "email": "x@evil.example",
    }[field]
    response = api.as_user(clerk).patch("/api/v1/users/admin/", {field: value}, format="json")
    assert response.status_code in (403, 404)
    admin_user.refresh_from_db()
    assert admin_user.is_active and admin_user.email == "admin@example.org"
    assert admin_user.check_password("pass-word-123")
    assert set(admin_user.groups.values_list("name", flat=True)) == {"admin"}


def card_state(asset):
    asset.refresh_from_db()
    return (
        asset.tag,
        asset.status,
        asset.owner_department_id,
        asset.parent_id,
        asset.location_id,
        asset.ownership_confirmed,
        asset.events.count(),
    )


ACTION_FIELDS = {
    "owner_department": ("HEALTH", "handover"),
    "status": ("idle", "status"),
    "parent": ("HOST", "nest"),
    "location": ("L-X", "move"),
    "embedded": (True, "nest"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("field", sorted(ACTION_FIELDS))
def test_patching_an_action_field_is_a_400_naming_the_action(
    api, clerk, centre, other_bureau, field
):
    from tests.factories import LocationFactory

    LocationFactory(code="L-X", department=centre)
    host = make_asset(owner=centre, actor=clerk, name="主机")
    asset = make_asset(owner=centre, actor=clerk)
    value, action = ACTION_FIELDS[field]
    value = host.tag if value == "HOST" else value
    before = card_state(asset)
    response = api.as_user(clerk).patch(
        f"/api/v1/assets/{asset.tag}/", {field: value}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert action in json.dumps(response.json(), ensure_ascii=False) or action in str(
        response.json()
    )
    assert card_state(asset) == before


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["tag", "history", "events", "id", "created_at", "retired_at"])
def test_read_only_card_fields_are_refused_or_ignored(api, clerk, centre, field):
    asset = make_asset(owner=centre, actor=clerk)
    before = card_state(asset)
    events = AssetEvent.objects.count()
    value = {"tag": "YK20990000001", "id": 999999}.get(field, "2000-01-01T00:00:00Z")
    if field in ("history", "events"):
        value = [{"kind": "created", "note": "forged"}]
    response = api.as_user(clerk).patch(
        f"/api/v1/assets/{asset.tag}/", {field: value}, format="json"
    )
    assert response.status_code in (200, 400)
    assert card_state(asset) == before
    assert AssetEvent.objects.count() == events
    assert not AssetEvent.objects.filter(note="forged").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["status", "tag", "parent", "ownership_confirmed"])
def test_creating_a_card_with_privileged_fields_never_applies_them(
    api, clerk, centre, other_bureau, field
):
    host = make_asset(owner=other_bureau, name="别人的主机")
    value = {
        "status": "retired",
        "tag": "YK20990000001",
        "parent": host.tag,
        "ownership_confirmed": False,
    }[field]
    payload = {
        "name": "台式计算机",
        "category": "A02010105",
        "owner_department": centre.code,
        "original_value": "5000.00",
        field: value,
    }
    response = api.as_user(clerk).post("/api/v1/assets/", payload, format="json")
    assert response.status_code in (201, 400)
    assert not Asset.objects.filter(tag="YK20990000001").exists()
    assert not Asset.objects.filter(status="retired", name="台式计算机").exists()
    assert not Asset.objects.filter(parent=host).exists()


@pytest.mark.django_db
def test_a_clerk_cannot_create_a_card_for_another_department(api, clerk, other_bureau):
    response = api.as_user(clerk).post(
        "/api/v1/assets/",
        {
            "name": "台式计算机",
            "category": "A02010105",
            "owner_department": other_bureau.code,
            "original_value": "5000.00",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "owner_department" in response.json()
    assert not Asset.objects.filter(owner_department=other_bureau).exists()


@pytest.mark.django_db
def test_a_handover_cannot_target_a_department_outside_the_project(
    api, clerk, project, wrong_receiver
):
    asset = make_asset(owner=project.builder_department, project=project)
    response = api.as_user(clerk).post(
        "/api/v1/handovers/",
        {
            "project": project.code,
            "to_department": wrong_receiver.department.code,
            "items": [asset.tag],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "to_department" in response.json()
    asset.refresh_from_db()
    assert asset.owner_department == project.builder_department
