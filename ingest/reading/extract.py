"""The extractor: a report's sentences in, status claims about tracked crossings out, each with its confidence and
the reason it was read so.

A sentence is cut into clauses at punctuation (commas, semicolons, dashes, brackets, quotes) and at the words
that begin a new clause (“but”, “while”, “after”, “which”; “لكن”, “بينما”, “بعد”; “אבל”, “בעוד”, “לאחר”). In each
clause the cues of ``lexicon`` are found: status words, movement, traffic, restriction, exception, modality
(future, hedge, demand, plan, condition, purpose), negation, the historical past, a continuing state. A status
word makes a claim about the crossing its clause names (the nearest one; every one of a coordinated list; the one
named in the clause before when the clause names none; the one last named when it says “the crossing”), unless
the clause makes it something not yet or not for sure (a modal before it, “to” before it), negates it, or puts it
in the past (“had”, “previously”, a year long gone). A restriction in its clause (or in a clause that follows and
names no other status: “reopens, but limits crossings to a few dozen people”) makes “open” restricted; an
exception (“closed except for fuel and aid”) makes the status restricted and opens it for what is excepted.
Traffic passing (“30 aid trucks entered through Erez”) is open for that traffic. Traffic words in the clause
narrow the claim to those kinds, unless they describe the crossing (“the goods crossing”, “crossing for aid”).

Some readings are inferences, and say so with a confidence under 0.6 (``ingest.link.UNSURE``): an opening denied
with a future or a decision (“will not open as planned”) is a closure now; traffic said not to pass through a
crossing, or held at it (“stuck”, “waiting to be let through”), is closed for that traffic; trucks of no stated
kind are aid. Where a reading is only likely, editors are asked to look rather than to accept in bulk.

Pure: tokens and tables in, claims out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import lexicon as lx
from .text import Match, fold, longest_first, tokenize, variants, words

if TYPE_CHECKING:
    from ingest.link import Snapshot


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


UNTRACKED = -1  # the "crossing id" of a crossing the tracker does not follow
_YEAR = re.compile(r"^(19[4-9]\d|20[01]\d)$")  # a year long gone: states then are history
_SINCE = frozenset(("since", "منذ", "مند", "מאז", "from"))
_TO = frozenset(("to",))
_TO_SKIPS = frozenset(("be", "been", "fully", "partially", "partly", "gradually", "finally", "again", "also"))
_TO_STILL = frozenset(("continues", "continue", "continued", "continuing", "remains", "remain", "remained", "used"))
# "were cleared to enter", "managed to get through": done, not meant.
_TO_DONE = frozenset(
    (
        "allowed",
        "cleared",
        "able",
        "unable",
        "managed",
        "permitted",
        "began",
        "begun",
        "started",
        "beginning",
        "starting",
    )
)
_REPORTING = frozenset(
    ("said", "says", "told", "reported", "announced", "stated", "added", "adding", "according", "confirmed", "noted")
)
# Pronouns for the traffic named before: "closed to them", "لأي منها" (to any of them), "להם".
_THEM = frozenset(("them", "منها", "منهم", "لهم", "להם", "מהם"))
_BEFORE = frozenset(("before", "قبل", "לפני"))
_UNTIL = frozenset(("until", "till", "حتى", "עד"))
_IN_BEFORE = frozenset(("in", "before", "في", "قبل", "ב", "לפני"))
_MONTHS = _set(
    "january february march april may june july august september october november december jan feb mar apr jun jul"
    " aug sep sept oct nov dec يناير فبراير مارس ابريل مايو يونيو يوليو اغسطس سبتمبر اكتوبر نوفمبر ديسمبر"
    " ינואר פברואר מרץ אפריל מאי יוני יולי אוגוסט ספטמבר אוקטובר נובמבר דצמבר"
)
_ROUTE = _set("through via at דרך عبر خلال")
_WEEKDAYS = _set("monday tuesday wednesday thursday friday saturday sunday")
_DIRECTIONS = _set(
    "east west north south southeast southwest northeast northwest south-east north-east eastern western"
)
# The words that begin a clause saying what an opening let through: "..., letting aid into Gaza".
_PURPOSE_OPENERS = _set("letting allowing enabling permitting so for to with in thus as")
# Time words that make a status tomorrow's, wherever they stand in the clause.
_WHEN = frozenset(
    fold(w)
    for w in (
        "tomorrow", "next week", "next month", "in the coming", "coming days", "غدا", "الاسبوع المقبل",
        "الأسبوع المقبل", "الايام المقبله", "الأيام المقبلة", "خلال الساعات المقبله", "خلال الساعات المقبلة", "מחר",
        "בשבוע הבא", "בימים הקרובים", "בקרוב",
    )
)  # fmt: skip
_NOTICE = frozenset(
    ("until further notice", "indefinitely", "الى اجل غير مسمى", "إلى أجل غير مسمى", "اجل غير مسمى", "غير مسمى",
     "حتى اشعار اخر", "حتى إشعار آخر", "עד להודעה חדשה", "עד הודעה חדשה")
)  # fmt: skip
# After a status word, the words that say what it was for: "opened to 460 trucks of goods", "لخروج حاملي الجنسيات".
_PURPOSE = _set("to for so allowing letting enabling امام أمام בפני עבור")
PURPOSE_REACH = 7  # words (not counting the crossing's name) between a status word and its "to"/"for"
_CONTENT = frozenset((lx.STATUS, lx.MOVEMENT, lx.TRAFFIC, lx.RESTRICT, lx.EXCEPT, lx.CARRIER))
TRAFFIC_NEAR = 6  # words between a status word and a traffic word that says what the status is for
_ARABIC_IMPERFECT = ("ي", "ت", "ن")
NEGATION_WINDOW = 3  # words before a status that may negate it
MODAL_AFTER = 3  # words after a status in which "expected", "planned" ... still make it not a fact
FAR = 8  # words between a status and its crossing beyond which the reading is less sure
NEAR = 25  # words beyond which a status says nothing of the crossing


@dataclass(frozen=True, slots=True)
class Claim:
    crossing_id: int
    status: str
    traffic: str
    confidence: float
    rule: str  # what fired: "status", "movement", "exception", "contrast", ...
    sentence: str  # as written: the evidence
    sentence_index: int
    phrase: str  # the words that fired, as written
    clause: str  # the clause, as written, for the reason
    notes: tuple[str, ...] = ()

    @property
    def reason(self) -> str:
        traffic = "all traffic" if self.traffic == "all" else self.traffic
        said = f"{self.rule}: “{self.clause}” → {self.status} for {traffic}"
        return f"{said} ({'; '.join(self.notes)})" if self.notes else said


@dataclass(slots=True)
class _Mention:
    start: int
    end: int
    crossing: int  # an id, or UNTRACKED
    anaphor: str = ""  # "" for a name; "here" (named earlier in the sentence) or "before" (an earlier sentence)


@dataclass(slots=True)
class _Clause:
    start: int
    end: int
    cues: list[Match[tuple[lx.Cue, ...]]] = field(default_factory=list)
    mentions: list[_Mention] = field(default_factory=list)
    opens_with: str = ""  # lexicon.CONTRAST, BOUNDARY, EXCEPT ... when the clause begins with such a word
    opens_form: str = ""  # and that word's form: "after", "relative" ...

    def of(self, kind: str) -> list[tuple[Match[tuple[lx.Cue, ...]], lx.Cue]]:
        return [(m, cue) for m in self.cues for cue in m.payload if cue.kind == kind]


class _Source:
    """The words of a sentence as written, for evidence and marks: built only for sentences that claim something."""

    def __init__(self, sentence: str) -> None:
        self.sentence = sentence
        folded: list[str] = []
        origin: list[int] = []
        for index, char in enumerate(sentence):
            piece = fold(char)
            folded.append(piece)
            origin.extend([index] * len(piece))
        self._origin = origin
        self._spans = [(m.start(), m.end()) for m in re.finditer(r"\w+", "".join(folded))]
        self._words = words(sentence)

    def span(self, start: int, end: int) -> str:
        if len(self._spans) != len(self._words) or not 0 <= start < end <= len(self._spans):
            return " ".join(self._words[start:end])
        first, last = self._origin[self._spans[start][0]], self._origin[self._spans[end - 1][1] - 1]
        while last + 1 < len(self.sentence) and fold(self.sentence[last + 1]) == "":
            last += 1  # marks written after the last letter belong to it
        return self.sentence[first : last + 1]


@dataclass(slots=True)
class _Found:
    """A claim while the sentence is still being read."""

    crossing: int
    status: str
    traffic: str
    confidence: float
    rule: str
    span: tuple[int, int]
    notes: list[str]
    position: int  # the clause
    main: bool  # False where the clause is an "after ..." one
    contrast: bool = False  # the clause begins with "but", "while" ...
    borrowed: bool = False  # the crossing is the one named in the clause before: the clause names none
    aside: bool = False  # the status word stands set off right after the name: "Rafah, shut for months, ..."


class Reader:
    """Reads one report's sentences in order, keeping the crossing last named for “the crossing”."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.last_named: int | None = None
        self.last_several = False  # the sentence that named it named other tracked crossings too
        self.last_crossings: list[int] = []  # the tracked crossings that sentence named, in order
        self.claims: list[Claim] = []
        self.named: set[int] = set()
        self._modal_starts: list[int] = []
        self._notice = False
        self._breaks: list[bool] = []

    # --- one sentence ---------------------------------------------------------------------------------------

    def sentence(self, index: int, sentence: str) -> None:
        tokens, breaks = tokenize(sentence)
        if not tokens:
            return
        self._breaks = breaks
        names = longest_first(self.snapshot.name_index.find(tokens))
        # Most sentences of a long report name no crossing: they matter only where they say "the crossing" (or
        # name one the tracker does not follow) after one was named, which a small index sees cheaply.
        if not names:
            pointers = self.snapshot.pointer_index.find(tokens)
            # A sentence naming only a crossing the tracker does not follow is read too: "the crossing" after it is
            # that one, not one named before it.
            untracked = any(m.payload.kind == lx.UNTRACKED for m in pointers)
            if not untracked and (self.last_named is None or not pointers):
                return
        cues = self.snapshot.cue_index.find(tokens)
        # "Erez West" is another crossing than Erez: a longer untracked name hides the tracked one inside it.
        others = [m for m in cues if any(cue.kind == lx.UNTRACKED for cue in m.payload)]
        names = [
            n for n in names if not any(o.start <= n.start and n.end <= o.end and o.length > n.length for o in others)
        ]
        named = {i for m in names for i in range(m.start, m.end)}
        cues = longest_first([m for m in cues if named.isdisjoint(range(m.start, m.end))])
        mentions = self._mentions(tokens, names, cues)
        self.named.update(m.crossing for m in mentions if not m.anaphor and m.crossing != UNTRACKED)
        if not mentions:
            return
        clauses = self._clauses(tokens, breaks, cues, mentions)
        forms = {
            c.form
            for m in cues
            for c in m.payload
            if c.kind == lx.MODAL and not (c.text == "may" and _a_date(tokens, m.start))
        }
        self._notice = any(c.text in _NOTICE for m in cues for c in m.payload)
        self._modal_starts = [
            m.start
            for clause in clauses
            if not clause.mentions and not clause.of(lx.STATUS)
            for m in clause.cues
            for c in m.payload
            if c.kind == lx.MODAL and c.form != "condition" and not (c.text == "may" and _a_date(tokens, m.start))
        ]
        modal_anywhere = "unsure" if forms & {"hedge", "demand", "condition", "habit"} else ("plan" if forms else "")
        found: list[_Found] = []
        consumed: set[int] = set()
        if not sentence.rstrip().endswith(("?", "؟")):
            for position in range(len(clauses)):
                if position not in consumed:
                    found.extend(self._clause_claims(tokens, clauses, position, modal_anywhere, consumed))
        found = _settle(found)
        source: _Source | None = None
        for f in found:
            if f.crossing == UNTRACKED:
                continue
            source = source or _Source(sentence)
            clause = clauses[f.position]
            self.claims.append(
                Claim(
                    crossing_id=f.crossing,
                    status=f.status,
                    traffic=f.traffic,
                    confidence=round(max(0.05, min(0.95, f.confidence)), 2),
                    rule=f.rule,
                    sentence=sentence,
                    sentence_index=index,
                    phrase=source.span(*f.span)[:200],
                    clause=source.span(clause.start, clause.end),
                    notes=tuple(dict.fromkeys(f.notes)),
                )
            )
        self.last_named = mentions[-1].crossing
        tracked = [m.crossing for m in mentions if not m.anaphor and m.crossing != UNTRACKED]
        if tracked or mentions[-1].crossing == UNTRACKED:
            self.last_crossings = list(dict.fromkeys(tracked))
        self.last_several = len(set(tracked)) > 1

    def _mentions(
        self, tokens: list[str], names: list[Match[int]], cues: list[Match[tuple[lx.Cue, ...]]]
    ) -> list[_Mention]:
        found = [_Mention(m.start, m.end, m.payload) for m in names if not _a_place(tokens, m.start)]
        for m in cues:
            if any(cue.kind == lx.UNTRACKED for cue in m.payload):
                found.append(_Mention(m.start, m.end, UNTRACKED))
        found.sort(key=lambda mention: mention.start)
        pointers = [m for m in cues if any(cue.kind == lx.ANAPHOR for cue in m.payload)]
        pointers += [Match(i, i + 1, ()) for i in _objects_it(tokens, cues)]
        for m in pointers:
            before = [mention for mention in found if mention.end <= m.start and not mention.anaphor]
            if any(cue.form == "both" for cue in m.payload):
                # "Both are closed": the two crossings named just before, in this sentence or the last.
                here = list(dict.fromkeys(b.crossing for b in before if b.crossing != UNTRACKED))
                pair = here if len(here) == 2 else self.last_crossings if not here else []
                if len(pair) == 2:
                    found.extend(_Mention(m.start, m.end, crossing, "both") for crossing in pair)
                continue
            if before:
                found.append(_Mention(m.start, m.end, before[-1].crossing, "here"))
            elif self.last_named is not None:
                # After a sentence naming several crossings, which one "the crossing" is cannot be told: it takes
                # the status and gives it to none.
                crossing = UNTRACKED if self.last_several else self.last_named
                found.append(_Mention(m.start, m.end, crossing, "before"))
        found.sort(key=lambda mention: mention.start)
        return found

    def _clauses(
        self,
        tokens: list[str],
        breaks: list[bool],
        cues: list[Match[tuple[lx.Cue, ...]]],
        mentions: list[_Mention],
    ) -> list[_Clause]:
        starts = {
            m.start
            for m in cues
            for cue in m.payload
            if cue.kind in (lx.CONTRAST, lx.BOUNDARY) or (cue.kind == lx.MODAL and cue.form == "condition")
        }
        # Commas around a date ("on Thursday, May 22, through Kerem Shalom") cut no clause.
        dated = {i for i, b in enumerate(breaks) if b and _datish(tokens[i - 1]) and _datish(tokens[i])}
        cuts = sorted({0, *(i for i, b in enumerate(breaks) if b and i not in dated), *starts})
        clauses = [_Clause(a, b) for a, b in zip(cuts, [*cuts[1:], len(tokens)], strict=True) if a < b]
        # Commas inside a list of goods ("construction materials, goods, fuel and foodstuffs") cut no clause.
        traffic_at = {m.start: m.end for m in cues if any(c.kind == lx.TRAFFIC for c in m.payload)}
        traffic_ends = set(traffic_at.values())
        joined: list[_Clause] = []
        for clause in clauses:
            if joined and clause.start in traffic_at and joined[-1].end in traffic_ends:
                joined[-1] = _Clause(joined[-1].start, clause.end)
            else:
                joined.append(clause)
        clauses = joined
        # A clause that only lists crossings ("Rafah, Kerem Shalom and Erez are closed") belongs to the next.
        merged: list[_Clause] = []
        pending: _Clause | None = None
        for n, clause in enumerate(clauses):
            if pending is not None:
                clause = _Clause(pending.start, clause.end)
                pending = None
            inside = [m for m in mentions if clause.start <= m.start < clause.end]
            covered = {i for m in inside for i in range(m.start, m.end)}
            rest = [tokens[i] for i in range(clause.start, clause.end) if i not in covered]
            opens_next = n + 1 < len(clauses) and clauses[n + 1].start in starts
            last = n == len(clauses) - 1
            if inside and all(word in lx.COORDINATION for word in rest) and not last and not opens_next:
                pending = clause
                continue
            merged.append(clause)
        if pending is not None:
            merged.append(pending)
        for clause in merged:
            clause.cues = [m for m in cues if clause.start <= m.start < clause.end]
            clause.mentions = [m for m in mentions if clause.start <= m.start < clause.end]
            first = [cue for m in clause.cues if m.start == clause.start for cue in m.payload]
            for cue in first:
                if cue.kind in (lx.CONTRAST, lx.EXCEPT, lx.BOUNDARY):
                    clause.opens_with = cue.kind
                    clause.opens_form = cue.form
                    break
        return merged

    # --- one clause -----------------------------------------------------------------------------------------

    def _clause_claims(
        self, tokens: list[str], clauses: list[_Clause], position: int, modal_anywhere: str, consumed: set[int]
    ) -> list[_Found]:
        clause = clauses[position]
        if any(c.form == "condition" for m in clause.cues for c in m.payload if m.start == clause.start):
            return []  # "if Rafah opens", "whenever Kerem Shalom is closed"
        statuses = [
            (m, cue)
            for m, cue in clause.of(lx.STATUS)
            if not (cue.needs_object and not _object_follows(tokens, clause, m))
        ]
        movements = [(m, cue) for m, cue in clause.of(lx.MOVEMENT) if not _purpose_noun(tokens, m, cue)]
        carriers = clause.of(lx.CARRIER)
        traffic_words = [
            (m, cue)
            for m, cue in clause.of(lx.TRAFFIC)
            if not _describes(tokens, clause, m) and not _beneficiary(tokens, clause, m, cue)
        ]
        # "Access" and "entry" are humanitarian access where nothing more particular is named.
        if any(cue.form != "weak" for _, cue in traffic_words):
            traffic_words = [(m, cue) for m, cue in traffic_words if cue.form != "weak"]
        moving = [
            (m, c)
            for m, c in movements
            if (c.traffic or carriers or traffic_words) and (c.form != "across" or carriers)
        ]
        if statuses:
            triggers = statuses
        elif moving and clause.opens_form != "relative":
            triggers = moving[:1]
        else:
            return []
        # The clause that goes on to say what was let through, or how little ("..., letting aid into Gaza",
        # "..., but only for the wounded"): the first that follows, past any relative clause, with no status
        # word and no other crossing of its own.
        companion: _Clause | None = None
        for later in clauses[position + 1 :]:
            if later.opens_form in ("relative", "after") or not any(
                c.kind in _CONTENT and not (c.kind == lx.RESTRICT and _describing_only(tokens, m))
                for m in later.cues
                for c in m.payload
            ):
                continue  # a relative clause, or an aside that says nothing of traffic ("Gaza's only window")
            same = {t.crossing for t in clause.mentions}
            if not later.of(lx.STATUS) and all(m.crossing in same or m.anaphor for m in later.mentions):
                opener = tokens[later.start]
                restricts = any(not _describing_only(tokens, m) for m, _ in later.of(lx.RESTRICT)) and not any(
                    tokens[i] in _REPORTING for i in range(later.start, later.end)
                )
                qualifies = (
                    (later.opens_with in (lx.CONTRAST, lx.EXCEPT) and (restricts or later.opens_with == lx.EXCEPT))
                    or opener in _PURPOSE_OPENERS
                    or (restricts and not later.of(lx.MOVEMENT))
                )
                if qualifies:
                    companion = later
                    consumed.add(clauses.index(later))
            break
        # Each traffic word goes with the status word nearest to it.
        words_of: dict[int, list[tuple[Match[tuple[lx.Cue, ...]], lx.Cue]]] = {t[0].start: [] for t in triggers}
        kinds_from = [
            *traffic_words,
            *[(m, c) for m, c in carriers if c.traffic],
            *[(m, c) for m, c in movements if c.traffic],
        ]
        for m, cue in kinds_from:
            nearest = min(triggers, key=lambda t: abs(t[0].start - m.start))
            words_of[nearest[0].start].append((m, cue))
        best: dict[tuple[int, str], _Found] = {}
        for trigger, cue in triggers:
            targets, how = self._attach(tokens, clauses, position, trigger)
            if cue.kind == lx.MOVEMENT:
                # Trucks that came "through Zikim to the north and through Kerem Shalom to the south" passed both.
                routes = [m for m in clause.mentions if _routed(tokens, m)]
                if len(routes) > 1:
                    targets = routes
            for target in targets:
                if _bound_elsewhere(tokens, clause, target):
                    continue
                if cue.form == "arrive" and not _routed(tokens, target) and not _a_side_of(tokens, target):
                    continue  # "trucks arrived at Rafah": at it, not through it (but "on its Egyptian side": across)
                for f in self._claims_for(
                    tokens,
                    clauses,
                    position,
                    trigger,
                    cue,
                    target,
                    how,
                    words_of[trigger.start],
                    modal_anywhere,
                    companion,
                ):
                    f.borrowed = any(note == "the crossing named in the clause before" for note, _ in how)
                    f.aside = self._breaks[trigger.start] and any(m.end == trigger.start for m in clause.mentions)
                    key = (f.crossing, f.traffic)
                    if key not in best or f.confidence > best[key].confidence:
                        best[key] = f
        return list(best.values())

    def _claims_for(
        self,
        tokens: list[str],
        clauses: list[_Clause],
        position: int,
        trigger: Match[tuple[lx.Cue, ...]],
        cue: lx.Cue,
        target: _Mention,
        how: list[tuple[str, float]],
        traffic_words: list[tuple[Match[tuple[lx.Cue, ...]], lx.Cue]],
        modal_anywhere: str,
        companion: _Clause | None,
    ) -> list[_Found]:
        clause = clauses[position]
        if cue.kind == lx.STATUS:
            rule = "status (noun)" if cue.form == "noun" else "status"
            # Traffic held at a crossing says its status by inference only: below what editors may accept in bulk.
            confidence = {"state": 0.9, "event": 0.88, "noun": 0.72, "held": 0.54}.get(cue.form, 0.85)
            if cue.needs_object:
                confidence = 0.8
            status = cue.status
            span = (trigger.start, trigger.end)
        else:
            rule, status, confidence = "movement", "open", 0.78
            ends = [trigger.start, trigger.end]
            for m, _ in clause.of(lx.CARRIER) + traffic_words:
                if abs(m.start - trigger.start) <= 5:
                    ends += [m.start, m.end]
            span = (min(ends), max(ends))
        notes: list[str] = []
        if cue.kind == lx.STATUS and cue.status == "closed" and _access_blocked(tokens, clause, trigger):
            return []
        if cue.kind == lx.STATUS and cue.status == "open" and _one_side_only(clause, trigger):
            return []  # "Egypt says Rafah is open on its side": one side open lets nothing through (the labels)
        negated = self._negated(tokens, clause, trigger)
        # Not a fact (yet), negated, or history: no claim. Traffic passing is told as a fact: a plan, a demand or
        # a purpose anywhere in its clause ("came to block the aid trucks") makes it none.
        if negated and cue.kind == lx.STATUS and cue.status == "open" and _only_planned(clause):
            # "Will not open as planned", "decided not to open it until further notice": the opening that is not
            # to happen says the crossing is shut now; read, not said, so less sure.
            status, rule, negated = "closed", "an opening that will not happen", False
            confidence = min(confidence, 0.58)
            notes.append("read from an opening said not to happen")
        elif self._modal(tokens, clause, trigger, cue):
            return []
        elif (
            cue.kind == lx.STATUS
            and cue.status == "open"
            and cue.form == "noun"
            and not cue.needs_object  # bare "فتح" before a crossing is as often the verb "فُتح" (was opened)
            and not _said_done(tokens, clause, trigger)
            and not _time_phrase(tokens, clause, trigger)
        ):
            return []  # "talks on the reopening of Rafah", "Reopening Kerem Shalom is a priority": not done
        if cue.kind == lx.MOVEMENT and (
            any(
                c.form in ("plan", "demand", "purpose", "hedge", "future")
                and not (c.text == "may" and _a_date(tokens, m.start))
                for m, c in clause.of(lx.MODAL)
            )
            or any(m.start < trigger.start for m, _ in clause.of(lx.OBSTRUCT))
            or (clause.opens_with != lx.CONTRAST and any(start < trigger.start for start in self._modal_starts))
        ):
            # Nor is "protests delayed the entry of trucks" news that they entered, nor "the deal provides, from
            # 19 January, for the travel of 50 patients a day" (but "..., but only 100 trucks got through" is).
            return []
        # "لم يسمح إلا بـ", "לא מתאפשר מעבר, חוץ מחולים": nothing but ..., that is, only ...
        negations = [m.start for m, _ in clause.of(lx.NEGATION)] + (
            [trigger.start] if cue.text.split()[0] in lx.NEGATIONS else []
        )
        only = bool(negations) and (
            any(m.start > min(negations) for m, _ in clause.of(lx.EXCEPT))
            or (companion is not None and companion.opens_with == lx.EXCEPT)
        )
        if negated and not only:
            if cue.kind != lx.MOVEMENT or not _routed(tokens, target) or not _nothing_passed(tokens, clause, trigger):
                return []
            # "No fuel has entered Gaza through Kerem Shalom for ten days", "unable to leave through Rafah": nothing
            # of that kind passes by way of the crossing; read, not said.
            status, rule = "closed", "no traffic passing"
            confidence = min(confidence, 0.58)
            notes.append("read from traffic said not to pass")
        if self._historical(tokens, clauses, position, trigger):
            return []
        if any(c.form == "weak" and m.start < trigger.start for m, c in clause.of(lx.PAST)):
            confidence -= 0.25
            notes.append("told in the past tense")
        if clause.of(lx.STILL):
            confidence += 0.04
        if modal_anywhere == "unsure":
            confidence = min(confidence, 0.55)
            notes.append("a hedge, demand or condition elsewhere in the sentence")
        elif modal_anywhere:
            # Traffic passing is only news when told as done: beside a plan it is as often the plan's content.
            confidence -= 0.2 if cue.kind == lx.MOVEMENT else 0.1
            notes.append("a plan or a future elsewhere in the sentence")
        for note, penalty in how:
            notes.append(note)
            confidence -= penalty
        # Which traffic: the kinds named near the status word (not a description of the crossing, nor what a
        # closure held up far along the clause), and those of the clause that goes on to say what was let through.
        purpose_at = _purpose_at(tokens, clause, trigger, reach=3 if cue.form == "noun" else PURPOSE_REACH)
        # After a noun ("the closure of Rafah has affected access to supplies and fuel") what follows is its
        # effect, not its traffic: only a purpose ("closure to the export of goods") or words just before count.
        near = [
            (m, c)
            for m, c in traffic_words
            if (purpose_at is not None and m.start > purpose_at)
            or (_near(m, trigger, target) and (cue.form != "noun" or m.end <= trigger.start))
        ]
        if cue.form == "noun" and _time_phrase(tokens, clause, trigger):
            near = []  # "evacuated since the closure": the patients are the evacuation's, not the closure's
        excepts = [m.start for m, c in clause.of(lx.EXCEPT) if m.start >= trigger.start]
        except_at = excepts[0] if excepts else None
        main_kinds = sorted({c.traffic for m, c in near if except_at is None or m.start < except_at})
        excepted = sorted({c.traffic for m, c in traffic_words if except_at is not None and m.start > except_at})
        if only:
            if companion is not None and companion.opens_with == lx.EXCEPT:
                excepted = sorted({c.traffic for m, c in companion.of(lx.TRAFFIC)})
            main_kinds, except_at = excepted or main_kinds, None
            if not main_kinds and any(m.start > trigger.start for m, _ in clause.of(lx.CARRIER)):
                main_kinds = ["aid"]  # "لا يسمح إلا بمرور 100 شاحنة": nothing but trucks, of aid
        restricting = [m for m, c in clause.of(lx.RESTRICT) if not _describing_only(tokens, m)]
        partial = any(c.form == "partial" for m, c in clause.of(lx.RESTRICT) if m in restricting)
        if companion is not None and not only:
            if companion.opens_with == lx.EXCEPT and except_at is None:
                except_at = companion.start
                excepted = sorted({c.traffic for m, c in companion.of(lx.TRAFFIC)})
            else:
                more = {c.traffic for m, c in companion.of(lx.TRAFFIC) if not _describes(tokens, companion, m)}
                more |= {c.traffic for m, c in companion.of(lx.CARRIER) if c.traffic}
                main_kinds = sorted(set(main_kinds) | more)
                later_restricts = [m for m, c in companion.of(lx.RESTRICT) if not _describing_only(tokens, m)]
                if later_restricts and status == "open":
                    status, confidence, rule = "restricted", min(confidence, 0.65), "contrast"
                    if not main_kinds and companion.of(lx.CARRIER):
                        main_kinds = ["aid"]
        if not main_kinds and (cue.form == "held" or any(tokens[i] in _THEM for i in range(clause.start, clause.end))):
            # "closed to them", "لم يسمح لأي منها", "trucks carrying fuel ..., waiting to be let through": the
            # traffic of the clause before, which the pronoun stands for or which is held.
            main_kinds = _earlier_kinds(tokens, clauses, position)
            if main_kinds:
                confidence -= 0.05
                notes.append("the traffic named in the clause before")
        if cue.kind == lx.STATUS and cue.text.split()[0] in lx.NEGATIONS and _all_follows(tokens, clause, trigger):
            # "لم يسمح بدخول كل الشاحنات": not all were let through, so some were.
            status, rule, confidence = "restricted", "not all let through", min(confidence, 0.7)
        # "Opened to only 20 trucks a day": what is let through is trucks, of aid when no other kind is named.
        if (
            not main_kinds
            and cue.kind == lx.STATUS
            and (cue.status == "open" or rule == "not all let through")
            and any(m.start > trigger.start and not c.traffic for m, c in clause.of(lx.CARRIER))
        ):
            main_kinds = ["aid"]
            confidence -= 0.1
            notes.append("trucks of no stated kind read as aid")
        if cue.traffic:
            main_kinds = [cue.traffic]
        if cue.kind == lx.MOVEMENT:
            if not main_kinds:
                main_kinds = ["aid"]
                confidence -= 0.2
                notes.append("trucks of no stated kind read as aid")
            if (restricting or only) and status == "open" and rule != "no traffic passing":
                status, confidence, rule = "restricted", min(confidence, 0.5), "movement, few"
        elif only:
            status, rule, confidence = "restricted", "restriction (nothing but)", min(confidence, 0.75)
        elif restricting and (status == "open" or (status == "closed" and partial)):
            status, confidence, rule = "restricted", min(confidence, 0.82), "restriction"
        if except_at is not None and cue.kind == lx.STATUS:
            # "Closed except for critical medical cases": restricted. Where the closure names a kind ("closed to
            # aid convoys except a handful of fuel trucks"), closed for it, restricted for what is excepted.
            rule, confidence = "exception", min(confidence, 0.75)
            if status == "closed" and main_kinds:
                found = [
                    _Found(target.crossing, "closed", k, confidence, rule, span, notes, position, True)
                    for k in main_kinds
                ]
                found += [
                    _Found(target.crossing, "restricted", k, confidence - 0.05, rule, span, notes, position, True)
                    for k in excepted
                    if k not in main_kinds
                ]
                return found
            return [
                _Found(target.crossing, "restricted", k, confidence, rule, span, notes, position, True)
                for k in (main_kinds or ["all"])
            ]
        if rule in ("no traffic passing", "an opening that will not happen"):
            confidence = min(confidence, 0.58)  # read, not said: never above what editors may accept in bulk
        main = clause.opens_form != "after"
        contrast = clause.opens_with == lx.CONTRAST
        return [
            _Found(target.crossing, status, kind, confidence, rule, span, notes, position, main, contrast)
            for kind in (main_kinds or ["all"])
        ]

    def _modal(
        self, tokens: list[str], clause: _Clause, trigger: Match[tuple[lx.Cue, ...]], trigger_cue: lx.Cue
    ) -> bool:
        for m, cue in clause.of(lx.MODAL):
            if cue.form == "condition":
                if m.start < trigger.start:
                    return True
                continue
            if cue.text == "قد" and m.end < len(tokens) and not tokens[m.end].startswith(_ARABIC_IMPERFECT):
                continue  # "قد" before a past verb is "has", not "may"
            if cue.text == "may" and _a_date(tokens, m.start):
                continue  # "since May 7": the month
            if cue.form in ("plan", "future") and (
                self._notice or any(m.end <= still.start < trigger.start for still, _ in clause.of(lx.STILL))
            ):
                continue  # "decided that Erez will remain closed", "... until further notice": the state now
            if m.start <= trigger.start or cue.form == "habit" or cue.text in _WHEN:
                return True
            if trigger_cue.form == "noun":
                return True  # "the opening of Rafah ... in the coming days"
        if (
            trigger_cue.form == "noun"
            and any(start > trigger.start for start in self._modal_starts)
            and not _said_done(tokens, clause, trigger)
        ):
            return True  # "reopening Erez, which connects Israel and Gaza, would be considered"
            if cue.form in ("hedge", "plan") and 0 <= m.start - trigger.end < MODAL_AFTER:
                return True
        # "to reopen", "urged Israel to reopen", "expected to be reopened"; not "continues to be closed", nor
        # "were cleared to enter".
        i = trigger.start - 1
        while i >= clause.start and tokens[i] in _TO_SKIPS:
            i -= 1
        if i < clause.start or tokens[i] not in _TO:
            return False
        before = tokens[i - 1] if i - 1 >= clause.start else ""
        notice = self._notice  # "decided to close the crossing, south-east of Gaza, until further notice"
        return before not in _TO_STILL and before not in _TO_DONE and not notice

    def _negated(self, tokens: list[str], clause: _Clause, trigger: Match[tuple[lx.Cue, ...]]) -> bool:
        for m, _ in clause.of(lx.NEGATION):
            if not 0 < trigger.start - m.end + 1 <= NEGATION_WINDOW:
                continue
            if m.end < len(tokens) and tokens[m.end] in lx.STILL_AFTER_NEGATION:
                continue  # "لا يزال مغلقا": still closed
            if m.end < len(tokens) and tokens[m.end] == "only":
                continue
            return True
        return False

    def _historical(
        self, tokens: list[str], clauses: list[_Clause], position: int, trigger: Match[tuple[lx.Cue, ...]]
    ) -> bool:
        """ "Had remained closed", "previously", "until 2000", "stayed closed until 21 October": the clause, and
        the clauses that lead into it without a crossing or a status of their own ("Until 2000, Rafah was open")."""
        scope = [clauses[position]]
        for earlier in reversed(clauses[:position]):
            if earlier.opens_form == "relative":
                continue  # "which had served as a main route": said of the crossing, not of this status
            if earlier.mentions or earlier.of(lx.STATUS):
                break
            scope.append(earlier)
        if position + 1 < len(clauses) and tokens[clauses[position + 1].start] in _BEFORE:
            return True  # "patients left through Rafah before Israel closed it": what came before is over
        # "Said ... had passed", "had stopped people leaving ..., the spokesman told Ma'an": told at one remove.
        reported = any(word in _REPORTING for word in tokens)
        for clause in scope:
            for m, c in clause.of(lx.PAST):
                if c.form == "weak" or m.start >= trigger.end + 3:
                    continue
                if c.text == "had" and reported:
                    continue  # "said ... had passed": told at one remove, not history
                return True
            for i in range(clause.start, clause.end):
                word = tokens[i]
                if _YEAR.match(word) and not any(w in _SINCE for w in tokens[max(clause.start, i - 3) : i]):
                    return True
                if (
                    word in _IN_BEFORE
                    and i + 1 < len(tokens)
                    and tokens[i + 1] in _MONTHS
                    and not any(w in _SINCE for w in tokens[clause.start : i])
                ):
                    return True  # "in December", "before July": a month gone (but "closed since the war began in
                    # October" holds)
                if word in _UNTIL and i + 1 < len(tokens) and i > trigger.start:
                    following = tokens[i + 1 : i + 3]
                    if any(w.isdigit() or w in _MONTHS for w in following) and not clause.of(lx.MODAL):
                        return True
        return False

    def _attach(
        self, tokens: list[str], clauses: list[_Clause], position: int, trigger: Match[tuple[lx.Cue, ...]]
    ) -> tuple[list[_Mention], list[tuple[str, float]]]:
        """The crossing(s) the clause's status is about, and what made the choice less sure."""
        clause = clauses[position]
        how: list[tuple[str, float]] = []
        pool = clause.mentions
        if not pool:
            earlier = [c for c in clauses[:position] if c.mentions]
            if earlier and _conditional(earlier[-1]):
                return [], how  # "When Rafah was open, 700 people a day crossed": the consequence of a condition
            if earlier:
                pool = [earlier[-1].mentions[-1]]
                how.append(("the crossing named in the clause before", 0.08))
            else:
                # Only an opening aside: "Closed since May, Rafah ...", or the crossings come after an aside of no
                # status of its own: "70 trucks were brought in, most with food, through Zikim and Kerem Shalom".
                nxt = next((c for c in clauses[position + 1 :] if c.mentions or c.of(lx.STATUS)), None)
                rest = clauses[position + 1 : clauses.index(nxt)] if nxt is not None else []
                if (
                    nxt is None
                    or not nxt.mentions
                    or nxt.opens_with
                    or nxt.of(lx.STATUS)
                    or nxt.of(lx.MOVEMENT)
                    or clause.opens_with
                    or any(c.of(lx.MOVEMENT) for c in rest)
                ):
                    return [], how
                routes = [m for m in nxt.mentions if _routed(tokens, m)]
                pool = routes if len(routes) > 1 else [nxt.mentions[0]]
                how.append(("the crossing named in the clause after", 0.15))
        nearest = min(pool, key=lambda m: (_gap(m, trigger), m.start > trigger.start))
        gap = _gap(nearest, trigger)
        if gap > NEAR:
            return [], how
        moving = any(c.kind == lx.MOVEMENT for c in trigger.payload)
        # Traffic that passed "through Rafah" is told of Rafah however long the sentence is before it says so.
        if gap > FAR and pool is clause.mentions and not (moving and _routed(tokens, nearest)):
            how.append(("far from the name", 0.3))
        group = _coordinated(tokens, clause.mentions, nearest) if pool is clause.mentions else [nearest]
        if len(pool) > 1 and pool is not clause.mentions:
            group = pool  # every route named after the aside
        if nearest.anaphor == "both":
            group = [m for m in pool if m.start == nearest.start]
            how.append(("“both”, the two crossings named before", 0.1))
        elif nearest.anaphor == "here":
            how.append(("“the crossing”, named earlier in the sentence", 0.08))
        elif nearest.anaphor == "before":
            how.append(("“the crossing”, named in an earlier sentence", 0.35))
        return group, how


