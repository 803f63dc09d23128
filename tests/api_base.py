"""The generic API test base (STYLE.md "Tests"; after NetBox's `APIViewTestCases`).

A viewset test class mixes in the behaviours it has and declares what they need:

    class TestLocationAPI(ListTests, RetrieveTests, CreateTests, UpdateTests, AnonymousTests,
                          WrongRoleTests):
        basename = "location"            # router basename: location-list, location-detail
        lookup = "code"                  # attribute of the object in its URL
        reader = "clerk"                 # fixture names of users
        writer = "admin_user"
        wrong_role = "clerk"             # a signed-in user whose role may not write
        create_data = {"code": "R-9", "name": "9 号机房", "kind": "room"}
        update_data = {"name": "改名"}

        def make_object(self, request):  # an object the reader may see
            return LocationFactory()

`ScopeTests` adds "another department's object is 404 and absent from the list" (declare
`make_other_object`), `EventTests` adds "a create and an update each wrote a history event"
(declare `events_of(obj)`), `ActionEventTests` "the action `event_action` wrote its events" for a
viewset whose changes are POST actions. `make_object`/`make_other_object` get pytest's `request`,
so they can use any fixture with `request.getfixturevalue("centre")`; it is `self.request` too.

A viewset whose changes are actions, not PATCH, overrides `write(client, obj)` (the change the
wrong-role and scope tests try); a list nested under another object (a campaign's lines)
overrides `list_url()`; `lookup` is the object's attribute and answer key, `lookup_url_kwarg` the
URL's name for it when they differ (`id` in the answer, `pk` in the URL). A plain API view
outside the router lists the URL names it tests in `url_names`: `tests/test_api_coverage.py`
fails for an API view that no subclass names.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


class APITestBase:
    basename: str = ""
    url_names: tuple[str, ...] = ()
    lookup: str = "pk"
    lookup_url_kwarg: str | None = None
    reader: str = "clerk"
    writer: str = "admin_user"
    wrong_role: str = "auditor"
    create_data: dict[str, Any] | None = None
    update_data: dict[str, Any] | None = None
    request_format: str = "json"

    @pytest.fixture(autouse=True)
    def _bind_request(self, request):
        self.request = request

    @classmethod
    def route_names(cls) -> set[str]:
        """The URL names this class tests: its basename's list and detail routes and `url_names`."""
        names = {f"{cls.basename}-list", f"{cls.basename}-detail"} if cls.basename else set()
        return names | set(cls.url_names)

    # --- what a concrete class provides -------------------------------------------------
    def make_object(self, request):
        raise NotImplementedError

    def get_create_data(self, request) -> dict[str, Any]:
        return dict(self.create_data or {})

    def get_update_data(self, request) -> dict[str, Any]:
        return dict(self.update_data or {})

    # --- helpers -------------------------------------------------------------------------
    def list_url(self) -> str:
        return reverse(f"{self.basename}-list")

    def detail_url(self, obj) -> str:
        return reverse(f"{self.basename}-detail", kwargs=self._lookup_kwargs(obj))

    def action_url(self, obj, action: str) -> str:
        """The URL of the detail action `action` (its url_name: `submit`, `read`, …)."""
        return reverse(f"{self.basename}-{action}", kwargs=self._lookup_kwargs(obj))

    def _lookup_kwargs(self, obj) -> dict:
        return {self.lookup_url_kwarg or self.lookup: getattr(obj, self.lookup)}

    def write(self, client, obj):
        """The change a wrong role or another department tries on `obj` (a PATCH by default)."""
        return client.patch(
            self.detail_url(obj), self.get_update_data(self.request), format=self.request_format
        )

    def client_for(self, request, role_fixture: str | None) -> APIClient:
        client = APIClient()
        if role_fixture:
            client.force_authenticate(request.getfixturevalue(role_fixture))
        return client

    @staticmethod
    def result_keys(response, key: str) -> list:
        data = response.json()
        rows = data["results"] if isinstance(data, dict) and "results" in data else data
        return [row[key] for row in rows]


class ListTests(APITestBase):
    def test_list_shows_the_object(self, request):
        obj = self.make_object(request)
        response = self.client_for(request, self.reader).get(self.list_url(), {"page_size": 500})
        assert response.status_code == 200, response.content
        assert str(getattr(obj, self.lookup)) in map(str, self.result_keys(response, self.lookup))
        assert {"next", "previous", "results"} <= set(response.json())


