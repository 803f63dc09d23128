"""Benchmark: the dashboard's current-stocktake panel (issue 21) on a province's department tree.

    .venv/bin/python bench/dashboard_panel.py [--cards 50000] [--runs 40] [--reuse]
        [--database-url postgres://postgres@127.0.0.1:5432/yika_dashpanel_bench]

The register is bench/scale.py's province (bench/_province.py: 100 units, 1,300 departments on
three levels, the same users) at `--cards` cards, in its own database (dropped and rebuilt
unless `--reuse`), with bench/scale.py's whole-register campaign activated. What grows with
the province is the number of departments, not of cards: the panel reads the progress tally
(a row per department, location and counter) and renders a row per department, so this
measures the rendering at the province's 1,200-odd departments without a million cards (the
SQL at a million is bench/scale.py's `--only progress`).

In process (Django's test client, as bench/register.py), signed in through the login form:
  - /dashboard/ for the administrator, as shipped (the departments most behind);
  - the same page with the panel listing every department (`MOST_BEHIND_SHOWN` raised to the
    department count: what the panel did before), the baseline, in the same run;
  - /dashboard/ for a unit's clerk (their own departments), and for scale the campaign's page
    (the panel's link: the progress of every department and location) and the asset list `/`.
p50, p95, SQL time and queries of each; the shipped panel's p95 over the baseline's; exit 1
when the administrator's dashboard p95 is 300 ms or more.
"""

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _common import load_average, recreate_database  # noqa: E402

DASHBOARD_MAX_MS = 300.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument(
        "--reuse", action="store_true", help="keep the register an earlier run built"
    )
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/yika_dashpanel_bench"
    )
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-" + "x" * 40)
    os.environ.update(DEBUG="0", SECURE_SSL_REDIRECT="0", YIKA_AXES_ENABLED="0")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if not args.reuse:
        recreate_database(args.database_url)
    import django

    django.setup()
    from django.conf import settings
    from django.test import override_settings
    from django.test.utils import setup_test_environment

    setup_test_environment()
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    override_settings(STORAGES=storages).enable()

    from register import PASSWORD, measure, sign_in
    from scale import build, open_campaign

    from assets.models import User
    from inventory import dashboard, selectors

    print(f"load average at start: {load_average()} on {os.cpu_count()} CPUs", flush=True)
    build(args.database_url, args.cards, args.reuse)
    campaign, seconds = open_campaign()
    admin = User.objects.get(username="bench-admin")
    departments = len(selectors.progress(campaign=campaign, user=admin))
    print(f"campaign activated in {seconds:.1f} s; {departments:,} departments with lines")
    clients = {}
    for who, username in (("admin", "bench-admin"), ("clerk", "clerk-U000")):
        user = User.objects.get(username=username)
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        clients[who] = sign_in(user)

    results = {}
    results["dashboard admin (shipped: most behind)"] = measure(
        clients["admin"], "/dashboard/", args.runs
    )
    shipped = dashboard.MOST_BEHIND_SHOWN
    dashboard.MOST_BEHIND_SHOWN = departments  # every department: the panel before
    try:
        results["dashboard admin (baseline: every department)"] = measure(
            clients["admin"], "/dashboard/", args.runs
        )
    finally:
        dashboard.MOST_BEHIND_SHOWN = shipped
    results["dashboard clerk-U000 (own departments)"] = measure(
        clients["clerk"], "/dashboard/", args.runs
    )
    results["campaign page (the panel's link)"] = measure(
        clients["admin"], f"/stocktakes/{campaign.pk}/", max(5, args.runs // 4)
    )
    results["asset list page / admin"] = measure(clients["admin"], "/", args.runs)

    print()
    print(f"load average at the end: {load_average()} on {os.cpu_count()} CPUs")
    print(f"{'measurement':<48} {'p50 ms':>8} {'p95 ms':>8} {'SQL ms':>8} {'queries':>8}")
    for name, r in results.items():
        print(f"{name:<48} {r['p50']:>8.1f} {r['p95']:>8.1f} {r['db']:>8.1f} {r['queries']:>8}")
    new = results["dashboard admin (shipped: most behind)"]
    old = results["dashboard admin (baseline: every department)"]
    print(
        f"admin dashboard p95: {new['p95']:.1f} ms shipped, {old['p95']:.1f} ms listing every"
        f" department: {new['p95'] / old['p95']:.2f} × the baseline"
    )
    met = new["p95"] < DASHBOARD_MAX_MS
    print(f"target: admin dashboard p95 < {DASHBOARD_MAX_MS:.0f} ms: {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
