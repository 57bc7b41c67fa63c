"""Text as the reader sees it: folded (case, accents, diacritics, letter variants), cut into words and
sentences, and many-word names and phrases found in it in one pass.

Names and phrases are compared as whole words after folding case, accents and diacritics (Latin accents,
Arabic harakat and hamza seats, Hebrew niqqud), so “Kérem Shalom”, “KEREM SHALOM” and “Kerem-Shalom” are one
name, and “رفح” still matches when written with vowel marks. Arabic and Hebrew glue short words to the front of
the next one (Arabic و ف ب ل ك and ال; Hebrew ו ה ב כ ל מ ש), so “برفح” (in Rafah) and “במעבר רפיח” (at the Rafah
crossing) name Rafah: the first word of a name or phrase may carry such a prefix.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from typing import Generic, TypeVar

T = TypeVar("T")

# --- folding --------------------------------------------------------------------------------------------------


def _nonspacing_marks() -> str:
    # Every non-spacing mark in the Basic Multilingual Plane: Latin accents after NFKD, Arabic harakat and hamza
    # above/below, Hebrew points and cantillation. Built once; the regex then strips them at C speed.
    marks = [chr(c) for c in range(0x300, 0x10000) if unicodedata.category(chr(c)) == "Mn"]
    return "".join(re.escape(m) for m in marks)


_MARKS = re.compile(f"[{_nonspacing_marks()}]")
# Letters spelled several ways, made one. Replaced one by one where present: str.translate with a mapping
# looks every character of the text up in it, which costs more than the whole of the rest of fold().
_FOLD = (
    ("ى", "ي"),  # alef maksura -> ya: spelled either way at the end of words
    ("ة", "ه"),  # ta marbuta -> ha
    ("ٱ", "ا"),  # alef wasla
    ("ـ", ""),  # tatweel (stretching), typographic only
    ("׳", "'"),  # Hebrew geresh
    ("״", '"'),  # Hebrew gershayim
    ("־", " "),  # Hebrew maqaf (hyphen)
    ("ß", "ss"),
)
_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Text with case, accents and diacritics folded away; letters that are spelled several ways made one."""
    if text.isascii():
        return text.lower()
    folded = _MARKS.sub("", unicodedata.normalize("NFKD", text))
    for letter, replacement in _FOLD:
        if letter in folded:
            folded = folded.replace(letter, replacement)
    return folded.casefold()


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def phrase_key(phrase: str) -> str:
    """The form a name or phrase is matched in: folded whole words, one space apart."""
    return " ".join(words(phrase))


# --- prefixes -------------------------------------------------------------------------------------------------


def _arabic_prefixes() -> tuple[str, ...]:
    conjunctions, prepositions, articles = ("", "و", "ف"), ("", "ب", "ل", "ك"), ("", "ال")
    found = {c + p + a for c in conjunctions for p in prepositions for a in articles} - {""}
    # li + al- is written لل (the alef drops): handled in variants, not as a plain prefix.
    found -= {"لال", "ولال", "فلال"}
    return tuple(sorted(found, key=len, reverse=True))


ARABIC_PREFIXES = _arabic_prefixes()
HEBREW_PREFIX_LETTERS = frozenset("והבכלמש")
# Hebrew prefixes come in one order: "and", then "that"/"from"/"when", then "the"/"in"/"to"/"as" (which swallow
# "the"). So "המחסום" is ה + מחסום (the checkpoint), never ה + מ + חסום (blocked).
_HEBREW_PREFIX = re.compile("(?:ו)?(?:ש|מ|כש)?(?:ה|ב|ל|כ)?")
# The scripts whose words may carry a prefix: a token in any other script is matched only as written.
_CLITIC_SCRIPT = re.compile(r"[\u0590-\u06ff]")
_AND = frozenset(("و", "ف", "ו"))
MIN_STEM = 2  # a prefix is only split off when at least this many letters remain


