"""Linking reads crossings' names in any case, accent or script, and what status a sentence gives them."""

from __future__ import annotations

import pytest

from ingest.link import Phrase, PhraseIndex, Snapshot, fold, read, sentences, words

RAFAH, KEREM, EREZ, AUJA = 1, 2, 3, 4
SNAPSHOT = Snapshot(
    names={
        RAFAH: ["Rafah", "Rafah crossing", "معبر رفح", "رفح", "מעבר רפיח", "רפיח"],
        KEREM: ["Kerem Shalom", "Karem Abu Salem", "كرم أبو سالم", "כרם שלום", "מעבר כרם שלום"],
        EREZ: ["Erez", "Beit Hanoun", "بيت حانون", "מעבר ארז"],
        AUJA: ["Nitzana", "العوجة"],
    },
    phrases=[
        Phrase("closed", "status", "closed"),
        Phrase("shut", "status", "closed"),
        Phrase("reopened", "status", "open"),
        Phrase("opened", "status", "open"),
        Phrase("open", "status", "open"),
        Phrase("open for evacuees", "status", "open", "people"),
        Phrase("allowed aid trucks through", "status", "open", "aid"),
        Phrase("partially open", "status", "restricted"),
        Phrase("opened fire", "not_status"),
        Phrase("إغلاق", "status", "closed"),
        Phrase("أغلق", "status", "closed"),
        Phrase("أعيد فتح", "status", "open"),
        Phrase("נסגר", "status", "closed"),
        Phrase("נפתח", "status", "open"),
    ],
    crises_of={RAFAH: [10], KEREM: [10, 11]},
)


def suggestions(text: str, title: str = "") -> set[tuple[int, str, str]]:
    return {(s.crossing_id, s.status, s.traffic) for s in read(title, text, SNAPSHOT).suggestions}


def mentioned(text: str) -> set[int]:
    return read("", text, SNAPSHOT).crossing_ids


@pytest.mark.parametrize(
    "text",
    [
        "Trucks queued at RAFAH.",
        "Trucks queued at rafah's gate.",
        "The Ráfah terminal was quiet.",
        "Talks on the Rafah-crossing continued.",
    ],
)
def test_names_match_whatever_the_case_accents_and_punctuation(text):
    assert mentioned(text) == {RAFAH}


@pytest.mark.parametrize("text", ["Rafahville is elsewhere.", "The Rafahs of this world.", "Kerem alone is not it."])
def test_names_match_whole_words_only(text):
    assert mentioned(text) == set()


def test_a_name_of_several_words_must_appear_whole():
    assert mentioned("Goods reached Kerem  Shalom at noon.") == {KEREM}
    assert mentioned("Goods reached Kerem at noon; Shalom was said.") == set()


@pytest.mark.parametrize(
    "text,crossing",
    [
        ("وصلت الشاحنات إلى معبر رفح صباحا.", RAFAH),
        ("تجمع المسافرون برفح.", RAFAH),  # bi- (in) glued to the name
        ("وقف العمل في معبر رفح ومعبر كرم أبو سالم.", KEREM),  # wa- (and) glued to "crossing"
        ("عبرت الشاحنات من كَرَمِ أَبُو سَالِم.", KEREM),  # full vowel marks
        ("وصلت القافلة للعوجة.", AUJA),  # li- + al- written لل
        ("وصلت القافلة بالعوجة.", AUJA),  # bi- + al-
    ],
)
def test_arabic_names_match_with_prefixes_and_vowel_marks(text, crossing):
    assert crossing in mentioned(text)


@pytest.mark.parametrize(
    "text,crossing",
    [
        ("המשאיות הגיעו למעבר כרם שלום.", KEREM),  # le- (to)
        ("התור במעבר רפיח התארך.", RAFAH),  # be- (at)
        ("יצאו מרפיח אתמול.", RAFAH),  # mi- (from)
        ("וּבְרָפִיחַ היה שקט.", RAFAH),  # u-be- with niqqud
    ],
)
def test_hebrew_names_match_with_prefixes_and_niqqud(text, crossing):
    assert crossing in mentioned(text)


def test_crises_of_the_crossings_are_linked_too():
    result = read("", "Kerem Shalom and Rafah were busy.", SNAPSHOT)
    assert result.crossing_ids == {RAFAH, KEREM} and result.crisis_ids == {10, 11}


def test_a_status_phrase_near_a_crossing_suggests_it_with_the_sentence_as_evidence():
    text = "Officials met in Cairo. The Rafah crossing was closed on Monday after strikes nearby. Talks go on."
    [suggestion] = read("", text, SNAPSHOT).suggestions
    assert (suggestion.crossing_id, suggestion.status, suggestion.traffic) == (RAFAH, "closed", "all")
    assert suggestion.evidence == "The Rafah crossing was closed on Monday after strikes nearby."
    assert suggestion.phrase == "closed"


