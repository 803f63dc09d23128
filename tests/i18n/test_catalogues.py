"""Every msgid the project shows has its own zh_Hans translation, in the catalogue of the app
that shows it, and nobody else's catalogue answers for it (issue 14.3: "任务名", "交换机", "过滤器"
came from django-celery-beat's and the admin's catalogues)."""

import gettext as gettext_module

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import translation

from tests.i18n.catalogues import CATALOGUE_OF, CONTEXT_SEPARATOR, LANGUAGE_DIR, catalogue, extract

PROJECT_APPS = ("assets", "labels", "inventory")


def _show(key: str) -> str:
    if CONTEXT_SEPARATOR in key:
        context, msgid = key.split(CONTEXT_SEPARATOR, 1)
        return f"[{context}] {msgid!r}"
    return repr(key)


@pytest.mark.parametrize("tree", list(CATALOGUE_OF))
def test_every_msgid_has_a_translation_in_its_own_catalogue(tree):
    known = catalogue(tree)
    used = extract(tree)
    assert used, f"xgettext found no msgid in {tree}/: the extraction is broken"
    missing = [
        f"{_show(key)}  used at {', '.join(entry.references[:3])}"
        for key, entry in sorted(used.items())
        if key not in known or not known[key].translated
    ]
    where = CATALOGUE_OF[tree].relative_to(settings.BASE_DIR)
    assert not missing, (
        f"{len(missing)} msgid(s) of {tree}/ have no non-empty, non-fuzzy translation in "
        f"{where}/{LANGUAGE_DIR}/LC_MESSAGES/django.po (append msgid/msgstr by hand):\n  "
        + "\n  ".join(missing)
    )


def test_project_catalogues_agree_on_every_shared_msgid():
    """Django merges all catalogues into one per language, so a msgid translated two ways shows
    one of them on every page: a meaning of its own needs a context (pgettext)."""
    catalogues = {tree: catalogue(tree) for tree in CATALOGUE_OF}
    keys = set().union(*catalogues.values())
    clashes = []
    for key in sorted(keys):
        answers = {
            tree: entries[key].translations[0]
            for tree, entries in catalogues.items()
            if key in entries and entries[key].translated
        }
        if len(set(answers.values())) > 1:
            clashes.append(f"{_show(key)}: {answers}")
    assert not clashes, (
        "msgids translated differently by two project catalogues (only one can win; unify them "
        "or give one meaning a pgettext context):\n  " + "\n  ".join(clashes)
    )


def test_project_apps_come_before_every_other_app():
    """The first app in INSTALLED_APPS wins a msgid both catalogues have."""
    names = [config.name for config in apps.get_app_configs()]
    first_other = min(i for i, name in enumerate(names) if name not in PROJECT_APPS)
    late = [name for name in PROJECT_APPS if names.index(name) > first_other]
    assert not late, f"{late} come after {names[first_other]} in INSTALLED_APPS: {names}"


@pytest.mark.parametrize(
    ("msgid", "expected", "not_expected"),
    [
        ("Name", "名称", "任务名"),  # django-celery-beat: PeriodicTask.name
        ("Exchange", "置换", "交换机"),  # django-celery-beat: AMQP exchange
        ("Filter", "筛选", "过滤器"),  # django.contrib.admin
    ],
)
def test_shared_msgids_take_the_projects_translation(msgid, expected, not_expected):
    with translation.override("zh-hans"):
        answer = translation.gettext(msgid)
    assert answer == expected, f"{msgid!r} shows {answer!r} (expected {expected!r})"
    assert answer != not_expected


@pytest.mark.parametrize("tree", list(CATALOGUE_OF))
def test_compiled_catalogue_matches_the_po_file(tree):
    """The .mo Django reads says what the .po says (compilemessages was run)."""
    compiled = gettext_module.translation(
        "django", str(CATALOGUE_OF[tree]), languages=[LANGUAGE_DIR]
    )._catalog
    stale = []
    for key, entry in catalogue(tree).items():
        if not entry.translated:
            continue
        value = compiled.get(key, compiled.get((key, 0)))
        if value != entry.translations[0]:
            stale.append(f"{_show(key)}: .po {entry.translations[0]!r}, .mo {value!r}")
    assert not stale, (
        f"{tree}: the compiled catalogue is stale; run compilemessages:\n  " + "\n  ".join(stale)
    )
