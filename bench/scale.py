"""Benchmark: provincial scale (issue 21), 1,000,000 and 200,000 cards compared in one run.

    .venv/bin/python bench/scale.py [--sizes 200000 1000000] [--reuse] [--seconds 30]
        [--clients 32] [--port 8121] [--database-url postgres://postgres@127.0.0.1:5432/yika_scale]
        [--only ROW …] [--skip ROW …]

For each size it builds the register `<database>_<size>` with the COPY generator
(bench/_province.py; `--reuse` keeps one an earlier run built), then measures on it each row
of the issue's table (ROW names for `--only` / `--skip`; by default all):
  - lists: the asset list API in process (bench/register.py's `measure`), clerk and admin,
    with and without `?q=`, page and cursor: p95, and EXPLAIN (ANALYZE, BUFFERS) of the lookup
    and list queries and of the two-character search `?q=王伟` (key lines printed);
  - lookup: under gunicorn (2 sync workers, production settings), 32 clients, the card lookup
    `GET /api/v1/assets/{tag}/` and the public label page `/a/{TAG}` against the bare
    authenticated endpoint (`GET /api/v1/departments/{code}/`, as bench/stocktake.py), in
    alternating slices, then the lookup paced at 50 % of its capacity (open loop, p99);
  - stocktake: scans (bench/stocktake.py's `measure_scans`: 32 clerks of different units)
    against the bare endpoint on the same gunicorn, into the whole-register campaign below;
  - campaign: create and activate a whole-register campaign (every card a line, the units'
    clerks its counters), and at the end close it with its frozen result and read the report
    (bench/stocktake.py's `close_and_report`), the close rolled back;
  - progress: the campaign's progress query by department and by location (bench/
    stocktake.py's `measure_progress`) and `/dashboard/` for an administrator and a clerk
    (bench/register.py's `sign_in` and `measure`);
  - balance: the balance report (资产总表) at a date, by category, as an administrator;
  - labels: 100,000 labels printed and streamed as PDF files (`bench/labels.py --register`,
    its own process, so its peak RSS is the rendering's), rolled back;
  - import: 200,000 ledger rows previewed and applied (`bench/import.py --register`, its own
    process), rolled back.
Peers (`--peer URL --peer-token T`): on the same gunicorn, after the rows above, the same three
request shapes are sent to Yika and to the peer in alternating slices (32 clients each, closed
loop), and each throughput, p50 and p99 is printed with Yika's over the peer's, at each size
(no verdict: the peer is whatever server was given). The shapes, as sent to a Yika (the
defaults; `--peer-lookup`, `--peer-count`, `--peer-list` replace the peer's, each
"METHOD PATH [JSON BODY]" with {tag}, {campaign}, {uuid} and {now} filled per request):
  - lookup: `GET /api/v1/assets/{tag}/` — what a phone sends after reading a label;
  - count:  `POST /api/v1/stocktakes/{campaign}/scans/` with
            `{"code": "{tag}", "client_key": "{uuid}", "scanned_at": "{now}"}` — a scan;
  - list:   `GET /api/v1/assets/?status=in_use&page_size=50` — the first list page.
Every request carries `Authorization: Token T`, `Accept: application/json` and
`Content-Type: application/json`. Yika's side uses the bench's 32 clerks, each with its own
unit's tags and the bench campaign; the peer's side the one token for all 32 clients, tags
from `--peer-tags FILE` (one a line) or else the peer's list (`results[].tag`, following
`next`, up to 2,000), and the campaign `--peer-campaign ID` or else the first active one of
`GET /api/v1/stocktakes/`. Without the stocktake row (no bench campaign) the count shape is
left out on both sides. Each side cycles through its tags, so once a campaign's lines are
counted its scans answer "already counted" (the cheaper answer, on both sides alike).
PgBouncer (`--pooler pgbouncer`): the bench starts Debian's PgBouncer itself on
127.0.0.1:`--pooler-port` (6432) in transaction mode in front of the machine's PostgreSQL,
configured as the README's Scale-out section says, and a second gunicorn on `--port` + 1 with
DATABASE_URL through it and YIKA_DB_POOLER=pgbouncer; then the lookup and list shapes above
are sent to the direct gunicorn and the pooled one in alternating slices (same clerks, same
tags): throughput, p50, p99, errors, and pooled over direct.
stocktake and progress need the campaign: it is activated when any of the three runs (its
time reported under campaign only if that row is chosen), and every stocktake table is emptied
before and after (the bench databases hold no other campaign).
Then each figure for both sizes, the growth (largest / smallest size) and a verdict per target;
the exit status is 1 on any miss. The machine's load average is printed before and after.
"""

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _common import (  # noqa: E402
    connection_to,
    drive,
    gunicorn,
    headers_for,
    load_average,
    load_interleaved,
    pgbouncer,
    recreate_database,
    settle,
    summarise,
    timed,
)

