"""drf-spectacular hooks: keep `/api/v1/schema/` free of duplicates (and `check --deploy` clean)."""


def drop_trailing_slash_twins(endpoints):
    """Some contract paths (e.g. `handovers/{number}/certificate.pdf`) are routed both with and
    without the router's trailing slash; document only the contract's spelling, once."""
    seen = {(path, method) for path, _regex, method, _view in endpoints}
    return [
        (path, regex, method, view)
        for path, regex, method, view in endpoints
        if not (path.endswith("/") and (path.rstrip("/"), method) in seen)
    ]
