"""The unit table, unit conversion, question generation and safe arithmetic.

Every conversion factor in the project lives in UNITS, once. The prompts, the
data generator and the tests all read it from here, so they cannot disagree.
This module imports neither torch nor transformers.
"""

import ast
import json
import math
import operator
import random
import re
from dataclasses import dataclass
from itertools import permutations
from pathlib import Path

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


def lookup(unit: str) -> Unit:
    """Find a unit by name or alias: exact case first, then lower case. lookup("kgs").name -> "kilogram"."""
    key = unit.strip()
    found = _BY_NAME.get(key) or _BY_NAME.get(key.lower())
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
    "|".join(rf"(?<![A-Za-z]){re.escape(a)}(?![A-Za-z])" for a in sorted(_BY_NAME, key=len, reverse=True)))
# words (not symbols, whose case carries meaning) are also found capitalised: "Minutes in 6 hours?"
_WORD_PATTERN = re.compile(
    "|".join(rf"(?<![A-Za-z]){re.escape(a)}(?![A-Za-z])" for a in sorted(_BY_NAME, key=len, reverse=True)
             if len(a) > 3 and a.islower()), re.IGNORECASE)


def units_in(text: str) -> list[Unit]:
    """Candidate units named in a text, in order of appearance ("in" may be inches), for deriving
    training targets that are then checked against the answer; never used at answer time.

    units_in("How many gram are there per 6 kg?") -> [gram, kilogram]
    """
    matches = sorted([(m.start(), _BY_NAME[m.group(0)]) for m in _ALIAS_PATTERN.finditer(text)]
                     + [(m.start(), _BY_NAME[m.group(0).lower()]) for m in _WORD_PATTERN.finditer(text)],
                     key=lambda match: match[0])
    found = []
    for _, unit in matches:
        if unit not in found:
            found.append(unit)
    return found


_FIRST_NUMBER = re.compile(r"(?<![\w^*.])(?:\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?|\.\d+)")


def first_number_text(question: str) -> str | None:
    """The first number a question writes, as written; not a unit's exponent: "Convert 2,500 m3" -> "2,500"."""
    match = _FIRST_NUMBER.search(question)
    return match.group(0) if match else None


def parse_number(written: str) -> float:
    """A number as a question writes it, thousands separators dropped: parse_number("2,500") -> 2500.0."""
    return float(written.replace(",", ""))


def units_behind(question: str, value: float, answer: float) -> tuple[Unit, Unit] | None:
    """The (source, target) units named in a question that turn value into answer, or None.

    For training targets and reports only, never for answering:
    units_behind("How many g in 6 kg?", 6, 6000.0) -> (kilogram, gram)
    """
    for src, dst in permutations(units_in(question), 2):
        if src.dimension == dst.dimension and math.isclose(value * src.factor / dst.factor, answer, rel_tol=1e-6):
            return src, dst
    return None


# ---------------------------------------------------------------- safe arithmetic

_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.Div: operator.truediv, ast.Pow: operator.pow}
MAX_EXPRESSION_CHARS = 200
MAX_EXPONENT = 100
MAX_NODES = 64


