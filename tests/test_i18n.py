"""Every user-facing message of the code and templates has a Polish translation."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "forum_crm" / "translations" / "pl" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "N_": None, "lazy_gettext": None,
            "gettext_markup": None, "ngettext_markup": (1, 2)}


def extracted_messages() -> set[str]:
    method_map = [("forum_crm/**.py", "python"), ("templates/**.html", "jinja2")]
    messages = set()
    options_map = {"templates/**.html": {"extensions": "jinja2.ext.do"}}
    for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT, method_map=method_map, options_map=options_map, keywords=KEYWORDS):
        messages.add(message[0] if isinstance(message, tuple) else message)
    return messages


def test_every_message_is_translated_to_polish():
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="pl")
    translated = {
        (message.id[0] if isinstance(message.id, tuple) else message.id)
        for message in catalog
        if message.id and "fuzzy" not in message.flags
        and all(message.string if isinstance(message.string, tuple) else [message.string])
    }
    missing = extracted_messages() - translated
    assert not missing, f"untranslated: {sorted(missing)}"


def test_polish_catalog_has_three_plural_forms():
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="pl")
    assert catalog.num_plurals == 3
