"""Every page's drop-downs offer a worded empty choice, never Django's "---------" (issue 14).

Replays the permission matrix's page rows (not the API, not the admin) as the clerk and the
administrator of the own department: each page a role may open (GET), and each form sent back
empty (POST: the bound form again, with its errors), in zh-hans and English.
"""

import pytest
from django.urls import reverse

from tests.permission_matrix import MATRIX, OBJECTS
from tests.test_permission_matrix import matrix_context as matrix_context  # the fixture

PAGE_ROWS = [
    row
    for row in MATRIX
    if ":" in row.route and not row.route.startswith("admin:") and row.method in ("GET", "POST")
]
DASH = "---------"


@pytest.mark.parametrize("row", PAGE_ROWS, ids=[row.id for row in PAGE_ROWS])
def test_no_page_form_offers_dashes_as_its_empty_choice(client, matrix_context, row):
    kwargs = OBJECTS[row.object_kind](matrix_context, True) if row.object_kind else {}
    url = reverse(row.route, kwargs=kwargs)
    if url.startswith("/api/"):
        return
    shown = []
    for role in ("clerk", "admin"):
        client.force_login(matrix_context.users[role])
        for language in ("zh-hans", "en"):
            if row.method == "GET":
                response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            else:
                response = client.post(url, row.data or {}, HTTP_ACCEPT_LANGUAGE=language)
            if "html" not in response.get("Content-Type", ""):
                continue
            body = response.content.decode()
            if DASH in body:
                at = body.index(DASH)
                shown.append(f"{role}/{language}: …{body[at - 160 : at + 20]}…")
    assert not shown, f"{row.id}: " + "\n".join(shown)
