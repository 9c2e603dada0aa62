"""How people write a quantity's number, both ways: the generator writes "seven", "half a", "2 1/2",
".5", "1,500", "2.5e3", "2½", "3,5", "twenty thousand", "3k" or "minus 10"; the training-target
derivation reads them back into the numeral the model should write ("7", "0.5", "(2+1/2)", "0.5",
"1,500", "2.5e3", "(2+1/2)", "3.5", "20e3", "3e3", "-10"), and reads compound values ("5 ft 8 in",
"5'8\"") back into their parts.

Never used at answer time: the model reads the question and writes the numeral itself.
"""

import math
import random
import re
from fractions import Fraction

from ..conversion_utils import Unit, lookup, unit_spans, units_behind, units_in

ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
        "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty")
TENS = {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
WORD_VALUES = {**{w: i for i, w in enumerate(ONES) if i}, **TENS, "a dozen": 12, "a hundred": 100,
               "one hundred": 100, "a thousand": 1000, "one thousand": 1000, "two dozen": 24,
               "two hundred": 200, "five hundred": 500, "a million": 1e6}
# fractions said in words, each before a singular unit ("half a litre") or a plural one ("one and a half miles")
FRACTION_WORDS_SINGULAR = {"half a": 0.5, "half an": 0.5, "a half": 0.5, "a quarter of a": 0.25,
                           "a quarter of an": 0.25, "three quarters of a": 0.75, "three quarters of an": 0.75,
                           "a third of a": Fraction(1, 3), "a third of an": Fraction(1, 3),
                           "two thirds of a": Fraction(2, 3), "two thirds of an": Fraction(2, 3),
                           "an eighth of a": 0.125, "an eighth of an": 0.125}
VALUE_FORMS = ("digits", "article", "words", "fraction", "fraction-words", "leading-dot", "thousands",
               "scientific", "unicode-fraction", "decimal-comma", "scale", "negative", "compound")
# the forms write_value does not write: "digits" (the generator's own) and "compound" (two units, generator.py)
# How often a drawn question writes its value each way. Digits stay the most common (the course writes
# them), the rest are how people type when they do not; a compound value is drawn with its units (the
# generator's compounds share).
VALUE_FORM_SHARE = {"digits": 0.5, "article": 0.1, "words": 0.08, "fraction": 0.04, "fraction-words": 0.04,
                    "leading-dot": 0.03, "thousands": 0.03, "scientific": 0.03, "unicode-fraction": 0.04,
                    "decimal-comma": 0.04, "scale": 0.03, "negative": 0.0, "compound": 0.0}
# temperature values are written as digits, signed or not, or as words; nothing else reads naturally
TEMPERATURE_FORMS = {"digits": 0.6, "negative": 0.25, "decimal-comma": 0.08, "words": 0.07}
UNICODE_FRACTIONS = {"½": (1, 2), "¼": (1, 4), "¾": (3, 4), "⅓": (1, 3), "⅔": (2, 3), "⅛": (1, 8), "⅜": (3, 8),
                     "⅝": (5, 8), "⅞": (7, 8)}
SCALES = {"thousand": 3, "million": 6, "billion": 9, "trillion": 12}
# what stands before a scale word, as said: "twenty thousand", "a quarter million", "half a million"
SCALE_WORDS = {**{w: i for i, w in enumerate(ONES) if i}, **TENS, "a": 1, "one": 1, "half a": 0.5,
               "a quarter": 0.25, "a quarter of a": 0.25, "three quarters of a": 0.75, "a few": None}
SCALE_WORDS.pop("a few")
# a spoken number below a thousand, or in hundreds up to 1900 ("fifteen hundred"), as the words before a
# scale too: "two hundred fifty thousand", "twenty-five thousand", "three and a half million"
_SMALL = "|".join(sorted([*ONES[1:], *TENS], key=len, reverse=True))
_BELOW_HUNDRED = rf"(?:(?:twenty|{'|'.join(TENS)})[- ](?:{'|'.join(ONES[1:10])})|{_SMALL})"
SPOKEN = rf"(?:(?:{_SMALL}|a|one) hundred(?:(?: and)? {_BELOW_HUNDRED})?|{_BELOW_HUNDRED})"
SINGULAR_FORMS = ("article", "fraction-words")  # the value takes a singular unit: "a quart", "half a litre"
AND_PARTS = {"a half": 0.5, "a quarter": 0.25, "three quarters": 0.75}  # "one and a half", "two and three quarters"


def numeral(value: float | Fraction) -> str:
    """The numeral the model writes for a value read from words: 7 -> "7", 0.25 -> "0.25", 1/3 -> "(1/3)"."""
    if isinstance(value, Fraction) and value.denominator not in (1, 2, 4, 5, 8):
        whole, part = divmod(value, 1)
        return f"({part.numerator}/{part.denominator})" if not whole else f"({whole}+{part.numerator}/{part.denominator})"
    return f"{float(value):g}"


def article(word: str) -> str:
    """'an' before a vowel sound, else 'a': article("hour") -> "an", article("kilogram") -> "a"."""
    return "an" if word[0].lower() in "aeio" or word.lower().startswith(("hour", "um")) else "a"


def say(number: int, rng: random.Random) -> str:
    """A whole number below 2000 as people say it: 45 -> "forty-five", 340 -> "three hundred and forty" or
    "three hundred forty", 1500 -> "fifteen hundred", 120 -> "a hundred and twenty" or "one hundred twenty"."""
    if number <= 20:
        return ONES[number]
    if number < 100:
        tens, ones = divmod(number, 10)
        word = next(w for w, v in TENS.items() if v == tens * 10) if tens > 2 else ONES[20]
        return word if not ones else f"{word}-{ONES[ones]}"
    hundreds, rest = divmod(number, 100)
    head = f"{rng.choice(('a', 'one')) if hundreds == 1 else ONES[hundreds]} hundred"
    return head if not rest else f"{head}{rng.choice((' and ', ' '))}{say(rest, rng)}"


def spoken_value(phrase: str) -> float:
    """The value of a phrase SPOKEN matches: "three hundred and forty" -> 340.0, "fifteen hundred" -> 1500.0."""
    value = 0
    for word in phrase.lower().replace("-", " ").split():
        if word == "hundred":
            value *= 100
        elif word in ("a", "one"):
            value += 1
        elif word != "and":
            value += TENS.get(word) or ONES.index(word)
    return float(value)


def sample_value(rng: random.Random, unit: Unit | None = None) -> float:
    """Mostly small integers (1-10), some decimals, a few larger values; temperatures as people meet them."""
    if unit is not None and unit.dimension == "temperature":
        kelvin = unit.offset > 100  # a temperature in kelvin is never small
        return float(rng.randint(200, 400) if kelvin else rng.choice(
            (rng.randint(0, 40), rng.randint(40, 110), rng.choice((100, 212, 350, 180, 400, 37, 98.6, 0.5, 451)))))
    roll = rng.random()
    if roll < 0.6:
        return float(rng.randint(1, 10))
    if roll < 0.85:
        return round(rng.uniform(0.1, 10), rng.choice((1, 2)))
    return float(rng.choice((12, 15, 20, 25, 30, 40, 50, 60, 75, 100, 120, 250, 500, 1000)))


def format_value(value: float, rng: random.Random) -> str:
    """A value as people write it: digits below a million; above, as a scale word or in scientific
    notation ("800 trillion", "8e14"), never thirteen digits with separators, which nobody types and the
    model cannot copy (it repeats ",000" without end: 1 of 10 such valid questions right)."""
    if abs(value) < 1e6:
        return f"{value:g}"
    exponent = 3 * int(math.log10(abs(value)) // 3)
    words = {e: w for w, e in SCALES.items()}
    if exponent in words and rng.random() < 0.5:
        return f"{value / 10 ** exponent:g} {words[exponent]}"
    exponent = int(math.floor(math.log10(abs(value))))
    return f"{value / 10 ** exponent:g}e{exponent}"


def write_value(form: str, rng: random.Random, unit_word: str) -> tuple[str, float]:
    """(how the value is written, its value) in one of VALUE_FORMS, "digits" excepted (the generator's own).

    unit_word is the unit as the question writes it, for the article: ("article", rng, "hour") -> ("an hour"...).
    The returned text includes the unit for the singular forms, which wrap it ("half a litre"), and not otherwise.
    """
    if form == "article":
        word = rng.choice((article(unit_word), article(unit_word), "one"))
        return f"{word} {unit_word}", 1.0
    if form == "fraction-words":
        phrase = rng.choice([p for p in FRACTION_WORDS_SINGULAR
                             if p == "a half" or p.endswith(f" {article(unit_word)}")])
        return f"{phrase} {unit_word}", float(FRACTION_WORDS_SINGULAR[phrase])
    if form == "words":
        roll = rng.random()
        if roll < 0.15:  # "one and a half", "two and a quarter"
            whole = rng.randint(1, 5)
            part, value = rng.choice(list(AND_PARTS.items()))
            return f"{ONES[whole]} and {part}", whole + value
        if roll < 0.35:  # "three hundred and forty", "fifteen hundred", "sixty-two"
            number = rng.choice((rng.randint(21, 99), rng.randint(101, 999), rng.randint(11, 19) * 100))
            return say(number, rng), float(number)
        word = rng.choice([w for w in WORD_VALUES if WORD_VALUES[w] != 1 and WORD_VALUES[w] < 1e6])
        if rng.random() < 0.2 and word in TENS:  # "forty-five"
            unit = rng.randint(1, 9)
            return f"{word}-{ONES[unit]}", float(TENS[word] + unit)
        return word, float(WORD_VALUES[word])
    if form == "fraction":
        denominator = rng.choice((2, 2, 4, 4, 3, 8))
        numerator = rng.choice([k for k in range(1, denominator) if math.gcd(k, denominator) == 1])
        whole = rng.choice((0, 0, 1, 2, 3, 5))
        text = f"{numerator}/{denominator}" if not whole else f"{whole} {numerator}/{denominator}"
        return text, whole + numerator / denominator
    if form == "leading-dot":
        digits = rng.choice(("5", "25", "75", "1", "2", "3", "4", "6", "8", "125", "05"))
        return f".{digits}", float(f"0.{digits}")
    if form == "thousands":
        value = rng.choice((rng.randint(1, 99) * 100, rng.randint(1000, 99999), rng.randint(1, 20) * 250))
        value = max(value, 1000)
        return f"{value:,}", float(value)
    if form == "unicode-fraction":  # "¾", "2½", "2 ½"
        glyph = rng.choice(("½", "½", "¼", "¾", "¾", "⅓", "⅔", "⅛"))
        whole = rng.choice((0, 0, 1, 2, 3, 5))
        num, den = UNICODE_FRACTIONS[glyph]
        text = glyph if not whole else f"{whole}{rng.choice(('', ' '))}{glyph}"
        return text, whole + num / den
    if form == "decimal-comma":  # "3,5", "0,25": one or two decimals, so never a thousands separator
        whole, decimals = rng.choice((0, 1, 2, 3, 5, 7, 12, 25)), rng.choice(("5", "25", "75", "2", "4", "8", "1"))
        return f"{whole},{decimals}", float(f"{whole}.{decimals}")
    if form == "scale":  # "twenty thousand", "2.5 million", "a billion", "3k"
        roll = rng.random()
        if roll < 0.2:
            mantissa = rng.choice((2, 3, 5, 10, 20, 50, 100, 250, 1.5))
            return f"{mantissa:g}k", mantissa * 1e3
        scale = rng.choice(("thousand", "thousand", "million", "million", "billion"))
        if roll < 0.45:
            word = rng.choice([w for w in SCALE_WORDS if SCALE_WORDS[w] < 60])
            return f"{word} {scale}", SCALE_WORDS[word] * 10.0 ** SCALES[scale]
        if roll < 0.55:  # "two hundred fifty thousand", "twenty-five thousand", "three and a half million"
            if rng.random() < 0.3:
                whole, (part, share) = rng.randint(1, 9), rng.choice(list(AND_PARTS.items()))
                return f"{ONES[whole]} and {part} {scale}", (whole + share) * 10.0 ** SCALES[scale]
            tens = rng.randint(21, 99)  # drawn before the hundreds: the seeded data files rest on this order
            number = rng.choice((tens, rng.randint(1, 9) * 100 + rng.choice((0, 50, 25, rng.randint(1, 99)))))
            return f"{say(number, rng)} {scale}", number * 10.0 ** SCALES[scale]
        mantissa = rng.choice((1.5, 2, 2.5, 3, 4, 7.5, 10, 12, 25, 40, 150))
        return f"{mantissa:g} {scale}", mantissa * 10.0 ** SCALES[scale]
    if form == "negative":  # "-40", "minus 10", "−5"
        value = rng.choice((rng.randint(1, 60), rng.choice((40, 10, 5, 20, 30, 2, 15)), round(rng.uniform(0.5, 50), 1)))
        sign = rng.choice(("-", "-", "-", "minus ", "negative ", "−"))
        return f"{sign}{value:g}", -float(value)
    if form == "scientific":
        mantissa = rng.choice((1, 1.5, 2, 2.5, 3, 4, 5, 7.5))
        exponent = rng.choice((-3, -2, 2, 3, 4, 5))
        return f"{mantissa:g}e{exponent}", mantissa * 10.0**exponent
    raise ValueError(f"unknown value form {form!r}; expected one of {', '.join(VALUE_FORMS[1:-1])}")


# ---------------------------------------------------------------- reading a question's number back

_DIGITS = r"(?<![\w^*.])(?:\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?|\.\d+)"
_NUMBER = re.compile(_DIGITS)
_MIXED = re.compile(r"(?<![\w^*./])(\d+) (\d+)/(\d+)(?![\w/])")
_FRACTION = re.compile(r"(?<![\w^*./])(\d+)/(\d+)(?![\w/])")


def parse_number(written: str) -> float:
    """A number as a question writes it, thousands separators dropped: parse_number("2,500") -> 2500.0."""
    return float(written.replace(",", ""))


def _word_pattern(words) -> re.Pattern:
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z-])(?:{alternatives})(?![A-Za-z])", re.IGNORECASE)