def _settle(found: list[_Found]) -> list[_Found]:
    """One sentence's claims made consistent. Where clauses of the sentence give one crossing different
    statuses, the surest clause's word stands ("reopened on Monday after a four-day closure"); an "after ..."
    clause yields to any other clause about the same crossing."""
    by_crossing: dict[int, list[_Found]] = {}
    for f in found:
        by_crossing.setdefault(f.crossing, []).append(f)
    kept: list[_Found] = []
    for claims in by_crossing.values():
        if any(f.main for f in claims):
            claims = [f for f in claims if f.main]
        else:
            for f in claims:
                f.confidence -= 0.15
                f.notes.append("said of an earlier event")
        by_traffic: dict[str, set[str]] = {}
        for f in claims:
            by_traffic.setdefault(f.traffic, set()).add(f.status)
        mixed = {
            t
            for t, statuses in by_traffic.items()
            if {"open", "closed"} <= statuses and any(f.contrast for f in claims if f.traffic == t)
        }
        if mixed:
            # "open to aid workers but closed to Palestinians": open for some people, closed for others.
            for traffic in mixed:
                parts = [f for f in claims if f.traffic == traffic]
                first = min(parts, key=lambda f: f.position)
                claims = [f for f in claims if f.traffic != traffic]
                notes = [*first.notes, "open for some of it and closed for the rest"]
                claims.append(
                    _Found(first.crossing, "restricted", traffic, min(0.58, *(f.confidence for f in parts)),
                           "contrast", first.span, notes, first.position, True)
                )  # fmt: skip
        if len({f.status for f in claims}) > 1:
            winner = max(claims, key=lambda f: (f.confidence, f.position))
            last = max(claims, key=lambda f: (f.position, f.confidence))
            if last.borrowed and all(f.borrowed or f.aside for f in claims if f is not last):
                # "Rafah, closed for nine months, reopened on Saturday": the aside tells what was; the clause that
                # goes on after it says what holds now.
                winner = last
            claims = [
                f
                for f in claims
                if f.position == winner.position
                or f.status == winner.status
                or ("all" not in (f.traffic, winner.traffic) and f.traffic != winner.traffic)
            ]  # "open for patients, but closed to goods": different traffic, no conflict
        kept.extend(claims)
    return kept


