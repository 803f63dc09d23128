"""The label templates every deployment starts with (DOMAIN.md §7); admins may edit or add more."""

from decimal import Decimal as D

from django.db import migrations

A4 = {"media": "sheet", "page_width_mm": D("210"), "page_height_mm": D("297")}
TEMPLATES = [
    {
        "code": "a4-70x40",
        "name": "A4 70×40 (3×7)",
        **A4,
        "label_width_mm": D("70"),
        "label_height_mm": D("40"),
        "columns": 3,
        "rows": 7,
        "margin_left_mm": D("0"),
        "margin_top_mm": D("8.5"),
        "padding_mm": D("2.5"),
        "qr_size_mm": D("28"),
        "fields": ["owner", "name", "model", "in_service_on", "components"],
        "code128": True,
        "code128_height_mm": D("6"),
        "font_size_pt": D("8"),
        "min_font_size_pt": D("5"),
    },
    {
        "code": "a4-60x40",
        "name": "A4 60×40 (3×7)",
        **A4,
        "label_width_mm": D("60"),
        "label_height_mm": D("40"),
        "columns": 3,
        "rows": 7,
        "margin_left_mm": D("15"),
        "margin_top_mm": D("8.5"),
        "padding_mm": D("2.5"),
        "qr_size_mm": D("26"),
        "fields": ["owner", "name", "model", "in_service_on"],
        "code128": False,
        "font_size_pt": D("8"),
        "min_font_size_pt": D("5"),
    },
    {
        "code": "thermal-50x30",
        "name": "Thermal roll 50×30",
        "media": "roll",
        "page_width_mm": D("50"),
        "page_height_mm": D("30"),
        "label_width_mm": D("50"),
        "label_height_mm": D("30"),
        "columns": 1,
        "rows": 1,
        "padding_mm": D("2"),
        "qr_size_mm": D("21"),
        "fields": ["owner", "name", "model"],
        "code128": False,
        "font_size_pt": D("7"),
        "min_font_size_pt": D("5"),
    },
    {
        "code": "mini-40x20",
        "name": "Mini 40×20 (A4, 5×14)",
        **A4,
        "label_width_mm": D("40"),
        "label_height_mm": D("20"),
        "columns": 5,
        "rows": 14,
        "margin_left_mm": D("5"),
        "margin_top_mm": D("8.5"),
        "padding_mm": D("1.5"),
        "qr_size_mm": D("17"),
        "fields": ["name"],
        "code128": False,
        "font_size_pt": D("7"),
        "min_font_size_pt": D("4.5"),
    },
    {
        "code": "flag-60x10",
        "name": "Flag 60×10 (cables, embedded devices)",
        "media": "roll",
        "page_width_mm": D("60"),
        "page_height_mm": D("10"),
        "label_width_mm": D("60"),
        "label_height_mm": D("10"),
        "columns": 1,
        "rows": 1,
        "panels": 2,
        "padding_mm": D("0.5"),
        "qr_size_mm": D("9"),
        "fields": ["name"],
        "code128": False,
        "font_size_pt": D("6"),
        "min_font_size_pt": D("4"),
    },
    {
        "code": "a4-components",
        "name": "A4 component sheet (one per host)",
        "kind": "component_sheet",
        **A4,
        "label_width_mm": D("180"),
        "label_height_mm": D("26"),
        "columns": 1,
        "rows": 9,
        "margin_left_mm": D("15"),
        "margin_top_mm": D("40"),
        "padding_mm": D("2"),
        "qr_size_mm": D("22"),
        "fields": ["name", "model"],
        "code128": False,
        "font_size_pt": D("9"),
        "min_font_size_pt": D("6"),
        "draw_border": True,
    },
]


def add_templates(apps, schema_editor):
    LabelTemplate = apps.get_model("labels", "LabelTemplate")
    for data in TEMPLATES:
        LabelTemplate.objects.update_or_create(code=data["code"], defaults=data)


class Migration(migrations.Migration):
    dependencies = [("labels", "0001_initial")]

    operations = [migrations.RunPython(add_templates, migrations.RunPython.noop)]
