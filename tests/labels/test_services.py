import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assets.errors import NotInScope, TransitionNotAllowed
from assets.models import Asset, AssetEvent
from labels import services
from labels.models import Label, LabelTemplate, PrintBatch
from tests.factories import make_asset, retire_directly

pytestmark = pytest.mark.django_db


def _print(clerk, assets, template, capture):
    with capture(execute=True):
        batch = services.print_labels(actor=clerk, assets=assets, template=template)
    batch.refresh_from_db()
    return batch


def test_first_print_issues_serial_one_and_renders_the_batch(
    clerk, centre, sheet_70x40, django_capture_on_commit_callbacks
):
    asset = make_asset(owner=centre)
    batch = _print(clerk, [asset], sheet_70x40, django_capture_on_commit_callbacks)
    label = Label.objects.get(asset=asset)
    assert (label.serial, label.is_active, label.batch_id) == (1, True, batch.pk)
    assert batch.state == PrintBatch.State.DONE
    assert batch.pages == 1 and batch.file.name.endswith(".pdf")


def test_reprint_supersedes_the_old_label_and_numbers_the_next(
    clerk, centre, sheet_70x40, django_capture_on_commit_callbacks
):
    asset = make_asset(owner=centre)
    _print(clerk, [asset], sheet_70x40, django_capture_on_commit_callbacks)
    _print(clerk, [asset], sheet_70x40, django_capture_on_commit_callbacks)
    labels = list(Label.objects.filter(asset=asset).order_by("serial"))
    assert [label.serial for label in labels] == [1, 2]
    assert labels[0].superseded_at is not None and labels[1].is_active


def test_each_print_is_an_event_on_the_card(
    clerk, centre, sheet_70x40, django_capture_on_commit_callbacks
):
    asset = make_asset(owner=centre)
    _print(clerk, [asset], sheet_70x40, django_capture_on_commit_callbacks)
    _print(clerk, [asset], sheet_70x40, django_capture_on_commit_callbacks)
    events = AssetEvent.objects.filter(asset=asset, kind=AssetEvent.Kind.LABEL_PRINTED)
    assert sorted(e.changes["label_serial"][1] for e in events) == [1, 2]
    assert {tuple(e.changes["label_serial"]) for e in events} == {(None, 1), (1, 2)}
    assert all(event.actor == clerk for event in events)


def test_void_without_reprint_leaves_no_active_label_and_is_recorded(
    clerk, centre, sheet_70x40, django_capture_on_commit_callbacks
):
    asset = make_asset(owner=centre)
    _print(clerk, [asset], sheet_70x40, django_capture_on_commit_callbacks)
    label = services.void_label(actor=clerk, asset=asset, reason="标签损坏")
    assert (
        label.voided_at is not None
        and not Label.objects.filter(
            asset=asset, voided_at__isnull=True, superseded_at__isnull=True
        ).exists()
    )
    event = AssetEvent.objects.get(asset=asset, kind=AssetEvent.Kind.LABEL_VOIDED)
    assert event.changes == {"label_serial": [1, None]} and event.note == "标签损坏"


def test_void_needs_a_reason(clerk, centre, sheet_70x40, django_capture_on_commit_callbacks):
    asset = make_asset(owner=centre)
    _print(clerk, [asset], sheet_70x40, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError) as error:
        services.void_label(actor=clerk, asset=asset, reason="  ")
    assert "reason" in error.value.message_dict


def test_reprint_after_void_continues_the_serials(
    clerk, centre, sheet_70x40, django_capture_on_commit_callbacks
):
    asset = make_asset(owner=centre)
    _print(clerk, [asset], sheet_70x40, django_capture_on_commit_callbacks)
    services.void_label(actor=clerk, asset=asset, reason="丢失")
    _print(clerk, [asset], sheet_70x40, django_capture_on_commit_callbacks)
    assert Label.objects.get(asset=asset, voided_at__isnull=True).serial == 2


def test_empty_selection_is_refused_without_a_batch(clerk, sheet_70x40):
    with pytest.raises(ValidationError) as error:
        services.print_labels(actor=clerk, assets=[], template=sheet_70x40)
    assert "tags" in error.value.message_dict
    assert not PrintBatch.objects.exists()


def test_retired_asset_is_refused_without_a_batch(clerk, centre, sheet_70x40):
    asset = make_asset(owner=centre, status=Asset.Status.IN_STOCK)
    retire_directly(asset=asset, actor=clerk, reason="报废")
    asset.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.print_labels(actor=clerk, assets=[asset], template=sheet_70x40)
    assert asset.tag in error.value.message_dict["tags"][0]
    assert not PrintBatch.objects.exists() and not Label.objects.exists()


def test_another_departments_asset_is_not_found_and_nothing_is_written(
    clerk, other_bureau, sheet_70x40
):
    foreign = make_asset(owner=other_bureau)
    with pytest.raises(NotInScope):
        services.print_labels(actor=clerk, assets=[foreign], template=sheet_70x40)
    assert not PrintBatch.objects.exists() and not Label.objects.exists()