# Issue 21's targets.
LIST_P95_MAX_MS = 60.0
LIST_GROWTH_MAX = 1.3
LOOKUP_SHARE_MIN = 0.5
LOOKUP_PACED_P99_MAX_MS = 50.0
LOOKUP_GROWTH_MAX = 1.2
PACED_SHARE = 0.5
SCAN_SHARE_MIN = 0.5
SCAN_GROWTH_MAX = 1.2
ACTIVATION_MAX_S = 60.0
ACTIVATION_GROWTH_MAX = 5.5
CLOSE_MAX_S = 60.0
PROGRESS_MAX_MS = 300.0
PROGRESS_GROWTH_MAX = 2.0
BALANCE_MAX_S = 3.0
LABELS = 100_000
LABELS_MAX_S = 100.0
LABELS_RSS_MAX_MB = 300.0
IMPORT_ROWS = 200_000
IMPORT_MAX_S = 300.0
IMPORT_RSS_MAX_MB = 600.0

ROWS = ("lists", "lookup", "stocktake", "campaign", "progress", "balance", "labels", "import")
# Rows that need the whole-register campaign open.
CAMPAIGN_ROWS = {"stocktake", "campaign", "progress"}
# The balance report's date: the generator's cards are in service up to 2025.
BALANCE_ON = date(2025, 12, 31)


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
    for who, user in (("clerk", clerk), ("admin", admin)):
        # A two-character search (no trigram): the short-gram index (selectors.ShortSearch).
        explain(
            f"list page ({who}, ?q=王伟)",
            selectors.assets_visible_to(user=user, filters={"status": "in_use", "q": "王伟"})[:50],
        )
    return results


# Every stocktake table (nothing outside inventory references them): emptied before a campaign
# is planned and after the run, so the registers can be reused.
STOCKTAKE_TABLES = (
    "inventory_stocktakescan",
    "inventory_stocktakecount",
    "inventory_difference",
    "inventory_stocktakeline",
    "inventory_progresstally",
    "inventory_counterassignment",
    "inventory_stocktakecampaign_categories",
    "inventory_stocktakecampaign_departments",
    "inventory_stocktakecampaign_locations",
    "inventory_channeldelivery",
    "inventory_notification",
    "inventory_reminderlog",
    "inventory_stocktakecampaign",
)


def empty_stocktakes() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE " + ", ".join(STOCKTAKE_TABLES))


def open_campaign():
    """A whole-register campaign, activated: (campaign, activation seconds)."""
    from assets.models import User
    from inventory.services import campaigns

    empty_stocktakes()
    admin = User.objects.get(username="bench-admin")
    clerks = User.objects.filter(username__startswith="clerk-U").select_related("department")
    campaign = campaigns.create_campaign(
        actor=admin,
        name="province",
        year=2025,
        reference_date=date(2025, 12, 31),
        due_on=date(2026, 1, 31),
        assignments=[(clerk, clerk.department, None) for clerk in clerks],
    )
    campaign, seconds = timed(
        "activate a whole-register campaign",
        lambda: campaigns.activate_campaign(campaign=campaign, actor=admin),
    )
    print(f"  lines: {campaign.lines.count():,}", flush=True)
    return campaign, seconds


