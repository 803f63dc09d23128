"""Fourth new-user walk (issue 14), the stocktake findings fixed on branch walk4b."""

import pytest
from django.urls import reverse

from inventory.models import StocktakeCampaign

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("zh-hans", "年度 2031 与清查基准日 2026-12-31 不符：清查基准日应在盘点年度之内。"),
        (
            "en",
            "The year 2031 does not match the reference date 2026-12-31: the reference date "
            "falls in the campaign&#x27;s year.",
        ),
    ],
)
def test_walk4_8_a_year_that_contradicts_the_reference_date_is_refused_on_the_year(
    client, clerk, centre, language, message
):
    client.force_login(clerk)
    response = client.post(
        reverse("inventory:campaign-create"),
        {
            "name": "年度清查",
            "year": 2031,
            "reference_date": "2026-12-31",
            "due_on": "2027-01-31",
            "departments": [centre.pk],
        },
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200
    assert response.context["form"].errors["year"] == [message.replace("&#x27;", "'")]
    assert message in response.content.decode()
    assert not StocktakeCampaign.objects.filter(name="年度清查").exists()


def test_walk4_8_the_api_refuses_a_year_that_contradicts_the_reference_date(admin_user, centre):
    from datetime import date

    from django.core.exceptions import ValidationError

    from inventory.services import campaigns

    with pytest.raises(ValidationError) as refused:
        campaigns.create_campaign(
            actor=admin_user,
            name="年度清查",
            year=2031,
            reference_date=date(2026, 12, 31),
            due_on=date(2027, 1, 31),
            departments=[centre],
        )
    assert set(refused.value.message_dict) == {"year"}


def test_walk4_12_the_scan_box_refuses_a_label_address_of_another_site(api, clerk, active, pc):
    """https://example.com/a/{TAG}?l=1 was taken as the card's label and counted it."""
    api.as_user(clerk)
    response = api.post(
        f"/api/v1/stocktakes/{active.pk}/scans/",
        {"code": f"https://example.com/a/{pc.tag}?l=1"},
        format="json",
    )
    assert response.status_code == 400
    message = response.json()["code"][0]
    assert message.startswith("扫描到的地址属于其他网站（example.com），不是本系统（")
    assert not active.scans.exists()
    assert active.lines.get().result == "pending"