def _beneficiary(tokens: list[str], clause: _Clause, m: Match[tuple[lx.Cue, ...]], cue: lx.Cue) -> bool:
    """People named as those goods are for: "flour for 80,000 people", "tents for displaced families". They
    receive what passes; they do not pass."""
    if cue.traffic != "people":
        return False
    fors = [i for i in range(max(clause.start, m.start - 4), m.start) if tokens[i] in ("for", "ל", "ل")]
    if not fors or fors[0] == clause.start:
        return False
    before = fors[0] - 1
    return any(
        other.start <= before < other.end and c.kind in (lx.TRAFFIC, lx.CARRIER) and c.traffic != "people"
        for other in clause.cues
        for c in other.payload
    )


def _earlier_kinds(tokens: list[str], clauses: list[_Clause], position: int) -> list[str]:
    """The kinds of traffic the nearest clause before names (trucks of no stated kind being aid)."""
    for earlier in reversed(clauses[:position]):
        kinds = {c.traffic for m, c in earlier.of(lx.TRAFFIC) if not _describes(tokens, earlier, m)}
        kinds |= {c.traffic for _, c in earlier.of(lx.CARRIER) if c.traffic}
        if not kinds and earlier.of(lx.CARRIER):
            kinds = {"aid"}
        if kinds:
            return sorted(kinds)
    return []


