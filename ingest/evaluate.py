"""How good the status suggestions are, measured on a labelled set: ``make eval`` (``--set DIR`` for another).

A set is a folder of YAML files (en.yaml, ar.yaml, he.yaml ...), each a list of items ``{id, source, text, context,
claims: [{crossing, status, traffic}], tags, ambiguous, note}`` labelled by ``shared/SUGGESTION-LABELS.md``. Each
item is read as a report with no title and the text ``context + "\\n" + text``, against a snapshot of the tracked
crossings as the demo defines them (``tracker.demo.CROSSINGS``, the same names ``make run`` loads) and the status
phrases migration 0002 seeds. The item's claims are those of the whole, context included (the context is mostly
there to be referred to: "the crossing").

Strict: (crossing, status, traffic) all right. Lenient: (crossing, status) right, traffic ignored.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .link import UNSURE, Phrase, Snapshot, Suggestion, read

DEFAULT_SET = Path(__file__).resolve().parent.parent / "tests" / "data" / "suggestions"
LANGUAGES = ("en", "ar", "he")
STATUSES = ("open", "restricted", "closed")
# Confidence bands, (label, lowest, highest): the line at 0.6 is the tracker's LOW_CONFIDENCE (ingest.link.UNSURE).
BANDS = (("< 0.5", 0.0, 0.5), ("0.5-0.6", 0.5, 0.6), ("0.6-0.8", 0.6, 0.8), (">= 0.8", 0.8, 1.01))
Key = tuple[str, str, str]


def tracked_crossings() -> dict[str, list[str]]:
    """Slug -> every name the tracker knows the crossing by, as the demo loads them."""
    from django.conf import settings

    if not settings.configured:
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
        os.environ.setdefault("DEBUG", "1")
        django.setup()
    from tracker.demo import CROSSINGS

    return {spec.slug: [spec.name, *(alias for alias, _ in spec.aliases)] for spec in CROSSINGS}


def seeded_phrases() -> list[Phrase]:
    seed: Any = importlib.import_module("ingest.migrations.0002_seed_status_phrases")
    return [Phrase(text, kind, status, traffic) for text, _, kind, status, traffic in seed.PHRASES]


def fixed_snapshot() -> tuple[Snapshot, dict[int, str]]:
    crossings = tracked_crossings()
    ids = {slug: n for n, slug in enumerate(sorted(crossings), start=1)}
    snapshot = Snapshot(names={ids[slug]: names for slug, names in crossings.items()}, phrases=seeded_phrases())
    return snapshot, {n: slug for slug, n in ids.items()}


@dataclass
class Item:
    id: str
    language: str
    text: str
    context: str
    claims: set[Key]
    ambiguous: bool = False


@dataclass
class Outcome:
    item: Item
    got: set[Key]
    suggestions: list[Suggestion] = field(default_factory=list)


def load(folder: Path) -> list[Item]:
    import yaml

    items: list[Item] = []
    for path in sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        for raw in data:
            claims = {(c["crossing"], c["status"], c["traffic"]) for c in raw.get("claims") or []}
            items.append(
                Item(
                    id=str(raw.get("id")),
                    language=str(raw.get("language") or raw.get("lang") or path.stem),
                    text=str(raw.get("text") or ""),
                    context=str(raw.get("context") or ""),
                    claims=claims,
                    ambiguous=bool(raw.get("ambiguous")),
                )
            )
    return items


def run(items: Iterable[Item], snapshot: Snapshot, slugs: dict[int, str]) -> list[Outcome]:
    outcomes = []
    for item in items:
        report = f"{item.context}\n{item.text}" if item.context else item.text
        found = read("", report, snapshot).suggestions
        got = {(slugs[s.crossing_id], s.status, s.traffic) for s in found}
        outcomes.append(Outcome(item, got, found))
    return outcomes


@dataclass
class Score:
    true: int = 0
    proposed: int = 0
    labelled: int = 0

    @property
    def precision(self) -> float:
        return self.true / self.proposed if self.proposed else 1.0

    @property
    def recall(self) -> float:
        return self.true / self.labelled if self.labelled else 1.0

    def add(self, got: set[Any], want: set[Any]) -> None:
        self.true += len(got & want)
        self.proposed += len(got)
        self.labelled += len(want)


def scores(outcomes: list[Outcome]) -> dict[str, dict[str, Score]]:
    """{"strict"/"lenient": {"all", "en", "ar", "he", "open", "restricted", "closed", "sure", "unsure",
    "band < 0.5" ...: Score}}. Sure and unsure (and the bands) count suggestions, strictly right or not."""
    table: dict[str, dict[str, Score]] = {"strict": defaultdict(Score), "lenient": defaultdict(Score)}
    for outcome in outcomes:
        want, got = outcome.item.claims, outcome.got
        loose_want, loose_got = {(c, s) for c, s, _ in want}, {(c, s) for c, s, _ in got}
        pairs: dict[str, tuple[set[Any], set[Any]]] = {"strict": (got, want), "lenient": (loose_got, loose_want)}
        for name, (g, w) in pairs.items():
            table[name]["all"].add(g, w)
            table[name][outcome.item.language].add(g, w)
        for status in STATUSES:
            table["strict"][status].add({k for k in got if k[1] == status}, {k for k in want if k[1] == status})
            table["lenient"][status].add(
                {k for k in loose_got if k[1] == status}, {k for k in loose_want if k[1] == status}
            )
        for suggestion in outcome.suggestions:
            slug_key = next(k for k in got if k[1] == suggestion.status and k[2] == suggestion.traffic)
            band = "sure" if suggestion.confidence >= UNSURE else "unsure"
            fine = next(label for label, low, high in BANDS if low <= suggestion.confidence < high)
            for name in (band, f"band {fine}"):
                table["strict"][name].true += int(slug_key in want)
                table["strict"][name].proposed += 1
    return table


def report(outcomes: list[Outcome], *, show_mismatches: bool = True) -> str:
    table = scores(outcomes)
    counts: dict[str, int] = defaultdict(int)
    for outcome in outcomes:
        counts[outcome.item.language] += 1
    lines = [f"{len(outcomes)} items ({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))})", ""]
    lines.append(f"{'':<12}{'strict P':>10}{'strict R':>10}{'lenient P':>11}{'lenient R':>11}{'TP/prop/lab':>14}")
    rows = ["all", *LANGUAGES, *STATUSES]
    for row in rows:
        sc, loose = table["strict"][row], table["lenient"][row]
        lines.append(
            f"{row:<12}{sc.precision:>10.2f}{sc.recall:>10.2f}{loose.precision:>11.2f}{loose.recall:>11.2f}"
            f"{f'{sc.true}/{sc.proposed}/{sc.labelled}':>14}"
        )
    sure, unsure = table["strict"]["sure"], table["strict"]["unsure"]
    lines.append("")
    lines.append(
        f"confidence >= {UNSURE}: {sure.proposed} proposed, precision {sure.precision:.2f}; "
        f"< {UNSURE}: {unsure.proposed} proposed, precision {unsure.precision:.2f}"
    )
    lines.append(f"{'confidence':<12}{'proposed':>10}{'precision':>11}")
    for label, _, _ in BANDS:
        band = table["strict"][f"band {label}"]
        lines.append(f"{label:<12}{band.proposed:>10}{band.precision:>11.2f}")
    if show_mismatches:
        lines.append("\nMismatches (strict):")
        for outcome in outcomes:
            if outcome.got == outcome.item.claims:
                continue
            item = outcome.item
            lines.append(f"- {item.id} [{item.language}]{' (ambiguous)' if item.ambiguous else ''}: {item.text}")
            if item.context:
                lines.append(f"    context: {item.context}")
            lines.append(f"    expected: {sorted(item.claims)}")
            lines.append(f"    got:      {sorted(outcome.got)}")
            for s in outcome.suggestions:
                lines.append(f"      {s.confidence:.2f} {s.reason}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--set", type=Path, default=DEFAULT_SET, help="folder of labelled YAML files")
    parser.add_argument("--quiet", action="store_true", help="the table only, no mismatches")
    args = parser.parse_args(argv)
    if not args.set.is_dir():
        print(f"no labelled set at {args.set}", file=sys.stderr)
        return 2
    snapshot, slugs = fixed_snapshot()
    items = load(args.set)
    if not items:
        print(f"no items in {args.set}", file=sys.stderr)
        return 2
    print(report(run(items, snapshot, slugs), show_mismatches=not args.quiet))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
