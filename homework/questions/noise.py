"""Noise as people make it: a unit word mistyped ("kilogrm", "litters", "gramz") and questions shouted in capitals.

A typo never turns one unit into another: misspell() only returns words that the unit table does not
know. A shouted question writes symbols in capitals too ("WHAT IS 12 QT IN GAL?"), except where the
capital form is another unit of the same dimension ("Mb", a megabit, would read as "MB", a megabyte):
such a question is not shouted. Where the capital form is a unit of another dimension ("M", "G", "B"),
the other unit of the question decides: "HOW MANY M IN 3 KM?" asks for metres, "HOW MANY M IN 2 GB?"
for megabytes. "MM", "MG", "ML" and the like name no other unit and mean millimetre, milligram, millilitre.
"""

import random
import re
from collections import defaultdict

from ..conversion_utils import Unit, find_unit

# neighbours on a QWERTY keyboard, for typos that replace a letter
_KEYS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOURS = {}
for _row in _KEYS:
    for _col, _key in enumerate(_row):
        _NEIGHBOURS[_key] = "".join(_row[j] for j in (_col - 1, _col + 1) if 0 <= j < len(_row))

# keys above and below on a QWERTY keyboard, as a finger slips between rows ("quartz": s -> z)
_ROWS_OFF = defaultdict(str)
for _upper, _lower in zip(_KEYS, _KEYS[1:]):
    for _col in range(len(_lower)):
        for _a, _b in ((_upper[_col], _lower[_col]), (_upper[_col + 1], _lower[_col])):
            _ROWS_OFF[_a] += _b
            _ROWS_OFF[_b] += _a
# spellings by ear: what is written for a sound that is spelled otherwise ("grams" -> "gramz")
SOUNDS = (("s", "z"), ("z", "s"), ("c", "k"), ("k", "c"), ("ph", "f"), ("f", "ph"), ("ee", "ea"), ("ea", "ee"),
          ("er", "re"), ("re", "er"), ("le", "el"), ("ou", "o"), ("ie", "ei"), ("ei", "ie"), ("y", "ie"),
          ("ll", "l"), ("l", "ll"), ("t", "tt"), ("m", "mm"))

TYPOS = ("drop", "double", "swap", "replace")
# slips as people also make them: a key of the row above or below, or a word spelled by its sound
MORE_TYPOS = TYPOS + ("other-row", "sound")
# and a key beside a letter pressed with it ("meters" -> "meteres")
ALL_TYPOS = MORE_TYPOS + ("insert",)
SHORTEST_TYPO = 5  # the shortest unit word that gets a typo by default: "feet" and "cups" stay whole


def typo(word: str, kind: str, rng: random.Random) -> str:
    """One typing slip inside a word (never its first letter): typo("kilogram", "drop", rng) -> "kilogrm"."""
    i = rng.randrange(1, len(word) - 1) if len(word) > 2 else len(word) - 1
    if kind == "drop":
        return word[:i] + word[i + 1:]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2:] if i + 1 < len(word) else word[:i - 1] + word[i] + word[i - 1]
    if kind in ("replace", "other-row", "insert"):  # a key beside it or above or below it; insert keeps the letter
        keys = (_ROWS_OFF if kind == "other-row" else _NEIGHBOURS).get(word[i].lower(), "e") or "e"
        return word[:i + (kind == "insert")] + rng.choice(keys) + word[i + 1:]
    if kind == "sound":  # one sound respelled, anywhere after the first letter: "kilograms" -> "kilogramz"
        options = [(k, old, new) for old, new in SOUNDS for k in range(1, len(word)) if word.startswith(old, k)]
        if not options:
            return word
        k, old, new = rng.choice(options)
        return word[:k] + new + word[k + len(old):]
    raise ValueError(f"unknown typo {kind!r}; expected one of {', '.join(ALL_TYPOS)}")


def misspell(form: str, rng: random.Random, kinds: tuple[str, ...] = TYPOS,
             shortest: int = SHORTEST_TYPO) -> str | None:
    """The unit form with one typo (of these kinds) in its longest word, or None when that word is shorter
    than `shortest` letters or every try names a known unit or changes nothing:
    misspell("liters", rng) -> e.g. "litters"; misspell("kg", rng) -> None;
    misspell("feet", rng, shortest=4) -> e.g. "fete"."""
    words = form.split(" ")
    longest = max(range(len(words)), key=lambda k: len(words[k]))
    if len(words[longest]) < shortest or not words[longest].isalpha():
        return None
    for _ in range(8):
        slipped = typo(words[longest], rng.choice(kinds), rng)
        text = " ".join(words[:longest] + [slipped] + words[longest + 1:])
        if slipped != words[longest] and find_unit(text) is None and find_unit(slipped) is None:
            return text
    return None


def can_shout(form: str, unit: Unit) -> bool:
    """True when form in capitals still names this unit, or a unit of another dimension only:
    can_shout("qt", quart) -> True, can_shout("Mb", megabit) -> False ("MB" is a megabyte)."""
    shouted = find_unit(form.upper())
    return shouted is None or shouted is unit or shouted.dimension != unit.dimension


def typo_in(text: str, words: list[str], rng: random.Random, typos: tuple[str, ...] = TYPOS,
             shortest: int = SHORTEST_TYPO) -> tuple[str, str]:
    """(text with one of these unit words mistyped, "typo"), or (text, "none") when none can be."""
    for form in rng.sample(words, len(words)):
        wrong = misspell(form, rng, typos, shortest)
        pattern = re.compile(rf"(?<![A-Za-z]){re.escape(form)}(?![A-Za-z])")
        if wrong and pattern.search(text):
            return pattern.sub(wrong, text, count=1), "typo"
    return text, "none"