_AND_PART = re.compile(rf"(?<![A-Za-z])({'|'.join(ONES[1:])}) and ({'|'.join(AND_PARTS)})(?![A-Za-z])",
                       re.IGNORECASE)
_SPOKEN_PATTERN = _word_pattern(FRACTION_WORDS_SINGULAR)
_NUMBER_WORD_PATTERN = _word_pattern(WORD_VALUES)
_ARTICLE_PATTERN = re.compile(r"(?<![A-Za-z])(?:a|an|one|per)(?= [A-Za-z])", re.IGNORECASE)
_GLYPHS = "".join(UNICODE_FRACTIONS)
_UNICODE = re.compile(rf"(?<![\w.])(?:(\d+) ?)?([{_GLYPHS}])")
_DECIMAL_COMMA = re.compile(r"(?<![\w.,])(\d+),(\d{1,2})(?![\d,])")
_SCALE_WORDED = re.compile(
    rf"(?<![A-Za-z-])((?:{'|'.join(ONES[1:10])}) and (?:{'|'.join(AND_PARTS)})|{SPOKEN}|"
    rf"{'|'.join(re.escape(w) for w in sorted(SCALE_WORDS, key=len, reverse=True))}) "
    rf"({'|'.join(SCALES)})(?![A-Za-z])", re.IGNORECASE)
