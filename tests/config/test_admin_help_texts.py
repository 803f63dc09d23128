"""Issue 14 walk residual 6: help texts speak one language. In English the admin's forms carry
no Chinese in their help texts (the Chinese term was glued to the English sentence)."""

import re
from datetime import date

import pytest
from django.test import Client

from assets.models import Category
from inventory.services import campaigns
from labels.models import LabelTemplate

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
HELP = re.compile(r'<div class="help"[^>]*>(.*?)</div>', re.S)


def test_english_admin_help_texts_have_no_chinese(admin_user):
    admin_user.is_staff = True
    admin_user.save()
    campaign = campaigns.create_campaign(
        actor=admin_user, name="全面清查", year=2025, due_on=date(2099, 1, 31)
    )
    category = Category.objects.filter(usually_embedded=True).first() or Category.objects.first()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["django_language"] = "en"
    client.force_login(admin_user)
    urls = [
        f"/admin/inventory/stocktakecampaign/{campaign.pk}/change/",
        f"/admin/assets/category/{category.pk}/change/",
        f"/admin/labels/labeltemplate/{LabelTemplate.objects.first().pk}/change/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        helps = [re.sub(r"<[^>]+>", "", text) for text in HELP.findall(response.content.decode())]
        assert helps, url
        assert not [text for text in helps if CJK.search(text)], (url, helps)
