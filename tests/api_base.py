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
(declare `events_of(obj)`). `make_object`/`make_other_object` get pytest's `request`, so they can
use any fixture with `request.getfixturevalue("centre")`.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


class APITestBase:
    basename: str = ""
    lookup: str = "pk"
    reader: str = "clerk"
    writer: str = "admin_user"
    wrong_role: str = "auditor"
    create_data: dict[str, Any] | None = None
    update_data: dict[str, Any] | None = None

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
        return reverse(f"{self.basename}-detail", kwargs={self.lookup: getattr(obj, self.lookup)})

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
        response = self.client_for(request, self.writer).post(self.list_url(), data, format="json")
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


class AnonymousTests(APITestBase):
    def test_anonymous_list_is_401(self, request):
        assert self.client_for(request, None).get(self.list_url()).status_code == 401

    def test_anonymous_retrieve_is_401(self, request):
        obj = self.make_object(request)
        assert self.client_for(request, None).get(self.detail_url(obj)).status_code == 401


class WrongRoleTests(APITestBase):
    """A signed-in user whose role may not write is refused with 403 and nothing changes."""

    def test_wrong_role_cannot_create(self, request):
        data = self.get_create_data(request)
        client = self.client_for(request, self.wrong_role)
        assert client.post(self.list_url(), data, format="json").status_code == 403

    def test_wrong_role_cannot_update(self, request):
        obj = self.make_object(request)
        before = self.client_for(request, self.writer).get(self.detail_url(obj)).json()
        client = self.client_for(request, self.wrong_role)
        response = client.patch(self.detail_url(obj), self.get_update_data(request), format="json")
        assert response.status_code == 403
        after = self.client_for(request, self.writer).get(self.detail_url(obj)).json()
        assert before == after


class ScopeTests(APITestBase):
    """Another department's object answers 404, never 403, and is absent from the list."""

    scoped_reader: str = "clerk"

    def make_other_object(self, request):
        raise NotImplementedError

    def test_other_departments_object_is_404(self, request):
        other = self.make_other_object(request)
        client = self.client_for(request, self.scoped_reader)
        assert client.get(self.detail_url(other)).status_code == 404
        patch = client.patch(self.detail_url(other), self.get_update_data(request), format="json")
        assert patch.status_code == 404

    def test_other_departments_object_is_absent_from_list(self, request):
        self.make_object(request)
        other = self.make_other_object(request)
        client = self.client_for(request, self.scoped_reader)
        response = client.get(self.list_url(), {"page_size": 500})
        assert getattr(other, self.lookup) not in self.result_keys(response, self.lookup)
        searched = client.get(self.list_url(), {"q": getattr(other, self.lookup)})
        assert getattr(other, self.lookup) not in self.result_keys(searched, self.lookup)


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