_KEEP = frozenset(("kept", "keep", "keeps", "keeping"))


def _objects_it(tokens: list[str], cues: list[Match[tuple[lx.Cue, ...]]]) -> list[int]:
    """Where English "it" is the crossing acted on: "before Israel closed it", "keeping it open". Only as the object
    of a status verb: as a subject ("it said") it is as often a government as a crossing."""
    ends = {m.end for m in cues for c in m.payload if c.kind == lx.STATUS and c.form != "noun"}
    return [i for i, word in enumerate(tokens) if word == "it" and i and (i in ends or tokens[i - 1] in _KEEP)]


def _time_phrase(tokens: list[str], clause: _Clause, trigger: Match[tuple[lx.Cue, ...]]) -> bool:
    """A status noun that only dates something else: "since the closure", "منذ الإغلاق", "מאז הסגירה"."""
    i = trigger.start - 1
    if i >= clause.start and tokens[i] in ("the", "its"):
        i -= 1
    return i >= clause.start and tokens[i] in (*_SINCE, "after", "before", "until", "بعد", "قبل", "לאחר", "אחרי")


_TOWARD = frozenset(("to", "towards", "toward", "الي", "نحو", "باتجاه", "متجهه", "متجهه", "אל", "לכיוון"))


def _bound_elsewhere(tokens: list[str], clause: _Clause, target: _Mention) -> bool:
    """Traffic leaving one tracked crossing for another ("trucks left Rafah heading to Kerem Shalom", "kept Rafah
    open to send aid on to Kerem Shalom") enters Gaza at the other: it says nothing of the first."""
    return any(
        other.start > target.end
        and other.crossing not in (target.crossing, UNTRACKED)
        and not other.anaphor
        and any(word in _TOWARD for word in tokens[max(clause.start, other.start - 2) : other.start])
        for other in clause.mentions
    )