def test_auditor_cannot_print(auditor, centre, sheet_70x40):
    with pytest.raises(NotInScope):
        services.print_labels(
            actor=auditor, assets=[make_asset(owner=centre)], template=sheet_70x40
        )


def test_a_template_whose_content_overflows_is_refused(clerk, centre):
    template = LabelTemplate.objects.create(
        code="too-small",
        name="too small",
        label_width_mm=20,
        label_height_mm=10,
        qr_size_mm=9,
        padding_mm=0.5,
        fields=["owner", "name", "model", "in_service_on"],
    )
    with pytest.raises(ValidationError) as error:
        services.print_labels(actor=clerk, assets=[make_asset(owner=centre)], template=template)
    assert "template" in error.value.message_dict
    assert not PrintBatch.objects.exists()


def test_components_listed_on_the_host_label_get_no_label_of_their_own(clerk, centre, sheet_70x40):
    host = make_asset(owner=centre, name="服务器")
    component = make_asset(
        owner=centre,
        parent=host,
        embedded=True,
        name="网卡",
        label_mode=Asset.LabelMode.HOST_LABEL,
    )
    with pytest.raises(ValidationError) as error:
        services.print_labels(actor=clerk, assets=[component], template=sheet_70x40)
    assert component.tag in error.value.message_dict["tags"][0]


def test_component_sheet_issues_no_labels_and_covers_the_components(
    clerk, centre, component_sheet, django_capture_on_commit_callbacks
):
    host = make_asset(owner=centre, name="服务器")
    component = make_asset(owner=centre, parent=host, embedded=True, name="网卡")
    batch = _print(clerk, [host], component_sheet, django_capture_on_commit_callbacks)
    assert batch.state == PrintBatch.State.DONE
    assert set(batch.assets.values_list("pk", flat=True)) == {host.pk, component.pk}
    assert not Label.objects.exists()


def test_large_batches_are_queued_and_rendered_by_the_task(
    clerk, centre, sheet_70x40, settings, django_capture_on_commit_callbacks
):
    settings.YIKA_LABELS_SYNC_LIMIT = 1
    assets = [make_asset(owner=centre) for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        batch = services.print_labels(actor=clerk, assets=assets, template=sheet_70x40)
    assert batch.state == PrintBatch.State.QUEUED
    callbacks[0]()  # the eager Celery task runs here
    batch.refresh_from_db()
    assert (batch.state, batch.done_count, batch.progress_percent) == ("done", 3, 100)


def test_a_rendering_failure_marks_the_batch_failed(
    clerk, centre, sheet_70x40, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("labels.layout.write_labels", broken)
    batch = _print(
        clerk, [make_asset(owner=centre)], sheet_70x40, django_capture_on_commit_callbacks
    )
    assert batch.state == PrintBatch.State.FAILED
    assert "disk full" in batch.error


def test_a_failed_batch_can_be_retried(
    clerk, centre, sheet_70x40, monkeypatch, django_capture_on_commit_callbacks
):
    original = services.layout.write_labels
    monkeypatch.setattr(
        "labels.layout.write_labels", lambda *a, **k: (_ for _ in ()).throw(OSError("x"))
    )
    batch = _print(
        clerk, [make_asset(owner=centre)], sheet_70x40, django_capture_on_commit_callbacks
    )
    monkeypatch.setattr("labels.layout.write_labels", original)
    with django_capture_on_commit_callbacks(execute=True):
        services.retry_batch(actor=clerk, batch=batch)
    batch.refresh_from_db()
    assert batch.state == PrintBatch.State.DONE and batch.attempts == 2


def test_stale_running_batches_are_failed_by_the_sweeper(clerk, centre, sheet_70x40):
    batch = services.print_labels(
        actor=clerk, assets=[make_asset(owner=centre)], template=sheet_70x40
    )
    services.start_batch(batch_id=batch.pk)
    later = timezone.now() + timezone.timedelta(hours=1)
    assert services.fail_stale_batches(now=later) == 1
    batch.refresh_from_db()
    assert batch.state == PrintBatch.State.FAILED


def test_a_fresh_running_batch_is_left_alone_by_the_sweeper(clerk, centre, sheet_70x40):
    batch = services.print_labels(
        actor=clerk, assets=[make_asset(owner=centre)], template=sheet_70x40
    )
    services.start_batch(batch_id=batch.pk)
    assert services.fail_stale_batches() == 0


@pytest.mark.parametrize(
    ("source", "target", "allowed"),
    [
        (source, target, target in services.BATCH_TRANSITIONS[source])
        for source in PrintBatch.State.values
        for target in PrintBatch.State.values
    ],
)
def test_batch_state_machine_walks_every_pair(source, target, allowed):
    batch = PrintBatch(pk=1, state=source)
    if allowed:
        services._guard(batch, target)
    else:
        with pytest.raises(TransitionNotAllowed):
            services._guard(batch, target)


def test_a_done_batch_never_runs_again(
    clerk, centre, sheet_70x40, django_capture_on_commit_callbacks
):
    batch = _print(
        clerk, [make_asset(owner=centre)], sheet_70x40, django_capture_on_commit_callbacks
    )
    with pytest.raises(TransitionNotAllowed):
        services.start_batch(batch_id=batch.pk)
