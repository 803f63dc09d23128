import pytest
from django.urls import reverse

from assets.models import Asset, AssetEvent
from labels import services
from labels.models import Label, LabelTemplate, PrintBatch, selection_key
from tests.api_base import (
    AnonymousTests,
    APITestBase,
    CreateTests,
    ListTests,
    RetrieveTests,
    ScopeTests,
    UpdateTests,
    WrongRoleTests,
)
from tests.factories import make_asset, retire_directly
from tests.labels.helpers import decode_qr_codes

pytestmark = pytest.mark.django_db
PRINT_URL = "/api/v1/labels/print/"


class TestLabelTemplateAPI(
    ListTests, RetrieveTests, CreateTests, UpdateTests, AnonymousTests, WrongRoleTests
):
    basename = "label-template"
    lookup = "code"
    reader = "clerk"
    writer = "admin_user"
    wrong_role = "clerk"
    create_data = {
        "code": "a4-65x38",
        "name": "A4 65×38",
        "label_width_mm": "65.00",
        "label_height_mm": "38.00",
        "columns": 3,
        "rows": 7,
        "margin_left_mm": "7.50",
        "margin_top_mm": "15.00",
        "qr_size_mm": "26.00",
        "fields": ["owner", "name"],
    }
    update_data = {"name": "标准 70×40"}

    def make_object(self, request):
        request.getfixturevalue("db")
        return LabelTemplate.objects.get(code="a4-70x40")


def _batch_of(owner, actor):
    """A print batch of one card of `owner`, queued by `actor` (its PDF is not rendered: the
    after-commit callbacks of a test's transaction never run)."""
    assets = [make_asset(owner=owner)]
    template = LabelTemplate.objects.get(code="a4-70x40")
    return services.print_labels(
        actor=actor, assets=assets, template=template, selection=selection_key("api", 1)
    )


class TestPrintBatchAPI(ListTests, RetrieveTests, AnonymousTests, WrongRoleTests, ScopeTests):
    """Print batches: read where every card is visible, retried by clerks and admins only."""

    basename = "label-batch"
    lookup = "id"
    lookup_url_kwarg = "pk"
    reader = "clerk"
    writer = "clerk"
    wrong_role = "auditor"

    def make_object(self, request):
        return _batch_of(request.getfixturevalue("centre"), request.getfixturevalue("clerk"))

    def make_other_object(self, request):
        return _batch_of(
            request.getfixturevalue("other_bureau"), request.getfixturevalue("other_clerk")
        )

    def write(self, client, obj):
        return client.post(self.action_url(obj, "retry"), format="json")


class TestPrintAPI(APITestBase):
    """`POST /api/v1/labels/print/`: a batch, and a label-printed event on each card."""

    url_names = ("label-print",)

    def test_printing_writes_a_label_printed_event_on_each_card(self, request, centre):
        cards = [make_asset(owner=centre), make_asset(owner=centre)]
        response = self.client_for(request, "clerk").post(
            reverse("label-print"),
            {"tags": [card.tag for card in cards], "template": "a4-70x40"},
            format="json",
        )
        assert response.status_code == 201, response.content
        printed = AssetEvent.objects.filter(kind=AssetEvent.Kind.LABEL_PRINTED, asset__in=cards)
        assert sorted(printed.values_list("asset__tag", flat=True)) == sorted(c.tag for c in cards)

    def test_anonymous_print_is_401(self, request, centre):
        response = self.client_for(request, None).post(
            reverse("label-print"),
            {"tags": [make_asset(owner=centre).tag], "template": "a4-70x40"},
            format="json",
        )
        assert response.status_code == 401
        assert not PrintBatch.objects.exists()