def safe_eval(expression: str) -> float:
    """Evaluate numbers with + - * / ** (or ^), parentheses and unary minus, without eval().

    Anything else, and anything too long or too large, gives NaN; it never raises.
    safe_eval("4 * (3 + 0.5) ^ 2") -> 49.0
    """
    if not isinstance(expression, str) or len(expression) > MAX_EXPRESSION_CHARS:
        return math.nan
    try:
        tree = ast.parse(expression.replace("^", "**"), mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return math.nan
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        return math.nan
    try:
        result = _eval_node(tree.body)
    except (ArithmeticError, ValueError, TypeError, RecursionError):
        return math.nan
    return float(result) if math.isfinite(result) else math.nan


def _eval_node(node: ast.AST) -> float:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _eval_node(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _eval_node(node.left), _eval_node(node.right)
        if isinstance(node.op, ast.Pow) and abs(right) > MAX_EXPONENT:
            raise ValueError("exponent too large")
        return _BINARY[type(node.op)](left, right)
    raise ValueError(f"not allowed: {type(node).__name__}")


# ---------------------------------------------------------------- question generation

# How people type conversion questions, grouped by sentence shape: where the number and the two
# units stand. {v} is the value, {a} the source unit, {b} the target unit; {q} is "{v} {a}" written
# together, with or without a space ("6 kg", "6kg").
SHAPES: dict[str, tuple[str, ...]] = {
    # the target unit named before the number
    "how-many": (
        "How many {b} are there per {q}?",
        "How many {b} are in {q}?",
        "How many {b} is {q}?",
        "Can you tell me how many {b} are in {q}?",
        "I need to know how many {b} are in {q}.",
        "how many {b} in {q}",
        "Tell me the number of {b} in {q}.",
        "Find how many {b} make up {q}.",
        "How many {b} would {q} be?",
    ),
    # number, source, then target, as an instruction
    "convert": (
        "Convert {q} to {b}.",
        "convert {q} to {b}",
        "Convert {q} into {b}.",
        "Could you convert {q} to {b}?",
        "Please convert {q} to {b}.",
        "Change {q} to {b}.",
        "Turn {q} into {b}, please.",
        "Express {q} in {b}.",
        "Give me {q} expressed in {b}.",
        "Determine the value of {q} in {b}.",
    ),
    # a question about the quantity
    "what-is": (
        "What is {q} in {b}?",
        "What is the measurement of {q} when converted into {b}?",
        "How does {q} measure in {b}?",
        "What is the equivalent of {q} in {b}?",
        "How much is {q} in {b}?",
        "What do {q} equal in {b}?",
        "What's {q} in {b}?",
        "What would {q} be in {b}?",
    ),
    # the quantity first, terse
    "quantity-first": (
        "{q} is how many {b}?",
        "{q} = ? {b}",
        "{q} to {b}",
        "{q} in {b}",
        "{q} equals how many {b}?",
        "{q} -> {b}",
        "{q} = how many {b}",
    ),
    # the target unit first, then the quantity
    "target-first": (
        "In {b}, how much is {q}?",
        "In {b}, what is {q}?",
        "Express in {b}: {q}",
        "{b} in {q}?",
        "Number of {b} in {q}?",
        "Give the answer in {b}: how much is {q}?",
    ),
    # both units named before the number
    "units-first": (
        "{a} to {b}: {v}",
        "Convert from {a} to {b}: {v}",
        "From {a} to {b}, what is {v}?",
        "{a} -> {b}: {v}",
        "Convert {a} to {b} for a value of {v}.",
        "Going from {a} to {b}, how much is {v}?",
    ),
    # a sentence of context around the quantity
    "context": (
        "If I have {q}, how many {b} do I have?",
        "Something measures {q}. What is that in {b}?",
        "The value is {q}. Convert it to {b}.",
        "I have {q}; how much is that in {b}?",
        "My reading says {q}. How many {b} is that?",
        "We measured {q}. Please give it in {b}.",
    ),
}
# a story about a thing that has the quantity: the words depend on what is measured, so the shape's
# templates come from STORIES by the units' dimension ("The rope is 5 m long", not "The rope is 5 kg long")
SHAPES["story"] = ()
STORIES: dict[str, tuple[str, ...]] = {
    "length": (
        "The rope is {q} long. How many {b} is that?",
        "A trail runs for {q}; what is that in {b}?",
        "My desk is {q} wide. Give its width in {b}.",
        "We drove {q} today. How far is that in {b}?",
        "The pipe measures {q}, how long is it in {b}?",
    ),
    "mass": (
        "The parcel weighs {q}. How many {b} is that?",
        "A recipe calls for {q} of sugar; how much is that in {b}?",
        "My suitcase weighs {q}. What's its weight in {b}?",
        "The bag of rice holds {q}. Give that in {b}.",
        "He lifted {q}, how heavy is that in {b}?",
    ),
    "volume": (
        "The bottle holds {q} of water. How many {b} is that?",
        "A tank contains {q}; express it in {b}.",
        "The recipe uses {q} of milk. What is that in {b}?",
        "We poured {q} into the pot. How much is that in {b}?",
        "The pool has {q} of water, how many {b} is that?",
    ),
    "time": (
        "The trip took {q}. How many {b} is that?",
        "A download lasted {q}; what is that in {b}?",
        "The meeting ran for {q}. Express it in {b}.",
        "She waited {q}. How long is that in {b}?",
        "The battery lasts {q}, how many {b} is that?",
    ),
    "speed": (
        "The car was going {q}. What is that in {b}?",
        "The wind blows at {q}; how fast is that in {b}?",
        "A runner averages {q}. How many {b} is that?",
        "The train travels at {q}. Give its speed in {b}.",
        "A boat moves at {q}, what is that in {b}?",
    ),
    "storage": (
        "The file is {q}. How many {b} is that?",
        "My phone has {q} free; what is that in {b}?",
        "The download was {q} of data. Express it in {b}.",
        "This video takes up {q}. How big is it in {b}?",
        "The backup holds {q}, how many {b} is that?",
    ),
}
TEMPLATES: tuple[str, ...] = tuple(t for group in (*SHAPES.values(), *STORIES.values()) for t in group)
CAPITALS = 0.02  # the share of questions whose units are all words that are written in capitals


@dataclass(frozen=True)
class Question:
    """A generated question and what it was made of (for coverage and reports; never for answering)."""
    text: str
    answer: float
    src: Unit
    dst: Unit
    src_form: str
    dst_form: str
    shape: str
    value: float


def _format_value(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e6 else f"{value:,.0f}"


def _sample_value(rng: random.Random) -> float:
    """Mostly small integers (1-10), some decimals, a few larger values."""
    roll = rng.random()
    if roll < 0.6:
        return float(rng.randint(1, 10))
    if roll < 0.85:
        return round(rng.uniform(0.1, 10), rng.choice((1, 2)))
    return float(rng.choice((12, 15, 20, 25, 30, 40, 50, 60, 75, 100, 120, 250, 500, 1000)))


def forms(unit: Unit) -> tuple[str, ...]:
    """Every way the table lets one write a unit: forms(gram) -> ("gram", "grams", "gramme", ..., "g")."""
    return (unit.name, *unit.aliases)


def _unit_text(unit: Unit, rng: random.Random) -> str:
    """The canonical name a third of the time (as the course data writes it), otherwise any alias."""
    return unit.name if rng.random() < 1 / 3 else rng.choice(unit.aliases or (unit.name,))


def _is_word(form: str) -> bool:
    """A form whose case carries no meaning: a lower-case word ("grams", "cubic feet"), not a symbol ("Mb")."""
    return len(form) > 3 and form.islower() and form.replace(" ", "").isalpha()


def _quantity(value: str, form: str, rng: random.Random) -> str:
    """The value and its unit; short symbols are sometimes written without a space ("6kg")."""
    compact = len(form) <= 3 and " " not in form and form[0].isalpha() and rng.random() < 0.3
    return f"{value}{form}" if compact else f"{value} {form}"


def unit_pairs() -> list[tuple[Unit, Unit]]:
    """Every ordered pair of distinct units within one dimension."""
    return [(a, b) for group in dimensions().values() for a in group for b in group if a is not b]


NEAR = 1e4  # people convert between units of similar size: mostly pairs within this factor of each other
# nor do they write 13-digit values: outside the coverage plan, a distant pair whose question would need
# such a value ("500,000,000,000 ns in centuries") is drawn again, so distant pairs ask for big answers
MAX_VALUE = 1e6


def near(a: Unit, b: Unit) -> bool:
    """True when one unit is at most NEAR times the other: near(gram, kilogram) -> True, (second, century) -> False."""
    return 1 / NEAR <= a.factor / b.factor <= NEAR


def _partner(unit: Unit, rng: random.Random) -> Unit:
    """Another unit of the same dimension and of similar size (any other when none is)."""
    others = [u for u in dimensions()[unit.dimension] if u is not unit]
    return rng.choice([u for u in others if near(unit, u)] or others)


def _coverage_plan(rng: random.Random) -> list[tuple[Unit, str | None, Unit, str | None, str]]:
    """(src, src form, dst, dst form, shape) jobs that use every form of every unit as source and as
    target, and every unit in every sentence shape; a None form is drawn at random later."""
    shapes = list(SHAPES)
    jobs = []
    for unit in UNITS:
        roles = [(form, role) for form in forms(unit) for role in ("src", "dst")]
        while len(roles) < len(shapes):  # few forms: repeat them until every shape gets one
            roles.append(roles[len(roles) % (2 * len(forms(unit)))])
        offset = rng.randrange(len(shapes))
        for k, (form, role) in enumerate(roles):
            other = _partner(unit, rng)
            shape = shapes[(offset + k) % len(shapes)]
            jobs.append((unit, form, other, None, shape) if role == "src" else (other, None, unit, form, shape))
    rng.shuffle(jobs)
    return jobs


def _make_question(src: Unit, src_form: str, dst: Unit, dst_form: str, shape: str,
                   rng: random.Random) -> Question:
    value = _sample_value(rng)
    # The answer check rounds to 3 decimals, so an answer below ~0.05 could never be judged right:
    # scale such values up by a power of ten (5 um -> 5,000,000 um to km).
    if convert(value, src.name, dst.name) < 0.05:
        value = round(value * 10 ** math.ceil(math.log10(0.1 / convert(value, src.name, dst.name))), 6)
    v = _format_value(value)
    template = rng.choice(STORIES[src.dimension] if shape == "story" else SHAPES[shape])
    text = template.format(v=v, a=src_form, b=dst_form, q=_quantity(v, src_form, rng))
    if _is_word(text.split()[0]) and rng.random() < 0.5:
        text = text[0].upper() + text[1:]  # "Grams to kg: 5", as a sentence starts; never a symbol ("m" vs "M")
    if _is_word(src_form) and _is_word(dst_form) and rng.random() < CAPITALS:
        text = text.upper()  # "HOW MANY KILOGRAMS IN 10 POUNDS?"; symbols keep their case ("m" is not "M")
    return Question(text, convert(value, src.name, dst.name), src, dst, src_form, dst_form, shape, value)


def generate_question_records(n: int, seed: int, exclude: set[str] = frozenset()) -> list[Question]:
    """n distinct questions. The first ones follow a coverage plan (every form of every unit, as source
    and as target; every unit in every shape); the rest draw unit pairs, forms and shapes at random."""
    rng = random.Random(seed)
    plan = _coverage_plan(rng)
    pairs = unit_pairs()
    near_pairs = [(a, b) for a, b in pairs if near(a, b)]
    seen, out = set(exclude), []
    attempts = 0
    while len(out) < n:
        attempts += 1
        if attempts > 100 * n + 10000:
            raise RuntimeError(f"could not make {n} distinct questions; try a smaller size")
        planned = len(out) < len(plan)
        if planned:
            src, src_form, dst, dst_form, shape = plan[len(out)]
        else:
            (src, dst), src_form, dst_form, shape = (rng.choice(near_pairs if rng.random() < 0.9 else pairs), None,
                                                     None, rng.choice(list(SHAPES)))
        question = _make_question(src, src_form or _unit_text(src, rng), dst, dst_form or _unit_text(dst, rng),
                                  shape, rng)
        if question.text in seen or (not planned and question.value >= MAX_VALUE):
            continue  # the plan keeps its big values: a cubic kilometer has no partner of similar size
        seen.add(question.text)
        out.append(question)
    return out


def generate_questions(n: int, seed: int, exclude: set[str] = frozenset()) -> list[list]:
    """n distinct [question, answer] pairs, as the data files hold them."""
    return [[q.text, q.answer] for q in generate_question_records(n, seed, exclude)]


def split_records(train_size: int = 4000, valid_size: int = 1000, seed: int = 0) -> tuple[list[Question], list[Question]]:
    """(train, valid) as `generate` writes them: valid first with seed + 1, then train without valid's questions."""
    valid = generate_question_records(valid_size, seed=seed + 1)
    train = generate_question_records(train_size, seed=seed, exclude={q.text for q in valid})
    return train, valid


def _write_json(path: Path, rows) -> None:
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(rows, indent=1) + "\n")
    tmp.replace(path)


def generate(train_size: int = 4000, valid_size: int = 1000, seed: int = 0, out_dir: str = "data") -> None:
    """Write data/train.json and data/valid.json: disjoint, deterministic for a seed."""
    train, valid = split_records(train_size, valid_size, seed)
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    for name, records in (("train", train), ("valid", valid)):
        path = Path(out_dir) / f"{name}.json"
        _write_json(path, [[q.text, q.answer] for q in records])
        print(f"wrote {len(records)} questions to {path}")


def coverage_gaps(records: list[Question]) -> tuple[dict, dict, list[str]]:
    """Counts of (unit, form) and (unit, shape) in these questions, and one line per gap (a count of 0)."""
    forms_used = {(u.name, f): 0 for u in UNITS for f in forms(u)}
    shapes_used = {(u.name, s): 0 for u in UNITS for s in SHAPES}
    for q in records:
        for unit, form in ((q.src, q.src_form), (q.dst, q.dst_form)):
            forms_used[unit.name, form] += 1
            shapes_used[unit.name, q.shape] += 1
    gaps = [f"form {form!r} of {unit} is never used" for (unit, form), n in forms_used.items() if n == 0]
    gaps += [f"{unit} never appears in a {shape!r} question" for (unit, shape), n in shapes_used.items() if n == 0]
    return forms_used, shapes_used, gaps


def coverage(train_size: int = 4000, valid_size: int = 1000, seed: int = 0, data_dir: str = "data") -> None:
    """Report how often train.json uses each form of each unit and each unit in each sentence shape;
    exit 1 when any form or (unit, shape) is never used, or when train.json is not this generator's output."""
    train, _ = split_records(train_size, valid_size, seed)
    path = Path(data_dir) / "train.json"
    if json.loads(path.read_text()) != [[q.text, q.answer] for q in train]:
        raise SystemExit(f"{path} is not what `generate --train_size {train_size} --valid_size {valid_size} "
                         f"--seed {seed}` writes; regenerate it or pass the sizes it was made with")
    forms_used, shapes_used, gaps = coverage_gaps(train)
    print(f"{path}: {len(train)} questions, {len(UNITS)} units, {len(forms_used)} forms, {len(SHAPES)} shapes")
    print("unit: form count ... | " + " ".join(SHAPES))
    for unit in UNITS:
        form_counts = ", ".join(f"{f} {forms_used[unit.name, f]}" for f in forms(unit))
        shape_counts = " ".join(str(shapes_used[unit.name, s]) for s in SHAPES)
        print(f"{unit.name}: {form_counts} | {shape_counts}")
    for gap in gaps:
        print(f"gap: {gap}")
    if gaps:
        raise SystemExit(f"{len(gaps)} coverage gaps in {path}")
    print("every form of every unit is used, and every unit appears in every shape")


def questions(output_json: str, n: int = 2000, seed: int = 7, exclude: str = "data/valid.json") -> None:
    """Write n more [question, answer] pairs (e.g. for datagen), none of them in the `exclude` file."""
    excluded = {row[0] for row in json.loads(Path(exclude).read_text())} if exclude else set()
    path = Path(output_json)
    _write_json(path, generate_questions(n, seed=seed, exclude=excluded))
    print(f"wrote {n} questions to {path}")


if __name__ == "__main__":
    import fire

    fire.Fire({"generate": generate, "questions": questions, "coverage": coverage})