def variants(token: str) -> Iterator[str]:
    """The token as written, then the word it may be once a clitic prefix is taken off."""
    yield token
    if len(token) <= MIN_STEM:
        return
    first = token[0]
    if "\u0600" <= first <= "\u06ff":
        for prefix in ARABIC_PREFIXES:
            if token.startswith(prefix) and len(token) - len(prefix) >= MIN_STEM:
                yield token[len(prefix) :]
        for li_al in ("لل", "ولل", "فلل"):
            if token.startswith(li_al) and len(token) - len(li_al) >= MIN_STEM - 1:
                yield "ال" + token[len(li_al) :]
    elif "\u0590" <= first <= "\u05ff":
        match = _HEBREW_PREFIX.match(token)
        if match:
            # Every shorter way of reading the prefixes, in order: "ומהמעבר" may be ו + מה + מעבר.
            prefix = match.group(0)
            for cut in range(1, len(prefix) + 1):
                if len(token) - cut >= MIN_STEM and _HEBREW_PREFIX.fullmatch(prefix[:cut]):
                    yield token[cut:]


# --- matching -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Match(Generic[T]):
    start: int  # token index
    end: int  # one past the last token
    payload: T

    @property
    def length(self) -> int:
        return self.end - self.start


class PhraseIndex(Generic[T]):
    """Many multi-word names or phrases, found in a token list in one pass (indexed by their first word)."""

    def __init__(self, items: Iterable[tuple[str, T]], *, strict: Callable[[T], bool] | None = None) -> None:
        # Entries for which ``strict`` is true, when three letters or fewer, are found behind "and" (و ف ו) only,
        # not behind any prefix: the reader's short words ("امل", hope) hide inside longer ones ("كامل", complete).
        self._strict = strict
        self._by_first: dict[str, list[tuple[tuple[str, ...], T]]] = {}
        for text, payload in items:
            tokens = tuple(words(text))
            if tokens:
                self._by_first.setdefault(tokens[0], []).append((tokens, payload))
        for candidates in self._by_first.values():
            candidates.sort(key=lambda item: len(item[0]), reverse=True)
        # For may_occur: the first words of one-word entries, and the rest by their first two words, as they read
        # in tokens joined by spaces.
        self._single = frozenset(first for first, candidates in self._by_first.items() if len(candidates[-1][0]) == 1)
        self._by_pair: dict[tuple[str, str], set[str]] = {}  # a set: one alias may name several crossings
        for candidates in self._by_first.values():
            for phrase, _ in candidates:
                if len(phrase) > 1:
                    self._by_pair.setdefault((phrase[0], phrase[1]), set()).add(f" {' '.join(phrase)} ")

    def __bool__(self) -> bool:
        return bool(self._by_first)

    def may_occur(self, tokens: list[str]) -> bool:
        """False when none of the entries can be in ``tokens``: none is there whole, and none could be once an
        Arabic or Hebrew prefix is taken off (``variants``). A few checks at C speed, not a look-up per token.

        A first word is not enough: "al", "north" or "king" begin names and a third of all reports. Tokens are
        ``\\w+`` runs, so a phrase is in them exactly when its words, one space apart, are in theirs.
        """
        if _CLITIC_SCRIPT.search("".join(tokens)):
            return True
        firsts = self._by_first.keys() & set(tokens)
        if not firsts:
            return False
        if not firsts.isdisjoint(self._single):
            return True
        by_pair = self._by_pair
        pairs = {pair for pair in pairwise(tokens) if pair[0] in firsts and pair in by_pair}
        if not pairs:
            return False
        joined = f" {' '.join(tokens)} "
        return any(spelled in joined for pair in pairs for spelled in by_pair[pair])

    def find(self, tokens: list[str]) -> list[Match[T]]:
        found: list[Match[T]] = []
        by_first = self._by_first
        # A cheaper look than may_occur's, enough for a sentence: a token may start an entry.
        if by_first.keys().isdisjoint(tokens) and not _CLITIC_SCRIPT.search("".join(tokens)):
            return found
        for i, token in enumerate(tokens):
            for variant in variants(token):
                candidates = by_first.get(variant)
                if not candidates:
                    continue
                if self._strict is not None and len(variant) <= 3 and variant != token:
                    cut = token[: len(token) - len(variant)]
                    if token.endswith(variant) and cut not in _AND:
                        candidates = [c for c in candidates if not self._strict(c[1])]
                for phrase, payload in candidates:
                    n = len(phrase)
                    if n == 1 or tokens[i + 1 : i + n] == list(phrase[1:]):
                        found.append(Match(i, i + n, payload))
        return found


