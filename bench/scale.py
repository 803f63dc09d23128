"""Benchmark: provincial scale (issue 21), 1,000,000 and 200,000 cards compared in one run.

    .venv/bin/python bench/scale.py [--sizes 200000 1000000] [--reuse] [--seconds 30]
        [--clients 32] [--port 8121] [--database-url postgres://postgres@127.0.0.1:5432/yika_scale]

For each size it builds the register `<database>_<size>` with the COPY generator
(bench/_province.py; `--reuse` keeps one an earlier run built), then measures on it:
  - the asset list API in process (bench/register.py's `measure`), clerk and admin, with and
    without `?q=`, page and cursor: p95;
  - under gunicorn (2 sync workers, production settings), 32 clients, the card lookup
    `GET /api/v1/assets/{tag}/` and the public label page `/a/{TAG}` against the bare
    authenticated endpoint (`GET /api/v1/departments/{code}/`, as bench/stocktake.py), in
    alternating slices, then the lookup paced at 50 % of its capacity (open loop, p99);
  - EXPLAIN (ANALYZE, BUFFERS) of the lookup and list queries (key lines printed).
Then each figure for both sizes, the growth (largest / smallest size) and a verdict per target;
the exit status is 1 on any miss. The machine's load average is printed before and after.
The stocktake, campaign, report, label and import rows of the issue's table are measured by
bench/stocktake.py, bench/labels.py and bench/import.py (not repeated here).
"""

import argparse
import itertools
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _common import (  # noqa: E402
    drive,
    gunicorn,
    load_average,
    load_interleaved,
    recreate_database,
    settle,
    summarise,
)

# Issue 21's targets.
LIST_P95_MAX_MS = 60.0
LIST_GROWTH_MAX = 1.3
LOOKUP_SHARE_MIN = 0.5
LOOKUP_PACED_P99_MAX_MS = 50.0
LOOKUP_GROWTH_MAX = 1.2
PACED_SHARE = 0.5


def use_database(name: str) -> None:
    """Point Django's default connection at database `name` (one process, both sizes)."""
    from django.db import connections

    connections["default"].close()
    connections["default"].settings_dict["NAME"] = name


def card_count() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM assets_asset")
        return cursor.fetchone()[0]


def build(url: str, cards: int, reuse: bool) -> None:
    import _province
    from django.core.management import call_command

    name = url.rsplit("/", 1)[1]
    if reuse:
        use_database(name)
        try:
            if card_count() == cards:
                print(f"{name}: reusing {cards:,} cards", flush=True)
                return
        except Exception:  # no such database or not migrated: build it
            pass
    recreate_database(url)
    use_database(name)
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"{name}: migrated in {time.perf_counter() - started:.1f} s", flush=True)
    _province.generate(cards)


def clients_for(count: int) -> list[tuple[str, str, list[str]]]:
    """(token, department code, tags of that unit) for `count` clerks of different units."""
    from assets import credentials
    from assets.models import Asset, User

    clerks = User.objects.filter(username__startswith="clerk-U").select_related("department")
    clients = []
    for clerk in clerks.order_by("username")[:count]:
        tags = list(
            Asset.objects.filter(owner_department=clerk.department)
            .exclude(status=Asset.Status.RETIRED)
            .order_by("id")
            .values_list("tag", flat=True)[:2000]
        )
        clients.append((credentials.issue_token(user=clerk), clerk.department.code, tags))
    return clients


def explain(label: str, queryset) -> None:
    """The plan's key lines: scans with their row counts and buffers, and the times."""
    lines = queryset.explain(analyze=True, buffers=True).splitlines()
    keep = [
        line.strip()
        for line in lines
        if any(word in line for word in ("Scan", "Limit", "Sort", "Time:", "Buffers: shared"))
    ]
    print(f"  EXPLAIN {label}:")
    for line in keep[:12]:
        print(f"    {line}")