class TestVoidAPI(APITestBase):
    """`POST /api/v1/labels/void/`: the active label is voided, with an event on the card."""

    url_names = ("label-void",)

    @pytest.fixture
    def labelled(self, centre, clerk):
        batch = _batch_of(centre, clerk)
        return batch.assets.get()

    def void(self, request, role, card):
        return self.client_for(request, role).post(
            reverse("label-void"), {"tag": card.tag, "reason": "丢失"}, format="json"
        )

    def test_voiding_writes_a_label_voided_event(self, request, labelled):
        assert self.void(request, "clerk", labelled).status_code == 200
        voided = AssetEvent.objects.filter(kind=AssetEvent.Kind.LABEL_VOIDED, asset=labelled)
        assert voided.count() == 1

    @pytest.mark.parametrize(("role", "status"), [(None, 401), ("auditor", 403)])
    def test_anonymous_and_auditors_cannot_void(self, request, labelled, role, status):
        assert self.void(request, role, labelled).status_code == status
        assert Label.objects.get(asset=labelled).voided_at is None

    def test_another_departments_card_is_refused_like_an_unknown_tag(
        self, request, other_bureau, other_clerk
    ):
        theirs = _batch_of(other_bureau, other_clerk).assets.get()
        response = self.void(request, "clerk", theirs)
        assert response.status_code == 400 and theirs.tag in str(response.json())
        assert Label.objects.get(asset=theirs).voided_at is None


def test_a_template_whose_content_would_overflow_is_a_400_naming_the_field(api, admin_user):
    data = dict(TestLabelTemplateAPI.create_data, code="bad", qr_size_mm="45.00")
    response = api.as_user(admin_user).post("/api/v1/labels/templates/", data, format="json")
    assert response.status_code == 400
    assert "qr_size_mm" in response.json()
    assert not LabelTemplate.objects.filter(code="bad").exists()


def test_a_grid_wider_than_the_page_is_a_400(api, admin_user):
    data = dict(TestLabelTemplateAPI.create_data, code="wide", columns=4)
    response = api.as_user(admin_user).post("/api/v1/labels/templates/", data, format="json")
    assert response.status_code == 400 and "columns" in response.json()


def test_unknown_printed_fields_are_a_400(api, admin_user):
    data = dict(TestLabelTemplateAPI.create_data, code="f", fields=["custodian"])
    response = api.as_user(admin_user).post("/api/v1/labels/templates/", data, format="json")
    assert response.status_code == 400 and "fields" in response.json()


