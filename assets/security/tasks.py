"""The security log's retention task, run daily by beat (`config.celery.SCHEDULE`)."""

from celery import shared_task

from assets.security import services

PURGE_EXPIRED = "assets.purge_expired_security_events"


@shared_task(name=PURGE_EXPIRED, acks_late=True, reject_on_worker_lost=True)
def purge_expired_security_events() -> int:
    """Delete the security events older than `YIKA_SECURITY_LOG_RETENTION_DAYS`; idempotent."""
    return services.purge_expired_events()
