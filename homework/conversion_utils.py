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
    _u("millimeter", "length", 0.001, "millimeters", "millimetre", "millimetres", "mm"),
    _u("micrometer", "length", 1e-6, "micrometers", "micrometre", "micrometres", "micron", "microns", "um", "µm"),
    _u("nanometer", "length", 1e-9, "nanometers", "nanometre", "nanometres", "nm"),
    _u("inch", "length", INCH_M, "inches", "in"),
    _u("foot", "length", 12 * INCH_M, "feet", "ft"),
    _u("yard", "length", 36 * INCH_M, "yards", "yd"),
    _u("mile", "length", 63360 * INCH_M, "miles", "mi"),
    _u("nautical mile", "length", 1852.0, "nautical miles", "nmi"),
    # mass
    _u("kilogram", "mass", 1.0, "kilograms", "kilo", "kilos", "kg", "kgs"),
    _u("gram", "mass", 1e-3, "grams", "gramme", "grammes", "g"),
    _u("milligram", "mass", 1e-6, "milligrams", "mg"),
    _u("microgram", "mass", 1e-9, "micrograms", "µg", "mcg", "ug"),
    _u("metric ton", "mass", 1000.0, "metric tons", "tonne", "tonnes", "ton", "tons", "t"),
    _u("pound", "mass", POUND_KG, "pounds", "lb", "lbs"),
    _u("ounce", "mass", POUND_KG / 16, "ounces", "oz"),
    _u("stone", "mass", 14 * POUND_KG, "stones", "st"),
    # volume (US customary liquid measures)
    _u("liter", "volume", 1.0, "liters", "litre", "litres", "l", "L"),
    _u("milliliter", "volume", 1e-3, "milliliters", "millilitre", "millilitres", "ml", "mL"),
    _u("cubic meter", "volume", 1000.0, "cubic meters", "cubic metre", "cubic metres", "m^3", "m3", "m**3"),
    _u("cubic centimeter", "volume", 1e-3, "cubic centimeters", "cubic centimetre", "cubic centimetres",
       "cm^3", "cm3", "cm**3", "cc"),
    _u("gallon", "volume", GALLON_L, "gallons", "gal"),
    _u("quart", "volume", GALLON_L / 4, "quarts", "qt"),
    _u("pint", "volume", GALLON_L / 8, "pints", "pt"),
    _u("cup", "volume", GALLON_L / 16, "cups"),
    _u("fluid ounce", "volume", GALLON_L / 128, "fluid ounces", "fl oz", "fl. oz."),
    _u("tablespoon", "volume", GALLON_L / 256, "tablespoons", "tbsp"),
    _u("teaspoon", "volume", GALLON_L / 768, "teaspoons", "tsp"),
    _u("cubic inch", "volume", INCH_M**3 * 1000, "cubic inches", "in^3", "in3", "cu in"),
    _u("cubic foot", "volume", (12 * INCH_M) ** 3 * 1000, "cubic feet", "ft^3", "ft3", "cu ft"),
    # time
    _u("second", "time", 1.0, "seconds", "sec", "secs", "s"),
    _u("millisecond", "time", 1e-3, "milliseconds", "ms"),
    _u("microsecond", "time", 1e-6, "microseconds", "µs", "us"),
    _u("nanosecond", "time", 1e-9, "nanoseconds", "ns"),
    _u("minute", "time", 60.0, "minutes", "min", "mins"),
    _u("hour", "time", 3600.0, "hours", "hr", "hrs", "h"),
    _u("day", "time", 86400.0, "days", "d"),
    _u("week", "time", 7 * 86400.0, "weeks", "wk", "wks"),
    _u("month", "time", YEAR_S / 12, "months", "mo"),
    _u("year", "time", YEAR_S, "years", "yr", "yrs"),
    _u("decade", "time", 10 * YEAR_S, "decades"),
    _u("century", "time", 100 * YEAR_S, "centuries"),
    # speed
    _u("meter per second", "speed", 1.0, "meters per second", "metres per second", "m/s", "mps"),
    _u("kilometer per hour", "speed", 1000 / 3600, "kilometers per hour", "kilometres per hour",
       "km/h", "kmh", "kph", "km/hr"),
    _u("mile per hour", "speed", 63360 * INCH_M / 3600, "miles per hour", "mph", "mi/h", "mi/hr"),
    _u("foot per second", "speed", 12 * INCH_M, "feet per second", "ft/s", "fps"),
    _u("inch per second", "speed", INCH_M, "inches per second", "in/s", "ips"),
    _u("centimeter per second", "speed", 0.01, "centimeters per second", "cm/s"),
    _u("knot", "speed", 1852 / 3600, "knots", "kn", "kt"),
    # digital storage (decimal prefixes: 1 kB = 1000 B; "M" and "G" alone mean MB and GB)
    _u("bit", "storage", 1 / 8, "bits", "b"),
    _u("byte", "storage", 1.0, "bytes", "B"),
    _u("kilobyte", "storage", 1e3, "kilobytes", "kB", "KB", "kb", "K"),
    _u("megabyte", "storage", 1e6, "megabytes", "MB", "mb", "M"),
    _u("gigabyte", "storage", 1e9, "gigabytes", "GB", "gb", "G"),
    _u("terabyte", "storage", 1e12, "terabytes", "TB", "tb"),
    _u("petabyte", "storage", 1e15, "petabytes", "PB"),
    _u("kilobit", "storage", 1e3 / 8, "kilobits", "kbit", "Kbit"),
    _u("megabit", "storage", 1e6 / 8, "megabits", "Mbit", "Mb"),
    _u("gigabit", "storage", 1e9 / 8, "gigabits", "Gbit", "Gb"),
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


