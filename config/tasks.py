"""Publishing Celery tasks from a web request without waiting on a dead broker."""

from celery import current_app

# One connection attempt of at most this long, and no publish retries: Celery's own publish
# retries the connection for several seconds against a stopped Redis (measured: 8 s), which is
# more than the whole budget of a web request (SECURITY.md test 12).
PUBLISH_CONNECT_TIMEOUT = 1.0


def publish_bounded(task, *, kwargs: dict) -> None:
    """`task.apply_async(kwargs=...)`, failing fast (it raises) when the broker is unreachable.
    In process (no REDIS_URL) the task runs at once, as `delay()` would."""
    app = current_app
    if app.conf.task_always_eager:
        task.apply_async(kwargs=kwargs)
        return
    options = {
        **(app.conf.broker_transport_options or {}),
        "max_retries": 0,
        "socket_connect_timeout": PUBLISH_CONNECT_TIMEOUT,
        "socket_timeout": PUBLISH_CONNECT_TIMEOUT,
    }
    with app.connection_for_write(
        connect_timeout=PUBLISH_CONNECT_TIMEOUT, transport_options=options
    ) as connection:
        producer = app.amqp.Producer(connection, auto_declare=False)
        task.apply_async(kwargs=kwargs, retry=False, producer=producer)