_ACCESS = frozenset(("access", "road", "roads", "entrance", "הגישה", "הכביש", "הכבישים", "الطريق", "الطرق"))


def _access_blocked(tokens: list[str], clause: _Clause, trigger: Match[tuple[lx.Cue, ...]]) -> bool:
    """Blocking the road or the access to a crossing ("activists blocked the access on Wednesday to Kerem Shalom")
    is a protest at it, not its closure: how much passed is another matter."""
    return any(word in _ACCESS for word in tokens[trigger.end : min(clause.end, trigger.end + 5)])


def _nothing_passed(tokens: list[str], clause: _Clause, trigger: Match[tuple[lx.Cue, ...]]) -> bool:
    """A denial of passage that is not a mere "not all" or "no other": "no fuel has entered", "were unable to
    leave", "لم تدخل أي شاحنات", "לא נכנסו משאיות"."""
    window = tokens[max(clause.start, trigger.start - 4) : trigger.end + 3]
    return not any(word in ("all", "other", "more", "كل", "כל", "עוד", "سوى", "الا") for word in window)


def _one_side_only(clause: _Clause, trigger: Match[tuple[lx.Cue, ...]]) -> bool:
    """ "Open on its side", "فتحت مصر المعبر من جانبها": said of one side only. Not "the Egyptian side of Rafah",
    which names where something else happened."""
    return any(
        m.start > trigger.start and not any(0 <= mention.start - m.end <= 2 for mention in clause.mentions)
        for m, _ in clause.of(lx.ONE_SIDE)
    )


