"""A province's register for the benchmarks: `cards` cards in 100 units, loaded with COPY.

The departments form three levels under the province (unit › division › section); each unit
has a building of rooms; unit sizes follow a long tail (the largest about 20× the smallest).
Cards carry a realistic mix: categories by weight (desktops most, then laptops, printers,
network, servers, …), values drawn per category, statuses (in use most, a few idle, in stock,
lent, under repair, pending disposal, retired with their date), a custodian's name, a tag of
the card's service year with its check character. 12 % of cards are components nested in a
server host of the same unit (embedded or rack-mounted). Every card has its "registered"
event, a retired card its "retired" event too, and the tag counters continue after the
loaded tags, so the app treats the cards as registered ones.

Bulk load, not the services: the bench measures reading and scanning, not registering (as
bench/register.py). Rows go in with COPY while the table's secondary indexes are dropped (and
rebuilt after, which is much cheaper than maintaining them row by row) and with
`session_replication_role = replica` (no per-row foreign-key triggers: the generator makes
consistent ids itself, and `check_references` verifies them once, set-based, after the load).
"""

from __future__ import annotations

import random
import time
from datetime import UTC, date, datetime, timedelta

UNITS = 100
DIVISIONS_PER_UNIT = 4
SECTIONS_PER_DIVISION = 2
ROOMS_PER_UNIT = 12
NESTED_SHARE = 0.12

# code: (weight, low value, high value); the seeded GB/T 14885 categories.
CATEGORIES = {
    "A02010105": (30, 3500, 9000),  # desktop
    "A02010108": (14, 4500, 15000),  # laptop
    "A02021000": (9, 1200, 6000),  # printer
    "A02010200": (7, 2000, 60000),  # network
    "A02010104": (8, 18000, 160000),  # server (the hosts)
    "A02020100": (4, 8000, 40000),  # copier
    "A02020200": (4, 3000, 15000),  # projector
    "A02021118": (3, 1500, 8000),  # scanner
    "A02061804": (6, 3000, 12000),  # air conditioner
    "A02091107": (4, 1000, 20000),  # CCTV
    "A02080805": (2, 20000, 200000),  # video conferencing
    "A08060303": (3, 5000, 300000),  # application software
    "A02010300": (6, 5000, 80000),  # security appliance
}
SERVER = "A02010104"
# Components nested in a server: security appliances, network cards/modules, storage.
COMPONENT_CATEGORIES = ("A02010300", "A02010200", "A02010104")

# status: weight (hosts; components are in use with their host). Under repair and pending
# disposal are left out: the app reads those with their repair record or disposal case.
STATUSES = {
    "in_use": 80,
    "idle": 6,
    "in_stock": 4,
    "lent": 1,
    "retired": 8,
}
NAMES = {
    "A02010105": ["台式计算机", "办公电脑", "图形工作站"],
    "A02010108": ["便携式计算机", "笔记本电脑"],
    "A02021000": ["激光打印机", "彩色打印机", "票据打印机"],
    "A02010200": ["交换机", "路由器", "无线控制器", "光模块"],
    "A02010104": ["服务器", "存储服务器", "刀片服务器"],
    "A02020100": ["复印机", "多功能一体机"],
    "A02020200": ["投影仪"],
    "A02021118": ["扫描仪", "高拍仪"],
    "A02061804": ["空调机", "精密空调"],
    "A02091107": ["网络摄像机", "硬盘录像机"],
    "A02080805": ["视频会议终端", "会议室音频系统"],
    "A08060303": ["业务应用系统", "OA系统"],
    "A02010300": ["防火墙", "入侵检测设备", "加密机"],
}
BRANDS = ["联想", "华为", "浪潮", "曙光", "新华三", "长城", "惠普", "戴尔", "奔图", "海康威视"]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞建国志文斌宇浩凯"
FIRST_YEAR, LAST_YEAR = 2014, 2025

ASSET_COLUMNS = (
    "id tag legacy_number name brand model spec serial_number unit acquisition_method "
    "acquired_on in_service_on contract_no invoice_no warranty_until value_type original_value "
    "booked_on voucher_no depreciate useful_life_months ownership_confirmed custodian status "
    "lent_to suspected_shortage install_mode label_mode notes created_at updated_at retired_at "
    "retire_reason custodian_user_id parent_id category_id project_id managing_department_id "
    "owner_department_id using_department_id location_id"
).split()
EVENT_COLUMNS = "asset_id kind at changes note actor_id note_code note_params".split()


