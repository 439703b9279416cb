"""Name badges: the signed token a badge's QR code carries, and the QR code itself as inline SVG.

The token names the participation and its edition, signed with the app's secret key (itsdangerous), so a code
cannot be made up from an id, altered, or used at another edition's door. It carries no personal data.
"""

import segno
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import Markup

from forum_crm.models import Participation

BADGE_SALT = "forum-crm.badge"  # keeps badge tokens apart from every other signed value of the app
BADGES_PER_SHEET = 8  # an A4 sheet: 2 columns of 4 badges (templates/editions/badges.html)
SHEETS_PER_PAGE = 6


class BadgeRefused(ValueError):
    """A scanned code that is not a badge of this edition; `reason` is "invalid" or "other_edition"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=BADGE_SALT)


def badge_token(participation: Participation) -> str:
    """The text of a participation's QR code: [edition id, participation id], signed."""
    return _serializer().dumps([participation.edition_id, participation.id])


def participation_id_of(token: str, edition_id: int) -> int:
    """The participation a scanned badge names, if its token is genuine and for this edition; else BadgeRefused."""
    try:
        payload = _serializer().loads((token or "").strip())
    except BadSignature:
        raise BadgeRefused("invalid") from None
    if not (isinstance(payload, list) and len(payload) == 2 and all(type(part) is int for part in payload)):
        raise BadgeRefused("invalid")  # signed by this app, but not a badge (cannot happen without the key)
    if payload[0] != edition_id:
        raise BadgeRefused("other_edition")
    return payload[1]


def qr_svg(text: str) -> Markup:
    """`text` as a QR code in inline SVG (no XML declaration, scaled by CSS), error correction level M."""
    code = segno.make_qr(text, error="m")
    return Markup(code.svg_inline(scale=4, border=2, omitsize=True, title=None))
