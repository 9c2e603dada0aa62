"""Noise as people make it: a unit word mistyped ("kilogrm", "litters") and questions shouted in capitals.

A typo never turns one unit into another: misspell() only returns words that the unit table does not
know. A shouted question writes symbols in capitals too ("WHAT IS 12 QT IN GAL?"), except where the
capital form is another unit of the same dimension ("Mb", a megabit, would read as "MB", a megabyte):
such a question is not shouted. Where the capital form is a unit of another dimension ("M", "G", "B"),
the other unit of the question decides: "HOW MANY M IN 3 KM?" asks for metres, "HOW MANY M IN 2 GB?"
for megabytes. "MM", "MG", "ML" and the like name no other unit and mean millimetre, milligram, millilitre.
"""

import random

from .conversion_utils import Unit, find_unit

# neighbours on a QWERTY keyboard, for typos that replace a letter
_KEYS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOURS = {}
for _row in _KEYS:
    for _col, _key in enumerate(_row):
        _NEIGHBOURS[_key] = "".join(_row[j] for j in (_col - 1, _col + 1) if 0 <= j < len(_row))

TYPOS = ("drop", "double", "swap", "replace")


def typo(word: str, kind: str, rng: random.Random) -> str:
    """One typing slip inside a word (never its first letter): typo("kilogram", "drop", rng) -> "kilogrm"."""
    i = rng.randrange(1, len(word) - 1) if len(word) > 2 else len(word) - 1
    if kind == "drop":
        return word[:i] + word[i + 1:]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2:] if i + 1 < len(word) else word[:i - 1] + word[i] + word[i - 1]
    if kind == "replace":
        return word[:i] + rng.choice(_NEIGHBOURS.get(word[i].lower(), "e") or "e") + word[i + 1:]
    raise ValueError(f"unknown typo {kind!r}; expected one of {', '.join(TYPOS)}")


def misspell(form: str, rng: random.Random) -> str | None:
    """The unit form with one typo in its longest word, or None when every try names a known unit or
    changes nothing: misspell("liters", rng) -> e.g. "litters"; misspell("kg", rng) -> None (too short)."""
    words = form.split(" ")
    longest = max(range(len(words)), key=lambda k: len(words[k]))
    if len(words[longest]) < 5 or not words[longest].isalpha():
        return None
    for _ in range(8):
        slipped = typo(words[longest], rng.choice(TYPOS), rng)
        text = " ".join(words[:longest] + [slipped] + words[longest + 1:])
        if slipped != words[longest] and find_unit(text) is None and find_unit(slipped) is None:
            return text
    return None


def can_shout(form: str, unit: Unit) -> bool:
    """True when form in capitals still names this unit, or a unit of another dimension only:
    can_shout("qt", quart) -> True, can_shout("Mb", megabit) -> False ("MB" is a megabyte)."""
    shouted = find_unit(form.upper())
    return shouted is None or shouted is unit or shouted.dimension != unit.dimension
