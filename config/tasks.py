"""Queueing Celery tasks by name, without waiting on a dead broker.

Services name the task they queue (a string) and never import the module that defines it, so
`services` and `tasks` never import each other (STYLE.md, "No import cycles"): `registered_task`
finds the task in Celery's registry. Every publish from a web request or a service goes through
`publish_bounded`: the direct one (a large label batch) and the task outbox's
(`inventory.reminders.outbox`), which records what could not be published for its relay.
"""

from celery import current_app

# One connection attempt of at most this long, and no publish retries: Celery's own publish
# retries the connection for several seconds against a stopped Redis (measured: 8 s; 2 s against
# a closed port), which is more than the whole budget of a web request (SECURITY.md test 12).
PUBLISH_CONNECT_TIMEOUT = 1.0


def registered_task(name: str):
    """The task registered as `name`; a KeyError (celery's NotRegistered) for an unknown name.

    A web process registers a task only when its module is imported. The first lookup of a name
    not registered yet imports every app's tasks module (Celery's own autodiscovery, as a worker
    does when it starts), so a web process knows the same tasks as the worker.
    """
    app = current_app
    if name not in app.tasks:
        app.loader.import_default_modules()
    return app.tasks[name]


def publish_bounded(name: str, *, kwargs: dict) -> None:
    """Queue the task `name` with `kwargs`, failing fast (it raises) when the broker is
    unreachable. In process (no REDIS_URL) the task runs at once, as `delay()` would."""
    task = registered_task(name)
    app = current_app
    if app.conf.task_always_eager:
        task.apply_async(kwargs=kwargs)
        return
    options = {
        **(app.conf.broker_transport_options or {}),
        "max_retries": 0,  # kombu: fail on the first refused connection instead of retrying
        "socket_connect_timeout": PUBLISH_CONNECT_TIMEOUT,
        "socket_timeout": PUBLISH_CONNECT_TIMEOUT,
    }
    with app.connection_for_write(
        connect_timeout=PUBLISH_CONNECT_TIMEOUT, transport_options=options
    ) as connection:
        producer = app.amqp.Producer(connection, auto_declare=False)
        task.apply_async(kwargs=kwargs, retry=False, producer=producer)
