"""Polish-aware text keys: diacritic-insensitive search and Polish alphabetical order.

Both keys are computed in Python and stored in indexed columns, so SQLite and PostgreSQL
search and sort the same way without database-specific collations.
"""

import unicodedata

# Letters with a stroke do not decompose in Unicode, so NFKD alone leaves them.
_UNDECOMPOSABLE = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe"})

# The Polish alphabet, with q, v and x where Polish dictionaries put them.
_POLISH_ALPHABET = "aąbcćdeęfghijklłmnńoópqrsśtuvwxyzźż"
_SYMBOLS = " 0123456789" + _POLISH_ALPHABET
_KEY_LETTERS = "abcdefghijklmnopqrstuvwxyz"
SORT_KEY_CHARS = 120  # names are ordered by their first 120 characters


class _FoldedCharacters(dict):
    """str.translate's table folding each character: casefolded, strokes replaced (_UNDECOMPOSABLE), decomposed
    (NFKD) without its combining marks. Each step maps one character at a time, so folding text character by
    character folds it whole; a character is worked out once, then read from this dictionary (at most
    FOLDED_KEPT of them: a file of every code point must not grow it forever). Folding a name in four passes, one
    of them a loop in Python, cost more than the rest of checking it."""

    def __missing__(self, point: int) -> str:
        decomposed = unicodedata.normalize("NFKD", chr(point).casefold().translate(_UNDECOMPOSABLE))
        folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        if len(self) < FOLDED_KEPT:
            self[point] = folded
        return folded


FOLDED_KEPT = 20_000
_FOLDED = _FoldedCharacters()


def _code(rank: int) -> str:
    return _KEY_LETTERS[rank // 26] + _KEY_LETTERS[rank % 26]


_SORT_CODES = {symbol: _code(rank) for rank, symbol in enumerate(_SYMBOLS)}


def fold(text: str | None) -> str:
    """Lower-case text without diacritics, whitespace collapsed: "Łódź" -> "lodz"."""
    if not text:
        return ""
    if text.isascii():  # nothing to decompose: most e-mail addresses and many names (an import folds 90,000)
        return " ".join(text.lower().split())
    return " ".join(text.translate(_FOLDED).split())


def polish_sort_key(text: str | None) -> str:
    """An ASCII key (two lower-case letters a character) that orders text like a Polish dictionary.

    Ł sorts after L, Ś after S, Ź and Ż after Z; other accented Latin letters sort with their
    base letter; anything else (Cyrillic, say) sorts after the Polish alphabet by code point.
    Keys of lower-case ASCII letters only compare the same under every database collation.
    """
    parts = []
    for ch in " ".join((text or "").casefold().split())[:SORT_KEY_CHARS]:
        code = _SORT_CODES.get(ch)
        if code is None:
            base = unicodedata.normalize("NFKD", ch)[0]
            code = _SORT_CODES.get(base)
        if code is None:
            if not ch.isalnum():
                continue  # punctuation does not take part in alphabetical order
            point = ord(ch)
            code = ("z" + _KEY_LETTERS[point // 26 // 26 % 26] + _KEY_LETTERS[point // 26 % 26]
                    + _KEY_LETTERS[point % 26])
        parts.append(code)
    return "".join(parts)


def one_edit_apart(first: str | None, second: str | None) -> bool:
    """Whether two different strings are one typo apart: a letter changed, added, left out, or two swapped.

    The duplicate finder stores the pairs of names this rule finds (forum_crm.models.duplicates.store_names).
    """
    first, second = first or "", second or ""
    if first == second or abs(len(first) - len(second)) > 1:
        return False
    i = 0
    while i < min(len(first), len(second)) and first[i] == second[i]:
        i += 1
    if len(first) == len(second):
        swapped = first[i:i + 2] == second[i:i + 2][::-1] and first[i + 2:] == second[i + 2:]
        return first[i + 1:] == second[i + 1:] or swapped
    if len(first) > len(second):
        return first[i + 1:] == second[i:]
    return first[i:] == second[i + 1:]


def deletion_variants(text: str) -> set[str]:
    """The text itself and every text with one of its characters left out: two texts one typo apart
    (a letter changed, added, left out, or two neighbours swapped) always share at least one of them."""
    return {text} | {text[:i] + text[i + 1:] for i in range(len(text))}


def name_keys(first_key: str, last_key: str) -> set[str]:
    """The duplicate finder's keys of a folded name: one part whole and the other's deletion variants.
    Two names sharing a key are candidates for "one typo apart"; names_one_typo_apart decides."""
    return ({f"f|{last_key}|{variant}" for variant in deletion_variants(first_key)}
            | {f"l|{first_key}|{variant}" for variant in deletion_variants(last_key)})


def names_one_typo_apart(name: tuple[str, str], other: tuple[str, str]) -> bool:
    """Whether two folded (first, last) names agree in one part and are one typo apart in the other."""
    (first, last), (other_first, other_last) = name, other
    return ((last == other_last and one_edit_apart(first, other_first))
            or (first == other_first and one_edit_apart(last, other_last)))
