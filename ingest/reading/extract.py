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

Pure: tokens and tables in, claims out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import lexicon as lx
from .text import Match, fold, longest_first, tokenize, words

if TYPE_CHECKING:
    from ingest.link import Snapshot

UNTRACKED = -1  # the "crossing id" of a crossing the tracker does not follow
_YEAR = re.compile(r"^(19[4-9]\d|20[01]\d)$")  # a year long gone: states then are history
_SINCE = frozenset(("since", "منذ", "مند", "מאז", "from"))
_TO = frozenset(("to",))
_TO_SKIPS = frozenset(("be", "been", "fully", "partially", "partly", "gradually", "finally", "again", "also"))
_TO_STILL = frozenset(("continues", "continue", "continued", "continuing", "remains", "remain", "remained", "used"))
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


class Reader:
    """Reads one report's sentences in order, keeping the crossing last named for “the crossing”."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.last_named: int | None = None
        self.claims: list[Claim] = []
        self.named: set[int] = set()

    # --- one sentence ---------------------------------------------------------------------------------------

    def sentence(self, index: int, sentence: str) -> None:
        tokens, breaks = tokenize(sentence)
        if not tokens:
            return
        names = longest_first(self.snapshot.name_index.find(tokens))
        cues = self.snapshot.cue_index.find(tokens)
        if not names and not any(c.kind in (lx.ANAPHOR, lx.UNTRACKED) for m in cues for c in m.payload):
            return
        named = {i for m in names for i in range(m.start, m.end)}
        cues = longest_first([m for m in cues if named.isdisjoint(range(m.start, m.end))])
        self.named.update(m.payload for m in names)
        mentions = self._mentions(names, cues)
        if not mentions:
            return
        clauses = self._clauses(tokens, breaks, cues, mentions)
        question = sentence.rstrip().endswith(("?", "؟"))
        source: _Source | None = None
        claims: list[Claim] = []
        forms = {c.form for m in cues for c in m.payload if c.kind == lx.MODAL}
        modal_anywhere = "unsure" if forms & {"hedge", "demand", "condition"} else ("plan" if forms else "")
        for position, clause in enumerate(clauses):
            for found in self._clause_claims(tokens, clauses, position, modal_anywhere):
                if question:
                    continue
                crossing, status, traffic, confidence, rule, phrase_span, notes = found
                if crossing == UNTRACKED:
                    continue
                source = source or _Source(sentence)
                claims.append(
                    Claim(
                        crossing_id=crossing,
                        status=status,
                        traffic=traffic,
                        confidence=round(max(0.05, min(0.95, confidence)), 2),
                        rule=rule,
                        sentence=sentence,
                        sentence_index=index,
                        phrase=source.span(*phrase_span)[:200],
                        clause=source.span(clause.start, clause.end),
                        notes=tuple(notes),
                    )
                )
        self.claims.extend(claims)
        self.last_named = mentions[-1].crossing

    def _mentions(self, names: list[Match[int]], cues: list[Match[tuple[lx.Cue, ...]]]) -> list[_Mention]:
        found = [_Mention(m.start, m.end, m.payload) for m in names]
        for m in cues:
            kinds = {cue.kind for cue in m.payload}
            if lx.UNTRACKED in kinds:
                found.append(_Mention(m.start, m.end, UNTRACKED))
        found.sort(key=lambda mention: mention.start)
        for m in cues:
            if not any(cue.kind == lx.ANAPHOR for cue in m.payload):
                continue
            before = [mention for mention in found if mention.end <= m.start and not mention.anaphor]
            if before:
                found.append(_Mention(m.start, m.end, before[-1].crossing, "here"))
            elif self.last_named is not None:
                found.append(_Mention(m.start, m.end, self.last_named, "before"))
        found.sort(key=lambda mention: mention.start)
        return found

    def _clauses(
        self,
        tokens: list[str],
        breaks: list[bool],
        cues: list[Match[tuple[lx.Cue, ...]]],
        mentions: list[_Mention],
    ) -> list[_Clause]:
        starts_with: dict[int, str] = {}
        for m in cues:
            for cue in m.payload:
                if cue.kind in (lx.CONTRAST, lx.BOUNDARY) or (cue.kind == lx.MODAL and cue.form == "condition"):
                    starts_with.setdefault(m.start, cue.kind if cue.kind != lx.MODAL else "condition")
        cuts = sorted({0, *(i for i, b in enumerate(breaks) if b), *starts_with})
        clauses = [_Clause(a, b) for a, b in zip(cuts, [*cuts[1:], len(tokens)], strict=True) if a < b]
        # A clause that only lists crossings ("Rafah, Kerem Shalom and Erez are closed") belongs to the next.
        merged: list[_Clause] = []
        pending: _Clause | None = None
        for clause in clauses:
            if pending is not None:
                clause = _Clause(pending.start, clause.end)
                pending = None
            inside = [m for m in mentions if clause.start <= m.start < clause.end]
            covered = {i for m in inside for i in range(m.start, m.end)}
            rest = [tokens[i] for i in range(clause.start, clause.end) if i not in covered]
            if inside and all(word in lx.COORDINATION for word in rest) and clause is not clauses[-1]:
                pending = clause
                continue
            merged.append(clause)
        if pending is not None:
            merged.append(pending)
        for clause in merged:
            clause.cues = [m for m in cues if clause.start <= m.start < clause.end]
            clause.mentions = [m for m in mentions if clause.start <= m.start < clause.end]
            first = [cue.kind for m in clause.cues if m.start == clause.start for cue in m.payload]
            for kind in (lx.CONTRAST, lx.EXCEPT, lx.BOUNDARY):
                if kind in first:
                    clause.opens_with = kind
                    break
        return merged

    # --- one clause -----------------------------------------------------------------------------------------

    def _clause_claims(
        self, tokens: list[str], clauses: list[_Clause], position: int, modal_anywhere: str
    ) -> list[tuple[int, str, str, float, str, tuple[int, int], list[str]]]:
        clause = clauses[position]
        statuses = [
            (m, cue)
            for m, cue in clause.of(lx.STATUS)
            if not (cue.needs_object and not self._object_follows(clause, m))
        ]
        movements = clause.of(lx.MOVEMENT)
        carriers = clause.of(lx.CARRIER)
        traffic_words = [(m, cue) for m, cue in clause.of(lx.TRAFFIC) if not _describes(tokens, m)]
        if statuses:
            triggers = statuses
        elif movements and (carriers or traffic_words or movements[0][1].traffic):
            triggers = movements[:1]
        else:
            return []
        if any(cue.form == "condition" for m in clause.cues for cue in m.payload if m.start == clause.start):
            return []  # "if Rafah opens", "whenever Kerem Shalom is closed"
        # Each traffic word goes with the status word nearest to it.
        words_of: dict[int, list[tuple[Match[tuple[lx.Cue, ...]], lx.Cue]]] = {t[0].start: [] for t in triggers}
        for m, cue in [*traffic_words, *[(m, c) for m, c in carriers if c.traffic]]:
            nearest = min(triggers, key=lambda t: abs(t[0].start - m.start))
            words_of[nearest[0].start].append((m, cue))
        # Each crossing takes the strongest status word that is about it.
        chosen: dict[int, tuple[Match[tuple[lx.Cue, ...]], lx.Cue, _Mention, list[tuple[str, float]]]] = {}
        for trigger, cue in triggers:
            targets, how = self._attach(tokens, clauses, position, trigger)
            for target in targets:
                held = chosen.get(target.crossing)
                if held is None or _strongest([(held[0], held[1]), (trigger, cue)])[0] is trigger:
                    chosen[target.crossing] = (trigger, cue, target, how)
        out: list[tuple[int, str, str, float, str, tuple[int, int], list[str]]] = []
        for trigger, cue, target, how in chosen.values():
            out.extend(
                self._claims_for(
                    tokens, clauses, position, trigger, cue, target, how, words_of[trigger.start], modal_anywhere
                )
            )
        return out

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
    ) -> list[tuple[int, str, str, float, str, tuple[int, int], list[str]]]:
        clause = clauses[position]
        later = clauses[position + 1] if position + 1 < len(clauses) else None
        if cue.kind == lx.STATUS:
            rule = {"noun": "status (noun)"}.get(cue.form, "status")
            confidence = {"state": 0.9, "event": 0.88, "noun": 0.72}.get(cue.form, 0.85)
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
        # Not a fact (yet), negated, or history: no claim.
        if self._modal(tokens, clause, trigger):
            return []
        negated = self._negated(tokens, clause, trigger)
        if negated and cue.kind == lx.STATUS and not clause.of(lx.EXCEPT):
            return []  # (with an exception: "لم يسمح إلا بدخول ...", nothing but ... was let in, read below)
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
            confidence -= 0.1
            notes.append("a plan or a future elsewhere in the sentence")
        for note, penalty in how:
            notes.append(note)
            confidence -= penalty
        # Which traffic.
        excepts = [m.start for m, _ in clause.of(lx.EXCEPT) if m.start >= trigger.start or negated]
        except_at = excepts[0] if excepts else None
        main_kinds = sorted({c.traffic for m, c in traffic_words if except_at is None or m.start < except_at})
        exceptions: list[str] = []
        if except_at is not None:
            exceptions = sorted({c.traffic for m, c in traffic_words if m.start > except_at})
        elif later is not None and later.opens_with == lx.EXCEPT and not later.of(lx.STATUS):
            exceptions = sorted({c.traffic for m, c in later.of(lx.TRAFFIC)})
        if cue.traffic:
            main_kinds = [cue.traffic]
        restricting = [
            (m, c) for m, c in clause.of(lx.RESTRICT) if not self._describing_only(tokens, m) and m.start != except_at
        ]
        if cue.kind == lx.MOVEMENT:
            if negated:
                status, confidence, rule = "closed", 0.55, "no movement"
            if not main_kinds:
                main_kinds = ["aid"]
                confidence -= 0.15
                notes.append("trucks of no stated kind read as aid")
            if restricting and status == "open":
                status, confidence, rule = "restricted", min(confidence, 0.5), "movement, few"
        elif restricting and negated and except_at is not None:
            status = "closed"  # "nothing but X": closed except X
        elif restricting:
            partial = any(c.form == "partial" for _, c in restricting)
            if status == "open" or (status == "closed" and partial):
                status = "restricted"
                confidence = min(confidence, 0.82)
                rule = "restriction"
        elif status == "open" and later is not None and not later.of(lx.STATUS) and not later.of(lx.MOVEMENT):
            # "reopens, but limits crossings to a few dozen people"
            later_restricts = [m for m, c in later.of(lx.RESTRICT) if not self._describing_only(tokens, m)]
            other = [m for m in later.mentions if m.crossing != target.crossing]
            if later_restricts and not other:
                status, confidence, rule = "restricted", min(confidence, 0.65), "contrast"
                kinds = sorted({c.traffic for m, c in later.of(lx.TRAFFIC) if not _describes(tokens, m)})
                main_kinds = kinds or main_kinds
        main_status = status
        if exceptions:
            main_status, rule, confidence = "restricted", "exception", min(confidence, 0.75)
            if negated:
                status = "closed"
        out: list[tuple[int, str, str, float, str, tuple[int, int], list[str]]] = []
        for kind in main_kinds or ["all"]:
            out.append((target.crossing, main_status, kind, confidence, rule, span, notes))
        for kind in exceptions:
            excepted = "open" if status == "closed" else "closed"
            out.append((target.crossing, excepted, kind, min(confidence, 0.7), "exception", span, notes))
        return out

    def _object_follows(self, clause: _Clause, trigger: Match[tuple[lx.Cue, ...]]) -> bool:
        return any(0 <= m.start - trigger.end <= 1 for m in clause.mentions)

    def _modal(self, tokens: list[str], clause: _Clause, trigger: Match[tuple[lx.Cue, ...]]) -> bool:
        for m, cue in clause.of(lx.MODAL):
            if cue.form == "condition":
                if m.start < trigger.start:
                    return True
                continue
            if cue.text == "قد" and m.end < len(tokens) and not tokens[m.end].startswith(_ARABIC_IMPERFECT):
                continue  # "قد" before a past verb is "has", not "may"
            if m.start < trigger.start or (cue.form in ("hedge", "plan") and 0 <= m.start - trigger.end < MODAL_AFTER):
                return True
        # "to reopen", "urged Israel to reopen", "expected to be reopened"; not "continues to be closed".
        i = trigger.start - 1
        while i >= clause.start and tokens[i] in _TO_SKIPS:
            i -= 1
        return i >= clause.start and tokens[i] in _TO and not (i - 1 >= clause.start and tokens[i - 1] in _TO_STILL)

    def _negated(self, tokens: list[str], clause: _Clause, trigger: Match[tuple[lx.Cue, ...]]) -> bool:
        for m, _ in clause.of(lx.NEGATION):
            if not 0 < trigger.start - m.end + 1 <= NEGATION_WINDOW:
                continue
            if tokens[m.end : m.end + 1] and tokens[m.end] in lx.STILL_AFTER_NEGATION:
                continue  # "لا يزال مغلقا": still closed
            if tokens[m.end : m.end + 1] == ["only"]:
                continue
            return True
        return False

    def _historical(
        self, tokens: list[str], clauses: list[_Clause], position: int, trigger: Match[tuple[lx.Cue, ...]]
    ) -> bool:
        """ "Had remained closed", "previously", "until 2000": the clause, and the clauses that lead into it without
        a crossing or a status of their own ("Until 2000, Rafah was open")."""
        scope = [clauses[position]]
        for earlier in reversed(clauses[:position]):
            if earlier.mentions or earlier.of(lx.STATUS):
                break
            scope.append(earlier)
        for clause in scope:
            if any(c.form != "weak" and m.start < trigger.end + 3 for m, c in clause.of(lx.PAST)):
                return True
            for i in range(clause.start, clause.end):
                if _YEAR.match(tokens[i]) and not (i > 0 and tokens[i - 1] in _SINCE):
                    return True
        return False

    def _describing_only(self, tokens: list[str], m: Match[tuple[lx.Cue, ...]]) -> bool:
        """ "The only crossing", "not only": "only" that narrows nothing."""
        if tokens[m.start] != "only":
            return False
        before = tokens[m.start - 1] if m.start else ""
        after = tokens[m.end] if m.end < len(tokens) else ""
        return before in ("the", "its", "an", "not", "gaza", "s") or after in lx.ONLY_DESCRIBES

    def _attach(
        self, tokens: list[str], clauses: list[_Clause], position: int, trigger: Match[tuple[lx.Cue, ...]]
    ) -> tuple[list[_Mention], list[tuple[str, float]]]:
        """The crossing(s) the clause's status is about, and what made the choice less sure."""
        clause = clauses[position]
        how: list[tuple[str, float]] = []
        pool = clause.mentions
        if not pool:
            earlier = [c for c in clauses[:position] if c.mentions]
            if earlier:
                pool = [earlier[-1].mentions[-1]]
                how.append(("the crossing named in the clause before", 0.08))
            else:
                later = [c for c in clauses[position + 1 :] if c.mentions]
                if not later:
                    return [], how
                pool = [later[0].mentions[0]]
                how.append(("the crossing named in the clause after", 0.15))
        nearest = min(pool, key=lambda m: (_gap(m, trigger), m.start > trigger.start))
        gap = _gap(nearest, trigger)
        if gap > NEAR:
            return [], how
        if gap > FAR and pool is clause.mentions:
            how.append(("far from the name", 0.3))
        group = _coordinated(tokens, clause.mentions, nearest) if pool is clause.mentions else [nearest]
        if nearest.anaphor == "here":
            how.append(("“the crossing”, named earlier in the sentence", 0.08))
        elif nearest.anaphor == "before":
            how.append(("“the crossing”, named in an earlier sentence", 0.35))
        return group, how


