"""Which crossings a text names, and what it says about their status. Pure: text and a snapshot in, results out.

The interface the pipeline calls: ``read(title, text, snapshot) -> LinkResult``. How names are folded and found is
``ingest.reading.text``; the words the reader understands are ``ingest.reading.lexicon``; how a sentence is read
into claims is ``ingest.reading.extract``. Here: the snapshot (names, the editors' status phrases, and the indexes
built from them), the whole-text check that spares most reports any reading, and merging a report's claims into at
most one suggestion per crossing and traffic, each with its confidence and reason.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from .reading import lexicon
from .reading.extract import Claim, Reader
from .reading.lexicon import NEGATIONS, TRAFFIC_WORDS, Cue
from .reading.text import MAX_EVIDENCE, Match, PhraseIndex, fold, longest_first, phrase_key, sentences, words

__all__ = [
    "MAX_EVIDENCE",
    "NEGATIONS",
    "TRAFFIC_WORDS",
    "LinkResult",
    "Match",
    "Phrase",
    "PhraseIndex",
    "Snapshot",
    "Suggestion",
    "fold",
    "longest_first",
    "phrase_key",
    "read",
    "sentences",
    "words",
]

MAX_PHRASE = 200
EVIDENCE_JOIN = " … "
UNSURE = 0.6  # below this a suggestion is one the tracker will not let editors accept in bulk


# --- the snapshot ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Phrase:
    text: str
    kind: str  # "status" or "not_status"
    status: str = ""  # open / restricted / closed
    traffic: str = ""  # fixed traffic, or "" to read it from the sentence


def spellings(name: str) -> list[str]:
    """A name as written, and with neighbouring words joined: "كرم أبو سالم" is also written "كرم أبوسالم"."""
    parts = words(name)
    found = [name]
    for i in range(len(parts) - 1):
        found.append(" ".join([*parts[:i], parts[i] + parts[i + 1], *parts[i + 2 :]]))
    if len(parts) > 2:
        found.append("".join(parts))
    return found


class Snapshot:
    """The names and phrases to look for, read once per run (``ingest.selectors.link_snapshot``) and indexed.

    ``phrases`` are the editors' StatusPhrase rows: they join the built-in vocabulary (``reading.lexicon``) as
    status words, and where an editor's phrase spells the same words as a built-in one, the editor's wins.
    """

    def __init__(
        self,
        *,
        names: dict[int, Iterable[str]],
        phrases: Iterable[Phrase],
        crises_of: dict[int, Iterable[int]] | None = None,
    ) -> None:
        self.names = {crossing: tuple(texts) for crossing, texts in names.items()}
        self.phrases = tuple(phrases)
        self.crises_of = {crossing: tuple(ids) for crossing, ids in (crises_of or {}).items()}
        self.name_index = PhraseIndex(
            (spelled, crossing)
            for crossing, texts in self.names.items()
            for text in texts
            for spelled in spellings(text)
        )
        self.phrase_index = PhraseIndex((phrase.text, phrase) for phrase in self.phrases)
        cues: dict[str, list[Cue]] = defaultdict(list)
        for text, cue in lexicon.CUES:
            cues[phrase_key(text)].append(cue)
        # An editor's phrase of traffic passing ("aid trucks entered") is read as movement: "only 10 aid trucks
        # entered" is then restricted, as the built-in movement words are.
        movement = {key for key, cs in cues.items() if " " not in key and any(c.kind == lexicon.MOVEMENT for c in cs)}
        for phrase in self.phrases:
            key = phrase_key(phrase.text)
            if not key:
                continue
            moving = phrase.kind == "status" and phrase.status == "open" and bool(movement & set(key.split()))
            # The built-in word's form, where there is one ("פתיחת" is a noun: more often planned than done).
            builtin = next((c for c in cues[key] if c.kind == lexicon.STATUS), None)
            edited = Cue(
                lexicon.MOVEMENT if moving else lexicon.STATUS if phrase.kind == "status" else lexicon.NOT_STATUS,
                status=phrase.status,
                traffic=phrase.traffic,
                form=builtin.form if builtin else "event",
                needs_object=builtin.needs_object if builtin else False,
                text=phrase.text,
            )
            kept = [c for c in cues[key] if c.kind not in (lexicon.STATUS, lexicon.NOT_STATUS, lexicon.MOVEMENT)]
            cues[key] = [*kept, edited]
        self.pointer_index = PhraseIndex(
            (text, cue) for text, cue in lexicon.CUES if cue.kind in (lexicon.ANAPHOR, lexicon.UNTRACKED)
        )
        self.cue_index: PhraseIndex[tuple[Cue, ...]] = PhraseIndex(
            ((key, tuple(cs)) for key, cs in cues.items()),
            strict=lambda cs: all(c.kind in lexicon.FUNCTION_WORDS for c in cs),
        )


# --- results --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Suggestion:
    crossing_id: int
    status: str  # open / restricted / closed
    traffic: str  # all / people / aid / commercial / fuel
    evidence: str  # the sentences that say it, joined with " … "
    phrase: str  # the words that fired, as written in the evidence (to be marked)
    confidence: float = 0.0  # 0..1: below 0.6, not to be accepted in bulk
    reason: str = ""  # the clause and the rule that fired, for the editor


@dataclass
class LinkResult:
    crossing_ids: set[int] = field(default_factory=set)
    crisis_ids: set[int] = field(default_factory=set)
    suggestions: list[Suggestion] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.crossing_ids)


def _evidence(claims: list[Claim]) -> str:
    seen: list[str] = []
    for claim in sorted(claims, key=lambda c: c.sentence_index):
        if claim.sentence not in seen:
            seen.append(claim.sentence)
    joined = EVIDENCE_JOIN.join(seen)
    return joined if len(joined) <= MAX_EVIDENCE else joined[: MAX_EVIDENCE - 1] + "…"


def _suggestion(claims: list[Claim], *, status: str, traffic: str, extra: str = "") -> Suggestion:
    best = max(claims, key=lambda c: (c.confidence, -c.sentence_index))
    sentences_said = {c.sentence_index for c in claims}
    # Said again in another sentence: surer, but never past what a direct statement earns.
    confidence = (
        min(0.95, best.confidence + 0.05 * (len(sentences_said) - 1)) if best.confidence >= UNSURE else best.confidence
    )
    reasons = []
    for claim in sorted(claims, key=lambda c: -c.confidence):
        if claim.reason not in reasons:
            reasons.append(claim.reason)
    reason = " | ".join(reasons) + extra
    return Suggestion(
        crossing_id=best.crossing_id,
        status=status,
        traffic=traffic,
        evidence=_evidence(claims),
        phrase=best.phrase[:MAX_PHRASE],
        confidence=round(confidence, 2),
        reason=reason[:1000],
    )


def merge(claims: list[Claim]) -> list[Suggestion]:
    """At most one suggestion per crossing and traffic. Claims that agree are one suggestion with all their
    sentences; where they disagree, the surest wins (within one sentence, the later clause: "reopened, then closed
    again") and the reason says so. A crossing said to be in some state for all traffic and, in the same report,
    in that state for named kinds is proposed for those kinds only."""
    by_key: dict[tuple[int, str], list[Claim]] = defaultdict(list)
    for claim in claims:
        by_key[(claim.crossing_id, claim.traffic)].append(claim)
    chosen: dict[tuple[int, str], tuple[str, list[Claim], str]] = {}
    for key, said in by_key.items():
        statuses = {c.status for c in said}
        best = max(said, key=lambda c: (c.confidence, c.sentence_index, said.index(c)))
        extra = ""
        if len(statuses) > 1:
            others = sorted(statuses - {best.status})
            extra = f" | also read as {', '.join(others)} in the same report; the surest reading kept"
        chosen[key] = (best.status, [c for c in said if c.status == best.status], extra)
    for (crossing, traffic), (status, said, _) in list(chosen.items()):
        if traffic != "all":
            continue
        narrower = [k for k, v in chosen.items() if k[0] == crossing and k[1] != "all" and v[0] == status]
        if narrower:
            del chosen[(crossing, traffic)]
            for k in narrower:
                held = chosen[k]
                chosen[k] = (held[0], held[1] + said, held[2])
    ordered = sorted(chosen.items(), key=lambda item: min(c.sentence_index for c in item[1][1]))
    return [
        _suggestion(said, status=status, traffic=traffic, extra=extra)
        for (_, traffic), (status, said, extra) in ordered
    ]


def read(title: str, text: str, snapshot: Snapshot) -> LinkResult:
    """The crossings (and their crises) a report names, and the status suggestions its sentences make: at most one
    per crossing and traffic, with all the sentences that say it as evidence."""
    result = LinkResult()
    # Most reports name no crossing at all: that is seen from the whole text at once, before it is cut into
    # sentences (each of which would be folded and looked through on its own).
    if not snapshot.names or not snapshot.name_index.may_occur(words(f"{title}\n{text}")):
        return result
    reader = Reader(snapshot)
    for index, sentence in enumerate([*sentences(title), *sentences(text)]):
        reader.sentence(index, sentence)
    result.crossing_ids = set(reader.named)
    result.suggestions = merge([c for c in reader.claims if c.crossing_id in result.crossing_ids])
    for crossing in result.crossing_ids:
        result.crisis_ids.update(snapshot.crises_of.get(crossing, ()))
    return result