def units_in(text: str) -> list[Unit]:
    """Candidate units named in a text, in order of appearance ("in" may be inches), for deriving
    training targets that are then checked against the answer; never used at answer time.

    units_in("How many gram are there per 6 kg?") -> [gram, kilogram]
    """
    found = []
    for match in _ALIAS_PATTERN.finditer(text):
        unit = _BY_NAME[match.group(0)]
        if unit not in found:
            found.append(unit)
    return found


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

# How people type conversion questions. {v} is the value, {a} the source unit, {b} the target unit.
TEMPLATES: tuple[str, ...] = (
    "How many {b} are there per {v} {a}?",
    "How many {b} are in {v} {a}?",
    "How many {b} is {v} {a}?",
    "Convert {v} {a} to {b}.",
    "convert {v} {a} to {b}",
    "Convert {v} {a} into {b}.",
    "What is {v} {a} in {b}?",
    "What is the measurement of {v} {a} when converted into {b}?",
    "How does {v} {a} measure in {b}?",
    "Can you tell me how many {b} are in {v} {a}?",
    "Could you convert {v} {a} to {b}?",
    "Please convert {v} {a} to {b}.",
    "What is the equivalent of {v} {a} in {b}?",
    "{v} {a} is how many {b}?",
    "{v} {a} = ? {b}",
    "{v} {a} to {b}",
    "{v} {a} in {b}",
    "How much is {v} {a} in {b}?",
    "Express {v} {a} in {b}.",
    "If I have {v} {a}, how many {b} do I have?",
    "What do {v} {a} equal in {b}?",
    "I need to know how many {b} are in {v} {a}.",
    "Change {v} {a} to {b}.",
    "What's {v} {a} in {b}?",
    "how many {b} in {v} {a}",
    "Turn {v} {a} into {b}, please.",
    "Give me {v} {a} expressed in {b}.",
    "What would {v} {a} be in {b}?",
    "Tell me the number of {b} in {v} {a}.",
    "Find how many {b} make up {v} {a}.",
    "{v} {a} equals how many {b}?",
    "Determine the value of {v} {a} in {b}.",
)


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


def _unit_text(unit: Unit, rng: random.Random) -> str:
    """The canonical name most of the time (as the course data writes it), otherwise an alias."""
    return unit.name if rng.random() < 0.5 else rng.choice(unit.aliases or (unit.name,))


def unit_pairs() -> list[tuple[Unit, Unit]]:
    """Every ordered pair of distinct units within one dimension."""
    return [(a, b) for group in dimensions().values() for a in group for b in group if a is not b]


def generate_questions(n: int, seed: int, exclude: set[str] = frozenset()) -> list[list]:
    """n distinct [question, answer] pairs; the first pass walks every unit pair once, in random order."""
    rng = random.Random(seed)
    pairs = unit_pairs()
    order = rng.sample(pairs, len(pairs))
    seen, out = set(exclude), []
    attempts = 0
    while len(out) < n:
        attempts += 1
        if attempts > 100 * n + 10000:
            raise RuntimeError(f"could not make {n} distinct questions; try a smaller size")
        src, dst = order[len(out) % len(order)] if len(out) < len(order) else rng.choice(pairs)
        value = _sample_value(rng)
        # The answer check rounds to 3 decimals, so an answer below ~0.05 could never be
        # judged right: scale such values up by a power of ten (5 um -> 5,000,000 um to km).
        if convert(value, src.name, dst.name) < 0.05:
            value = round(value * 10 ** math.ceil(math.log10(0.1 / convert(value, src.name, dst.name))), 6)
        question = rng.choice(TEMPLATES).format(v=_format_value(value), a=_unit_text(src, rng), b=_unit_text(dst, rng))
        if question in seen:
            continue
        seen.add(question)
        out.append([question, convert(value, src.name, dst.name)])
    return out


def generate(train_size: int = 1000, valid_size: int = 1000, seed: int = 0, out_dir: str = "data") -> None:
    """Write data/train.json and data/valid.json: disjoint, deterministic for a seed."""
    valid = generate_questions(valid_size, seed=seed + 1)
    train = generate_questions(train_size, seed=seed, exclude={q for q, _ in valid})
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    for name, rows in (("train", train), ("valid", valid)):
        path = Path(out_dir) / f"{name}.json"
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(rows, indent=1) + "\n")
        tmp.replace(path)
        print(f"wrote {len(rows)} questions to {path}")


def questions(output_json: str, n: int = 2000, seed: int = 7, exclude: str = "data/valid.json") -> None:
    """Write n more [question, answer] pairs (e.g. for datagen), none of them in the `exclude` file."""
    excluded = {row[0] for row in json.loads(Path(exclude).read_text())} if exclude else set()
    path = Path(output_json)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(generate_questions(n, seed=seed, exclude=excluded), indent=1) + "\n")
    tmp.replace(path)
    print(f"wrote {n} questions to {path}")


if __name__ == "__main__":
    import fire

    fire.Fire({"generate": generate, "questions": questions})
