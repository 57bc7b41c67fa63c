"""Hypothesis against the alias and status-phrase matcher (ingest/link.py), with the real crossing names (English,
Arabic, Hebrew) and the status phrases the migration seeds: random text, and hostile text built from those names
and phrases mixed with negations, traffic words, clitic prefixes, direction and joiner marks, combining accents,
control characters and very long runs. Nothing raises; every link and suggestion names a crossing the snapshot
knows, a status and a traffic that exist, and a sentence as evidence; the same input reads the same way twice;
and text in which no name occurs links nothing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.link import MAX_EVIDENCE, NEGATIONS, TRAFFIC_WORDS, Snapshot, fold, phrase_key, read, sentences, words
from ingest.reading.lexicon import CUES
from ingest.selectors import link_snapshot
from tests.ingest_fixtures.support import crossings
from tracker.models import CrossingStatus, Traffic

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=300, deadline=None, database=None, derandomize=True)
STATUSES = {CrossingStatus.Status.OPEN, CrossingStatus.Status.RESTRICTED, CrossingStatus.Status.CLOSED}
NOISE = [
    "\u200f", "\u200e", "\u202e", "\u2066", "\u200d", "\u200b", "\u0301", "\u064b", "\u05b8", "\u0640", "\x00",
    "\x1b", "\ufeff", "\ufffd", "🚛", "‏", "\n", "\r\n", ". ", "! ", "? ", "؟ ", "۔ ", "...", "U.S.", "Mr.", "-",
    "'", "\u201d", "«", "»", "(", ")", "[", "]", "&", "<b>", "</b>", "&amp;", "https://x.example/Rafah",
]  # fmt: skip
PREFIXES = ["و", "ف", "ب", "ل", "ك", "ال", "وال", "بال", "لل", "ו", "ה", "ב", "כ", "ל", "מ", "ש", "ומה"]


@pytest.fixture
def snapshot() -> Snapshot:
    crossings()
    made = link_snapshot()
    assert made.names and made.phrases, "the real names and the seeded phrases"
    return made


def vocabulary(snapshot: Snapshot) -> list[str]:
    names = [name for texts in snapshot.names.values() for name in texts]
    phrases = [phrase.text for phrase in snapshot.phrases]
    traffic = [word for texts in TRAFFIC_WORDS.values() for word in texts]
    # The reader's own vocabulary: modals, exceptions, contrast, movement, "the crossing" ... Names and status
    # phrases are drawn more often, so that the texts still raise suggestions among hundreds of other cues.
    cues = sorted({text for text, _ in CUES})
    return (names + phrases) * 8 + traffic + sorted(NEGATIONS) + cues


def hostile_text(snapshot: Snapshot) -> st.SearchStrategy[str]:
    """Names, phrases and words of the trade, some glued to a clitic prefix, in noise and random text."""
    known = vocabulary(snapshot)
    glued = st.builds(lambda p, w: p + w, st.sampled_from(PREFIXES), st.sampled_from(known))
    token = st.one_of(st.sampled_from(known), glued, st.sampled_from(NOISE), st.text(max_size=12))
    separator = st.sampled_from([" ", "  ", "\t", "", "\u00a0", ", ", "\u3000"])
    return st.lists(st.tuples(token, separator), max_size=80).map(lambda parts: "".join(t + s for t, s in parts))


def check(result, snapshot: Snapshot) -> None:  # type: ignore[no-untyped-def]
    assert result.crossing_ids <= set(snapshot.names)
    for crisis in result.crisis_ids:
        assert any(crisis in snapshot.crises_of.get(c, ()) for c in result.crossing_ids)
    for suggestion in result.suggestions:
        assert suggestion.crossing_id in result.crossing_ids
        assert suggestion.status in STATUSES
        assert suggestion.traffic in Traffic.values
        assert 0 < len(suggestion.evidence) <= MAX_EVIDENCE
        assert 0 < len(suggestion.phrase) <= 200
        assert " ".join(words(suggestion.phrase)) in " ".join(words(suggestion.evidence)), "the words that fired"
        assert 0.0 <= suggestion.confidence <= 1.0 and suggestion.reason
    keys = [(s.crossing_id, s.traffic) for s in result.suggestions]
    assert len(keys) == len(set(keys)), "one suggestion per crossing and traffic"


def test_random_text_never_breaks_the_matcher(snapshot):
    @FUZZ
    @given(st.text(max_size=600), st.text(max_size=200))
    def run(text: str, title: str) -> None:
        check(read(title, text, snapshot), snapshot)
        for piece in (fold(text), phrase_key(text), " ".join(words(text)), " ".join(sentences(text))):
            assert isinstance(piece, str)

    run()


def test_hostile_text_of_names_and_phrases_reads_consistently(snapshot):
    linked: list[int] = []

    @FUZZ
    @given(hostile_text(snapshot), hostile_text(snapshot))
    def run(text: str, title: str) -> None:
        first, second = read(title, text, snapshot), read(title, text, snapshot)
        check(first, snapshot)
        assert (first.crossing_ids, first.suggestions) == (second.crossing_ids, second.suggestions)
        linked.append(len(first.suggestions))

    run()
    assert sum(1 for n in linked if n) >= 20, "the hostile texts did raise suggestions: the checks ran on them"


def test_the_whole_text_check_never_hides_a_name_the_reading_finds(snapshot):
    """``may_occur`` lets ``read`` skip a report's sentences: it must be true of every text in which ``find``
    finds a name or a phrase, in any sentence of it."""
    found_some: list[bool] = []

    @FUZZ
    @given(hostile_text(snapshot))
    def run(text: str) -> None:
        whole = words(text)
        for index in (snapshot.name_index, snapshot.phrase_index):
            for sentence in sentences(text):
                if index.find(words(sentence)):
                    found_some.append(True)
                    assert index.may_occur(whole), sentence

    run()
    assert len(found_some) >= 50, "names and phrases were found: the check ran on them"


def test_text_without_any_name_links_nothing(snapshot):
    known = {word for name in vocabulary(snapshot) for word in words(name)}

    @FUZZ
    @given(st.text(alphabet=st.characters(categories=["Nd", "P", "Z", "S", "Cc"]), max_size=400))
    def run(text: str) -> None:
        assert not set(words(text)) & known
        assert not read(text, text, snapshot)

    run()


@settings(max_examples=10, deadline=None, database=None, derandomize=True)
@given(st.sampled_from(["Rafah crossing closed. ", "معبر رفح مغلق. ", "מעבר רפיח נסגר. ", "Rafah " * 50]))
def test_very_long_texts_are_read_in_one_pass(unit):
    """A report of a few hundred kilobytes made of names and phrases: read, every suggestion bounded. No editor's
    phrase is needed: the reader's own vocabulary knows "closed", "مغلق", "נסגר"."""
    snapshot = Snapshot(names={1: ["Rafah", "معبر رفح", "מעבר רפיח"]}, phrases=[])
    result = read(unit, unit * 4000, snapshot)
    assert result.crossing_ids == {1}
    assert len(result.suggestions) <= 1, "one per crossing and traffic, however often it is said"
    for suggestion in result.suggestions:
        assert (suggestion.status, suggestion.traffic) == ("closed", "all")
        assert len(suggestion.evidence) <= MAX_EVIDENCE and len(suggestion.phrase) <= 200