def longest_first(matches: list[Match[T]]) -> list[Match[T]]:
    """Non-overlapping matches, preferring the longer where two overlap; in text order."""
    chosen: list[Match[T]] = []
    taken: set[int] = set()
    for match in sorted(matches, key=lambda m: (-m.length, m.start)):
        span = range(match.start, match.end)
        if taken.isdisjoint(span):
            chosen.append(match)
            taken.update(span)
    return sorted(chosen, key=lambda m: m.start)


# --- sentences ------------------------------------------------------------------------------------

# A sentence ends at . ! ? (or the Arabic question mark and full stop) followed by space, or at a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?\u061f\u06d4])[\"'\u201d\u2019)\]]*\s+|\n+")
# ... but not after a lone capital (“U.S.”, “J. Smith”) or a common abbreviation.
_ABBREVIATION = re.compile(
    r"(?:\b[A-Z]|\b(?:Mr|Ms|Mrs|Dr|St|No|vs|Gen|Lt|Col|Sgt|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec))\.$"
)
MAX_EVIDENCE = 1000


def sentences(text: str) -> list[str]:
    found: list[str] = []
    for piece in _SENTENCE_END.split(text or ""):
        piece = piece.strip()
        if not piece:
            continue
        # Only the end of the sentence so far can hold the abbreviation (the longest, "Sept.", is five characters
        # and its word boundary one more): searching all of it would try the pattern at every position.
        if found and _ABBREVIATION.search(found[-1][-7:]):
            found[-1] = f"{found[-1]} {piece}"
        else:
            found.append(piece)
    return found


# --- words with the punctuation between them ------------------------------------------------------------------

# Punctuation that ends a clause or an aside: commas, semicolons, colons, brackets, dashes set off by spaces (Arabic
# comma and semicolon too). A hyphen inside a word (“Kerem-Shalom”) is not one, nor are quotation marks (a quoted
# name is part of its clause).
_BREAK = re.compile(r"[,;:()\[\]\u060c\u061b\u2014\u2013]|\s-\s")


def tokenize(sentence: str) -> tuple[list[str], list[bool]]:
    """The sentence's folded words, and for each whether a clause-breaking mark stands before it."""
    folded = fold(sentence)
    tokens: list[str] = []
    breaks: list[bool] = []
    last = 0
    for match in _WORD.finditer(folded):
        breaks.append(bool(_BREAK.search(folded, last, match.start())) if match.start() > last else False)
        tokens.append(match.group())
        last = match.end()
    return tokens, breaks


def source_span(sentence: str, start: int, end: int) -> str:
    """The words ``start`` to ``end`` (indices into ``words(sentence)``) as written in the sentence, marks and
    all, so that they can be found in it again; the folded words where the two cannot be lined up."""
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(sentence):
        piece = fold(char)
        folded.append(piece)
        origin.extend([index] * len(piece))
    joined = "".join(folded)
    found = list(_WORD.finditer(joined))
    if len(found) != len(words(sentence)) or not 0 <= start < end <= len(found):
        return " ".join(words(sentence)[start:end])
    first, last = origin[found[start].start()], origin[found[end - 1].end() - 1]
    # Marks written after the last letter belong to it.
    while last + 1 < len(sentence) and _MARKS.match(unicodedata.normalize("NFKD", sentence[last + 1])):
        last += 1
    return sentence[first : last + 1]