def _all_follows(tokens: list[str], clause: _Clause, trigger: Match[tuple[lx.Cue, ...]]) -> bool:
    return any(word in ("all", "every", "كل", "כל") for word in tokens[trigger.end : min(clause.end, trigger.end + 4)])


# Words that tell an opening noun as done: "announced the reopening of Kerem Shalom", "تم فتح", "أعلن إعادة فتح".
_DONE = frozenset(
    fold(w)
    for w in (
        "announced", "announces", "announcing", "confirmed", "welcomed", "welcomes", "began", "begun", "saw",
        "witnessed", "completed", "marked", "followed", "after", "since", "with", "welcome", "أعلن", "أعلنت", "اعلن",
        "اعلنت", "جرى", "جرت", "أعادت", "اعادت", "أعاد", "اعاد",
        "يعلن", "تعلن", "تم", "بدأ", "بدأت", "شهد", "شهدت", "أكد", "أكدت", "رحب", "رحبت", "أفاد", "أفادت", "منذ",
        "עם", "מאז", "לאחר", "הודיע", "הודיעה", "הודיעו", "בירך", "בירכה", "החלה", "הושלמה",
    )
)  # fmt: skip


_CAME = frozenset(("came", "took", "happened", "جاء", "جاءت", "تم", "جرى", "جرت", "באה", "התרחשה"))


