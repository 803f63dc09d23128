"""`manage.py seed_demo [--once]`: a realistic, deterministic demo register.

The municipal data bureau (市数据局), its big data centre (市大数据中心) with offices, a dozen receiving
bureaus (委办局), a machine room with racks, one account per role, and a few hundred cards: servers,
switches, PCs, laptops, printers, self-service kiosks with embedded terminal access devices,
software systems and the assets of delegated-build (代建) projects. Cards are written through the
services as the system itself (`actor=SYSTEM`, no scope to keep to), so each has its tag and
`created` event; the demo handover is prepared by the centre's clerk, as handovers must be.

After its own data it calls `X.demo.seed(stdout=...)` for every other installed app `X` that has
a `demo` module, so other apps add their demo data without `assets` importing them.
"""

import importlib
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from assets import services
from assets.custody import services as custody_services
from assets.handovers import services as handover_services
from assets.models import CURRENT_CODE_SYSTEM, Asset, Category, Department, Location, User
from assets.permissions import SYSTEM

DEMO_PASSWORD = "yika-demo-2024"
SEED = 20240601

BUREAU = ("SJJ", "市数据局", "bureau", None)
DEPARTMENTS = [
    BUREAU,
    ("SJJ-BGS", "市数据局办公室", "office", "SJJ"),
    ("SJJ-GHC", "市数据局规划发展处", "office", "SJJ"),
    ("DSJZX", "市大数据中心", "centre", "SJJ"),
    ("DSJZX-ZHB", "市大数据中心综合部", "office", "DSJZX"),
    ("DSJZX-YWB", "市大数据中心运维保障部", "office", "DSJZX"),
    ("DSJZX-AQB", "市大数据中心网络安全部", "office", "DSJZX"),
    ("DSJZX-YYB", "市大数据中心应用开发部", "office", "DSJZX"),
]
RECEIVING_BUREAUS = [
    ("WJW", "市卫生健康委员会"),
    ("JYJ", "市教育局"),
    ("GAJ", "市公安局"),
    ("RSJ", "市人力资源和社会保障局"),
    ("MZJ", "市民政局"),
    ("ZRZYJ", "市自然资源和规划局"),
    ("ZJJ", "市住房和城乡建设局"),
    ("JTJ", "市交通运输局"),
    ("SCJGJ", "市市场监督管理局"),
    ("YBJ", "市医疗保障局"),
    ("ZWFW", "市政务服务管理办公室"),
    ("CZJ", "市财政局"),
]

# (username, display name, department code, roles, is_staff)
USERS = [
    # No display name: the account reads as its login name in every language (a name like
    # 系统管理员 read as the system's own words on English pages).
    ("admin", "", "SJJ", ["admin"], True),
    ("clerk", "王资产（大数据中心资产管理员）", "DSJZX", ["clerk"], False),
    ("clerk_ops", "李运维（运维保障部资产管理员）", "DSJZX-YWB", ["clerk"], False),
    ("clerk_sjj", "赵文（数据局办公室资产管理员）", "SJJ-BGS", ["clerk"], False),
    ("receiver_wjw", "陈卫（卫健委接收人）", "WJW", ["receiver"], False),
    ("receiver_jyj", "周教（教育局接收人）", "JYJ", ["receiver"], False),
    # Internal transfers (单位内部调拨): the offices of the bureau's own unit that take cards from
    # the centre accept them item by item like any receiving department.
    ("receiver_ywb", "钱保（运维保障部接收人）", "DSJZX-YWB", ["receiver"], False),
    ("receiver_bgs", "冯书（数据局办公室接收人）", "SJJ-BGS", ["receiver"], False),
    ("clerk_wjw", "吴健（卫健委资产管理员）", "WJW", ["clerk"], False),
    ("auditor", "孙审（审计评价人员）", "SJJ", ["auditor"], True),
    # Disposals
    ("approver", "郑批（数据局分管领导，处置审批）", "SJJ", ["approver"], False),
    # Custody (issue 18): a colleague who holds a laptop and a PC, and sees only those
    ("staff", "张持有（大数据中心工作人员）", "DSJZX", ["staff"], False),
]