def close_rolled_back(campaign) -> dict:
    """Close + frozen result and the report read (bench/stocktake.py), then rolled back."""
    from django.db import transaction
    from stocktake import close_and_report

    from assets.models import User

    admin = User.objects.get(username="bench-admin")
    with transaction.atomic():
        close_s, report_s = close_and_report(campaign, admin)
        transaction.set_rollback(True)
    return {"close_s": close_s, "report_s": report_s}


def measure_progress_rows(campaign, runs: int) -> dict:
    """Milliseconds: the progress query (best of two, bench/stocktake.py) and the dashboard's
    p95 for an administrator and a clerk (bench/register.py's sign-in and measure)."""
    from register import PASSWORD, measure, sign_in
    from stocktake import measure_progress

    from assets.models import User

    admin = User.objects.get(username="bench-admin")
    first, second = measure_progress(campaign, admin), measure_progress(campaign, admin)
    out = {f"progress by {by} ms": 1000 * min(first[by], second[by]) for by in first}
    for who, username in (("admin", "bench-admin"), ("clerk", "clerk-U000")):
        user = User.objects.get(username=username)
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        out[f"dashboard {who} p95 ms"] = measure(sign_in(user), "/dashboard/", runs)["p95"]
    return out


def measure_balance(runs: int = 3) -> dict:
    """The balance at a date by category as an administrator: median seconds of `runs`."""
    from assets.models import User
    from assets.reports import selectors as reports

    admin = User.objects.get(username="bench-admin")
    seconds = [
        timed(
            f"balance at {BALANCE_ON}",
            lambda: reports.balance(user=admin, on=BALANCE_ON, by="category"),
        )[1]
        for _ in range(runs)
    ]
    return {"balance_s": statistics.median(seconds)}


def run_script(script: str, *arguments: str, env: dict) -> dict:
    """Run bench/`script` in its own process (its peak RSS is its own), echo its output, and
    return the JSON of its `RESULT` line."""
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / script), *arguments],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    result = None
    for line in process.stdout:
        print(f"  | {line}", end="", flush=True)
        if line.startswith("RESULT "):
            result = json.loads(line[len("RESULT ") :])
    if process.wait() or result is None:
        # Its row is a miss; the run goes on (the other rows' figures are not lost).
        print(f"  bench/{script} failed (exit {process.returncode})", flush=True)
        return {"failed": True}
    return result


# The request shapes sent to Yika and, unless replaced, to a peer ("METHOD PATH [JSON BODY]").
SHAPES = {
    "lookup": "GET /api/v1/assets/{tag}/",
    "count": "POST /api/v1/stocktakes/{campaign}/scans/"
    ' {"code": "{tag}", "client_key": "{uuid}", "scanned_at": "{now}"}',
    "list": "GET /api/v1/assets/?status=in_use&page_size=50",
}


def shape_maker(shape: str, tags: list[list[str]], campaign):
    """A request maker for client n from a shape: `tags[n]` cycled into {tag}."""
    method, path, *body = shape.split(" ", 2)
    runs = [itertools.cycle(own or [""]) for own in tags]

    def make(n):
        values = {
            "tag": next(runs[n]),
            "campaign": campaign,
            "uuid": str(uuid.uuid4()),
            "now": datetime.now(UTC).isoformat(),
        }
        return (method, _fill(path, values, quote=True), _fill(body[0], values) if body else None)

    return make


def _fill(text: str, values: dict, quote: bool = False) -> str:
    """`text` with each {key} replaced (percent-encoded in a path; the body is JSON text)."""
    for key, value in values.items():
        value = urllib.parse.quote(str(value), safe="") if quote else str(value)
        text = text.replace("{" + key + "}", value)
    return text