def _gap(mention: _Mention, trigger: Match[tuple[lx.Cue, ...]]) -> int:
    if mention.end <= trigger.start:
        return trigger.start - mention.end
    if trigger.end <= mention.start:
        return mention.start - trigger.end
    return 0


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


def _describes(tokens: list[str], m: Match[tuple[lx.Cue, ...]]) -> bool:
    """A traffic word that describes the crossing: "the goods crossing", "crossing for aid", "معبر البضائع"."""
    after = tokens[m.end] if m.end < len(tokens) else ""
    if after in lx.DESCRIBE_HEADS:
        return True
    before = tokens[max(0, m.start - 3) : m.start]
    if "for" in before[-2:] and any(word in lx.DESCRIBE_HEADS for word in before):
        return True
    return bool(before) and before[-1] in lx.DESCRIBE_HEADS_BEFORE


def _strongest(
    statuses: Sequence[tuple[Match[tuple[lx.Cue, ...]], lx.Cue]],
) -> tuple[Match[tuple[lx.Cue, ...]], lx.Cue]:
    """Of several status words in one clause, the one that says most: a restriction, then a state or event."""
    order = {"restricted": 0, "closed": 1, "open": 2}
    forms = {"state": 0, "event": 1, "noun": 2}
    return min(statuses, key=lambda sc: (forms.get(sc[1].form, 1), order.get(sc[1].status, 3), sc[0].start))