class RetrieveTests(APITestBase):
    def test_retrieve(self, request):
        obj = self.make_object(request)
        response = self.client_for(request, self.reader).get(self.detail_url(obj))
        assert response.status_code == 200, response.content
        assert response.json()[self.lookup] == getattr(obj, self.lookup)


class CreateTests(APITestBase):
    def test_create(self, request):
        data = self.get_create_data(request)
        client = self.client_for(request, self.writer)
        response = client.post(self.list_url(), data, format=self.request_format)
        assert response.status_code == 201, response.content
        assert response.json()[self.lookup]


class UpdateTests(APITestBase):
    def test_update(self, request):
        obj = self.make_object(request)
        data = self.get_update_data(request)
        client = self.client_for(request, self.writer)
        response = client.patch(self.detail_url(obj), data, format="json")
        assert response.status_code == 200, response.content
        body = response.json()
        for name, value in data.items():
            assert body[name] == value


class AnonymousListTests(APITestBase):
    def test_anonymous_list_is_401(self, request):
        assert self.client_for(request, None).get(self.list_url()).status_code == 401


class AnonymousTests(AnonymousListTests):
    def test_anonymous_retrieve_is_401(self, request):
        obj = self.make_object(request)
        assert self.client_for(request, None).get(self.detail_url(obj)).status_code == 401


class WrongRoleTests(APITestBase):
    """A signed-in user whose role may not write is refused with 403 and nothing changes."""

    def test_wrong_role_cannot_create(self, request):
        data = self.get_create_data(request)
        client = self.client_for(request, self.wrong_role)
        assert client.post(self.list_url(), data, format=self.request_format).status_code == 403

    def test_wrong_role_cannot_update(self, request):
        obj = self.make_object(request)
        before = self.client_for(request, self.writer).get(self.detail_url(obj)).json()
        response = self.write(self.client_for(request, self.wrong_role), obj)
        assert response.status_code == 403
        after = self.client_for(request, self.writer).get(self.detail_url(obj)).json()
        assert before == after


class ScopeListTests(APITestBase):
    """Another department's object is absent from the list (and from a search of it)."""

    scoped_reader: str = "clerk"

    def make_other_object(self, request):
        raise NotImplementedError

    def test_other_departments_object_is_absent_from_list(self, request):
        self.make_object(request)
        other = self.make_other_object(request)
        client = self.client_for(request, self.scoped_reader)
        response = client.get(self.list_url(), {"page_size": 500})
        assert getattr(other, self.lookup) not in self.result_keys(response, self.lookup)
        searched = client.get(self.list_url(), {"q": getattr(other, self.lookup)})
        assert getattr(other, self.lookup) not in self.result_keys(searched, self.lookup)


class ScopeTests(ScopeListTests):
    """Another department's object answers 404, never 403, and is absent from the list."""

    def test_other_departments_object_is_404(self, request):
        other = self.make_other_object(request)
        client = self.client_for(request, self.scoped_reader)
        assert client.get(self.detail_url(other)).status_code == 404
        assert self.write(client, other).status_code == 404


class EventTests(APITestBase):
    """A create and an update through the API each write one history event."""

    def events_of(self, obj):
        raise NotImplementedError

    def find(self, lookup_value):
        raise NotImplementedError

    def test_create_writes_an_event(self, request):
        response = self.client_for(request, self.writer).post(
            self.list_url(), self.get_create_data(request), format="json"
        )
        assert response.status_code == 201, response.content
        obj = self.find(response.json()[self.lookup])
        assert self.events_of(obj).count() == 1

    def test_update_writes_an_event(self, request):
        obj = self.make_object(request)
        before = self.events_of(obj).count()
        response = self.client_for(request, self.writer).patch(
            self.detail_url(obj), self.get_update_data(request), format="json"
        )
        assert response.status_code == 200, response.content
        assert self.events_of(obj).count() == before + 1


class ActionEventTests(APITestBase):
    """The POST action `event_action` on an object writes its history events (by default one;
    `expected_events(obj)` says how many, e.g. one per card of a handover)."""

    event_action: str = ""

    def events_of(self, obj):
        raise NotImplementedError

    def action_data(self, obj) -> dict[str, Any] | None:
        return None

    def expected_events(self, obj) -> int:
        return 1

    def test_action_writes_its_events(self, request):
        obj = self.make_object(request)
        before = self.events_of(obj).count()
        expected = self.expected_events(obj)
        response = self.client_for(request, self.writer).post(
            self.action_url(obj, self.event_action), self.action_data(obj), format="json"
        )
        assert response.status_code in (200, 201), response.content
        assert self.events_of(obj).count() == before + expected
