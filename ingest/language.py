"""An item's language from its own text: the script for Arabic and Hebrew, py3langid for the rest. Pure.

Feeds declare one language for the whole channel, so the Arabic and Hebrew items of a mixed English feed would be
stored as English. The rule, in order:

- Arabic or Hebrew letters make most of the item's letters: ``ar`` or ``he``, however short the item (the script
  alone says it is not English). A declaration in a language written in that script (``fa``, ``ur``, ``yi`` ...)
  is kept; otherwise, for Arabic script, py3langid may name Persian, Urdu, Pashto ... when the text is long enough
  and it is sure, and ``ar`` stands when it is not (its Egyptian and Moroccan Arabic count as ``ar``).
- Fewer than ``MIN_LETTERS`` letters: too short to tell; the item's own declaration, else the channel's.
- An item declared English (itself, or by its channel), or not declared at all, whose words are English function
  words in good part is English; the model is not asked (most items of most feeds, at a tenth of its cost).
- Otherwise py3langid reads the title and the first ``SAMPLE_CHARS`` characters of the text. A result that agrees
  with the item's own declaration (entry ``xml:lang``, ReliefWeb's language field) keeps the declaration; one
  that is clearly another language (``CLEAR`` confidence) wins over the channel's, and over the item's own only
  when it is surer still and the text longer (``SURE``, ``SURE_LETTERS``): an item's word about itself is worth
  more than a channel's about all its items.

The model (about 80 MB more in the worker's memory with numpy, a second to load) is loaded on the first item that
needs it, once per process; it ships inside the package, nothing is downloaded. A call to it costs 0.1 to 0.2 ms;
the function-word check 0.015 ms.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

# Of the text, after the title: enough to tell, at a cost that stays flat for long reports (reading 300 decided 9
# of the real corpus's 6,565 entries otherwise, all undeclared ones then left unknown, for a third more time).
SAMPLE_CHARS = 200
MIN_LETTERS = 24  # fewer letters than this (outside Arabic and Hebrew script) are too few to tell
CLEAR = 0.90  # py3langid's confidence that beats the channel's declared language
SURE = 0.99  # ... and the item's own declared language, on at least SURE_LETTERS letters
SURE_LETTERS = 80
SCRIPT_SHARE = 0.5  # Arabic or Hebrew letters making more than this share of the letters decide the script
ARABIC_SCRIPT_MIN_LETTERS = 20  # below this, Arabic script is ``ar`` without asking which language writes it
ENGLISH_SHARE = 0.15  # of the words English function words: English without asking the model

_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_HEBREW = re.compile(r"[\u0590-\u05ff\ufb1d-\ufb4f]")

# Words that make up much of any English text and little of any other language's: a text full of them is English.
_ENGLISH_FUNCTION_WORDS = frozenset(
    (  # noqa: SIM905 - a list of words reads best as words
        "the and of to was were is are with from that this said for by has have had which will would been their "
        "after its it at be"
    ).split()
)
_WORD = re.compile(r"[a-z]+")

# Languages written in Arabic or Hebrew script that a declaration may name, so that it is kept.
ARABIC_SCRIPT = frozenset({"ar", "fa", "ur", "ps", "ug", "ku", "ckb", "sdh", "sd", "ks", "prs", "bal", "uzs"})
HEBREW_SCRIPT = frozenset({"he", "iw", "yi", "ji", "lad"})
# py3langid's Arabic varieties, stored as the macrolanguage.
_AS_ARABIC = frozenset({"ar", "arz", "ary"})


def primary(code: str) -> str:
    """The primary subtag of a language tag, lower case: ``en-US`` -> ``en``."""
    return code.strip().replace("_", "-").split("-", 1)[0].lower()


def detect_language(title: str, text: str, *, declared: str = "", channel: str = "") -> str:
    """The language to store for an item: a tag as declared when kept, else a detected ISO 639 code; "" if unknown.

    ``declared`` is the item's own declaration, ``channel`` the feed's for all its items.
    """
    declared, channel = declared.strip(), channel.strip()
    sample = f"{title}\n{text[:SAMPLE_CHARS]}" if text else title
    letters = sum(map(str.isalpha, sample))  # a third of the cost of a regular expression's findall
    if letters == 0:
        return declared or channel
    stated = declared or channel
    arabic = len(_ARABIC.findall(sample))
    if arabic > letters * SCRIPT_SHARE:
        if primary(stated) in ARABIC_SCRIPT:
            return stated
        return _arabic_script_language(sample, arabic)
    hebrew = len(_HEBREW.findall(sample))
    if hebrew > letters * SCRIPT_SHARE:
        return stated if primary(stated) in HEBREW_SCRIPT else "he"
    if letters < MIN_LETTERS:
        return stated
    if primary(stated) in {"en", ""} and _reads_as_english(sample):
        return stated or "en"  # most items of most feeds, at a tenth of the model's cost
    found, confidence = _classify(sample)
    found = "ar" if found in _AS_ARABIC else found
    if declared:
        if found == primary(declared):
            return declared
        return found if confidence >= SURE and letters >= SURE_LETTERS else declared
    if channel and found == primary(channel):
        return channel
    return found if confidence >= CLEAR else channel


def _reads_as_english(sample: str) -> bool:
    """English function words make at least ``ENGLISH_SHARE`` of the sample's words.

    Other languages' texts, even Dutch or German, stay far below. On the real corpus 5,077 of 6,565 entries read
    so; the model would have named another language for 2 of them, English sentences under a Japanese title.
    """
    words = _WORD.findall(sample.lower())
    if len(words) < 8:
        return False
    return sum(1 for word in words if word in _ENGLISH_FUNCTION_WORDS) >= ENGLISH_SHARE * len(words)


def _arabic_script_language(sample: str, arabic: int) -> str:
    """``ar``, unless the text is long enough and py3langid is sure another Arabic-script language wrote it."""
    if arabic < ARABIC_SCRIPT_MIN_LETTERS:
        return "ar"
    found, confidence = _classify(sample)
    if found in _AS_ARABIC or found not in ARABIC_SCRIPT or confidence < CLEAR:
        return "ar"
    return found


def _classify(sample: str) -> tuple[str, float]:
    found, confidence = _identifier().classify(sample)
    return str(found), float(confidence)


@cache
def _identifier() -> Any:
    """py3langid's model, with probabilities normalised so that a confidence means the same at any length."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
