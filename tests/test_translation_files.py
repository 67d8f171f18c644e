"""The add-ons' translation files keep one entry per block.

Entries added side by side must stay separated by a blank line: a comment line right after a
``msgstr`` makes Odoo's reader fold the next entry into the previous one, and one term then
shows another's translation.
"""

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FILES = sorted(REPO.glob("addon_complaints*/i18n/*.po*"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_entry_stands_in_its_own_block(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    pairs = zip(lines, lines[1:], strict=False)  # each line with the one after it
    glued = [number + 1 for number, (before, line) in enumerate(pairs, start=1)
             if line.startswith("#") and before.strip() and not before.startswith("#")]
    assert glued == [], f"{path.name}: entries without a blank line before lines {glued[:10]}"


def test_translation_files_are_found():
    assert any(p.name == "zh_CN.po" for p in FILES)
