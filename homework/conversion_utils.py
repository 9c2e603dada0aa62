"""What reads the unit table (unit_table.py): lookup, convert, and finding the units a text names.

Every conversion factor in the project lives in UNITS, once. The prompts, the question generator
(homework.questions) and the tests all read it through here, so they cannot disagree.
This module imports neither torch nor transformers.
"""

import difflib
import math
import re
from itertools import permutations

from .unit_table import UNITS, Unit  # noqa: F401 (Unit: part of this module's API)

# the course's six dimensions; the others (temperature, area, energy, ...) are what people ask beyond them
COURSE_DIMENSIONS = ("length", "mass", "volume", "time", "speed", "storage")

_BY_NAME: dict[str, Unit] = {}
for _unit in UNITS:
    for _alias in (_unit.name, *_unit.aliases):
        if _alias in _BY_NAME:
            raise RuntimeError(f"unit alias {_alias!r} is defined twice")
        _BY_NAME[_alias] = _unit


def find_unit(unit: str) -> Unit | None:
    """The unit a name or alias means (exact case first, then lower case), or None: find_unit("QT").name -> "quart"."""
    key = unit.strip()
    return _BY_NAME.get(key) or _BY_NAME.get(key.lower())


def lookup(unit: str) -> Unit:
    """Find a unit by name or alias: exact case first, then lower case. lookup("kgs").name -> "kilogram"."""
    found = find_unit(unit)
    if found is None:
        raise ValueError(f"unknown unit {unit!r}; known units: {', '.join(u.name for u in UNITS)}")
    return found


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """Convert a value between two units of one dimension. convert(6, "kg", "g") -> 6000.0."""
    src, dst = lookup(from_unit), lookup(to_unit)
    return convert_units(value, src, dst)


def convert_units(value: float, src: Unit, dst: Unit) -> float:
    """convert() for Unit objects: through the base unit, by each unit's relation (linear, affine, inverse)."""
    if src.dimension != dst.dimension:
        raise ValueError(f"cannot convert {src.name} ({src.dimension}) to {dst.name} ({dst.dimension})")
    return dst.from_base(src.to_base(value))


def dimensions() -> dict[str, list[Unit]]:
    """Units grouped by dimension, in table order."""
    groups: dict[str, list[Unit]] = {}
    for unit in UNITS:
        groups.setdefault(unit.dimension, []).append(unit)
    return groups


def base_unit(dimension: str) -> Unit:
    """The unit whose factor is 1: meter, kilogram, liter, second, meter per second, byte, degree Celsius..."""
    return next(u for u in dimensions()[dimension] if u.factor == 1.0 and not u.offset and not u.inverse)


_ALIAS_PATTERN = re.compile(
    "|".join(rf"(?<![A-Za-z']){re.escape(a)}(?![A-Za-z])" for a in sorted(_BY_NAME, key=len, reverse=True)))
# words (not symbols, whose case carries meaning) are also found capitalised: "Minutes in 6 hours?"
_WORD_PATTERN = re.compile(
    "|".join(rf"(?<![A-Za-z']){re.escape(a)}(?![A-Za-z])" for a in sorted(_BY_NAME, key=len, reverse=True)
             if len(a) > 3 and a.islower()), re.IGNORECASE)


def forms(unit: Unit) -> tuple[str, ...]:
    """Every way the table lets one write a unit: forms(gram) -> ("gram", "grams", "gramme", ..., "g")."""
    return (unit.name, *unit.aliases)


def is_word(form: str) -> bool:
    """A form whose case carries no meaning: a lower-case word ("grams", "cubic feet"), not a symbol ("Mb")."""
    return len(form) > 3 and form.islower() and form.replace(" ", "").replace(".", "").isalpha()


_PREFIX = re.compile(r"^(kilo|mega|giga|tera|peta|hecto|deci|centi|milli|micro|nano|kibi|mebi|gibi|tebi)(?=[a-z]{3})")


def _stems(unit: Unit) -> set[str]:
    """The words of a unit's word forms, metric prefix taken off: kilowatt hour -> {"watt", "hour", ...}."""
    return {_PREFIX.sub("", w) for f in forms(unit) if is_word(f) for w in re.findall(r"[a-z]{3,}", f)} - {
        "per", "square", "cubic"}


def look_alike(a: Unit, b: Unit) -> bool:
    """Whether two units are written alike enough to be taken for each other: a word in common but for a
    prefix ("watts" and "kilowatt hours", "seconds" and "meters per second", "meter" and "square
    kilometer") or one symbol the start of the other ("kW" and "kWh", "MB" and "MB/s", "hp" and "hPa")."""
    symbols_a, symbols_b = ({f.lower() for f in forms(u) if not is_word(f) and len(f) > 1} for u in (a, b))
    return bool(_stems(a) & _stems(b)) or any(x.startswith(y) or y.startswith(x) for x in symbols_a for y in symbols_b)


_WORD_FORMS_BY_SIZE: dict[int, list[str]] = {}
for _form in sorted({f for u in UNITS for f in forms(u) if is_word(f)}):
    _WORD_FORMS_BY_SIZE.setdefault(len(_form.split()), []).append(_form)
# a question in capitals writes every form so: "TIB" may be TiB, "MB" a megabyte or a megabit
_BY_LOWER: dict[str, list[Unit]] = {}
for _alias, _unit in _BY_NAME.items():
    if _unit not in _BY_LOWER.setdefault(_alias.lower(), []):
        _BY_LOWER[_alias.lower()].append(_unit)
