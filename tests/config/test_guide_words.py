"""New-user walk 11: the guides (docs/zh, docs/en) use the words the pages show. A difference's
states are named as the catalogue names them (the zh guide said 已登记 where the page says
待说明), and every “quoted” page word in the Chinese guides is one the project's catalogues say."""

import re
from pathlib import Path

import pytest
from django.utils.translation import override

from inventory.models import Difference

ROOT = Path(__file__).resolve().parents[2]
GUIDES = {
    "zh-hans": sorted((ROOT / "docs" / "zh").glob("*.md")),
    "en": sorted((ROOT / "docs" / "en").glob("*.md")),
}
# Quoted words that are not the project's page words: examples, file names, Django's and
# django-celery-beat's own admin words, a button label the guide quotes with a count.
NOT_PAGE_WORDS = {
    "周期任务",
    "职员状态",
    "B06",
    "最多 200 个字",
    "其中持有人确认 2 项",
    "尚未盘点的 3 张卡片将记为盘亏",
    "财务系统资产卡片导出（示例）.csv",
    "送修在外：……",
}


def _catalogue_texts() -> str:
    texts = []
    for po in ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"):
        if ".venv" in po.parts or "node_modules" in po.parts:
            continue
        texts += re.findall(r'^msgstr(?:\[\d\])? "(.*)"$', po.read_text(), re.M)
    return "\n".join(texts)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_guides_name_a_differences_states_as_the_pages_do(language):
    with override(language):
        states = [str(label) for _value, label in Difference.State.choices]
    word = r"[^\s，。；：、“”（）()*,.;:]+"
    found = 0
    for guide in GUIDES[language]:
        text = " ".join(guide.read_text().split())  # a chain may wrap
        # A chain of states: "raised → explained → approved → posted", 待说明 → 已说明 → …
        for chain in re.findall(rf"({word}(?: → {word}){{3}})", text):
            words = chain.split(" → ")
            if words[1].lower() == states[1].lower():
                found += 1
                assert [w.lower() for w in words] == [s.lower() for s in states], (
                    f"{guide.name}: {chain}"
                )
    assert found >= 3


def test_every_quoted_word_in_the_chinese_guides_is_a_page_word():
    said = _catalogue_texts()
    missing = []
    for guide in GUIDES["zh-hans"]:
        for quoted in re.findall(r"“([^”]{1,20})”", guide.read_text()):
            # A menu path (A → B), two buttons (A / B), a button with its sign (＋ A).
            parts = [part.strip().lstrip("＋ ") for part in re.split(r"→| / ", quoted)]
            for part in parts:
                if quoted not in NOT_PAGE_WORDS and part not in said:
                    missing.append(f"{guide.name}: {part}")
    assert not missing
