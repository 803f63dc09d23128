"""New-user walk 4: the demo's office clerks (运维保障部, 数据局办公室), whose cards their
parent unit owns, see a populated dashboard that counts the cards their register list shows."""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from assets import permissions
from assets.models import User

pytestmark = pytest.mark.django_db


def _chart(html, key):
    marker = f'<script id="chart-{key}" type="application/json">'
    start = html.index(marker) + len(marker)
    return json.loads(html[start : html.index("</script>", start)])


@pytest.mark.parametrize("username", ["clerk_ops", "clerk_sjj"])
def test_the_demo_office_clerks_see_their_cards_on_the_dashboard(client, username):
    call_command("seed_demo", stdout=io.StringIO())
    clerk = User.objects.get(username=username)
    client.force_login(clerk)
    html = client.get(reverse("assets:dashboard"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = html.content.decode()
    counted = sum(_chart(html, "status")["series"][0]["data"])
    listed = permissions.visible_assets(clerk).exclude(status="retired").count()
    assert counted == listed > 0
    assert _chart(html, "category")["labels"]
