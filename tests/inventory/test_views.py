import pytest
from django.urls import reverse

from inventory import services
from inventory.models import StocktakeCampaign

pytestmark = pytest.mark.django_db


def test_campaign_list_shows_visible_campaigns(client, clerk, active):
    client.force_login(clerk)
    response = client.get(reverse("inventory:campaign-list"))
    assert response.status_code == 200
    assert active.name in response.content.decode()


def test_other_department_gets_404_on_the_dashboard(client, other_clerk, active):
    client.force_login(other_clerk)
    url = reverse("inventory:campaign-detail", args=[active.pk])
    assert client.get(url).status_code == 404


def test_dashboard_shows_progress_per_department(client, auditor, active, pc, clerk, centre):
    services.record_scan(campaign=active, actor=clerk, code=pc.tag)
    client.force_login(auditor)
    page = client.get(reverse("inventory:campaign-detail", args=[active.pk])).content.decode()
    assert centre.name in page
    assert "100.0%" in page
    assert reverse("inventory:campaign-scan", args=[active.pk]) not in page


def test_auditor_cannot_close_from_the_page(client, auditor, active):
    client.force_login(auditor)
    response = client.post(reverse("inventory:campaign-action", args=[active.pk, "close"]))
    assert response.status_code == 403
    active.refresh_from_db()
    assert active.state == "active"


def test_admin_activates_from_the_page(client, admin_user, plan, pc):
    campaign = plan()
    client.force_login(admin_user)
    client.post(reverse("inventory:campaign-action", args=[campaign.pk, "activate"]))
    campaign.refresh_from_db()
    assert campaign.state == StocktakeCampaign.State.ACTIVE


def test_clerk_plans_a_campaign_through_the_form(client, clerk, centre):
    client.force_login(clerk)
    response = client.post(
        reverse("inventory:campaign-create"),
        {
            "name": "季度抽盘",
            "year": 2025,
            "reference_date": "2025-06-30",
            "due_on": "2025-07-15",
            "departments": [centre.pk],
        },
    )
    assert response.status_code == 302
    assert StocktakeCampaign.objects.get(name="季度抽盘").state == "draft"


def test_scan_page_loads_vendored_scripts_and_has_the_wedge_field(client, clerk, active):
    client.force_login(clerk)
    response = client.get(reverse("inventory:campaign-scan", args=[active.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "inventory/vendor/jsQR.js" in page
    assert 'id="scan-code"' in page
    assert "<script>" not in page
    assert "csrfmiddlewaretoken" in page


def test_difference_list_escapes_stored_text(client, auditor, admin_user, clerk, active):
    services.record_surplus(campaign=active, actor=clerk, note="<script>alert(1)</script>")
    services.close_campaign(campaign=active, actor=admin_user)
    client.force_login(auditor)
    page = client.get(reverse("inventory:difference-list", args=[active.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_photo_download_is_permission_checked(client, clerk, other_clerk, active):
    from django.core.files.uploadedfile import SimpleUploadedFile

    png = SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\n" + b"0" * 32, content_type="image/png")
    line = services.record_surplus(campaign=active, actor=clerk, note="机柜", photo=png)
    url = reverse("inventory:line-photo", args=[active.pk, line.pk])
    client.force_login(clerk)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    client.force_login(other_clerk)
    assert client.get(url).status_code == 404
