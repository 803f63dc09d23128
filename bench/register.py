"""Benchmark: the register at 200,000 cards on PostgreSQL.

Targets (issue 2): asset list API p95 < 60 ms (page of 50 with a filter and a `?q=` search),
component subtree of a 1,000-component host p95 < 60 ms, and the list's query count the same
at page size 10 and 50. The card page is reported too. Issue 19: the dashboard (/dashboard/)
p95 < 300 ms as an auditor (the whole register), a department head (the bureau's subtree) and a
clerk (one department), each signed in through the login form and sending what a browser sends
(Accept, Accept-Language zh-CN, a browser's User-Agent), with its ratio to the asset list page
(the former home page) measured in the same run, and the EXPLAIN ANALYZE execution time of each
of its queries (less sensitive to a loaded machine than the wall clock). Exit code 1 when a
target is missed.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yika_bench .venv/bin/python bench/register.py \
        [--cards 200000] [--runs 60] [--keep] [--reuse] [--sql] [--dashboard-only]

It drops and recreates the database named in DATABASE_URL (so never point it at real data),
migrates it, and fills it with bulk inserts: the bench bypasses the services (no history
events, no per-card checks) because what it measures is reading, not registering. Requests go
through Django's test client in process, so the figures are the application's time without
network or WSGI server. The database is dropped again at the end unless --keep is given.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _common import drop_database, recreate_database  # noqa: E402


def fill(cards: int):
    """Departments, locations, users and `cards` assets, 10% of them nested, by bulk insert."""
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection

    from assets import tags
    from assets.models import Asset, Category, Department, Location, User

    call_command("migrate", verbosity=0)
    bureau, _ = Department.objects.get_or_create(code="SJJ", name="市数据局", kind="bureau")
    departments = [
        Department.objects.get_or_create(code=f"D{i:02d}", name=f"委办局{i}", kind="bureau")[0]
        for i in range(1, 20)
    ]
    centre, _ = Department.objects.get_or_create(code="DSJZX", name="市大数据中心", parent=bureau)
    departments = [centre, *departments]
    locations = [
        Location.objects.get_or_create(code=f"R{i:03d}", name=f"机房{i}", kind="room")[0]
        for i in range(200)
    ]
    categories = list(
        Category.objects.filter(code__in=["A02010104", "A02010105", "A02010108", "A02010200"])
    )
    embedded_category = Category.objects.get(code="A02010300")
    users = {}
    # The head of the bureau (单位负责人) approves disposals and reads the bureau's subtree.
    for who, department, role in (
        ("clerk", centre, "clerk"),
        ("admin", bureau, "admin"),
        ("auditor", bureau, "auditor"),
        ("head", bureau, "approver"),
    ):
        user, _ = User.objects.get_or_create(username=f"bench-{who}", department=department)
        user.set_password(PASSWORD)
        user.save()
        user.groups.set(Group.objects.filter(name=role))
        users[who] = user
    bureau.head = users["head"]
    bureau.save()

    names = ["台式计算机", "服务器", "交换机", "便携式计算机", "自助终端", "打印机"]
    models = ["NF5280M6", "S5735", "M90z", "X7-16", "BST-ZW01", "M7160DW"]
    sequence = 0
    year = 2024

    def next_tag():
        nonlocal sequence
        while True:
            sequence += 1
            tag = tags.make_tag("YK", year, sequence)
            if tag is not None:
                return tag

    def card(i, category=None, **extra):
        return Asset(
            tag=next_tag(),
            name=names[i % len(names)],
            model=models[i % len(models)],
            serial_number=f"SN{i:09d}",
            custodian=f"使用人{i % 5000}",
            category=category or categories[i % len(categories)],
            owner_department=departments[i % len(departments)],
            using_department=departments[(i + 1) % len(departments)],
            location=locations[i % len(locations)],
            status=Asset.Status.IN_USE if i % 10 else Asset.Status.IDLE,
            original_value=Decimal("5000.00") + i % 1000,
            in_service_on=date(2021, 1 + i % 12, 1),
            **extra,
        )

    nested = cards // 10
    hosts = cards - nested
    started = time.perf_counter()
    batch = []
    # With --reuse, hosts already inserted by an earlier run are kept (their tags use 2024).
    for i in range(Asset.objects.filter(parent__isnull=True).count(), hosts):
        batch.append(card(i))
        if len(batch) == 5000:
            Asset.objects.bulk_create(batch)
            batch = []
    Asset.objects.bulk_create(batch)
    # Components get tags of another year, so a resumed run never collides with the hosts.
    year, sequence = 2025, 0
    host_ids = list(Asset.objects.order_by("pk").values_list("pk", flat=True)[:hosts])
    big_host = Asset.objects.get(pk=host_ids[0])
    # The big host holds 1,000 components on three levels; the other nested cards spread out.
    batch, level = [], [big_host.pk]
    subtree = []
    already_nested = Asset.objects.filter(parent__isnull=False).exists()  # a --reuse run
    for level_size in (100, 300, 600) if not already_nested else ():
        created = Asset.objects.bulk_create(
            [
                card(
                    hosts + len(subtree) + j,
                    parent_id=level[j % len(level)],
                    install_mode=Asset.InstallMode.EMBEDDED,
                    category=embedded_category,
                )
                for j in range(level_size)
            ]
        )
        subtree.extend(created)
        level = [c.pk for c in created]
    for i in range(nested - len(subtree) if not already_nested else 0):
        batch.append(
            card(
                hosts + 1000 + i,
                parent_id=host_ids[1 + (i % (len(host_ids) - 1))],
                install_mode=Asset.InstallMode.EMBEDDED,
                category=embedded_category,
            )
        )
        if len(batch) == 5000:
            Asset.objects.bulk_create(batch)
            batch = []
    Asset.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        # What autovacuum does to a live register: statistics and the visibility map.
        cursor.execute("VACUUM ANALYZE assets_asset")
    print(f"filled {Asset.objects.count():,} cards in {time.perf_counter() - started:.1f} s")
    card_host = Asset.objects.filter(parent__isnull=True, pk__in=host_ids[1:50]).first()
    return users, big_host, card_host


PASSWORD = "bench-Yika-2026!"
# What Chromium sends for a page it navigates to (the session cookie comes with the client).
BROWSER = {
    "HTTP_ACCEPT": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,"
    "image/webp,*/*;q=0.8",
    "HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9,en;q=0.8",
    "HTTP_ACCEPT_ENCODING": "gzip, deflate, br",
    "HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36",
}


# What an API client sends: JSON, not DRF's browsable HTML that a browser's Accept would get.
API = {"HTTP_ACCEPT": "application/json"}


def sign_in(user, *, headers=None):
    """A client signed in as a browser signs in: the login form, and for a role that needs
    it the second step (a confirmed TOTP device, as after a code was accepted). Its requests
    carry `headers` (a browser's unless told)."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from assets.accounts import twofactor

    client = Client(**(BROWSER if headers is None else headers))
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, (user.username, response.status_code)
    if twofactor.required_for(user):
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def explain(client, url: str) -> list[tuple[float, str]]:
    """Each query of one request with its EXPLAIN ANALYZE execution time, slowest first."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    out = []
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0]
            plan = plan[0] if isinstance(plan, list) else plan
            out.append((float(plan["Execution Time"]), " ".join(sql.split())[:110]))
    return sorted(out, reverse=True)


def measure(client, url: str, runs: int, show_sql: bool = False, **extra) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):  # warm up caches and connections
        response = client.get(url, **extra)
        assert response.status_code == 200, (url, response.status_code)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url, **extra)
        timings.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(url, **extra)
    timings.sort()
    result = {
        "p50": statistics.median(timings),
        "p95": timings[max(0, int(round(0.95 * len(timings))) - 1)],
        "queries": len(queries),
        "db": sum(float(q["time"]) for q in queries.captured_queries) * 1000,
    }
    print(
        f"  {url}: p50 {result['p50']:.1f} ms, p95 {result['p95']:.1f} ms,"
        f" SQL {result['db']:.1f} ms in {result['queries']} queries",
        flush=True,
    )
    if show_sql:
        for query in queries.captured_queries:
            print(f"    [{float(query['time']) * 1000:.1f} ms] {query['sql']}")
    return result


def report(results: dict, ratios: dict, explained: dict, extra: dict | None) -> int:
    """Print the table and the targets; 0 only when every target is met."""
    print()
    load = os.getloadavg()
    print(
        f"load average (1, 5, 15 min) at the end: {load[0]:.1f}, {load[1]:.1f}, {load[2]:.1f}"
        f" on {os.cpu_count()} CPUs"
    )
    print(f"{'measurement':<58} {'p50 ms':>8} {'p95 ms':>8} {'SQL ms':>8} {'queries':>8}")
    for name, r in results.items():
        print(f"{name:<58} {r['p50']:>8.1f} {r['p95']:>8.1f} {r['db']:>8.1f} {r['queries']:>8}")
    targets = {}
    if extra is not None:
        stress, q10, q50 = extra["stress"], extra["q10"], extra["q50"]
        print(
            f"stress, not a target: admin ?status=in_use&q=服务器 (33,000 matches) "
            f"p50 {stress['p50']:.1f} ms, p95 {stress['p95']:.1f} ms"
        )
        print(f"list queries at page size 10: {q10}, at 50: {q50} (constant: {q10 == q50})")
        list_p95 = max(r["p95"] for n, r in results.items() if n.startswith("list"))
        subtree_p95 = results["subtree of a 1,000-component host"]["p95"]
        targets[f"list p95 {list_p95:.1f} ms (< 60)"] = list_p95 < 60
        targets[f"subtree p95 {subtree_p95:.1f} ms (< 60)"] = subtree_p95 < 60
        targets[f"list queries constant in the page size ({q10} at 10, {q50} at 50)"] = q10 == q50
    for who, ratio in ratios.items():
        dash = results[f"dashboard /dashboard/ {who}"]
        plans = explained[who]
        print(
            f"dashboard {who}: p50 {dash['p50']:.1f} ms, p95 {dash['p95']:.1f} ms,"
            f" {ratio:.2f} × the asset list page's p50; EXPLAIN ANALYZE of its"
            f" {len(plans)} queries: {sum(t for t, _q in plans):.1f} ms in all, slowest:"
        )
        for took, sql in plans[:3]:
            print(f"    {took:8.3f} ms  {sql}")
        targets[f"dashboard {who} p95 {dash['p95']:.1f} ms (< 300)"] = dash["p95"] < 300
    print("targets:")
    for target, met in targets.items():
        print(f"  {target}: {'met' if met else 'NOT met'}")
    # Exit 0 only when every target is met, so a script or CI job can rely on the code.
    return 0 if all(targets.values()) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the hosts of an earlier --keep run that stopped before its components",
    )
    parser.add_argument(
        "--sql", action="store_true", help="print each measured request's SQL with its time"
    )
    parser.add_argument(
        "--dashboard-only",
        action="store_true",
        help="measure only the dashboard and its baseline (with --reuse on a --keep database)",
    )
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        print("bench/register.py needs PostgreSQL: set DATABASE_URL=postgres://…/yika_bench")
        print("(the database named there is dropped and recreated).")
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault(
        "SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
    )
    os.environ["DEBUG"] = "0"
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ["YIKA_AXES_ENABLED"] = "0"
    if not args.reuse:
        recreate_database(url)

    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()
    from django.conf import settings
    from django.test import override_settings

    # Pages reference static files; the bench does not run collectstatic.
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    override_settings(STORAGES=storages).enable()
    try:
        users, big_host, card_host = fill(args.cards)
        clerk, admin = users["clerk"], users["admin"]
        results = {}
        explained = {}
        # The dashboard (issue 19) against the asset list page, the same user, the same run.
        ratios = {}
        for who in ("auditor", "head", "clerk"):
            client = sign_in(users[who])
            baseline = measure(client, "/", args.runs, args.sql)
            results[f"asset list page / (baseline) {who}"] = baseline
            results[f"dashboard /dashboard/ {who}"] = measure(
                client, "/dashboard/", args.runs, args.sql
            )
            ratios[who] = results[f"dashboard /dashboard/ {who}"]["p50"] / baseline["p50"]
            explained[who] = explain(client, "/dashboard/")
        if args.dashboard_only:
            return report(results, ratios, explained, None)
        # A clerk types part of a person's name, a serial number or a tag: a selective search.
        # "服务器" matches a sixth of the register (every server): a stress figure, not the target.
        searches = {
            "?status=in_use&q=使用人123 (custodian)": "status=in_use&q=%E4%BD%BF%E7%94%A8%E4%BA%BA123",
            "?owner_department=D03&q=SN00012 (serial)": "owner_department=D03&q=SN00012",
            "?owner_department=D03 (no search)": "owner_department=D03",
        }
        for who, user in (("clerk", clerk), ("admin", admin)):
            client = sign_in(user, headers=API)
            for label, query in searches.items():
                results[f"list {who}: {label}"] = measure(
                    client, f"/api/v1/assets/?{query}&page_size=50", args.runs, args.sql
                )
        client = sign_in(admin, headers=API)
        stress = measure(
            client,
            "/api/v1/assets/?status=in_use&q=%E6%9C%8D%E5%8A%A1%E5%99%A8&page_size=50",
            max(5, args.runs // 4),
        )
        client = sign_in(admin)
        results["card page /assets/{tag}/"] = measure(
            client, f"/assets/{card_host.tag}/", args.runs, args.sql
        )
        client = sign_in(admin, headers=API)
        results["subtree of a 1,000-component host"] = measure(
            client, f"/api/v1/assets/{big_host.tag}/components/", args.runs, args.sql
        )
        client = sign_in(admin, headers=API)
        q10 = measure(client, "/api/v1/assets/?status=in_use&page_size=10", 5)["queries"]
        q50 = measure(client, "/api/v1/assets/?status=in_use&page_size=50", 5)["queries"]

        extra = {"stress": stress, "q10": q10, "q50": q50}
        return report(results, ratios, explained, extra)
    finally:
        if not args.keep:
            drop_database(url)


if __name__ == "__main__":
    sys.exit(main())
