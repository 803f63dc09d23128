"""The default templates' names are shown on Chinese pages: name them in Chinese (data, not msgids)."""

from django.db import migrations

NAMES = {
    "a4-70x40": ("A4 70×40 (3×7)", "A4 标签纸 70×40（3×7）"),
    "a4-60x40": ("A4 60×40 (3×7)", "A4 标签纸 60×40（3×7）"),
    "thermal-50x30": ("Thermal roll 50×30", "热敏卷标 50×30"),
    "mini-40x20": ("Mini 40×20 (A4, 5×14)", "小标签 40×20（A4，5×14）"),
    "flag-60x10": ("Flag 60×10 (cables, embedded devices)", "旗形标签 60×10（线缆、嵌入设备）"),
    "a4-components": ("A4 component sheet (one per host)", "A4 部件清单（每台主机一页）"),
}


def rename(apps, schema_editor, forward=True):
    LabelTemplate = apps.get_model("labels", "LabelTemplate")
    for code, (english, chinese) in NAMES.items():
        old, new = (english, chinese) if forward else (chinese, english)
        # Only the untouched defaults: an administrator's own name is kept.
        LabelTemplate.objects.filter(code=code, name=old).update(name=new)


def rename_back(apps, schema_editor):
    rename(apps, schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [("labels", "0002_default_templates")]

    operations = [migrations.RunPython(rename, rename_back)]
