"""Benchmark: one disposal case of 5,000 cards (with components) created, submitted, approved and
executed on PostgreSQL (issue 17).

Targets: each step under 5 s; one event per card per step; queries constant in the number of
cards (the same case at a tenth of the size takes about as many statements).

    .venv/bin/python bench/disposal.py [--cards 5000]
        [--database-url postgres://postgres@127.0.0.1:5432/yika_bench_disposal]

It recreates the database named in the URL, migrates it, loads the cards with one bulk insert
(a fifth of them embedded components of the others), then runs the services and prints one line
per step (seconds, statements, events written) and one "target … met/NOT MET" line per target.
"""

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _common import recreate_database  # noqa: E402

TARGET_SECONDS = 5.0


def load(cards: int, department, category, start: int) -> list[str]:
    """`cards` cards of `department`: four hosts for every embedded component."""
    from decimal import Decimal

    from assets import tags
    from assets.models import Asset

    hosts_wanted = cards - cards // 5
    number, hosts = start, []
    while len(hosts) < hosts_wanted:
        number += 1
        tag = tags.make_tag("YK", 2015, number)
        if tag:
            hosts.append(
                Asset(
                    tag=tag,
                    name="台式计算机",
                    category=category,
                    owner_department=department,
                    status=Asset.Status.IN_USE,
                    original_value=Decimal("5000.00"),
                    in_service_on=date(2015, 1, 1),
                )
            )
    Asset.objects.bulk_create(hosts, batch_size=5000)
    components = []
    for index in range(cards - hosts_wanted):
        number += 1
        tag = tags.make_tag("YK", 2015, number)
        while tag is None:
            number += 1
            tag = tags.make_tag("YK", 2015, number)
        components.append(
            Asset(
                tag=tag,
                name="密码卡",
                category=category,
                owner_department=department,
                parent=hosts[index],
                install_mode=Asset.InstallMode.EMBEDDED,
                status=Asset.Status.IN_USE,
                original_value=Decimal("800.00"),
                in_service_on=date(2015, 1, 1),
            )
        )
    Asset.objects.bulk_create(components, batch_size=5000)
    return [a.tag for a in hosts + components], number


def run_case(tags, clerk, approver) -> list[tuple[str, float, int, int]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from assets.disposals import document
    from assets.disposals import services as ds
    from assets.models import AssetEvent

    rows = []
    case = None
    rendering = []
    render = document.render_application

    def timed_render(case):
        started = time.perf_counter()
        content = render(case)
        rendering.append(time.perf_counter() - started)
        return content

    document.render_application = timed_render

    def step(name, call):
        nonlocal case
        before = AssetEvent.objects.count()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            case = call()
            elapsed = time.perf_counter() - started
        rows.append((name, elapsed, len(queries), AssetEvent.objects.count() - before))

    step(
        "create",
        lambda: ds.create_disposal(
            actor=clerk, fields={"method": "scrap", "grounds": "past_life"}, tags=tags
        ),
    )
    step("submit", lambda: ds.submit_disposal(case=case, actor=clerk))
    step(
        "approve",
        lambda: ds.approve_disposal(
            case=case, actor=approver, approval_no="批复〔2026〕1号", approved_on=date.today()
        ),
    )
    step("execute", lambda: ds.execute_disposal(case=case, actor=clerk))
    document.render_application = render
    rows.append(("(pdf)", sum(rendering), 0, 0))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=5000)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/yika_bench_disposal"
    )
    options = parser.parse_args()
    recreate_database(options.database_url)
    os.environ["DATABASE_URL"] = options.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("YIKA_VAR_DIR", "/tmp/yika-bench-disposal")
    import django

    django.setup()
    from decimal import Decimal

    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from assets.disposals import services as ds
    from assets.models import Category, Department, User

    call_command("migrate", verbosity=0)
    department = Department.objects.create(code="BDC", name="市大数据中心")
    category = Category.objects.get(code_system="GBT14885-2022", code="A02010105")
    clerk = User.objects.create(username="bench-clerk", department=department)
    clerk.groups.set(Group.objects.filter(name="clerk"))
    approver = User.objects.create(username="bench-approver", department=department)
    approver.groups.set(Group.objects.filter(name="approver"))
    ds.save_tier(
        actor=None, fields={"up_to": None, "approver_role": "approver", "body": "单位负责人"}
    )
    ds.save_tier(
        actor=None,
        fields={"up_to": Decimal("200000"), "approver_role": "approver", "body": "分管领导"},
    )

    small_tags, last = load(options.cards // 10, department, category, 0)
    big_tags, _last = load(options.cards, department, category, last)
    small = run_case(small_tags, clerk, approver)
    big = run_case(big_tags, clerk, approver)

    print(f"{'step':<8} {'cards':>6} {'seconds':>8} {'queries':>8} {'events':>7}")
    for rows, count in ((small, len(small_tags)), (big, len(big_tags))):
        for name, seconds, queries, events in rows:
            print(f"{name:<8} {count:>6} {seconds:>8.2f} {queries:>8} {events:>7}")
    ok = True
    for name, seconds, _q, _e in big[:4]:
        met = seconds < TARGET_SECONDS
        ok &= met
        print(f"target {name} under {TARGET_SECONDS:.0f} s: {'met' if met else 'NOT MET'}")
    for name, _s, _q, events in big[1:4]:
        met = events == len(big_tags)
        ok &= met
        print(f"target {name} one event per card: {'met' if met else 'NOT MET'} ({events})")
    for (name, _s, q_small, _e), (_n, _s2, q_big, _e2) in zip(small[:4], big[:4], strict=True):
        # Statements come per chunk of 2,000 cards: allow that growth, nothing per card.
        met = q_big <= q_small + 12 * (len(big_tags) // 2000 + 1)
        ok &= met
        print(
            f"target {name} queries constant: {'met' if met else 'NOT MET'} "
            f"({q_small} at {len(small_tags)}, {q_big} at {len(big_tags)})"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
