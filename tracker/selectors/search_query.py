"""The search box's language, read once and written out for each database.

Readers type PostgreSQL's web-search syntax (``websearch_to_tsquery``): plain words (all must match), "quoted
phrases", ``-word`` or ``-"phrase"`` to exclude, and ``or`` between alternatives; AND binds tighter than OR, as
there. This module reads a query the way PostgreSQL does (same chunks, same operators, same English stop words
dropped), so that SQLite's FTS5 (``make run``) can be given the very same query: every term goes to FTS5 as a
quoted string, never as FTS5 syntax, so no input can be an FTS5 syntax error. ``tests/test_search_both_databases``
checks, on PostgreSQL, that the query rebuilt from what is read here means what the reader's text means there.

Pure: text in, plain data out. Which crossings a query names is decided here too (``mentions``), from names the
caller loads.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# PostgreSQL's English stop words (share/tsearch_data/english.stop, as shipped with PostgreSQL 15): a term made
# only of these is dropped there, so it is dropped here too (it would match nearly every report in FTS5).
STOP_WORDS = frozenset(
    """i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers
    herself it its itself they them their theirs themselves what which who whom this that these those am is are
    was were be been being have has had having do does did doing a an the and but if or because as until while
    of at by for with about against between into through during before after above below to from up down in out
    on off over under again further then once here there when where why how all any both each few more most other
    some such no nor not only own same so than too very s t can will just don should now""".split()  # noqa: SIM905 (the list as the file has it)
)
# Characters PostgreSQL's web-search reader skips, as it skips spaces (its ISOPERATOR): "rafah|erez" is two terms
# ANDed, "rafah (or erez" an OR.
_OPERATOR_CHARS = frozenset("!&|()<")
_TOKEN = re.compile(r"[^\W_]+")
_COMPOUND = re.compile(r"[^\W_]-[^\W_]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def tokens(text: str) -> list[str]:
    """The words FTS5's unicode61 tokenizer (and roughly PostgreSQL's parser) finds, folded like ``fold``."""
    return _TOKEN.findall(fold(text))


def fold(text: str) -> str:
    """Case and diacritics folded away (crossing names are compared in this form)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn").casefold()


@dataclass(frozen=True)
class Term:
    """One quoted phrase or one unquoted chunk (its words, if several, must stand together, as in PostgreSQL)."""

    text: str

    def fts5(self) -> str:
        return '"' + self.text.replace('"', '""') + '"'

    def websearch(self) -> str:
        return '"' + self.text.replace('"', " ") + '"'


@dataclass(frozen=True)
class Atom:
    """A term, or several terms that together name a crossing (``crossings``), negated or not."""

    terms: tuple[Term, ...]
    negated: bool = False
    crossings: frozenset[int] = frozenset()


@dataclass
class Group:
    """Atoms that must all hold; a query holds when any of its groups does."""

    atoms: list[Atom] = field(default_factory=list)

    @property
    def positives(self) -> list[Atom]:
        return [atom for atom in self.atoms if not atom.negated]

    @property
    def negatives(self) -> list[Atom]:
        return [atom for atom in self.atoms if atom.negated]


@dataclass
class Parsed:
    groups: list[Group]

    @property
    def empty(self) -> bool:
        return not self.groups

    @property
    def names_crossings(self) -> bool:
        return any(atom.crossings for group in self.groups for atom in group.atoms)

    def crossing_ids(self) -> set[int]:
        return {c for group in self.groups for atom in group.atoms if not atom.negated for c in atom.crossings}

    def websearch(self) -> str:
        """The query rebuilt in web-search syntax, every term quoted (what PostgreSQL is given)."""
        return " or ".join(
            " ".join(("-" if atom.negated else "") + term.websearch() for atom in group.atoms for term in atom.terms)
            for group in self.groups
        )

    def positive_terms(self) -> list[Term]:
        return [term for group in self.groups for atom in group.positives for term in atom.terms]


def _significant(text: str) -> bool:
    """Whether a chunk or phrase leaves any term once stop words are dropped (as PostgreSQL's English setup does)."""
    # A hyphenated compound ("the-the") is a word of its own to PostgreSQL, never a stop word.
    return any(word not in STOP_WORDS for word in tokens(text)) or bool(_COMPOUND.search(text))


