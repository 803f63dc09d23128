import pytest

from labels.models import LabelTemplate


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Each test keeps its rendered PDFs in its own private folder."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.SITE_URL = "https://yika.example.gov.cn"


@pytest.fixture
def sheet_70x40(db):
    return LabelTemplate.objects.get(code="a4-70x40")


@pytest.fixture
def mini(db):
    return LabelTemplate.objects.get(code="mini-40x20")


@pytest.fixture
def component_sheet(db):
    return LabelTemplate.objects.get(code="a4-components")
