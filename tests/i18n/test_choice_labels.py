"""Choice labels speak one language (walk leftover): English shows "Free transfer", not "Free
transfer (无偿划转)"; Chinese shows the Chinese term (无偿划转). Every choice of every field of
the project's models."""

import re

import pytest
from django.apps import apps
from django.utils import translation

from tests.i18n.spy import PROJECT_APPS

CJK = re.compile("[\u3400-\u9fff]")


def choice_labels():
    for config in apps.get_app_configs():
        if config.name not in PROJECT_APPS:
            continue
        for model in config.get_models():
            for field in model._meta.get_fields():
                for value, label in getattr(field, "flatchoices", None) or ():
                    if value not in ("", None):
                        yield f"{model._meta.label}.{field.name}={value}", label


def test_english_choice_labels_carry_no_chinese_gloss():
    with translation.override("en"):
        glossed = sorted(
            {f"{where}: {label}" for where, label in choice_labels() if CJK.search(str(label))}
        )
    assert not glossed, "\n".join(glossed)


@pytest.mark.parametrize(
    ("model", "field", "value", "english", "chinese"),
    [
        ("assets.DisposalCase", "method", "transfer", "Free transfer", "无偿划转"),
        ("assets.Reconciliation", "value_unit", "yuan", "Yuan", "元"),
        ("assets.Attachment", "kind", "invoice", "Invoice", "发票"),
        ("inventory.Difference", "kind", "shortage", "Shortage", "盘亏"),
    ],
)
def test_a_choice_reads_in_the_readers_language(model, field, value, english, chinese):
    choices = apps.get_model(model)._meta.get_field(field).flatchoices
    label = dict(choices)[value]
    with translation.override("en"):
        assert str(label) == english
    with translation.override("zh-hans"):
        assert str(label) == chinese
