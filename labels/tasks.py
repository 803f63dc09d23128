"""Celery tasks of the labels app: render a large print batch, fail batches whose worker died."""

from celery import shared_task

from labels import services


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=0,
    name=services.RENDER_BATCH,
)
def render_label_batch(self, *, batch_id: int) -> int:
    """Render the batch's PDF. A failure marks the batch failed (never left running)."""
    from labels.models import PrintBatch

    batch = PrintBatch.objects.filter(pk=batch_id).only("state").first()
    if batch is None or batch.state in (PrintBatch.State.DONE, PrintBatch.State.FAILED):
        return batch_id  # deleted, finished, or a duplicate delivery of a finished batch
    services.render_batch(batch_id=batch_id)
    return batch_id


@shared_task(name="labels.fail_stale_label_batches")
def fail_stale_label_batches() -> int:
    """Periodic sweeper: batches whose heartbeat stopped (worker killed) become failed."""
    return services.fail_stale_batches()