def parse(text: str) -> Parsed:
    """Read ``text`` as ``websearch_to_tsquery`` does: a list of OR-ed groups of AND-ed, maybe negated, terms.

    Terms that hold no word, or only stop words, are dropped with whatever operator pointed at them."""
    text = _CONTROL.sub(" ", text or "")
    groups: list[Group] = [Group()]
    negations = 0
    waiting_operand = True
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if waiting_operand:
            if ch == "-":
                negations += 1
                i += 1
            elif ch == '"':
                end = text.find('"', i + 1)
                end = n if end < 0 else end
                _add(groups[-1], text[i + 1 : end], negations)
                negations, waiting_operand, i = 0, False, end + 1
            elif ch in _OPERATOR_CHARS or ch.isspace():
                i += 1
            else:
                end = i
                while end < n and not text[end].isspace() and text[end] not in _OPERATOR_CHARS and text[end] != '"':
                    end += 1
                _add(groups[-1], text[i:end], negations)
                negations, waiting_operand, i = 0, False, end
        elif ch.isspace() or ch in _OPERATOR_CHARS:
            i += 1
        elif _is_or(text, i):
            groups.append(Group())
            waiting_operand, i = True, i + 2
        else:
            waiting_operand = True  # an implied AND; the character is read again as the start of an operand
    return Parsed([group for group in groups if group.atoms])


def _is_or(text: str, i: int) -> bool:
    """PostgreSQL's parse_or_operator: "or" in any case, not part of a word, with something after it."""
    if text[i : i + 2].lower() != "or":
        return False
    rest = text[i + 2 :]
    if not rest or rest[0] in "-_" or rest[0].isalnum():
        return False
    return bool(rest[1:].strip())


def _add(group: Group, term_text: str, negations: int) -> None:
    if _significant(term_text):
        group.atoms.append(Atom((Term(term_text),), negated=negations % 2 == 1))


# --- crossings named in a query ---------------------------------------------------------------------------------


def name_key(name: str) -> str:
    return " ".join(tokens(name))


def name_index(names: Iterable[tuple[int, str]]) -> dict[str, frozenset[int]]:
    """Crossing ids by the folded words of each of their names and aliases."""
    index: dict[str, set[int]] = {}
    for crossing_id, name in names:
        key = name_key(name)
        if key:
            index.setdefault(key, set()).add(crossing_id)
    return {key: frozenset(ids) for key, ids in index.items()}


def query_words(parsed: Parsed) -> set[str]:
    """Every word of the query's terms: a crossing name it spells contains one of them."""
    return {word for group in parsed.groups for atom in group.atoms for t in atom.terms for word in tokens(t.text)}


def with_mentions(parsed: Parsed, index: Mapping[str, frozenset[int]]) -> Parsed:
    """``parsed`` with the terms that spell a crossing's name or alias marked with that crossing.

    A phrase or a negated term names one when its words are the name's words; plain terms that follow one another
    in a group name one together ("Kerem Shalom" typed without quotes), the longest name first."""
    if not index:
        return parsed
    longest = max(len(key.split()) for key in index)
    groups = []
    for group in parsed.groups:
        atoms: list[Atom] = []
        pending: list[Atom] = []  # a run of plain positive terms, in order
        for atom in group.atoms:
            if atom.negated:
                atoms.append(_named(atom, index))
            else:
                pending.append(atom)
        atoms[:0] = _runs(pending, index, longest)
        groups.append(Group(atoms))
    return Parsed(groups)


def _named(atom: Atom, index: Mapping[str, frozenset[int]]) -> Atom:
    found = index.get(name_key(" ".join(term.text for term in atom.terms)))
    return Atom(atom.terms, atom.negated, found) if found else atom


def _runs(atoms: list[Atom], index: Mapping[str, frozenset[int]], longest: int) -> list[Atom]:
    out: list[Atom] = []
    i = 0
    while i < len(atoms):
        for size in range(min(longest, len(atoms) - i), 0, -1):
            terms = tuple(term for atom in atoms[i : i + size] for term in atom.terms)
            found = index.get(name_key(" ".join(term.text for term in terms)))
            if found:
                out.append(Atom(terms, False, found))
                i += size
                break
        else:
            out.append(atoms[i])
            i += 1
    return out


# --- FTS5 -------------------------------------------------------------------------------------------------------


def fts5_all(terms: Iterable[Term]) -> str:
    return " AND ".join(term.fts5() for term in terms)


def fts5_any(terms: Iterable[Term]) -> str:
    return " OR ".join(term.fts5() for term in terms)
