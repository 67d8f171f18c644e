"""The add-ons' translation files keep one whole entry per block.

Entries are separated by a blank line and each has its ``#. module:`` comment, its ``msgid``
and its ``msgstr``. A comment glued to the previous entry, or an entry whose ``msgstr`` line
went missing, makes Odoo's reader fold one entry into another: a term then shows another
term's translation.
"""

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FILES = sorted(REPO.glob("addon_complaints*/i18n/*.po*"))


def _blocks(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n\n")


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_entry_stands_in_its_own_block(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    pairs = zip(lines, lines[1:], strict=False)  # each line with the one after it
    glued = [number + 1 for number, (before, line) in enumerate(pairs, start=1)
             if line.startswith("#") and before.strip() and not before.startswith("#")]
    assert glued == [], f"{path.name}: entries without a blank line before lines {glued[:10]}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_entry_is_whole(path):
    entries = [b for b in _blocks(path)[1:] if b.strip()]  # the header block first
    broken = [b.splitlines()[-1][:60] for b in entries
              if len(re.findall(r"^msgid ", b, re.M)) != 1
              or len(re.findall(r"^msgstr ", b, re.M)) != 1
              or not re.search(r"^#\. module", b, re.M)]
    assert broken == [], f"{path.name}: entries without their module, msgid or msgstr: {broken[:10]}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_no_term_is_listed_twice(path):
    ids = [re.search(r'^(?:msgctxt (".*")\n)?msgid ((?:".*"\n?)+)', b, re.M) for b in _blocks(path)[1:]]
    keys = [m.group(0) for m in ids if m]
    assert len(keys) == len(set(keys)), f"{path.name}: a term listed twice"


def test_translation_files_are_found():
    assert any(p.name == "zh_CN.po" for p in FILES)