_SPOKEN = re.compile(rf"(?<![A-Za-z-]){SPOKEN}(?![A-Za-z-])", re.IGNORECASE)
_SCALE_DIGITS = re.compile(rf"(?<![\w.,])(\d+(?:\.\d+)?) ?({'|'.join(SCALES)})(?![A-Za-z])", re.IGNORECASE)
_THOUSANDS_K = re.compile(r"(?<![\w.,])(\d+(?:\.\d+)?)[kK](?![A-Za-z])")  # "3k", shouted "3K"
_NEGATIVE = re.compile(r"(?<![\w.])(?:-|−|minus |negative )(\d+(?:\.\d+)?)(?![\d])", re.IGNORECASE)


def _before_scale(words: str) -> float | Fraction:
    """What the words before a scale word count: "twenty" -> 20, "a quarter" -> 0.25, "two hundred fifty" ->
    250, "three and a half" -> 3.5."""
    words = words.lower()
    if words in SCALE_WORDS:
        return SCALE_WORDS[words]
    whole, _, part = words.partition(" and ")
    if part in AND_PARTS and whole in ONES:
        return ONES.index(whole) + AND_PARTS[part]
    return spoken_value(words)


def _scaled(mantissa: str, exponent: int) -> tuple[str, float]:
    """A scale word as the model writes it: ("20", 3) -> ("20e3", 20000.0)."""
    return f"{mantissa}e{exponent}", float(mantissa) * 10.0**exponent


