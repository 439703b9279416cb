"""The imports package stays readable: one topic per module, none over about 400 lines (issue 10)."""

from pathlib import Path

import pytest

IMPORTS = Path(__file__).resolve().parent.parent / "forum_crm" / "imports"
MAX_LINES = 400


@pytest.mark.parametrize("path", sorted(IMPORTS.glob("*.py")), ids=lambda path: path.name)
def test_no_imports_module_is_over_400_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES
