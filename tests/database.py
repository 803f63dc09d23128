"""The suite's database server as a DATABASE_URL, for the subprocesses tests start."""

from urllib.parse import quote

from django.db import connection


def database_url(name: str | None = None) -> str:
    """The URL of database `name` (default: the test database) on the suite's server. The host
    may be a socket folder (the embedded server's), hence percent-encoded."""
    db = connection.settings_dict
    user = quote(db.get("USER") or "postgres", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    host = quote(db.get("HOST") or "127.0.0.1", safe="")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{user}{password}@{host}{port}/{name or db['NAME']}"