_CASELESS_PATTERN = re.compile(_ALIAS_PATTERN.pattern, re.IGNORECASE)


def unit_spans(text: str) -> list[tuple[int, int, Unit]]:
    """(start, end, unit) of every unit form written exactly (words in any case), in order of appearance.
    For reading compound values back ("5 ft 8 in") when deriving training targets; never at answer time."""
    spans = [(m.start(), m.end(), _BY_NAME[m.group(0)]) for m in _ALIAS_PATTERN.finditer(text)]
    exact = {(start, end) for start, end, _ in spans}  # "MBps" as written, not as the word "mbps" (Mbps)
    spans += [(m.start(), m.end(), _BY_NAME[m.group(0).lower()]) for m in _WORD_PATTERN.finditer(text)
              if (m.start(), m.end()) not in exact]
    return sorted(set(spans), key=lambda span: (span[0], -span[1], span[2].name))


# a unit word people also write for a unit of another dimension, which the other unit of the question
# tells apart: "How many ounces in a gallon?" asks for fluid ounces
ALSO_MEANS = {"ounce": "fluid ounce"}


def units_in(text: str, fuzzy: bool = False) -> list[Unit]:
    """Candidate units named in a text, in order of appearance ("in" may be inches), for deriving
    training targets that are then checked against the answer; never used at answer time.

    In a question written in capitals, a symbol offers every unit it may have been ("M" in
    "HOW MANY M IN 3 KM": megabyte or meter), and a word of ALSO_MEANS its other unit too. fuzzy=True adds
    the units of words one typo away from a unit word ("kilogrm").
    units_in("How many gram are there per 6 kg?") -> [gram, kilogram]
    """
    matches = [(m.start(), _BY_NAME[m.group(0)]) for m in _ALIAS_PATTERN.finditer(text)]
    matches += [(m.start(), _BY_NAME[m.group(0).lower()]) for m in _WORD_PATTERN.finditer(text)]
    if text == text.upper() != text.lower():  # shouted ("ºC" is not upper case): "MB" may have been "Mb"
        matches += [(m.start(), unit) for m in _CASELESS_PATTERN.finditer(text) for unit in _BY_LOWER[m.group(0).lower()]]
    if fuzzy:  # one to four words against the unit words of as many words: "cubic milimetres", "foot per secnd"
        words = list(re.finditer(r"[A-Za-z]+", text))
        for size in (1, 2, 3, 4):
            for k in range(len(words) - size + 1):
                phrase = text[words[k].start():words[k + size - 1].end()].lower()
                if len(phrase) >= 3:  # a letter dropped from four ("hor") is a ratio of 0.86, changed ("hlur") 0.75
                    cutoff = {3: 0.85, 4: 0.75}.get(len(phrase), 0.8)
                    for close in difflib.get_close_matches(phrase, _WORD_FORMS_BY_SIZE.get(size, ()), n=3, cutoff=cutoff):
                        matches.append((words[k].start(), _BY_NAME[close]))
    found = []
    for _, unit in sorted(matches, key=lambda match: match[0]):
        for meant in (unit, *([_BY_NAME[ALSO_MEANS[unit.name]]] if unit.name in ALSO_MEANS else [])):
            if meant not in found:
                found.append(meant)
    return found


# unit forms that are also everyday words ("how many cups in a pint", "turn 5 kg into grams")
_ALSO_WORDS = {"in", "turn", "turns", "bar", "bars"}


def refusal_pair(question: str) -> tuple[Unit, Unit] | None:
    """The first two units of different dimensions a question names, in order, or None. A form that is
    also an everyday word counts after a number, and elsewhere only when the question names no pair
    without it. For the training target of a question with no answer ("How many liters are in a meter?"
    -> (liter, meter)); never used at answer time."""
    spans = unit_spans(question)
    plain = [(start, end, unit) for start, end, unit in spans if question[start:end].lower() not in _ALSO_WORDS
             or re.search(r"\d ?$", question[:start])]
    return _first_pair(plain) or _first_pair(spans)


def _first_pair(spans: list[tuple[int, int, Unit]]) -> tuple[Unit, Unit] | None:
    found: list[Unit] = []
    for _, _, unit in spans:
        if unit not in found:
            found.append(unit)
    for k, unit in enumerate(found):
        other = next((u for u in found[k + 1:] if u.dimension != unit.dimension), None)
        if other:
            return unit, other
    return None


def units_behind(question: str, value: float, answer: float) -> tuple[Unit, Unit] | None:
    """The (source, target) units named in a question that turn value into answer, or None.

    For training targets and reports only, never for answering; a unit word with a typo counts when
    the exact names give no pair. units_behind("How many g in 6 kg?", 6, 6000.0) -> (kilogram, gram)
    """
    return _pair_behind(units_in(question), value, answer) or _pair_behind(units_in(question, fuzzy=True),
                                                                          value, answer)


def _pair_behind(candidates: list[Unit], value: float, answer: float) -> tuple[Unit, Unit] | None:
    for src, dst in permutations(candidates, 2):
        if src.dimension == dst.dimension and math.isclose(convert_units(value, src, dst), answer, rel_tol=1e-6):
            return src, dst
    return None


def unit_pairs() -> list[tuple[Unit, Unit]]:
    """Every ordered pair of distinct units within one dimension."""
    return [(a, b) for group in dimensions().values() for a in group for b in group if a is not b]
