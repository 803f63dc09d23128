"""Roles, the verified GB/T 14885-2022 IT categories of DOMAIN.md §3, and history guards."""

from django.db import migrations

ROLES = ("clerk", "receiver", "auditor", "admin")

# (code, name, parent code, default useful life in months). Lives: 财会〔2017〕4号 minimums.
GBT2022 = [
    ("A02000000", "设备", None, 72),
    ("A02010000", "信息化设备", "A02000000", 72),
    ("A02010100", "计算机", "A02010000", 72),
    ("A02010104", "服务器", "A02010100", 72),
    ("A02010105", "台式计算机", "A02010100", 72),
    ("A02010108", "便携式计算机", "A02010100", 72),
    ("A02010200", "网络设备", "A02010000", 72),
    ("A02010300", "信息安全设备", "A02010000", 72),
    ("A02020100", "复印机", "A02000000", 72),
    ("A02020200", "投影仪", "A02000000", 72),
    ("A02021000", "打印机", "A02000000", 72),
    ("A02021118", "扫描仪", "A02000000", 72),
    ("A02061804", "空调机", "A02000000", 60),
    ("A02080805", "视频会议系统及会议室音频系统", "A02000000", 60),
    ("A02091107", "视频监控设备", "A02000000", 60),
    ("A02100000", "仪器仪表", "A02000000", 60),
    ("A08060300", "计算机软件", None, 60),
    ("A08060301", "基础软件", "A08060300", 60),
    ("A08060302", "支撑软件", "A08060300", 60),
    ("A08060303", "应用软件", "A08060300", 60),
    ("A08060399", "其他计算机软件", "A08060300", 60),
]
# The 2013 procurement catalogue uses the same strings for other items (DOMAIN.md §3 collision).
LEGACY = [
    ("CG2013", "A02010104", "台式计算机", "A02010105"),
    ("CG2013", "A02010105", "便携式计算机", "A02010108"),
]

GUARDS = """
CREATE OR REPLACE FUNCTION yika_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'yika: % on % is not allowed (append-only register)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER assets_event_append_only BEFORE UPDATE OR DELETE ON assets_assetevent
    FOR EACH ROW EXECUTE FUNCTION yika_refuse_change();
CREATE TRIGGER assets_asset_no_delete BEFORE DELETE ON assets_asset
    FOR EACH ROW EXECUTE FUNCTION yika_refuse_change();
"""
GUARDS_REVERSE = """
DROP TRIGGER IF EXISTS assets_event_append_only ON assets_assetevent;
DROP TRIGGER IF EXISTS assets_asset_no_delete ON assets_asset;
DROP FUNCTION IF EXISTS yika_refuse_change();
"""


def add_reference_data(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Category = apps.get_model("assets", "Category")
    for role in ROLES:
        Group.objects.get_or_create(name=role)
    by_code = {}
    for code, name, parent, life in GBT2022:
        by_code[code], _ = Category.objects.update_or_create(
            code_system="GBT14885-2022",
            code=code,
            defaults={
                "name": name,
                "parent": by_code.get(parent),
                "default_useful_life_months": life,
            },
        )
    for system, code, name, target in LEGACY:
        Category.objects.update_or_create(
            code_system=system,
            code=code,
            defaults={"name": name, "maps_to": by_code[target], "default_useful_life_months": 72},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("assets", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(add_reference_data, migrations.RunPython.noop),
        migrations.RunSQL([GUARDS], [GUARDS_REVERSE]),
    ]