def _said_done(tokens: list[str], clause: _Clause, trigger: Match[tuple[lx.Cue, ...]]) -> bool:
    """An opening noun told as done: a word of announcing, welcoming or beginning just before it, or the noun the
    subject of "came" or "took place" ("فتح المعبر جاء عقب ...": the opening came after ...)."""
    before = tokens[max(clause.start, trigger.start - 8) : trigger.start]
    after = tokens[trigger.end : min(clause.end, trigger.end + 4)]
    return any(v in _DONE for word in before for v in variants(word)) or any(word in _CAME for word in after)


def _conditional(clause: _Clause) -> bool:
    """The clause begins with "if", "when", "whenever", "إذا", "כאשר" ..."""
    return any(
        c.kind == lx.MODAL and c.form == "condition" for m in clause.cues if m.start == clause.start for c in m.payload
    )


def _only_planned(clause: _Clause) -> bool:
    """The clause's modality is a future or a decision only: no hedge, demand or condition ("may not open" says
    nothing of now; "will not open" does)."""
    forms = {cue.form for _, cue in clause.of(lx.MODAL)}
    return bool(forms) and forms <= {"future", "plan", "purpose"}


def _gap(mention: _Mention, trigger: Match[tuple[lx.Cue, ...]]) -> int:
    if mention.end <= trigger.start:
        return trigger.start - mention.end
    if trigger.end <= mention.start:
        return mention.start - trigger.end
    return 0