def quantity_candidates(question: str) -> list[tuple[str, float]]:
    """Every (numeral the model should write, value) a question may mean, most specific first.

    For deriving training targets only; units_behind then keeps the one whose conversion gives the answer.
    quantity_candidates("How many cups are in half a gallon?")[0] -> ("0.5", 0.5)
    quantity_candidates("Convert 3 1/2 days to hours")[0] -> ("(3+1/2)", 3.5)
    """
    found: list[tuple[str, float]] = []  # by kind, the most specific first: "3 1/2" before "3", "one and a half" before "one"
    for match in _SCALE_WORDED.finditer(question):
        found.append(_scaled(numeral(_before_scale(match.group(1))), SCALES[match.group(2).lower()]))
    for match in _SCALE_DIGITS.finditer(question):
        found.append(_scaled(match.group(1), SCALES[match.group(2).lower()]))
    for match in _THOUSANDS_K.finditer(question):
        found.append(_scaled(match.group(1), 3))
    for match in _UNICODE.finditer(question):
        num, den = UNICODE_FRACTIONS[match.group(2)]
        whole = int(match.group(1) or 0)
        found.append((f"({whole}+{num}/{den})" if whole else f"({num}/{den})", whole + num / den))
    for match in _DECIMAL_COMMA.finditer(question):
        found.append((f"{match.group(1)}.{match.group(2)}", float(f"{match.group(1)}.{match.group(2)}")))
    for match in _NEGATIVE.finditer(question):
        found.append((f"-{match.group(1)}", -float(match.group(1))))
    for match in _MIXED.finditer(question):
        whole, num, den = (int(g) for g in match.groups())
        if den:
            found.append((f"({whole}+{num}/{den})", whole + num / den))
    for match in _FRACTION.finditer(question):
        num, den = int(match.group(1)), int(match.group(2))
        if den:
            found.append((f"({num}/{den})", num / den))
    for match in _AND_PART.finditer(question):
        value = ONES.index(match.group(1).lower()) + AND_PARTS[match.group(2).lower()]
        found.append((numeral(value), value))
    for match in _SPOKEN.finditer(question):  # "forty-five", "three hundred and forty", "fifteen hundred"
        if " " in match.group(0) or "-" in match.group(0):
            value = spoken_value(match.group(0))
            found.append((numeral(value), value))
    for match in _SPOKEN_PATTERN.finditer(question):
        value = FRACTION_WORDS_SINGULAR[match.group(0).lower()]
        found.append((numeral(value), float(value)))
    for match in _NUMBER.finditer(question):
        written = match.group(0)
        found.append((f"0{written}" if written.startswith(".") else written, parse_number(written)))
    for match in _NUMBER_WORD_PATTERN.finditer(question):
        value = WORD_VALUES[match.group(0).lower()]
        found.append((numeral(value), float(value)))
    for match in _ARTICLE_PATTERN.finditer(question):
        found.append(("1", 1.0))
    return [(text, value) for text, value in found if math.isfinite(value)]