def peer_get(url: str, token: str, path: str):
    request = urllib.request.Request(url.rstrip("/") + path, headers=headers_for(token))
    request.add_header("Accept", "application/json")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def peer_setup(args) -> tuple[list[str], object]:
    """The peer's tags and campaign: given, or read from the peer (a Yika's API)."""
    if args.peer_tags:
        tags = [line.strip() for line in Path(args.peer_tags).read_text().splitlines()]
        tags = [tag for tag in tags if tag]
    else:
        tags, path = [], "/api/v1/assets/?status=in_use&page_size=200&cursor="
        while path and len(tags) < 2000:
            page = peer_get(args.peer, args.peer_token, path)
            tags += [card["tag"] for card in page["results"]]
            following = page.get("next")
            path = following and urllib.parse.urlsplit(following)._replace(scheme="", netloc="")
            path = path and path.geturl()
    campaign = args.peer_campaign
    if campaign is None:
        page = peer_get(args.peer, args.peer_token, "/api/v1/stocktakes/")
        active = [c for c in page.get("results", page) if c.get("state") == "active"]
        campaign = active[0]["id"] if active else None
    print(f"  peer {args.peer}: {len(tags):,} tags, campaign {campaign}", flush=True)
    return tags, campaign


def measure_peer(args, clients, campaign, peer_tags, peer_campaign) -> dict:
    """Yika's and the peer's lookup, count and list in alternating slices (the docstring)."""
    tokens = [token for token, _code, _tags in clients]
    own_tags = [tags for _token, _code, tags in clients]
    peer_tokens = [args.peer_token] * len(tokens)
    shapes = {"lookup": args.peer_lookup, "count": args.peer_count, "list": args.peer_list}
    endpoints = {}
    for name, peer_shape in shapes.items():
        if name == "count" and (campaign is None or peer_campaign is None):
            continue
        endpoints[f"yika {name}"] = shape_maker(SHAPES[name], own_tags, campaign and campaign.pk)
        endpoints[f"peer {name}"] = (
            args.peer,
            peer_tokens,
            shape_maker(peer_shape, [peer_tags] * len(tokens), peer_campaign),
        )
    warm_up(args.port, tokens, endpoints)
    return load_interleaved(args.port, tokens, args.seconds, endpoints)


def warm_up(port, tokens, endpoints: dict, requests: int = 8) -> None:
    """A few requests to each endpoint (as `load_interleaved` takes them) before measuring; a
    refused one (HTTP 4xx/5xx) stops the run, naming it."""
    for name, endpoint in endpoints.items():
        server, who, make = endpoint if isinstance(endpoint, tuple) else (port, tokens, endpoint)
        connect, prefix = connection_to(server)
        conn = connect()
        for n in range(requests):
            method, path, body = make(n % len(who))
            conn.request(method, prefix + path, body=body, headers=headers_for(who[n % len(who)]))
            response = conn.getresponse()
            response.read()
            if response.status >= 400:
                raise SystemExit(f"{name}: {method} {path}: HTTP {response.status}")
        conn.close()


def measure_pooled(args, url: str, env: dict, clients) -> dict:
    """Lookup and list on the direct gunicorn and on one through PgBouncer, alternating."""
    tokens = [token for token, _code, _tags in clients]
    own_tags = [tags for _token, _code, tags in clients]
    folder = Path(os.environ.get("YIKA_VAR_DIR", "/tmp")) / "bench-pgbouncer"
    with pgbouncer(url, port=args.pooler_port, folder=folder) as pooled_url:
        pooled_env = dict(env, DATABASE_URL=pooled_url, YIKA_DB_POOLER="pgbouncer")
        with gunicorn(args.port + 1, env=pooled_env):
            endpoints = {}
            for name in ("lookup", "list"):
                endpoints[f"direct {name}"] = shape_maker(SHAPES[name], own_tags, None)
                endpoints[f"pooled {name}"] = (
                    args.port + 1, tokens, shape_maker(SHAPES[name], own_tags, None)
                )  # fmt: skip
            warm_up(args.port, tokens, endpoints)
            return load_interleaved(args.port, tokens, args.seconds, endpoints)


