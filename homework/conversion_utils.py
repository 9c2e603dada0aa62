"""The unit table and what reads it: lookup, convert, and finding the units a text names.

Every conversion factor in the project lives in UNITS, once. The prompts, the question generator
(homework.questions) and the tests all read it from here, so they cannot disagree.
This module imports neither torch nor transformers.
"""

import difflib
import math
import re
from dataclasses import dataclass
from itertools import permutations

YEAR_S = 365.2422 * 86400
INCH_M = 0.0254
POUND_KG = 0.45359237
GALLON_L = 3.785411784


@dataclass(frozen=True)
class Unit:
    name: str  # canonical singular name, as used in generated questions
    dimension: str
    factor: float  # value of one unit in the dimension's base unit
    aliases: tuple[str, ...]  # other ways people write it (plural, symbols, ...)


def _u(name, dimension, factor, *aliases):
    return Unit(name, dimension, factor, aliases)


# Base units: length m, mass kg, volume L, time s, speed m/s, storage byte.
UNITS: tuple[Unit, ...] = (
    # length
    _u("meter", "length", 1.0, "meters", "metre", "metres", "m"),
    _u("kilometer", "length", 1000.0, "kilometers", "kilometre", "kilometres", "km"),
    _u("centimeter", "length", 0.01, "centimeters", "centimetre", "centimetres", "cm"),
    _u("decimeter", "length", 0.1, "decimeters", "decimetre", "decimetres", "dm"),
    _u("millimeter", "length", 0.001, "millimeters", "millimetre", "millimetres", "mm"),
    _u("micrometer", "length", 1e-6, "micrometers", "micrometre", "micrometres", "micron", "microns", "um", "µm",
       "μm"),
    _u("nanometer", "length", 1e-9, "nanometers", "nanometre", "nanometres", "nm"),
    _u("inch", "length", INCH_M, "inches", "in"),
    _u("foot", "length", 12 * INCH_M, "feet", "ft"),
    _u("yard", "length", 36 * INCH_M, "yards", "yd", "yds"),
    _u("mile", "length", 63360 * INCH_M, "miles", "mi"),
    _u("nautical mile", "length", 1852.0, "nautical miles", "nmi"),
    # mass
    _u("kilogram", "mass", 1.0, "kilograms", "kilo", "kilos", "kg", "kgs"),
    _u("gram", "mass", 1e-3, "grams", "gramme", "grammes", "g"),
    _u("milligram", "mass", 1e-6, "milligrams", "mg"),
    _u("microgram", "mass", 1e-9, "micrograms", "µg", "μg", "mcg", "ug"),
    _u("carat", "mass", 2e-4, "carats", "ct"),
    _u("metric ton", "mass", 1000.0, "metric tons", "tonne", "tonnes", "ton", "tons", "t"),
    _u("pound", "mass", POUND_KG, "pounds", "lb", "lbs"),
    _u("ounce", "mass", POUND_KG / 16, "ounces", "oz"),
    _u("stone", "mass", 14 * POUND_KG, "stones", "st"),
    # volume (US customary liquid measures)
    _u("liter", "volume", 1.0, "liters", "litre", "litres", "l", "L"),
    _u("milliliter", "volume", 1e-3, "milliliters", "millilitre", "millilitres", "ml", "mL"),
    _u("centiliter", "volume", 1e-2, "centiliters", "centilitre", "centilitres", "cl", "cL"),
    _u("deciliter", "volume", 0.1, "deciliters", "decilitre", "decilitres", "dl", "dL"),
    _u("cubic meter", "volume", 1000.0, "cubic meters", "cubic metre", "cubic metres", "m^3", "m3", "m**3",
       "cu m"),
    _u("cubic centimeter", "volume", 1e-3, "cubic centimeters", "cubic centimetre", "cubic centimetres",
       "cm^3", "cm3", "cm**3", "cc", "cu cm"),
    _u("cubic millimeter", "volume", 1e-6, "cubic millimeters", "cubic millimetre", "cubic millimetres",
       "mm^3", "mm3", "mm**3", "cu mm"),
    _u("cubic kilometer", "volume", 1e12, "cubic kilometers", "cubic kilometre", "cubic kilometres",
       "km^3", "km3", "km**3"),
    _u("gallon", "volume", GALLON_L, "gallons", "gal", "gals"),
    _u("quart", "volume", GALLON_L / 4, "quarts", "qt", "qts"),
    _u("pint", "volume", GALLON_L / 8, "pints", "pt", "pts"),
    _u("cup", "volume", GALLON_L / 16, "cups"),
    _u("fluid ounce", "volume", GALLON_L / 128, "fluid ounces", "fl oz", "fl. oz."),
    _u("tablespoon", "volume", GALLON_L / 256, "tablespoons", "tbsp"),
    _u("teaspoon", "volume", GALLON_L / 768, "teaspoons", "tsp"),
    _u("cubic inch", "volume", INCH_M**3 * 1000, "cubic inches", "in^3", "in3", "in**3", "cu in"),
    _u("cubic foot", "volume", (12 * INCH_M) ** 3 * 1000, "cubic feet", "ft^3", "ft3", "ft**3", "cu ft"),
    _u("cubic yard", "volume", (36 * INCH_M) ** 3 * 1000, "cubic yards", "yd^3", "yd3", "yd**3", "cu yd"),
    # time
    _u("second", "time", 1.0, "seconds", "sec", "secs", "s"),
    _u("millisecond", "time", 1e-3, "milliseconds", "ms", "msec"),
    _u("microsecond", "time", 1e-6, "microseconds", "µs", "μs", "us"),
    _u("nanosecond", "time", 1e-9, "nanoseconds", "ns"),
    _u("minute", "time", 60.0, "minutes", "min", "mins"),
    _u("hour", "time", 3600.0, "hours", "hr", "hrs", "h"),
    _u("day", "time", 86400.0, "days", "d"),
    _u("week", "time", 7 * 86400.0, "weeks", "wk", "wks"),
    _u("fortnight", "time", 14 * 86400.0, "fortnights"),
    _u("month", "time", YEAR_S / 12, "months", "mo"),
    _u("year", "time", YEAR_S, "years", "yr", "yrs"),
    _u("decade", "time", 10 * YEAR_S, "decades"),
    _u("century", "time", 100 * YEAR_S, "centuries"),
    _u("millennium", "time", 1000 * YEAR_S, "millennia", "millenniums"),
    # speed
    _u("meter per second", "speed", 1.0, "meters per second", "metres per second", "m/s", "mps", "m/sec"),
    _u("kilometer per second", "speed", 1000.0, "kilometers per second", "kilometres per second", "km/s"),
    _u("kilometer per hour", "speed", 1000 / 3600, "kilometers per hour", "kilometres per hour",
       "km/h", "kmh", "kph", "km/hr"),
    _u("mile per hour", "speed", 63360 * INCH_M / 3600, "miles per hour", "mph", "mi/h", "mi/hr"),
    _u("foot per second", "speed", 12 * INCH_M, "feet per second", "ft/s", "fps", "ft/sec"),
    _u("inch per second", "speed", INCH_M, "inches per second", "in/s", "ips"),
    _u("centimeter per second", "speed", 0.01, "centimeters per second", "cm/s"),
    _u("knot", "speed", 1852 / 3600, "knots", "kn", "kt"),
    # digital storage (decimal prefixes: 1 kB = 1000 B; "M" and "G" alone mean MB and GB; KiB etc. are binary;
    # case matters: "b" is a bit and "B" a byte, "Mb" a megabit and "MB" or "mb" a megabyte)
    _u("bit", "storage", 1 / 8, "bits", "b"),
    _u("byte", "storage", 1.0, "bytes", "B"),
    _u("kilobyte", "storage", 1e3, "kilobytes", "kB", "KB", "kb", "K"),
    _u("megabyte", "storage", 1e6, "megabytes", "MB", "mb", "M"),
    _u("gigabyte", "storage", 1e9, "gigabytes", "GB", "gb", "G"),
    _u("terabyte", "storage", 1e12, "terabytes", "TB", "tb"),
    _u("petabyte", "storage", 1e15, "petabytes", "PB"),
    _u("kilobit", "storage", 1e3 / 8, "kilobits", "kbit", "Kbit", "Kb"),
    _u("megabit", "storage", 1e6 / 8, "megabits", "Mbit", "Mb"),
    _u("gigabit", "storage", 1e9 / 8, "gigabits", "Gbit", "Gb"),
    _u("terabit", "storage", 1e12 / 8, "terabits", "Tbit", "Tb"),
    _u("kibibyte", "storage", 2.0**10, "kibibytes", "KiB"),
    _u("mebibyte", "storage", 2.0**20, "mebibytes", "MiB"),
    _u("gibibyte", "storage", 2.0**30, "gibibytes", "GiB"),
    _u("tebibyte", "storage", 2.0**40, "tebibytes", "TiB"),
)

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
    if src.dimension != dst.dimension:
        raise ValueError(f"cannot convert {src.name} ({src.dimension}) to {dst.name} ({dst.dimension})")
    return value * src.factor / dst.factor