def _near(m: Match[tuple[lx.Cue, ...]], trigger: Match[tuple[lx.Cue, ...]], target: _Mention) -> bool:
    """A traffic word close enough to the status word, or to the crossing, to say what the status is for."""
    to_trigger = trigger.start - m.end if m.end <= trigger.start else m.start - trigger.end
    to_target = target.start - m.end if m.end <= target.start else m.start - target.end
    return to_trigger <= TRAFFIC_NEAR or 0 <= to_target <= 2


def _coordinated(tokens: list[str], mentions: list[_Mention], chosen: _Mention) -> list[_Mention]:
    """The chosen mention and those listed with it: "Rafah and Kerem Shalom are closed". Only joining words may
    stand between neighbours (the Arabic and Hebrew "and" is glued to the next name: nothing stands between)."""
    index = mentions.index(chosen)

    def joined(a: _Mention, b: _Mention) -> bool:
        return all(word in lx.COORDINATION for word in tokens[a.end : b.start])

    lo = index
    while lo > 0 and joined(mentions[lo - 1], mentions[lo]):
        lo -= 1
    hi = index
    while hi + 1 < len(mentions) and joined(mentions[hi], mentions[hi + 1]):
        hi += 1
    return mentions[lo : hi + 1]


def _purpose_at(tokens: list[str], clause: _Clause, trigger: Match[tuple[lx.Cue, ...]], reach: int) -> int | None:
    """Where, soon after a status word, the clause starts saying what it was for: "opened Karam Abu Salem to 460
    trucks of goods", "فُتحت بوابة معبر رفح ... لخروج حاملي الجنسيات", "נפתח להעברת סחורות"."""
    named = {i for m in clause.mentions for i in range(m.start, m.end)}
    purposes = {m.start for m, c in clause.of(lx.MOVEMENT) if _purpose_noun(tokens, m, c)}

    for i in range(trigger.end, clause.end):
        if i in named:
            continue
        if tokens[i] in _PURPOSE or i in purposes:
            return i
        reach -= 1
        if reach < 0:
            return None
    return None


def _routed(tokens: list[str], mention: _Mention) -> bool:
    """A crossing named as the way through: "through Rafah", "דרך מעבר ארז", "ממעבר כרם שלום", "عبر معبر رفح"."""
    before = tokens[mention.start - 1] if mention.start else ""
    if before and any(v in _ROUTE for v in variants(before)):
        return True
    first = tokens[mention.start]
    return "\u0590" <= first[0] <= "\u05ff" and first[0] in "מב" and first[1:2] in ("מ", "ר", "כ", "א")


def _a_side_of(tokens: list[str], mention: _Mention) -> bool:
    """A side of the crossing named: "the Egyptian side of the Rafah crossing", "الجانب المصري من معبر رفح"."""
    return any(
        word in ("side", "الجانب", "جانب", "הצד", "בצד") for word in tokens[max(0, mention.start - 4) : mention.start]
    )


def _datish(word: str) -> bool:
    return word.isdigit() or word in _MONTHS or word in _WEEKDAYS


def _a_date(tokens: list[str], start: int) -> bool:
    """ "May" as the month: "since May 7", "in May 2024", "7 May"."""
    before = tokens[start - 1] if start else ""
    after = tokens[start + 1] if start + 1 < len(tokens) else ""
    return (
        after.isdigit()
        or before.isdigit()
        or before in ("since", "in", "on", "until", "from", "of", "early", "late", "mid", "by", "last", "next", "this")
    )


def _a_place(tokens: list[str], start: int) -> bool:
    """ "southeast of Rafah", "north of Beit Hanoun": the town, not the crossing."""
    return start >= 2 and tokens[start - 1] == "of" and tokens[start - 2] in _DIRECTIONS


def _object_follows(tokens: list[str], clause: _Clause, trigger: Match[tuple[lx.Cue, ...]]) -> bool:
    """For words that say a status only of what follows them: Arabic "فتح" (also Fatah) before a crossing,
    "منع"/"رفض" (prevented, refused) before traffic or its passing."""
    if any(0 <= m.start - trigger.end <= 1 for m in clause.mentions):
        return True
    return any(
        c.kind in (lx.TRAFFIC, lx.MOVEMENT, lx.CARRIER) and 0 <= m.start - trigger.end <= 1
        for m in clause.cues
        for c in m.payload
    )


def _purpose_noun(tokens: list[str], m: Match[tuple[lx.Cue, ...]], cue: lx.Cue) -> bool:
    """Arabic "لدخول", "لإدخال" (for the entry of): what a crossing is for, or an opening is meant for; no news of
    traffic passing."""
    word = tokens[m.start]
    return word.startswith(("ل", "ל")) and not fold(cue.text).startswith(("ل", "ל"))


def _describing_only(tokens: list[str], m: Match[tuple[lx.Cue, ...]]) -> bool:
    """ "The only crossing", "not only": "only" that narrows nothing."""
    if tokens[m.start] != "only":
        return False
    before = tokens[m.start - 1] if m.start else ""
    after = tokens[m.end] if m.end < len(tokens) else ""
    return before in ("the", "its", "an", "not", "gaza", "s") or after in lx.ONLY_DESCRIBES


def _describes(tokens: list[str], clause: _Clause, m: Match[tuple[lx.Cue, ...]]) -> bool:
    """A traffic word that describes the crossing: "the goods crossing", "the main crossing for aid", "معبر
    البضائع", "معبر كرم أبو سالم التجاري"."""
    after = tokens[m.end] if m.end < len(tokens) else ""
    if after in lx.DESCRIBE_HEADS:
        return True
    before = tokens[max(0, m.start - 4) : m.start]
    if "for" in before[-2:]:
        heads = [i for i, word in enumerate(before) if word in lx.DESCRIBE_HEADS]
        if heads:
            head = before[heads[-1]]
            ahead = before[heads[-1] - 1] if heads[-1] else (tokens[m.start - 5] if m.start >= 5 else "")
            as_role = "as" in tokens[max(0, m.start - 8) : m.start - 4 + heads[-1]]
            if (head not in ("crossing", "crossings", "terminal") or ahead in lx.DESCRIPTORS) and not as_role:
                return True  # (but "reopened Erez as a route for aid" says what it was opened for)
    if before and before[-1] in lx.DESCRIBE_HEADS_BEFORE:
        return True
    # Right after the name: "معبر كرم أبو سالم التجاري" (the commercial crossing), "מעבר ארז להולכי רגל".
    return any(mention.end == m.start for mention in clause.mentions)


def _strongest(
    statuses: Sequence[tuple[Match[tuple[lx.Cue, ...]], lx.Cue]],
) -> tuple[Match[tuple[lx.Cue, ...]], lx.Cue]:
    """Of several status words in one clause, the one that says most: a restriction, then a state or event."""
    order = {"restricted": 0, "closed": 1, "open": 2}
    forms = {"state": 0, "event": 1, "noun": 2}
    return min(statuses, key=lambda sc: (forms.get(sc[1].form, 1), order.get(sc[1].status, 3), sc[0].start))