def test_the_phrase_goes_to_the_nearest_crossing_in_the_sentence():
    text = "Rafah remained closed, while Kerem Shalom reopened for aid."
    assert suggestions(text) == {(RAFAH, "closed", "all"), (KEREM, "open", "aid")}


def test_traffic_is_read_from_the_words_near_the_phrase():
    assert suggestions("Rafah was opened to wounded patients and to fuel trucks.") == {
        (RAFAH, "open", "people"),
        (RAFAH, "open", "fuel"),
    }
    assert suggestions("Rafah was open for evacuees.") == {(RAFAH, "open", "people")}
    assert suggestions("Egypt allowed aid trucks through Rafah.") == {(RAFAH, "open", "aid")}


def test_the_longest_phrase_wins():
    assert suggestions("Rafah was partially open on Tuesday.") == {(RAFAH, "restricted", "all")}
    assert suggestions("Soldiers opened fire near Rafah.") == set()


@pytest.mark.parametrize(
    "text",
    [
        "Rafah has not reopened.",
        "Rafah hasn't reopened since Monday.",
        "Rafah was never closed.",
        "لم يتم إغلاق معبر رفح.",
        "מעבר רפיח לא נסגר.",
    ],
)
def test_a_negated_phrase_suggests_nothing(text):
    assert suggestions(text) == set()
    assert mentioned(text), "the crossing is still linked"


def test_a_phrase_in_another_sentence_suggests_nothing():
    assert suggestions("Rafah was busy. Elsewhere a bridge was closed.") == set()


def test_a_phrase_far_from_the_name_in_a_long_sentence_suggests_nothing():
    filler = " ".join(["and then the delegation talked at length"] * 5)
    assert suggestions(f"Rafah {filler} about a road that was closed.") == set()


@pytest.mark.parametrize(
    "text,expected",
    [
        ("أعلنت السلطات إغلاق معبر رفح أمام المسافرين.", {(RAFAH, "closed", "people")}),
        ("أُعِيدَ فَتْحُ معبر كرم أبو سالم لدخول المساعدات.", {(KEREM, "open", "aid")}),
        ("وأغلق معبر بيت حانون.", {(EREZ, "closed", "all")}),
    ],
)
def test_arabic_status_phrases(text, expected):
    assert suggestions(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("מעבר כרם שלום נפתח להכנסת משאיות סיוע.", {(KEREM, "open", "aid")}),
        ("מעבר רפיח ונסגר שוב.", {(RAFAH, "closed", "all")}),
    ],
)
def test_hebrew_status_phrases(text, expected):
    assert suggestions(text) == expected


def test_the_same_suggestion_is_made_once_per_report_with_every_sentence_that_says_it():
    text = "Rafah was closed on Monday. Rafah was still closed on Tuesday."
    result = read("Rafah closed", text, SNAPSHOT)
    assert len(result.suggestions) == 1
    assert result.suggestions[0].evidence == (
        "Rafah closed … Rafah was closed on Monday. … Rafah was still closed on Tuesday."
    ), "the title first, then the text's sentences in order"


def test_sentences_do_not_end_at_abbreviations():
    assert sentences("U.S. officials said Rafah was closed. Dr. Smith agreed.") == [
        "U.S. officials said Rafah was closed.",
        "Dr. Smith agreed.",
    ]


def test_folding_treats_variant_arabic_letters_as_one():
    assert fold("إغلاق") == fold("اغلاق") == fold("أغلاق")
    assert fold("مغلقة") == fold("مغلقه")


def test_a_names_first_word_alone_does_not_send_a_report_through_sentences():
    """The whole-text check that spares most reports the sentence-by-sentence reading wants the whole name: "al"
    or "king" begin names and a third of all reports."""
    index = PhraseIndex([("Al Awja", 1), ("King Hussein Bridge", 2), ("Rafah", 3)])
    assert not index.may_occur(words("Al Jazeera says the king met aid groups near the bridge"))
    assert not index.may_occur(words("King Hussein spoke; the bridge stayed shut"))  # two words of three
    assert index.may_occur(words("Trucks waited at al-Awja overnight"))
    assert index.may_occur(words("the King Hussein Bridge reopened"))
    assert index.may_occur(words("RAFAH"))
    assert index.may_occur(words("وصلت الشاحنات"))  # Arabic: a name may hide behind a prefix
    assert not index.may_occur([])