def reading_behind(question: str, answer: float) -> tuple[str, float, Unit, Unit] | None:
    """The first of quantity_candidates whose value two units of the question turn into the answer:
    (numeral, value, source, target), or None. For training targets and reports only.

    reading_behind("How many cups are in a quart?", 4.0) -> ("1", 1.0, quart, cup)
    """
    for written, value in quantity_candidates(question):
        units = units_behind(question, value, answer)
        if units:
            return written, value, *units
    return None


# ---------------------------------------------------------------- compound values: "5 ft 8 in", "5'8\""

# compound values: a unit and the smaller one people write after it ("5 ft 8 in"), with how many of the
# smaller make one of the larger
COMPOUNDS = {"foot": ("inch", 12), "meter": ("centimeter", 100), "mile": ("yard", 1760), "pound": ("ounce", 16),
             "kilogram": ("gram", 1000), "stone": ("pound", 14), "hour": ("minute", 60), "minute": ("second", 60),
             "day": ("hour", 24), "week": ("day", 7), "year": ("month", 12), "liter": ("milliliter", 1000),
             "gallon": ("quart", 4), "cup": ("tablespoon", 16)}


def write_compound(big: Unit, rng: random.Random, unit_text) -> tuple[str, float]:
    """(a compound value as people write it, its value in `big`): "5 ft 8 in", "5'8\"", "2 weeks and 3 days",
    "1 h 20 min 30 s"; unit_text(unit, rng) picks how each unit is written."""
    small_name, ratio = COMPOUNDS[big.name]
    small = lookup(small_name)
    whole = rng.randint(1, 9)
    part = rng.randint(1, ratio - 1) if ratio <= 60 else rng.randint(1, 19) * (ratio // 20)
    value = whole + part / ratio
    if big.name == "foot" and rng.random() < 0.35:
        return rng.choice((f"{whole}'{part}\"", f"{whole}' {part}\"", f"{whole}′{part}″", f"{whole}'{part}")), value
    joiner = rng.choice((" ", " ", ", ", " and "))
    text = f"{whole} {unit_text(big, rng)}{joiner}{part} {unit_text(small, rng)}"
    if small_name in COMPOUNDS and rng.random() < 0.25:  # three parts: "1 h 20 min 30 s"
        smallest, second_ratio = COMPOUNDS[small_name]
        third = rng.randint(1, second_ratio - 1)
        text += f"{rng.choice((' ', ' and ', ', '))}{third} {unit_text(lookup(smallest), rng)}"
        value += third / ratio / second_ratio
    return text, value

_PART_NUMBER = re.compile(r"(?<![\w.,])(\d+(?:\.\d+)?) ?$")
_JOINER = re.compile(r"^ ?(?:,|and|, and|&|\+)? ?$")
_FEET_INCHES = re.compile(r"(?<![\w.])(\d+) ?['′’] ?(\d+(?:\.\d+)?) ?(?:\"|″|''|”)?")


def compound_parts(question: str) -> list[list[tuple[str, float, Unit]]]:
    """Runs of two or three (numeral, value, unit) parts of one dimension written one after another:
    "5 ft 8 in in cm" -> [[("5", 5.0, foot), ("8", 8.0, inch)]]. For training targets only."""
    runs = [[(m.group(1), float(m.group(1)), lookup("foot")), (m.group(2), float(m.group(2)), lookup("inch"))]
            for m in _FEET_INCHES.finditer(question)]
    parts = []  # (start of the number, end of the unit, part)
    for start, end, unit in unit_spans(question):
        number = _PART_NUMBER.search(question[:start])
        if number and not (parts and start < parts[-1][1]):
            parts.append((number.start(), end, (number.group(1), float(number.group(1)), unit)))
    run = []
    for start, end, part in parts:
        if run and (_JOINER.match(question[run[-1][1]:start]) and part[2].dimension == run[-1][2][2].dimension
                    and part[2] not in {p[2][2] for p in run} and len(run) < 3):
            run.append((start, end, part))
            continue
        if len(run) > 1:
            runs.append([p[2] for p in run])
        run = [(start, end, part)]
    if len(run) > 1:
        runs.append([p[2] for p in run])
    return runs


def compound_behind(question: str, answer: float) -> tuple[list[tuple[str, float, Unit]], Unit] | None:
    """(parts, target unit) of a compound value that the target turns into the answer, or None.
    compound_behind("5 ft 8 in in cm", 172.72) -> ([("5", 5.0, foot), ("8", 8.0, inch)], centimeter)"""
    for parts in compound_parts(question):
        base = sum(unit.to_base(value) for _, value, unit in parts)
        for dst in units_in(question):
            if dst.dimension == parts[0][2].dimension and math.isclose(dst.from_base(base), answer, rel_tol=1e-6):
                return parts, dst
    return None