def reference_data() -> dict:
    """The department tree, the rooms and the bench's users (ORM: a few thousand rows)."""
    from django.contrib.auth.models import Group

    from assets.models import Category, Department, Location, User

    province = Department.objects.create(code="SHENG", name="省数据局", kind="bureau")
    units = Department.objects.bulk_create(
        Department(code=f"U{u:03d}", name=f"省直单位{u:03d}", kind="bureau", parent=province)
        for u in range(UNITS)
    )
    divisions = Department.objects.bulk_create(
        Department(
            code=f"{unit.code}-{d}", name=f"{unit.name}第{d + 1}处", kind="office", parent=unit
        )
        for unit in units
        for d in range(DIVISIONS_PER_UNIT)
    )
    sections = Department.objects.bulk_create(
        Department(
            code=f"{division.code}-{s}",
            name=f"{division.name}{s + 1}科",
            kind="office",
            parent=division,
        )
        for division in divisions
        for s in range(SECTIONS_PER_DIVISION)
    )
    buildings = Location.objects.bulk_create(
        Location(code=f"{unit.code}-B", name=f"{unit.name}办公楼", kind="building", department=unit)
        for unit in units
    )
    rooms = Location.objects.bulk_create(
        Location(
            code=f"{building.code}-{r:02d}",
            name=f"{building.name}{r + 1:02d}室" if r else f"{building.name}机房",
            kind="room",
            parent=building,
            department=building.department,
        )
        for building in buildings
        for r in range(ROOMS_PER_UNIT)
    )
    groups = {g.name: g for g in Group.objects.all()}
    admin = User.objects.create(username="bench-admin", department=province)
    admin.groups.add(groups["admin"])
    auditor = User.objects.create(username="bench-auditor", department=province)
    auditor.groups.add(groups["auditor"])
    # One clerk per unit (the unit's whole tree) and per division of the first units.
    clerks = []
    for unit in units:
        clerk = User.objects.create(username=f"clerk-{unit.code}", department=unit)
        clerk.groups.add(groups["clerk"])
        clerks.append(clerk)
    categories = {
        c.code: c.pk
        for c in Category.objects.filter(code_system="GBT14885-2022", code__in=CATEGORIES)
    }
    return {
        "province": province,
        "units": units,
        "divisions": divisions,
        "sections": sections,
        "rooms": rooms,
        "admin": admin,
        "auditor": auditor,
        "clerks": clerks,
        "categories": categories,
    }


def _unit_weights(rng: random.Random) -> list[float]:
    # A long tail: unit k weighs 1/(k + 5), shuffled so unit codes do not sort by size.
    weights = [1 / (k + 5) for k in range(UNITS)]
    rng.shuffle(weights)
    return weights