def measure_http(args, url: str, rows: set, campaign=None) -> dict:
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
    measured = {}
    with gunicorn(args.port, env=env):
        if "lookup" in rows:
            settle(
                args.port,
                [(tokens[n], bare(n), lookup(n), public(n)) for n in range(len(tokens))],
            )
            measured = load_interleaved(
                args.port, tokens, args.seconds, {"bare": bare, "lookup": lookup, "public": public}
            )
            rate = PACED_SHARE * measured["lookup"]["throughput"]
            latencies, errors = drive(args.port, tokens, args.paced_seconds, lookup, rate)
            measured["lookup paced"] = dict(
                summarise(latencies, errors, args.paced_seconds), offered=round(rate, 1)
            )
        if "stocktake" in rows:
            from stocktake import measure_scans, scan_requests

            scan_bare, scan = scan_requests(
                campaign.pk, [(code, tags) for _token, code, tags in clients]
            )
            saturated, paced = measure_scans(
                args.port, tokens, args.seconds, args.paced_seconds, scan_bare, scan, (PACED_SHARE,)
            )
            measured["scan bare"] = saturated["bare"]
            measured["scans"] = saturated["scans"]
            measured["scans paced"] = paced[PACED_SHARE]
        if args.pooler:
            measured.update(measure_pooled(args, url, env, clients))
        if args.peer:
            peer_tags, peer_campaign = peer_setup(args)
            for name, figures in measure_peer(
                args, clients, campaign, peer_tags, peer_campaign
            ).items():
                measured[name] = figures
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
    parser.add_argument("--labels", type=int, default=LABELS, help="labels to render")
    parser.add_argument("--import-rows", type=int, default=IMPORT_ROWS, help="ledger rows")
    parser.add_argument("--port", type=int, default=8121)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/yika_scale")
    parser.add_argument("--only", nargs="+", choices=ROWS, metavar="ROW", help=", ".join(ROWS))
    parser.add_argument("--skip", nargs="+", choices=ROWS, metavar="ROW", default=[])
    parser.add_argument("--json", help="write the raw figures to this file, after each size")
    parser.add_argument("--pooler", choices=["pgbouncer"], help="measure a pooled gunicorn too")
    parser.add_argument("--pooler-port", type=int, default=6432)
    parser.add_argument("--peer", help="another server's URL, measured beside Yika's")
    parser.add_argument("--peer-token", help="an API token of a user of the peer")
    parser.add_argument("--peer-tags", help="a file of the peer's tags, one a line")
    parser.add_argument("--peer-campaign", help="the peer's active campaign for the count shape")
    for name, shape in SHAPES.items():
        parser.add_argument(f"--peer-{name}", default=shape, help=f"default: {shape}")
    args = parser.parse_args()
    sizes = sorted(args.sizes)
    rows = set(args.only or ROWS) - set(args.skip)
    if args.peer and not args.peer_token:
        parser.error("--peer needs --peer-token")
    if args.peer or args.pooler:
        rows.add("lookup")  # their figures are taken beside the lookup row's gunicorn

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
        figures[cards] = measure_size(args, url, rows)
        if args.json:  # after each size: a run stopped at the second keeps the first
            Path(args.json).write_text(json.dumps(figures, indent=1, default=str))
    print(f"load average at end: {load_average()}")
    return report(figures, sizes, rows)