def test_print_returns_a_done_batch_whose_pdf_scans_to_the_cards(
    api, clerk, centre, tmp_path, django_capture_on_commit_callbacks
):
    assets = [make_asset(owner=centre), make_asset(owner=centre)]
    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_user(clerk).post(
            PRINT_URL, {"tags": [a.tag for a in assets], "template": "a4-70x40"}, format="json"
        )
    assert response.status_code == 201, response.content
    batch_id = response.json()["id"]
    status = api.get(f"/api/v1/labels/batches/{batch_id}/").json()
    assert (status["state"], status["progress"], status["total"]) == ("done", 100, 2)
    download = api.get(status["pdf"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    pdf_path = tmp_path / "download.pdf"
    pdf_path.write_bytes(b"".join(download.streaming_content))
    assert sorted(decode_qr_codes(pdf_path, tmp_path / "png")) == sorted(
        f"https://yika.example.gov.cn/a/{a.tag}?l=1" for a in assets
    )


def test_print_accepts_scanned_urls_and_wedge_input(
    api, clerk, centre, django_capture_on_commit_callbacks
):
    asset = make_asset(owner=centre)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_user(clerk).post(
            PRINT_URL,
            {"tags": [f" {asset.tag.lower()}\r\n"], "template": "mini-40x20"},
            format="json",
        )
    assert response.status_code == 201, response.content
    assert Label.objects.filter(asset=asset).count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"tags": [], "template": "a4-70x40"}, "tags"),
        ({"tags": ["YK2026999999Z"], "template": "a4-70x40"}, "tags"),
        ({"tags": ["not a tag"], "template": "a4-70x40"}, "tags"),
        ({"tags": "YK20260000014", "template": "a4-70x40"}, "tags"),
        ({"tags": ["YK20260000014"], "template": "no-such-template"}, "template"),
        ({"template": "a4-70x40"}, "tags"),
        ({"tags": [{"x": 1}], "template": "a4-70x40"}, "tags"),
    ],
)
def test_bad_print_input_is_a_400_naming_the_field_and_makes_no_batch(api, clerk, payload, field):
    response = api.as_user(clerk).post(PRINT_URL, payload, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not PrintBatch.objects.exists()


def test_printing_another_departments_asset_is_refused_like_an_unknown_tag(
    api, clerk, other_bureau
):
    foreign = make_asset(owner=other_bureau)
    response = api.as_user(clerk).post(
        PRINT_URL, {"tags": [foreign.tag], "template": "a4-70x40"}, format="json"
    )
    assert response.status_code == 400
    assert "tags" in response.json()
    assert not PrintBatch.objects.exists() and not Label.objects.exists()


def test_printing_a_retired_asset_is_a_400(api, clerk, centre):

    asset = make_asset(owner=centre, status=Asset.Status.IN_STOCK)
    retire_directly(asset=asset, actor=clerk, reason="报废")
    response = api.as_user(clerk).post(
        PRINT_URL, {"tags": [asset.tag], "template": "a4-70x40"}, format="json"
    )
    assert response.status_code == 400 and asset.tag in response.json()["tags"][0]
    assert not PrintBatch.objects.exists()


def test_an_overflowing_template_is_a_400_on_template(api, clerk, centre):
    LabelTemplate.objects.filter(code="a4-70x40").update(qr_size_mm=39)
    response = api.as_user(clerk).post(
        PRINT_URL, {"tags": [make_asset(owner=centre).tag], "template": "a4-70x40"}, format="json"
    )
    assert response.status_code == 400 and "template" in response.json()
    assert not PrintBatch.objects.exists()


def test_auditors_cannot_print(api, auditor, centre):
    response = api.as_user(auditor).post(
        PRINT_URL, {"tags": [make_asset(owner=centre).tag], "template": "a4-70x40"}, format="json"
    )
    assert response.status_code == 403


def test_another_departments_batch_and_pdf_are_404(
    api, clerk, other_clerk, other_bureau, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_user(other_clerk).post(
            PRINT_URL,
            {"tags": [make_asset(owner=other_bureau).tag], "template": "a4-70x40"},
            format="json",
        )
    batch_id = response.json()["id"]
    api.as_user(clerk)
    assert api.get(f"/api/v1/labels/batches/{batch_id}/").status_code == 404
    assert api.get(f"/api/v1/labels/batches/{batch_id}/pdf/").status_code == 404
    ids = [row["id"] for row in api.get("/api/v1/labels/batches/").json()["results"]]
    assert batch_id not in ids


def test_auditors_read_every_batch(
    api, auditor, other_clerk, other_bureau, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_user(other_clerk).post(
            PRINT_URL,
            {"tags": [make_asset(owner=other_bureau).tag], "template": "a4-70x40"},
            format="json",
        )
    batch_id = response.json()["id"]
    assert api.as_user(auditor).get(f"/api/v1/labels/batches/{batch_id}/").status_code == 200


def test_the_pdf_of_an_unfinished_batch_is_a_409(api, clerk, centre):
    response = api.as_user(clerk).post(
        PRINT_URL, {"tags": [make_asset(owner=centre).tag], "template": "a4-70x40"}, format="json"
    )  # on_commit callbacks are not run: the batch stays queued
    batch_id = response.json()["id"]
    answer = api.get(f"/api/v1/labels/batches/{batch_id}/pdf/")
    assert answer.status_code == 409 and answer.json()["code"] == "not_ready"


def test_void_through_the_api(api, clerk, centre, django_capture_on_commit_callbacks):
    asset = make_asset(owner=centre)
    with django_capture_on_commit_callbacks(execute=True):
        api.as_user(clerk).post(
            PRINT_URL, {"tags": [asset.tag], "template": "a4-70x40"}, format="json"
        )
    response = api.post("/api/v1/labels/void/", {"tag": asset.tag, "reason": "丢失"}, format="json")
    assert response.status_code == 200 and response.json()["serial"] == 1
    again = api.post("/api/v1/labels/void/", {"tag": asset.tag, "reason": "丢失"}, format="json")
    assert again.status_code == 400 and "tag" in again.json()


def test_batch_list_stays_within_a_query_ceiling(
    api, clerk, centre, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            api.as_user(clerk).post(
                PRINT_URL,
                {"tags": [make_asset(owner=centre).tag], "template": "a4-70x40"},
                format="json",
            )
    with django_assert_max_num_queries(12):
        assert api.get(reverse("label-batch-list")).status_code == 200