def generate(cards: int, *, seed: int = 21) -> dict:
    """Load `cards` cards (and their events) into the migrated, empty register of the current
    database. Returns the reference data with timings and a sample of tags per unit."""
    from django.db import connection

    from assets import tags
    from assets.models import Asset, AssetEvent, TagSequence
    from config.sql import quote_table

    started = time.perf_counter()
    ref = reference_data()
    rng = random.Random(seed)
    units, divisions, sections, rooms = (
        ref["units"],
        ref["divisions"],
        ref["sections"],
        ref["rooms"],
    )
    divisions_of = {u.pk: [d for d in divisions if d.parent_id == u.pk] for u in units}
    sections_of = {d.pk: [s for s in sections if s.parent_id == d.pk] for d in divisions}
    rooms_of = {u.pk: [r for r in rooms if r.department_id == u.pk] for u in units}
    category_codes = list(CATEGORIES)
    category_weights = [CATEGORIES[c][0] for c in category_codes]
    status_names = list(STATUSES)
    status_weights = list(STATUSES.values())
    unit_weights = _unit_weights(rng)
    sequence = dict.fromkeys(range(FIRST_YEAR, LAST_YEAR + 1), 0)
    sample_tags: dict[int, list[str]] = {u.pk: [] for u in units}

    def next_tag(year: int) -> str:
        while True:
            sequence[year] += 1
            tag = tags.make_tag("YK", year, sequence[year])
            if tag is not None:
                return tag

    components = int(cards * NESTED_SHARE)
    hosts = cards - components
    servers_of: dict[int, list[int]] = {u.pk: [] for u in units}
    now = datetime.now(UTC)

    def card(pk: int, unit, category_code: str, parent_id=None, install_mode="standalone"):
        low, high = CATEGORIES[category_code][1:]
        year = rng.randint(FIRST_YEAR, LAST_YEAR)
        in_service = date(year, rng.randint(1, 12), rng.randint(1, 28))
        acquired = in_service - timedelta(days=rng.randint(0, 30))
        status = "in_use" if parent_id else rng.choices(status_names, status_weights)[0]
        division = rng.choice(divisions_of[unit.pk])
        using = rng.choice(sections_of[division.pk]) if rng.random() < 0.8 else division
        tag = next_tag(year)
        created = datetime(acquired.year, acquired.month, acquired.day, 2, 0, tzinfo=UTC)
        retired_at = None
        if status == "retired":
            retired_at = created + timedelta(days=rng.randint(365, 2500))
            retired_at = min(retired_at, now)
        value = round(rng.uniform(low, high), 2)
        if len(sample_tags[unit.pk]) < 2000 and not retired_at:
            sample_tags[unit.pk].append(tag)
        custodian = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2)))
        return (
            pk,
            tag,
            "",
            rng.choice(NAMES[category_code]),
            rng.choice(BRANDS),
            f"M{rng.randint(100, 9999)}",
            "",
            f"SN{rng.getrandbits(40):010X}",
            "台" if category_code != "A08060303" else "套",
            "purchase",
            acquired,
            in_service,
            "",
            "",
            None,
            "final",
            f"{value:.2f}",
            acquired,
            "",
            True,
            72,
            True,
            custodian,
            status,
            "外单位借用" if status == "lent" else "",
            False,
            install_mode,
            "own_label" if install_mode != "embedded" else "host_label",
            "",
            created,
            created,
            retired_at,
            "报废处置" if retired_at else "",
            None,
            parent_id,
            ref["categories"][category_code],
            None,
            unit.pk,
            unit.pk,
            using.pk,
            rng.choice(rooms_of[unit.pk]).pk,
        )

    asset_table, event_table = quote_table(Asset), quote_table(AssetEvent)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN"
            " (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
            [Asset._meta.db_table, Asset._meta.db_table],
        )
        dropped = cursor.fetchall()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN"
            " (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
            [AssetEvent._meta.db_table, AssetEvent._meta.db_table],
        )
        dropped += cursor.fetchall()
        for name, _definition in dropped:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET session_replication_role = replica")
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        copy_started = time.perf_counter()
        with raw.copy(f"COPY {asset_table} ({', '.join(ASSET_COLUMNS)}) FROM STDIN") as copy:
            for pk in range(1, hosts + 1):
                unit = rng.choices(units, unit_weights)[0]
                code = rng.choices(category_codes, category_weights)[0]
                row = card(pk, unit, code)
                if code == SERVER and row[23] != "retired":
                    servers_of[unit.pk].append(pk)
                copy.write_row(row)
            pk = hosts
            with_servers = [u for u in units if servers_of[u.pk]]
            server_weights = [len(servers_of[u.pk]) for u in with_servers]
            for _ in range(components):
                pk += 1
                unit = rng.choices(with_servers, server_weights)[0]
                code = rng.choice(COMPONENT_CATEGORIES)
                mode = "embedded" if rng.random() < 0.7 else "rack_mounted"
                copy.write_row(
                    card(
                        pk, unit, code, parent_id=rng.choice(servers_of[unit.pk]), install_mode=mode
                    )
                )
        # Each card's events, set-based from the cards just copied (what `register_asset` and
        # `retire_asset` would have written).
        cursor.execute(
            f"INSERT INTO {event_table} ({', '.join(EVENT_COLUMNS)})"
            " SELECT id, %s, created_at, jsonb_build_object('tag', jsonb_build_array(NULL, tag),"
            " 'status', jsonb_build_array(NULL, 'in_use')), '', CAST(NULL AS bigint), '',"
            f" CAST('{{}}' AS jsonb) FROM {asset_table}"
            " UNION ALL SELECT id, %s, retired_at,"
            """ CAST('{"status": ["in_use", "retired"]}' AS jsonb), retire_reason, NULL, '',"""
            f" CAST('{{}}' AS jsonb) FROM {asset_table} WHERE retired_at IS NOT NULL",
            [AssetEvent.Kind.CREATED, AssetEvent.Kind.RETIRED],
        )
        events = cursor.rowcount
        copied = time.perf_counter() - copy_started
        cursor.execute("SET session_replication_role = DEFAULT")
        index_started = time.perf_counter()
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for _name, definition in dropped:
            cursor.execute(definition)
        indexed = time.perf_counter() - index_started
        for table in (asset_table, event_table):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM {table}))",
                [table.strip('"')],
            )
    TagSequence.objects.bulk_create(
        TagSequence(prefix="YK", year=year, last_value=value) for year, value in sequence.items()
    )
    check_references()
    with connection.cursor() as cursor:
        vacuum_started = time.perf_counter()
        cursor.execute(f"VACUUM ANALYZE {asset_table}")
        cursor.execute(f"VACUUM ANALYZE {event_table}")
        vacuumed = time.perf_counter() - vacuum_started
    total = time.perf_counter() - started
    print(
        f"generated {cards:,} cards ({components:,} nested) and {events:,} events in "
        f"{total:.1f} s: COPY {copied:.1f} s, indexes {indexed:.1f} s, vacuum {vacuumed:.1f} s",
        flush=True,
    )
    ref.update(
        sample_tags=sample_tags,
        timings={"total_s": total, "copy_s": copied, "index_s": indexed, "vacuum_s": vacuumed},
    )
    return ref


def check_references() -> None:
    """The foreign keys COPY skipped: every reference points at a row (set-based, once)."""
    from django.db import connection

    from assets.models import Asset, AssetEvent

    checks = []
    for model in (Asset, AssetEvent):
        for field in model._meta.concrete_fields:
            if field.is_relation:
                checks.append((model, field))
    with connection.cursor() as cursor:
        for model, field in checks:
            target = field.related_model._meta
            cursor.execute(
                f'SELECT count(*) FROM "{model._meta.db_table}" r WHERE r."{field.column}" IS NOT'
                f' NULL AND NOT EXISTS (SELECT 1 FROM "{target.db_table}" t'
                f' WHERE t."{target.pk.column}" = r."{field.column}")'
            )
            missing = cursor.fetchone()[0]
            if missing:
                raise SystemExit(f"generator bug: {missing} rows of {model.__name__}.{field.name}")
