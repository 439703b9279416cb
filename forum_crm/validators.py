"""Form validators and filters shared by the forms: Polish identifiers, safe URLs, clean text."""

import re
import unicodedata
from urllib.parse import urlsplit

from wtforms.validators import ValidationError

from forum_crm.i18n import lazy_gettext as _l

NIP_WEIGHTS = (6, 5, 7, 2, 3, 4, 5, 6, 7)
PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{5,23}[0-9]$")
ALLOWED_IN_LONG_TEXT = {"\n", "\r", "\t"}
WEB_ADDRESS = re.compile(r"^[\w-]+(\.[\w-]+)+(/\S*)?$")  # a domain with dots, and perhaps a path
MAX_ID = 2**31 - 1  # the largest INTEGER of PostgreSQL: ids, versions and numbers beyond it never reach SQL


def ascii_int(text: object) -> int | None:
    """The number a text writes in ASCII digits, if it is between 1 and MAX_ID; None for anything else.

    Not int() alone: "²".isdigit() is true but int("²") fails, int("١") is 1, and int("9" * 20) overflows SQL.
    """
    if not isinstance(text, str) or not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


def strip(value):
    """Filter: surrounding whitespace removed; empty text becomes None."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def without_nul(value):
    """Filter: NUL characters dropped from text that is only searched for, never stored (PostgreSQL refuses them)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    return value


def digits_only(value):
    """Filter: spaces and dashes dropped ("123-456-32-18" -> "1234563218")."""
    if isinstance(value, str):
        return re.sub(r"[\s-]", "", value) or None
    return value


def _control_characters(text: str, allowed: set[str]) -> bool:
    if text.isprintable():  # no character of category Cc or Cf (nor other unprintable ones): the common case
        return False
    return any(unicodedata.category(ch) in {"Cc", "Cf"} and ch not in allowed and ch != "\u200d"
               for ch in text)


def single_line(form, field):
    """No control characters (tabs, new lines, NUL, bidirectional overrides) in a one-line field."""
    if field.data and _control_characters(field.data, set()):
        raise ValidationError(_l("Remove the invisible control characters from this field."))


def long_text(form, field):
    """Multi-line text: new lines and tabs are fine, other control characters are not."""
    if field.data and _control_characters(field.data, ALLOWED_IN_LONG_TEXT):
        raise ValidationError(_l("Remove the invisible control characters from this field."))


def with_scheme(value):
    """A web address typed without its scheme ("www.example.org") gets https:// in front."""
    if isinstance(value, str) and value and "://" not in value and WEB_ADDRESS.match(value):
        return f"https://{value}"
    return value


def http_url(form, field):
    """A web address starting with http:// or https:// (never javascript: or data:)."""
    if not field.data:
        return
    parts = urlsplit(field.data)
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc or " " in field.data:
        raise ValidationError(_l("Enter a web address starting with https:// or http://."))


def phone(form, field):
    if field.data and not PHONE.match(field.data):
        raise ValidationError(_l("Enter a phone number: digits, spaces and dashes, optionally starting with +."))


def krs(form, field):
    if field.data and not re.fullmatch(r"\d{10}", field.data):
        raise ValidationError(_l("A KRS number has 10 digits."))


def nip_is_valid(nip: str) -> bool:
    """Polish tax number: 10 digits, the last a weighted checksum of the others."""
    if not re.fullmatch(r"\d{10}", nip):
        return False
    checksum = sum(int(digit) * weight for digit, weight in zip(nip, NIP_WEIGHTS, strict=False)) % 11
    return checksum != 10 and checksum == int(nip[9])


def nip(form, field):
    if field.data and not nip_is_valid(field.data):
        raise ValidationError(_l("This is not a valid NIP: it needs 10 digits with a correct check digit."))