def measure_lists(runs: int) -> dict:
    from django.test import Client
    from register import measure

    from assets import credentials, permissions, selectors
    from assets.models import Asset, User

    results = {}
    clerk = User.objects.get(username="clerk-U000")
    admin = User.objects.get(username="bench-admin")
    searches = {
        "no search": "status=in_use",
        "?q= custodian": "status=in_use&q=%E7%8E%8B%E4%BC%9F",  # 王伟
        "?q= serial": "q=SN00A",
    }
    for who, user in (("clerk", clerk), ("admin", admin)):
        # A token, as outside clients send (an administrator's session would need two factors).
        client = Client(HTTP_AUTHORIZATION=f"Token {credentials.issue_token(user=user)}")
        for label, query in searches.items():
            results[f"list {who} {label}"] = measure(
                client, f"/api/v1/assets/?{query}&page_size=50", runs
            )
        cursor_page = client.get("/api/v1/assets/?status=in_use&page_size=50&cursor=")
        if cursor_page.status_code == 200 and cursor_page.json().get("next"):
            # The tenth page by keyset: the offset a page number would make PostgreSQL skip.
            url = cursor_page.json()["next"]
            for _ in range(8):
                url = client.get(url).json()["next"] or url
            results[f"list {who} cursor, 10th page"] = measure(client, url, runs)
    tag = (
        Asset.objects.filter(owner_department__code="U000", parent__isnull=False)
        .values_list("tag", flat=True)
        .first()
    )
    explain(
        "card lookup (clerk)",
        selectors.with_card_relations(permissions.visible_assets(clerk)).filter(tag=tag),
    )
    explain(
        "list page (clerk, no search)",
        selectors.assets_visible_to(user=clerk, filters={"status": "in_use"}).order_by("tag")[:50],
    )
    return results


def measure_http(args, url: str) -> dict:
    clients = clients_for(args.clients)
    tokens = [token for token, _code, _tags in clients]
    runs = [itertools.cycle(tags) for _token, _code, tags in clients]

    def bare(n):
        return ("GET", f"/api/v1/departments/{clients[n][1]}/", None)

    def lookup(n):
        return ("GET", f"/api/v1/assets/{next(runs[n])}/", None)

    def public(n):
        return ("GET", f"/a/{next(runs[n])}", None)

    env = dict(os.environ, DATABASE_URL=url, YIKA_PUBLIC_SCAN_RATE="off")
    with gunicorn(args.port, env=env):
        settle(args.port, [(tokens[n], bare(n), lookup(n), public(n)) for n in range(len(tokens))])
        measured = load_interleaved(
            args.port, tokens, args.seconds, {"bare": bare, "lookup": lookup, "public": public}
        )
        rate = PACED_SHARE * measured["lookup"]["throughput"]
        latencies, errors = drive(args.port, tokens, args.paced_seconds, lookup, rate)
        measured["lookup paced"] = dict(
            summarise(latencies, errors, args.paced_seconds), offered=round(rate, 1)
        )
    for name, figures in measured.items():
        print(f"  {name}: {json.dumps(figures)}", flush=True)
    return measured


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200_000, 1_000_000])
    parser.add_argument("--reuse", action="store_true", help="keep registers an earlier run built")
    parser.add_argument("--seconds", type=float, default=30, help="per endpoint and size")
    parser.add_argument("--paced-seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--runs", type=int, default=40, help="list requests per shape")
    parser.add_argument("--port", type=int, default=8121)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/yika_scale")
    args = parser.parse_args()
    sizes = sorted(args.sizes)

    os.environ["DATABASE_URL"] = f"{args.database_url}_{sizes[0]}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-" + "x" * 40)
    os.environ.update(DEBUG="0", SECURE_SSL_REDIRECT="0", YIKA_AXES_ENABLED="0")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings
    from django.test import override_settings
    from django.test.utils import setup_test_environment

    setup_test_environment()
    from django.core.management import call_command

    # gunicorn serves pages with the production (manifest) storage: collect once.
    # (chart.js names a source map the repository does not ship; no measured page loads it.)
    call_command(
        "collectstatic", interactive=False, verbosity=0, ignore_patterns=["chart.umd.min.js"]
    )
    # In process, pages need no manifest (as bench/register.py).
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    override_settings(STORAGES=storages).enable()

    print(f"load average at start: {load_average()} on {os.cpu_count()} CPUs", flush=True)
    figures: dict[int, dict] = {}
    for cards in sizes:
        url = f"{args.database_url}_{cards}"
        build(url, cards, args.reuse)
        print(f"== {cards:,} cards (load {load_average()})", flush=True)
        figures[cards] = {"lists": measure_lists(args.runs), "http": measure_http(args, url)}
    print(f"load average at end: {load_average()}")
    return report(figures, sizes)