def dimensions() -> dict[str, list[Unit]]:
    """Units grouped by dimension, in table order."""
    groups: dict[str, list[Unit]] = {}
    for unit in UNITS:
        groups.setdefault(unit.dimension, []).append(unit)
    return groups


def base_unit(dimension: str) -> Unit:
    """The unit whose factor is 1: meter, kilogram, liter, second, meter per second, byte."""
    return next(u for u in dimensions()[dimension] if u.factor == 1.0)


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


_WORD_FORMS_BY_SIZE: dict[int, list[str]] = {}
for _form in sorted({f for u in UNITS for f in forms(u) if is_word(f)}):
    _WORD_FORMS_BY_SIZE.setdefault(len(_form.split()), []).append(_form)
# a question in capitals writes every form so: "TIB" may be TiB, "MB" a megabyte or a megabit
_BY_LOWER: dict[str, list[Unit]] = {}
for _alias, _unit in _BY_NAME.items():
    if _unit not in _BY_LOWER.setdefault(_alias.lower(), []):
        _BY_LOWER[_alias.lower()].append(_unit)
_CASELESS_PATTERN = re.compile(_ALIAS_PATTERN.pattern, re.IGNORECASE)


def units_in(text: str, fuzzy: bool = False) -> list[Unit]:
    """Candidate units named in a text, in order of appearance ("in" may be inches), for deriving
    training targets that are then checked against the answer; never used at answer time.

    In a question written in capitals, a symbol offers every unit it may have been ("M" in
    "HOW MANY M IN 3 KM": megabyte or meter). fuzzy=True adds the units of words one typo away from a
    unit word ("kilogrm").
    units_in("How many gram are there per 6 kg?") -> [gram, kilogram]
    """
    matches = [(m.start(), _BY_NAME[m.group(0)]) for m in _ALIAS_PATTERN.finditer(text)]
    matches += [(m.start(), _BY_NAME[m.group(0).lower()]) for m in _WORD_PATTERN.finditer(text)]
    if text.isupper():  # a shouted question: "MB" may have been "Mb", "M" an "m"
        matches += [(m.start(), unit) for m in _CASELESS_PATTERN.finditer(text) for unit in _BY_LOWER[m.group(0).lower()]]
    if fuzzy:  # one to three words against the unit words of as many words: "cubic milimetres", "foot per secnd"
        words = list(re.finditer(r"[A-Za-z]+", text))
        for size in (1, 2, 3):
            for k in range(len(words) - size + 1):
                phrase = text[words[k].start():words[k + size - 1].end()].lower()
                if len(phrase) >= 3:  # a letter dropped from four ("hor") is a ratio of 0.86, changed ("hlur") 0.75
                    cutoff = {3: 0.85, 4: 0.75}.get(len(phrase), 0.8)
                    for close in difflib.get_close_matches(phrase, _WORD_FORMS_BY_SIZE.get(size, ()), n=3, cutoff=cutoff):
                        matches.append((words[k].start(), _BY_NAME[close]))
    found = []
    for _, unit in sorted(matches, key=lambda match: match[0]):
        if unit not in found:
            found.append(unit)
    return found


def units_behind(question: str, value: float, answer: float) -> tuple[Unit, Unit] | None:
    """The (source, target) units named in a question that turn value into answer, or None.

    For training targets and reports only, never for answering; a unit word with a typo counts when
    the exact names give no pair. units_behind("How many g in 6 kg?", 6, 6000.0) -> (kilogram, gram)
    """
    return _pair_behind(units_in(question), value, answer) or _pair_behind(units_in(question, fuzzy=True),
                                                                          value, answer)


def _pair_behind(candidates: list[Unit], value: float, answer: float) -> tuple[Unit, Unit] | None:
    for src, dst in permutations(candidates, 2):
        if src.dimension == dst.dimension and math.isclose(value * src.factor / dst.factor, answer, rel_tol=1e-6):
            return src, dst
    return None


def unit_pairs() -> list[tuple[Unit, Unit]]:
    """Every ordered pair of distinct units within one dimension."""
    return [(a, b) for group in dimensions().values() for a in group for b in group if a is not b]