def measure_size(args, url: str, rows: set) -> dict:
    out: dict = {}
    if "lists" in rows:
        out["lists"] = measure_lists(args.runs)
    if "balance" in rows:
        out["balance"] = measure_balance()
    campaign = None
    if rows & CAMPAIGN_ROWS:
        campaign, activate_s = open_campaign()
        out["campaign"] = {"activate_s": activate_s}
    try:
        if "progress" in rows:
            out["progress"] = measure_progress_rows(campaign, max(5, args.runs // 2))
        if rows & {"lookup", "stocktake"}:
            out["http"] = measure_http(args, url, rows, campaign)
        if "campaign" in rows:
            out["campaign"].update(close_rolled_back(campaign))
    finally:
        if campaign is not None:
            empty_stocktakes()
    env = dict(os.environ, DATABASE_URL=url)
    if "labels" in rows:
        out["labels"] = run_script("labels.py", "--register", "--labels", str(args.labels), env=env)
    if "import" in rows:
        out["import"] = run_script(
            "import.py", "--register", "--rows", str(args.import_rows), "--database-url", url,
            env=env,
        )  # fmt: skip
    return out


def report(figures: dict, sizes: list[int], rows: set) -> int:
    small, large = sizes[0], sizes[-1]
    print(f"\n{'measurement':<44}" + "".join(f"{size:>12,}" for size in sizes) + f"{'growth':>9}")
    verdicts = []

    def values_of(group, name, key=None):
        return [
            figures[size][group][name][key] if key else figures[size][group][name] for size in sizes
        ]

    def row(name, values, growth=None):
        digits = 2 if any(word in name for word in ("share", " / ")) else 1
        print(
            f"{name:<44}"
            + "".join(f"{v:>12.{digits}f}" for v in values)
            + (f"{growth:>8.2f}×" if growth is not None else "")
        )

    def grows(values, inverse=False):
        """Largest over smallest size; for a throughput the cost per request grows inversely."""
        first, last = (values[-1], values[0]) if inverse else (values[0], values[-1])
        return last / first if first else 0.0

    def check(text, met):
        verdicts.append((text, met))

    def at_sizes(values, unit):
        return ", ".join(f"{v:.1f} {unit} at {s:,}" for v, s in zip(values, sizes, strict=True))

    if "lists" in rows:
        for name in figures[small]["lists"]:
            values = values_of("lists", name, "p95")
            growth = grows(values)
            row(f"{name} p95 ms", values, growth)
            check(
                f"{name}: p95 {values[-1]:.1f} ms at {large:,} (< {LIST_P95_MAX_MS:g}),"
                f" growth {growth:.2f} (≤ {LIST_GROWTH_MAX})",
                values[-1] < LIST_P95_MAX_MS and growth <= LIST_GROWTH_MAX,
            )
    http_rows = []
    if "lookup" in rows:
        http_rows += [("bare", "lookup"), ("bare", "public")]
    if "stocktake" in rows:
        http_rows += [("scan bare", "scans")]
    shown = set()
    for bare, name in http_rows:
        for endpoint in (bare, name):
            if endpoint not in shown:
                shown.add(endpoint)
                values = values_of("http", endpoint, "throughput")
                row(f"{endpoint} req/s", values, grows(values, inverse=True))
        values = values_of("http", name, "throughput")
        growth = grows(values, inverse=True)
        shares = [
            figures[size]["http"][name]["throughput"] / figures[size]["http"][bare]["throughput"]
            for size in sizes
        ]
        row(f"{name} share of bare", shares)
        errors = sum(figures[size]["http"][name]["errors"] for size in sizes)
        share_min, growth_max = (
            (SCAN_SHARE_MIN, SCAN_GROWTH_MAX) if name == "scans" else
            (LOOKUP_SHARE_MIN, LOOKUP_GROWTH_MAX)
        )  # fmt: skip
        check(
            f"{name}: "
            + ", ".join(
                f"{share:.2f}× bare at {s:,}" for share, s in zip(shares, sizes, strict=True)
            )
            + f" (≥ {share_min}), cost growth {growth:.2f} (≤ {growth_max}), errors {errors}",
            min(shares) >= share_min and growth <= growth_max and not errors,
        )
    if "lookup" in rows:
        paced = values_of("http", "lookup paced")
        row("lookup paced at 50 % p99 ms", [p["p99_ms"] for p in paced])
        check(
            "lookup paced at 50 % of capacity: p99 "
            + at_sizes([p["p99_ms"] for p in paced], "ms")
            + f" (< {LOOKUP_PACED_P99_MAX_MS:g})",
            all(p["p99_ms"] < LOOKUP_PACED_P99_MAX_MS and not p["errors"] for p in paced),
        )
    if "stocktake" in rows:
        paced = values_of("http", "scans paced")
        row("scans paced at 50 % p99 ms", [p["p99_ms"] for p in paced])
    if "campaign" in rows:
        values = values_of("campaign", "activate_s")
        growth = grows(values)
        row("activate whole-register campaign s", values, growth)
        check(
            f"activation: {values[-1]:.1f} s at {large:,} (< {ACTIVATION_MAX_S:g}),"
            f" growth {growth:.2f} (≤ {ACTIVATION_GROWTH_MAX})",
            values[-1] < ACTIVATION_MAX_S and growth <= ACTIVATION_GROWTH_MAX,
        )
        values = values_of("campaign", "close_s")
        row("close + frozen result s", values, grows(values))
        row("report of the closed campaign s", values_of("campaign", "report_s"))
        check(
            f"close + frozen result: {values[-1]:.1f} s at {large:,} (< {CLOSE_MAX_S:g})",
            values[-1] < CLOSE_MAX_S,
        )
    if "progress" in rows:
        for name in figures[small]["progress"]:
            values = values_of("progress", name)
            growth = grows(values)
            row(name, values, growth)
            check(
                f"{name.removesuffix(' ms')}: {values[-1]:.1f} ms at {large:,}"
                f" (< {PROGRESS_MAX_MS:g}), growth {growth:.2f} (≤ {PROGRESS_GROWTH_MAX})",
                values[-1] < PROGRESS_MAX_MS and growth <= PROGRESS_GROWTH_MAX,
            )
    if "balance" in rows:
        values = values_of("balance", "balance_s")
        row(f"balance at {BALANCE_ON} s", values, grows(values))
        check(
            f"balance at a date: {values[-1]:.2f} s at {large:,} (< {BALANCE_MAX_S:g})",
            values[-1] < BALANCE_MAX_S,
        )
    for group, seconds_key, seconds_max, rss_max, what in (
        ("labels", "render_s", LABELS_MAX_S, LABELS_RSS_MAX_MB, "labels rendered"),
        ("import", "total_s", IMPORT_MAX_S, IMPORT_RSS_MAX_MB, "ledger rows imported"),
    ):
        if group not in rows:
            continue
        failed = [size for size in sizes if figures[size][group].get("failed")]
        if failed:
            check(f"{group}: failed at {', '.join(f'{s:,}' for s in failed)}", False)
            continue
        count = figures[small][group]["labels" if group == "labels" else "rows"]
        seconds = values_of(group, seconds_key)
        rss = values_of(group, "rss_mb")
        if group == "labels":
            row("labels: issuing (print_labels) s", values_of(group, "print_s"))
        row(f"{group}: {count:,} {what} s", seconds, grows(seconds))
        row(f"{group}: peak RSS MB", rss)
        check(
            f"{group}: {at_sizes(seconds, 's')} (< {seconds_max:g}), peak RSS "
            f"{at_sizes(rss, 'MB')} (< {rss_max:g})",
            max(seconds) < seconds_max and max(rss) < rss_max,
        )
    if "pooled lookup" in figures[small].get("http", {}):
        print("through PgBouncer (transaction mode, YIKA_DB_POOLER=pgbouncer):")
        for name in ("lookup", "list"):
            for key in ("throughput", "p50_ms", "p99_ms"):
                direct = values_of("http", f"direct {name}", key)
                pooled = values_of("http", f"pooled {name}", key)
                row(f"  {name} {key} direct", direct)
                row(f"  {name} {key} pooled", pooled)
                row(f"  {name} {key} pooled / direct",
                    [a / b if b else 0 for a, b in zip(pooled, direct, strict=True)])  # fmt: skip
            errors = sum(figures[size]["http"][f"pooled {name}"]["errors"] for size in sizes)
            check(f"{name} through PgBouncer: errors {errors}", not errors)
    if "yika lookup" in figures[small].get("http", {}):
        print("peer (Yika / peer):")
        for name in ("lookup", "count", "list"):
            if f"yika {name}" not in figures[small]["http"]:
                continue
            for key in ("throughput", "p50_ms", "p99_ms"):
                yika = values_of("http", f"yika {name}", key)
                peer = values_of("http", f"peer {name}", key)
                row(f"  {name} {key} yika", yika)
                row(f"  {name} {key} peer", peer)
                row(
                    f"  {name} {key} yika / peer",
                    [a / b if b else 0 for a, b in zip(yika, peer, strict=True)],
                )
    print("targets:")
    for text, met in verdicts:
        print(f"  {text}: {'met' if met else 'NOT MET'}")
    print(f"verdict: {sum(met for _t, met in verdicts)} of {len(verdicts)} targets met")
    return 0 if all(met for _t, met in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