def report(figures: dict, sizes: list[int]) -> int:
    small, large = sizes[0], sizes[-1]
    print(f"\n{'measurement':<44}" + "".join(f"{size:>12,}" for size in sizes) + f"{'growth':>9}")
    verdicts = []

    def row(name, values, growth):
        print(f"{name:<44}" + "".join(f"{v:>12.1f}" for v in values) + f"{growth:>8.2f}×")

    for name in figures[small]["lists"]:
        values = [figures[size]["lists"][name]["p95"] for size in sizes]
        growth = values[-1] / values[0] if values[0] else 0
        row(f"{name} p95 ms", values, growth)
        verdicts.append(
            (
                f"{name}: p95 {values[-1]:.1f} ms at {large:,} (< {LIST_P95_MAX_MS:g}),"
                f" growth {growth:.2f} (≤ {LIST_GROWTH_MAX})",
                values[-1] < LIST_P95_MAX_MS and growth <= LIST_GROWTH_MAX,
            )
        )
    for name in ("bare", "lookup", "public"):
        values = [figures[size]["http"][name]["throughput"] for size in sizes]
        # Growth of the cost per request: throughput at the small size over the large.
        growth = values[0] / values[-1] if values[-1] else 0
        row(f"{name} req/s (32 clients)", values, growth)
        if name != "bare":
            shares = [
                figures[size]["http"][name]["throughput"]
                / figures[size]["http"]["bare"]["throughput"]
                for size in sizes
            ]
            errors = sum(figures[size]["http"][name]["errors"] for size in sizes)
            verdicts.append(
                (
                    f"{name}: "
                    + ", ".join(
                        f"{share:.2f}× bare at {size:,}"
                        for share, size in zip(shares, sizes, strict=True)
                    )
                    + f" (≥ {LOOKUP_SHARE_MIN}), cost growth {growth:.2f} (≤ {LOOKUP_GROWTH_MAX}),"
                    f" errors {errors}",
                    min(shares) >= LOOKUP_SHARE_MIN and growth <= LOOKUP_GROWTH_MAX and not errors,
                )
            )
    paced = [figures[size]["http"]["lookup paced"] for size in sizes]
    row("lookup paced at 50 % p99 ms", [p["p99_ms"] for p in paced], 0)
    verdicts.append(
        (
            "lookup paced at 50 % of capacity: p99 "
            + ", ".join(
                f"{p['p99_ms']:.1f} ms at {size:,}" for p, size in zip(paced, sizes, strict=True)
            )
            + f" (< {LOOKUP_PACED_P99_MAX_MS:g})",
            all(p["p99_ms"] < LOOKUP_PACED_P99_MAX_MS and not p["errors"] for p in paced),
        )
    )
    print("targets:")
    for text, met in verdicts:
        print(f"  {text}: {'met' if met else 'NOT MET'}")
    print(f"verdict: {sum(met for _t, met in verdicts)} of {len(verdicts)} targets met")
    return 0 if all(met for _t, met in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