# Serial numbers are the makers' own Latin letters and digits, never Chinese characters.
SERIAL_PREFIX = {
    "三未信安": "SW",
    "中科英泰": "ZK",
    "华为": "HW",
    "奇安信": "QAX",
    "奔图": "PT",
    "广电运通": "GRG",
    "新北洋": "SNBC",
    "新华三": "H3C",
    "浪潮": "IS",
    "深信服": "SF",
    "清华同方": "TF",
    "渔翁信息": "YW",
    "联想": "LN",
    "锐捷": "RJ",
    "长城": "GW",
}

BRANDS = {
    "server": [("华为", "FusionServer 2288H V6"), ("浪潮", "NF5280M6"), ("新华三", "R4900 G5")],
    "switch": [("华为", "CloudEngine S5735"), ("新华三", "S6520X"), ("锐捷", "RG-S5750")],
    "pc": [("联想", "开天 M90z"), ("华为", "擎云 B730"), ("长城", "世恒 TF830")],
    "laptop": [("联想", "昭阳 X7-16"), ("华为", "擎云 L420"), ("清华同方", "超锐 L7500")],
    "printer": [("奔图", "M7160DW"), ("联想", "GM337dn"), ("华为", "PixLab X1")],
    "kiosk": [("新北洋", "BST-ZW01"), ("中科英泰", "KS-9000"), ("广电运通", "G-Z200")],
    "access": [("奇安信", "终端安全接入网关 NAC-1000"), ("深信服", "aTrust 接入终端 A100")],
    "crypto": [("三未信安", "SJK1926 密码卡"), ("渔翁信息", "SJK19152 PCI-E 密码卡")],
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"


class Command(BaseCommand):
    help = "Load the demo register (departments, locations, users, a few hundred assets)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--once",
            action="store_true",
            help="Do nothing when the demo data is already there (used by `make run`).",
        )

    def handle(self, *args, once=False, **options):
        if once and Department.objects.filter(code=BUREAU[0]).exists():
            self.stdout.write("Demo data is already loaded; nothing to do.")
            return
        self.rng = random.Random(SEED)
        with transaction.atomic():
            departments = self.seed_departments()
            locations = self.seed_locations(departments)
            users = self.seed_users(departments)
            count = self.seed_assets(departments, locations, users)
        self.stdout.write(self.style.SUCCESS(f"Demo register: {count} asset cards."))
        self.seed_handover()
        self.seed_disposals()
        self.seed_custody()
        self.seed_reconciliation()
        self.seed_other_apps()
        self.stdout.write("")
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for username, name, department, roles, _staff in USERS:
            self.stdout.write(f"  {username:<14} {','.join(roles):<9} {department:<10} {name}")

    # Reference data -------------------------------------------------------------------------
    def seed_departments(self) -> dict[str, Department]:
        # Reference data has no service of its own (like the categories migration).
        by_code: dict[str, Department] = {}
        rows = DEPARTMENTS + [(code, name, "bureau", None) for code, name in RECEIVING_BUREAUS]
        for code, name, kind, parent in rows:
            by_code[code], _ = Department.objects.get_or_create(
                code=code,
                defaults={
                    "name": name,
                    "kind": kind,
                    "parent": by_code.get(parent),
                    "contact": f"{name}资产管理岗 0571-8{len(by_code):03d}0000",
                },
            )
        return by_code

    def _location(self, code, name, kind, parent=None, department=None) -> Location:
        location, _ = Location.objects.get_or_create(
            code=code,
            defaults={"name": name, "kind": kind, "parent": parent, "department": department},
        )
        return location

    def seed_locations(self, departments) -> dict[str, list[Location]]:
        centre = departments["DSJZX"]
        site = self._location("HQ", "市政务服务中心园区", "site", department=departments["SJJ"])
        dc = self._location("HQ-B1", "数据中心大楼", "building", site, centre)
        floor = self._location("HQ-B1-F3", "数据中心三层", "floor", dc, centre)
        room = self._location("HQ-B1-F3-301", "301 主机房", "room", floor, centre)
        racks = [
            self._location(f"HQ-B1-F3-301-{row}{n:02d}", f"{row}{n:02d} 机柜", "rack", room, centre)
            for row in "AB"
            for n in range(1, 7)
        ]
        office_floor = self._location("HQ-B1-F5", "数据中心五层", "floor", dc, centre)
        offices = [
            self._location(f"HQ-B1-F5-{n}", f"5{n:02d} 办公室", "room", office_floor, centre)
            for n in range(1, 9)
        ]
        hall_building = self._location("HQ-B2", "政务服务大厅", "building", site)
        hall_floor = self._location("HQ-B2-F1", "大厅一层", "floor", hall_building)
        halls = [
            self._location(f"HQ-B2-F1-{zone}", f"{zone} 区自助服务区", "room", hall_floor)
            for zone in "ABCD"
        ]
        bureau_rooms = []
        for code, name in RECEIVING_BUREAUS:
            bureau_site = self._location(
                f"{code}-HQ", f"{name}办公楼", "building", department=departments[code]
            )
            bureau_rooms.append(
                self._location(
                    f"{code}-HQ-IT", f"{name}信息科", "room", bureau_site, departments[code]
                )
            )
        return {"racks": racks, "offices": offices, "halls": halls, "bureaus": bureau_rooms}

    def seed_users(self, departments) -> dict[str, User]:
        users = {}
        for username, name, department, roles, is_staff in USERS:
            existing = User.objects.filter(username=username).first()
            if existing is not None:
                users[username] = existing
                continue
            users[username] = services.save_user(
                actor=SYSTEM,
                fields={
                    "username": username,
                    "password": DEMO_PASSWORD,
                    "display_name": name,
                    "email": f"{username}@demo.yika.example",
                    "department": departments[department],
                    "is_staff": is_staff,
                    "roles": roles,
                },
            )
        return users

    # Cards ----------------------------------------------------------------------------------
    def _person(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(
            self.rng.choices(GIVEN, k=self.rng.randint(1, 2))
        )

    def _day(self, start_year=2016, end_year=2024) -> date:
        start = date(start_year, 1, 1)
        return start + timedelta(days=self.rng.randint(0, (date(end_year, 12, 31) - start).days))

    def _register(self, **fields) -> Asset:
        kind = fields.pop("kind")
        brand, model = self.rng.choice(BRANDS[kind])
        acquired = fields.pop("acquired_on", None) or self._day()
        data = {
            "brand": brand,
            "model": model,
            "serial_number": f"{SERIAL_PREFIX.get(brand, 'SN')}{self.rng.randrange(16**10):010X}",
            "acquired_on": acquired,
            "in_service_on": acquired + timedelta(days=self.rng.randint(0, 40)),
            "booked_on": acquired + timedelta(days=self.rng.randint(0, 20)),
            "contract_no": f"HT-{acquired.year}-{self.rng.randint(1, 999):03d}",
            "voucher_no": f"PZ{acquired:%Y%m}-{self.rng.randint(1, 300):03d}",
            "status": Asset.Status.IN_USE,
            **fields,
        }
        # Registered on its booking day, not at the moment the demo is loaded: the reports at a
        # past date count a card from its registration (DESIGN.md invariant 12), and a demo
        # register whose cards were all created just now would be empty at yesterday's date.
        booked = data["booked_on"] or data["acquired_on"]
        registered_at = datetime.combine(booked, time(9), tzinfo=ZoneInfo(settings.TIME_ZONE))
        return services.register_asset(actor=SYSTEM, fields=data, registered_at=registered_at)

    def seed_assets(self, departments, locations, users) -> int:
        rng = self.rng
        cat = {
            c.code: c
            for c in Category.objects.filter(code_system=CURRENT_CODE_SYSTEM, is_active=True)
        }
        centre = departments["DSJZX"]
        ops = departments["DSJZX-YWB"]
        security = departments["DSJZX-AQB"]
        centre_offices = [departments[c] for c in ("DSJZX-ZHB", "DSJZX-YYB", "DSJZX-AQB")]
        bureau_offices = [departments["SJJ-BGS"], departments["SJJ-GHC"]]
        created = 0

        # Servers in the machine room, some holding an embedded crypto card.
        servers = []
        for n in range(48):
            server = self._register(
                kind="server",
                name="机架式服务器",
                category=cat["A02010104"],
                original_value=Decimal(rng.randrange(45_000, 180_000, 500)),
                owner_department=centre,
                managing_department=ops,
                using_department=ops,
                custodian=self._person(),
                custodian_user=users["clerk_ops"] if n % 3 == 0 else None,
                location=locations["racks"][n % len(locations["racks"])],
                spec=f"{rng.choice([2, 2, 4])}×{rng.choice([16, 24, 32])}核/"
                f"{rng.choice([256, 512, 1024])}GB",
            )
            servers.append(server)
            created += 1
            if n % 4 == 0:
                self._register(
                    kind="crypto",
                    name="服务器密码卡",
                    category=cat["A02010300"],
                    original_value=Decimal(rng.randrange(8_000, 30_000, 100)),
                    owner_department=centre,
                    managing_department=security,
                    using_department=ops,
                    custodian=server.custodian,
                    parent=server,
                    install_mode=Asset.InstallMode.EMBEDDED,
                    label_mode=Asset.LabelMode.HOST_LABEL,
                    acquired_on=server.acquired_on,
                )
                created += 1

        # Network: core and access switches, rack-mounted.
        for n in range(24):
            self._register(
                kind="switch",
                name="核心交换机" if n < 4 else "接入交换机",
                category=cat["A02010200"],
                original_value=Decimal(rng.randrange(6_000, 120_000, 500)),
                owner_department=centre,
                managing_department=ops,
                using_department=ops,
                custodian=self._person(),
                location=locations["racks"][n % len(locations["racks"])],
                install_mode=Asset.InstallMode.RACK_MOUNTED,
            )
            created += 1

        # Desks: PCs, laptops and printers of the centre and the bureau.
        for _n in range(110):
            department = rng.choice(centre_offices + bureau_offices)
            in_bureau = department.parent_id == departments["SJJ"].pk
            owner = departments["SJJ"] if in_bureau else centre
            self._register(
                kind="pc",
                name="台式计算机",
                category=cat["A02010105"],
                original_value=Decimal(rng.randrange(4_500, 9_000, 100)),
                owner_department=owner,
                using_department=department,
                custodian=self._person(),
                location=rng.choice(locations["offices"]),
                status=rng.choice([Asset.Status.IN_USE] * 8 + [Asset.Status.IN_STOCK]),
            )
            created += 1
        for _n in range(45):
            department = rng.choice(centre_offices + bureau_offices)
            owner = departments["SJJ"] if department in bureau_offices else centre
            self._register(
                kind="laptop",
                name="便携式计算机",
                category=cat["A02010108"],
                original_value=Decimal(rng.randrange(6_000, 14_000, 100)),
                owner_department=owner,
                using_department=department,
                custodian=self._person(),
                location=rng.choice(locations["offices"]),
                label_mode=Asset.LabelMode.OWN_LABEL,
            )
            created += 1
        for _n in range(18):
            department = rng.choice(centre_offices + bureau_offices)
            owner = departments["SJJ"] if department in bureau_offices else centre
            self._register(
                kind="printer",
                name="激光打印机",
                category=cat["A02021000"],
                original_value=Decimal(rng.randrange(2_000, 8_000, 100)),
                owner_department=owner,
                using_department=department,
                custodian=self._person(),
                location=rng.choice(locations["offices"]),
            )
            created += 1

        # Self-service kiosks (自助终端) in the service hall, each with an embedded terminal
        # access device (终端接入设备) that is counted through its host.
        for n in range(32):
            kiosk = self._register(
                kind="kiosk",
                name="政务服务自助终端",
                category=cat["A02010105"],
                original_value=Decimal(rng.randrange(18_000, 36_000, 500)),
                owner_department=centre,
                managing_department=ops,
                using_department=departments["ZWFW"],
                custodian=self._person(),
                location=locations["halls"][n % len(locations["halls"])],
            )
            self._register(
                kind="access",
                name="终端接入设备",
                category=cat["A02010300"],
                original_value=Decimal(rng.randrange(1_200, 4_800, 100)),
                owner_department=centre,
                managing_department=security,
                using_department=departments["ZWFW"],
                custodian=kiosk.custodian,
                parent=kiosk,
                install_mode=Asset.InstallMode.EMBEDDED,
                label_mode=rng.choice([Asset.LabelMode.HOST_LABEL, Asset.LabelMode.CARD_LABEL]),
                acquired_on=kiosk.acquired_on,
            )
            created += 2

        # Delegated-build projects: the centre builds systems for receiving bureaus. Their cards
        # stay with the centre at provisional value until a handover passes them on.
        systems = [
            ("WJW", "全民健康信息平台"),
            ("JYJ", "智慧教育公共服务平台"),
            ("RSJ", "社保经办一体化系统"),
            ("MZJ", "养老服务监管平台"),
            ("JTJ", "交通运行监测调度系统"),
            ("SCJGJ", "企业信用监管系统"),
        ]
        for n, (bureau_code, system) in enumerate(systems, start=1):
            accepted = date(2024, 1 + 2 * (n - 1), 15) if n <= 4 else None
            project = handover_services.save_project(
                actor=SYSTEM,
                fields={
                    "code": f"DJ-2024-{n:03d}",
                    "name": f"{system}建设项目",
                    "builder_department": centre,
                    "owner_department": departments[bureau_code],
                    "contract_no": f"DJHT-2023-{n:03d}",
                    "budget": Decimal(rng.randrange(2_000_000, 9_000_000, 10_000)),
                    "accepted_on": accepted,
                    "acceptance_report_no": f"YS-2024-{n:03d}" if accepted else "",
                },
            )
            common = {
                "owner_department": centre,
                "managing_department": ops,
                "project": project,
                "acquisition_method": Asset.AcquisitionMethod.DELEGATED_BUILD,
                "value_type": Asset.ValueType.PROVISIONAL,
                "ownership_confirmed": False,
                "acquired_on": accepted or date(2024, 6, 1),
            }
            self._register(
                kind="server",
                name=f"{system}应用软件",
                category=cat["A08060303"],
                original_value=Decimal(rng.randrange(600_000, 2_400_000, 10_000)),
                unit="套",
                custodian=self._person(),
                depreciate=True,
                label_mode=Asset.LabelMode.CARD_LABEL,
                **{**common, "brand": "", "model": "V1.0", "serial_number": ""},
            )
            created += 1
            for _ in range(rng.randint(3, 6)):
                self._register(
                    kind="server",
                    name=f"{system}服务器",
                    category=cat["A02010104"],
                    original_value=Decimal(rng.randrange(60_000, 160_000, 500)),
                    custodian=self._person(),
                    location=rng.choice(locations["racks"]),
                    **common,
                )
                created += 1

        # Software the centre and the bureaus own themselves.
        for code, name in [
            ("A08060301", "服务器操作系统授权"),
            ("A08060301", "数据库管理系统授权"),
            ("A08060302", "中间件授权"),
            ("A08060303", "政务办公系统"),
            ("A08060303", "资产管理系统"),
            ("A08060399", "网络安全态势感知平台"),
        ]:
            self._register(
                kind="server",
                name=name,
                category=cat[code],
                original_value=Decimal(rng.randrange(80_000, 900_000, 5_000)),
                owner_department=centre,
                managing_department=departments["DSJZX-YYB"],
                custodian=self._person(),
                unit="套",
                label_mode=Asset.LabelMode.VIRTUAL,
                **{"brand": "", "model": "", "serial_number": ""},
            )
            created += 1

        # Each receiving bureau's own equipment in its IT room.
        for (code, _name), room in zip(RECEIVING_BUREAUS, locations["bureaus"], strict=True):
            for _n in range(rng.randint(3, 6)):
                kind, category, label = rng.choice(
                    [
                        ("pc", "A02010105", "台式计算机"),
                        ("printer", "A02021000", "打印机"),
                        ("switch", "A02010200", "接入交换机"),
                    ]
                )
                self._register(
                    kind=kind,
                    name=label,
                    category=cat[category],
                    original_value=Decimal(rng.randrange(3_000, 20_000, 100)),
                    owner_department=departments[code],
                    using_department=departments[code],
                    custodian=self._person(),
                    location=room,
                )
                created += 1

        # A little life in the history: some idle, lent, pending disposal and retired cards.
        pcs = list(
            Asset.objects.filter(category=cat["A02010105"], parent__isnull=True, status="in_use")
            .order_by("pk")
            .values_list("pk", flat=True)[:40]
        )
        for n, pk in enumerate(pcs[:12]):
            asset = Asset.objects.get(pk=pk)
            if n < 4:
                services.change_status(asset=asset, actor=SYSTEM, status=Asset.Status.IDLE)
            elif n < 6:
                custody_services.lend_asset(
                    asset=asset,
                    actor=SYSTEM,
                    counterparty="市数据局规划发展处",
                    due_on=timezone.localdate() + timedelta(days=90),
                    approval_ref="数据局函〔2025〕12号",
                )
            elif n < 9:
                services.change_status(
                    asset=asset,
                    actor=SYSTEM,
                    status=Asset.Status.PENDING_DISPOSAL,
                    note="使用年限已满，申请报废",
                )
        for server in servers[:3]:
            services.move_asset(
                asset=server,
                actor=SYSTEM,
                location=locations["racks"][-1],
                note="机柜调整",
            )
        return created

    # A handover waiting for its receiver -------------------------------------------------------
    HANDOVER_PROJECT = "DJ-2024-001"  # 全民健康信息平台, built by the centre for 卫健委

    def seed_handover(self) -> None:
        """A submitted handover of the health platform, waiting for receiver_wjw's decision
        (through the handover services, prepared and submitted by the centre's clerk)."""
        from assets.models import DelegatedProject, Handover

        project = DelegatedProject.objects.filter(code=self.HANDOVER_PROJECT).first()
        if project is None or Handover.objects.filter(project=project).exists():
            return
        clerk = User.objects.get(username="clerk")
        cards = list(
            Asset.objects.filter(
                project=project, parent__isnull=True, owner_department=project.builder_department
            )
            .exclude(status=Asset.Status.RETIRED)
            .order_by("tag")
        )
        if not cards:
            return
        with transaction.atomic():
            handover = handover_services.create_handover(
                actor=clerk,
                project=project,
                assets=cards,
                note="全民健康信息平台建设项目竣工验收后整体移交（示例）",
            )
            handover = handover_services.submit_handover(handover=handover, actor=clerk)
            # attachments (evidence): the project's acceptance report travels with the handover
            self.seed_acceptance_report(handover=handover, actor=clerk)
        self.stdout.write(
            f"Handover {handover.number}: {len(cards)} cards waiting for receiver_wjw."
        )

    # Disposals: tiers, an executed scrapping case and one waiting for the approver ------------
    def seed_disposals(self) -> None:
        """Approval tiers as in DOMAIN.md §8, a scrapping case of three old PCs executed (the
        demo's retired cards) and one of two more waiting in the approver's inbox."""
        from django.utils import timezone

        from assets.disposals import services as disposal_services
        from assets.models import ApprovalTier, DisposalCase

        if DisposalCase.objects.exists():
            return
        with transaction.atomic():
            if not ApprovalTier.objects.exists():
                disposal_services.save_tier(
                    actor=SYSTEM,
                    fields={
                        "up_to": Decimal("200000"),
                        "approver_role": "approver",
                        "body": "单位负责人",
                    },
                )
                disposal_services.save_tier(
                    actor=SYSTEM,
                    fields={"up_to": None, "approver_role": "admin", "body": "市财政局"},
                )
            clerk = User.objects.get(username="clerk")
            approver = User.objects.get(username="approver")
            tags = list(
                Asset.objects.filter(
                    category__code="A02010105",
                    owner_department=clerk.department,
                    parent__isnull=True,
                    status=Asset.Status.IN_USE,
                    components__isnull=True,
                )
                .order_by("-tag")
                .values_list("tag", flat=True)[:5]
            )
            if len(tags) < 5:
                return
            fields = {
                "method": "scrap",
                "grounds": "obsolete",
                "reason": "主板老化，维修费用超过残值（示例）",
                "evidence": "技术鉴定报告 JD-2026-03",
            }
            done = disposal_services.create_disposal(actor=clerk, fields=fields, tags=tags[:3])
            disposal_services.submit_disposal(case=done, actor=clerk)
            disposal_services.approve_disposal(
                case=done,
                actor=approver,
                approval_no="数据局〔2026〕处置批复 3 号（示例）",
                approved_on=timezone.localdate(),
            )
            disposal_services.execute_disposal(case=done, actor=clerk)
            waiting = disposal_services.create_disposal(actor=clerk, fields=fields, tags=tags[3:])
            disposal_services.submit_disposal(case=waiting, actor=clerk)
        self.stdout.write(
            f"Disposals: {done.number} executed, {waiting.number} waiting for the approver."
        )

    def seed_acceptance_report(self, *, handover, actor) -> None:
        """A one-page acceptance report (验收报告) PDF attached to the demo handover."""
        import io

        from django.core.files.uploadedfile import SimpleUploadedFile
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont
        from reportlab.pdfgen import canvas

        from assets.attachments.services import add_attachment

        pdfmetrics.registerFont(TTFont("YikaDemoCJK", settings.YIKA_CJK_FONT, subfontIndex=0))
        out = io.BytesIO()
        page = canvas.Canvas(out, pageCompression=1)
        page.setFont("YikaDemoCJK", 18)
        page.drawString(72, 760, "全民健康信息平台建设项目竣工验收报告（示例）")
        page.setFont("YikaDemoCJK", 12)
        page.drawString(72, 730, f"项目编号 {handover.project.code} · 移交单 {handover.number}")
        page.drawString(72, 710, "验收结论：合格。验收组签字：（示例文件，无签字）")
        page.save()
        add_attachment(
            actor=actor,
            subject=f"handover:{handover.number}",
            kind="acceptance_report",
            upload=SimpleUploadedFile("竣工验收报告.pdf", out.getvalue()),
        )

    # Other apps -----------------------------------------------------------------------------
    def seed_custody(self) -> None:
        """Check two of the big data centre's cards out to the demo holder, one confirmed, one
        still to confirm (issue 18); nothing when they already hold some."""
        holder = User.objects.filter(username="staff").first()
        clerk = User.objects.filter(username="clerk").first()
        if holder is None or clerk is None or Asset.objects.filter(custodian_user=holder).exists():
            return
        cards = list(
            Asset.objects.filter(
                owner_department__code="DSJZX",
                status__in=[Asset.Status.IN_USE, Asset.Status.IN_STOCK],
                parent__isnull=True,
            ).order_by("tag")[:2]
        )
        for index, card in enumerate(cards):
            custody_services.checkout_asset(asset=card, actor=clerk, holder=holder, note="演示数据")
            if index == 0:
                custody_services.confirm_receipt(asset=card, actor=holder)
        self.stdout.write(f"Demo custody: {len(cards)} cards checked out to {holder}.")

    # Reconciliation with the finance books (账账相符) ------------------------------------------
    RECONCILIATION_FILE = "财务系统资产卡片导出（示例）.csv"

    def finance_export(self, cards: list[Asset], *, on: date) -> bytes:
        """The finance office's card export of `cards` (GB18030 CSV, amounts with thousands
        separators, as finance systems write them), with two of each disagreement: values,
        categories and departments changed, two cards the register lacks; the last two cards
        are left out (only in the register)."""
        from assets.reconciliations.columns import FIELD_BY_KEY

        keys = ["tag", "name", "category", "original_value", "accumulated_depreciation"]
        keys += ["department", "booked_on", "voucher_no"]
        lines = [",".join(FIELD_BY_KEY[key].zh for key in keys)]
        other_department = Department.objects.get(code="SJJ-BGS")

        def row(tag, name, category, value, acc, department, number):
            booked = f"{2020 + number % 5}-{1 + number % 12:02d}-15"
            voucher = f"记-{booked[:4]}-{number:04d}"
            return f'{tag},{name},{category},"{value:,.2f}","{acc:,.2f}",{department},{booked},{voucher}'

        for number, card in enumerate(cards[:-2], start=1):
            value, category = card.original_value, card.category.code
            department = card.owner_department.name
            if number in (3, 4):  # 原值不符: a revaluation the register never got
                value += Decimal("1200.00")
            elif number in (5, 6):  # 分类不符
                category = "A02010108" if category != "A02010108" else "A02010104"
            elif number in (7, 8):  # 部门不符
                department = other_department.name
            acc = card.accumulated_depreciation(on)
            lines.append(row(card.tag, card.name, category, value, acc, department, number))
        for number, (name, value) in enumerate(
            [("会议室投影仪", Decimal("8600.00")), ("档案密集柜", Decimal("23500.00"))], start=901
        ):  # 财务有账、资产无卡
            tag = f"CW-2019-{number}"
            lines.append(
                row(
                    tag, name, "A02010105", value, value / 2, cards[0].owner_department.name, number
                )
            )
        return ("\r\n".join(lines) + "\r\n").encode("gb18030")

    def seed_reconciliation(self) -> None:
        """The big data centre's clerk reconciles the centre's cards with a finance export that
        disagrees on a few of each kind, so the first run shows a reconciliation to explain."""
        from django.utils import timezone

        from assets import permissions
        from assets.reconciliations import services as reconciliation_services
        from assets.reconciliations.models import Reconciliation

        clerk = User.objects.filter(username="clerk").first()
        if clerk is None or Reconciliation.objects.exists():
            return
        cards = list(
            permissions.reconciled_assets(clerk)
            .exclude(status=Asset.Status.RETIRED)
            .select_related("category", "owner_department")
            .order_by("tag")
        )
        if len(cards) < 12:
            return
        today = timezone.localdate()
        reconciliation = reconciliation_services.create_reconciliation(
            actor=clerk,
            data=self.finance_export(cards, on=today),
            name=self.RECONCILIATION_FILE,
            as_of=today,
        )
        self.stdout.write(
            f"Reconciliation #{reconciliation.pk}: {reconciliation.row_count} finance rows, "
            f"{reconciliation.matched_count} matched, differences to explain."
        )

    def seed_other_apps(self) -> None:
        for config in apps.get_app_configs():
            if config.name == "assets" or config.name.startswith("django."):
                continue
            module_name = f"{config.name}.demo"
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as error:
                if error.name != module_name:
                    raise
                continue
            seed = getattr(module, "seed", None)
            if callable(seed):
                self.stdout.write(f"Demo data of {config.label} …")
                seed(stdout=self.stdout)
