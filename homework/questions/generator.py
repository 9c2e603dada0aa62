"""The question generator: conversion questions with exact answers, as people type them.

A question is a sentence shape (templates.py) filled with two units of one dimension, in any
form the unit table allows, and a value written as people write it (quantities.py: "6",
"a quart", "seven", "1/2", "half a litre", ".5", "1,500", "2.5e3"); some carry noise (noise.py:
a mistyped unit word, or the whole question in capitals). A coverage plan first uses every form of
every unit, every unit in every shape and every value form; the rest is drawn at random.
The command lines that write data/*.json are in commands.py.
"""

import math
import random
import re
from collections import Counter
from dataclasses import dataclass

from ..conversion_utils import (COURSE_DIMENSIONS, UNITS, Unit, convert_units, dimensions as all_dimensions, forms,
                               is_word, lookup, refusal_pair)
from .noise import SHORTEST_TYPO, TYPOS, can_shout, typo_in
from .quantities import (COMPOUNDS, SINGULAR_FORMS, TEMPERATURE_FORMS, VALUE_FORM_SHARE, VALUE_FORMS,
                         article, compound_behind, format_value, sample_value, write_compound, write_value)
from .alike import DEFAULT_TWIN_KINDS, twin_kinds as twins_of_kinds
from .refusals import LOOSE_NAMES, confusable, confused, look_alikes, stranger
from .templates import PER, SHAPES, STORIES, TEMPLATES  # noqa: F401 (TEMPLATES: part of the API)

# how often a question carries each kind of noise (how often a value is written each way: quantities.py)
NOISE = ("none", "typo", "capitals")
NOISE_SHARE = {"typo": 0.07, "capitals": 0.06}
# the units people ask about most ("cups in a quart", "kg in pounds"): the everyday share of a file draws
# its pairs among these only
EVERYDAY = ("meter", "kilometer", "centimeter", "millimeter", "inch", "foot", "yard", "mile", "kilogram", "gram",
            "milligram", "metric ton", "pound", "ounce",
            "liter", "milliliter", "gallon", "quart", "pint", "cup", "fluid ounce", "tablespoon", "teaspoon",
            "second", "minute", "hour", "day", "week", "year",
            "meter per second", "kilometer per hour", "mile per hour",
            "byte", "kilobyte", "megabyte", "gigabyte", "terabyte")
NEAR = 1e4  # people convert between units of similar size: mostly pairs within this factor of each other
# nor do they write 13-digit values: outside the coverage plan, a distant pair whose question would need
# such a value ("500,000,000,000 ns in centuries") is drawn again, so distant pairs ask for big answers
MAX_VALUE = 1e6


@dataclass(frozen=True)
class Question:
    """A generated question and what it was made of (for coverage and reports; never for answering)."""
    text: str
    answer: float | None
    src: Unit
    dst: Unit
    src_form: str
    dst_form: str
    shape: str
    value: float
    value_form: str = "digits"
    noise: str = "none"
    # answer is None for a question between two dimensions: no conversion exists, the model must say so


def near(a: Unit, b: Unit) -> bool:
    """True when one unit is at most NEAR times the other: near(gram, kilogram) -> True, (second, century) -> False."""
    return 1 / NEAR <= a.factor / b.factor <= NEAR


def is_plural(form: str, unit: Unit) -> bool:
    """A word form that is another form plus a plural ending: ("meters per second", m/s) -> True, ("kg", kg) -> False."""
    head = form.split(" per ")[0]
    others = {f.split(" per ")[0] for f in forms(unit) if f != form}
    return is_word(form) and (head in {"feet", "cubic feet", "millennia"}
                              or any(head in (o + "s", o + "es", o[:-1] + "ies") for o in others))


def singular_forms(unit: Unit) -> list[str]:
    """Forms that read after "a" or "half a": words not plural ("quart", "litre")."""
    return [f for f in forms(unit) if is_word(f) and not is_plural(f, unit)] or [unit.name]


def applies(value_form: str, unit: Unit) -> bool:
    """Whether a value form reads naturally with this source unit: "minus 10" only for a temperature,
    "5 ft 8 in" only after a unit of COMPOUNDS, a temperature only as TEMPERATURE_FORMS."""
    if unit.dimension == "temperature":
        return value_form in TEMPERATURE_FORMS
    if unit.dimension == "fuel economy":  # "a mile per gallon" or "twenty thousand mpg" is nobody's car
        return value_form in ("digits", "words", "decimal-comma", "fraction", "unicode-fraction")
    return value_form != "negative" and (value_form != "compound" or unit.name in COMPOUNDS)


def _unit_text(unit: Unit, rng: random.Random) -> str:
    """The canonical name a third of the time (as the course data writes it), otherwise any alias; for a
    unit of LOOSE_NAMES, a third of the time the loose name."""
    if unit.name in LOOSE_NAMES and rng.random() < 1 / 3:
        return rng.choice(LOOSE_NAMES[unit.name])
    return unit.name if rng.random() < 1 / 3 else rng.choice(unit.aliases or (unit.name,))


def _symbol_text(unit: Unit, rng: random.Random) -> str:
    """A symbol that still names this unit when shouted ("g", "lb", "qt"), else any form: people who
    type in capitals often type symbols, and "CONVERT 250 G TO OZ" must read G as grams."""
    symbols = [f for f in forms(unit) if not is_word(f) and can_shout(f, unit)]
    return rng.choice(symbols) if symbols else _unit_text(unit, rng)


def _quantity(value: str, form: str, rng: random.Random) -> str:
    """The value and its unit; short symbols are sometimes written without a space ("6kg"), never after a
    word ("2 trillion pts")."""
    compact = value[-1].isdigit() and (len(form) <= 3 and " " not in form and form[0].isalpha() and rng.random() < 0.3
                                       or form[0] in "°º" and rng.random() < 0.6)  # "20°C" more than "20 °C"
    return f"{value}{form}" if compact else f"{value} {form}"


def _partner(unit: Unit, rng: random.Random, scope: dict[str, list[Unit]]) -> Unit:
    """Another unit of the same dimension and of similar size (any other when none is)."""
    others = [u for u in scope[unit.dimension] if u is not unit]
    return rng.choice([u for u in others if near(unit, u)] or others)


def _coverage_plan(rng: random.Random, scope: dict[str, list[Unit]], refusals: bool
                   ) -> list[tuple[Unit, str | None, Unit, str | None, str, str]]:
    """(src, src form, dst, dst form, shape, value form) jobs that use every form of every unit as source
    and as target, every unit in every sentence shape, every unit with every value form that applies to
    it and, with refusals, every unit once in a question with no answer; a None form is drawn later."""
    shapes = list(SHAPES)
    jobs = []
    for unit in (u for group in scope.values() for u in group):
        roles = [(form, role) for form in forms(unit) for role in ("src", "dst")]
        while len(roles) < len(shapes):  # few forms: repeat them until every shape gets one
            roles.append(roles[len(roles) % (2 * len(forms(unit)))])
        offset = rng.randrange(len(shapes))
        for k, (form, role) in enumerate(roles):
            other = _partner(unit, rng, scope)
            shape = shapes[(offset + k) % len(shapes)]
            jobs.append((unit, form, other, None, shape, "digits") if role == "src"
                        else (other, None, unit, form, shape, "digits"))
        if not any(near(unit, u) for u in scope[unit.dimension] if u is not unit):
            # no partner of similar size ("cubic kilometer"): as a target it needs a 13-digit value, which
            # is drawn nowhere else (MAX_VALUE), so it is asked as a target once more in every shape
            jobs += [(_partner(unit, rng, scope), None, unit, None, shape, "digits") for shape in shapes]
        for value_form in VALUE_FORMS[1:]:
            if applies(value_form, unit):
                # a compound value's partner is its smaller part's unit, which no compound outgrows
                partner = lookup(COMPOUNDS[unit.name][0]) if value_form == "compound" else _partner(unit, rng, scope)
                jobs.append((unit, None, partner, None, rng.choice(shapes), value_form))
        if refusals and len(scope) > 1 and (other := stranger(unit, rng, scope)):
            jobs.append((unit, None, other, None, rng.choice(shapes), "digits"))
    rng.shuffle(jobs)
    return jobs


def _scope(dimensions: tuple[str, ...] | None) -> dict[str, list[Unit]]:
    """The units of the dimensions asked about (None: all), by dimension; a clear error where none is."""
    scope = {d: units for d, units in all_dimensions().items() if dimensions is None or d in dimensions}
    if not scope:
        raise ValueError(f"no unit has one of the dimensions {dimensions}; known: {', '.join(all_dimensions())}")
    return scope


def plan_size(dimensions: tuple[str, ...] | None = None, refusals: bool = False) -> int:
    """How many questions the coverage plan asks first (2823 for all 16 dimensions with refusals); the
    shares of drawn questions (everyday, twins...) apply only after them."""
    return len(_coverage_plan(random.Random(0), _scope(dimensions), refusals))


def _draw(share: dict[str, float], rng: random.Random) -> str:
    return rng.choices(list(share), weights=list(share.values()))[0]


def _make_question(src: Unit, src_form: str, dst: Unit, dst_form: str, shape: str, value_form: str,
                   noise: str, rng: random.Random, typos: tuple[str, ...] = TYPOS,
                   shortest_typo: int = SHORTEST_TYPO) -> Question:
    refusal = src.dimension != dst.dimension
    linear = not refusal and src.relation == dst.relation == "linear"
    if value_form == "digits":
        value = sample_value(rng, src)
        # The answer check rounds to 3 decimals, so an answer below ~0.05 could never be judged right:
        # scale such values up by a power of ten (5 um -> 5,000,000 um to km).
        if linear and convert_units(value, src, dst) < 0.05:
            value = round(value * 10 ** math.ceil(math.log10(0.1 / convert_units(value, src, dst))), 6)
        v = format_value(value, rng)
        q = _quantity(v, src_form, rng)
    else:
        if linear and convert_units(1, src, dst) < 0.2:  # "a millisecond in seconds" is below what the check can judge
            src, src_form, dst, dst_form = dst, dst_form, src, src_form
            value_form = value_form if applies(value_form, src) else "digits"
            return _make_question(src, src_form, dst, dst_form, shape, value_form, noise, rng, typos, shortest_typo)
        if value_form in SINGULAR_FORMS:
            src_form = rng.choice(singular_forms(src))
        if value_form == "compound":
            v, value = write_compound(src, rng, _unit_text)
            q = v
        else:
            v, value = write_value(value_form, rng, src_form)
            q = v if value_form in SINGULAR_FORMS else _quantity(v, src_form, rng) if value_form == "negative" \
                else f"{v} {src_form}"
        if shape == "units-first" and (value_form in SINGULAR_FORMS or value_form == "compound"):
            shape = "what-is"  # "quart to cups: a" reads badly; the value stands with its unit
    if value_form == "article" and rng.random() < 0.3:
        template, shape = rng.choice(PER), "per"
    else:
        template = rng.choice(STORIES[src.dimension] if shape == "story" else SHAPES[shape])
    other = rng.choice((rng.randint(1990, 2026), rng.randint(2, 99), rng.randint(100, 999))) if "{n}" in template else 0
    text = template.format(v=v, a=src_form, an=f"{article(src_form)} {src_form}", b=dst_form, q=q, n=other)
    if value_form == "article":
        text = re.sub(r"\b(per|Per) an? ", r"\1 ", text)  # "how many cups per quart", not "per a quart"
    if noise == "typo":
        text, noise = typo_in(text, [f for f in (src_form, dst_form) if is_word(f)], rng, typos, shortest_typo)
    first = text.split()[0]
    if (is_word(first) or first.isalpha() and v.startswith(first)) and rng.random() < 0.5:
        text = text[0].upper() + text[1:]  # "Grams to kg: 5", as a sentence starts; never a symbol ("m" vs "M")
    if noise == "capitals":
        if can_shout(src_form, src) and can_shout(dst_form, dst):
            text = text.upper()  # "WHAT IS 12 QT IN GAL?"
        else:
            noise = "none"  # "Mb" shouted is "MB", another unit of the same dimension
    answer = None if refusal else convert_units(value, src, dst)
    return Question(text, answer, src, dst, src_form, dst_form, shape, value, value_form, noise)


def _readable(question: Question) -> bool:
    """Whether the training target can be derived from [text, answer] alone: a refusal's two units are
    the ones refusal_pair finds, a compound value reads back into its parts."""
    if question.answer is None:
        pair = refusal_pair(question.text)
        return pair is not None and set(pair) == {question.src, question.dst}
    if question.value_form == "compound":
        return compound_behind(question.text, question.answer) is not None
    return True


class _Drawer:
    """Draws the unit pair of a question that is not in the coverage plan."""

    def __init__(self, scope: dict[str, list[Unit]], everyday: float, refusals: float, course_share: float,
                 compounds: float, twins: float, twin_kinds: tuple[str, ...] = DEFAULT_TWIN_KINDS):
        self.scope, self.everyday, self.refusals, self.compounds, self.twins = scope, everyday, refusals, compounds, twins
        self.twin_kinds = twins_of_kinds(scope, EVERYDAY, twin_kinds)  # "Mb in 3 MB", "terabits in 4 tb"...
        self.compound_units = [u for group in scope.values() for u in group if u.name in COMPOUNDS]
        self.foot = next((u for u in self.compound_units if u.name == "foot"), None)
        self.look_alikes = look_alikes(scope)  # half the refusals: "watts in a kilowatt hour", "MB in 3 MB/s"
        self.confused = confusable(scope, EVERYDAY)  # the other half of the rest: "grams in a cup"
        pairs = [(a, b) for group in scope.values() for a in group for b in group if a is not b]
        course = [(a, b) for a, b in pairs if a.dimension in COURSE_DIMENSIONS]
        other = [(a, b) for a, b in pairs if a.dimension not in COURSE_DIMENSIONS]
        # the course's dimensions by pair (volume has the most), the others evenly by dimension
        self.course_share = course_share if course and other else 1.0 if course else 0.0
        self.course = (course, [p for p in course if near(*p)])
        self.other: dict[str, tuple[list, list]] = {}
        for a, b in other:
            self.other.setdefault(a.dimension, ([], []))[0].append((a, b))
            if near(a, b):
                self.other[a.dimension][1].append((a, b))
        self.everyday_pairs: dict[str, list] = {}  # by dimension, drawn evenly: volume has 4x mass's pairs
        for a, b in self.course[1]:
            if a.name in EVERYDAY and b.name in EVERYDAY:
                self.everyday_pairs.setdefault(a.dimension, []).append((a, b))

    def compound(self, rng: random.Random) -> tuple[Unit, Unit] | None:
        """A pair whose source takes a compound value ("5 ft 8 in" to cm), for a share of the draws."""
        if self.compound_units and rng.random() < self.compounds:
            # a height ("5'8\"", "5 ft 11 in") is the compound people ask about most: a third of them
            src = self.foot if self.foot and rng.random() < 1 / 3 else rng.choice(self.compound_units)
            return src, rng.choice([u for u in self.scope[src.dimension] if near(src, u)])
        return None

    def twin(self, rng: random.Random) -> tuple[str, tuple[Unit, str, Unit, str]] | None:
        """(kind, (src, form, dst, form)) of two units a reader takes for each other (alike.py), for a share."""
        kind = rng.choice(list(self.twin_kinds)) if self.twins and self.twin_kinds and rng.random() < self.twins else None
        return (kind, rng.choice(self.twin_kinds[kind])) if kind else None

    def pair(self, rng: random.Random) -> tuple[Unit, Unit]:
        if self.refusals and rng.random() < self.refusals and len(self.scope) > 1:
            if self.look_alikes and rng.random() < 0.5:
                src = rng.choice(list(self.look_alikes))
                return src, rng.choice(self.look_alikes[src])
            if self.confused and rng.random() < 0.5:  # "grams in a cup", "3 kg to gallons": mass beside volume
                src = rng.choice(self.confused)
                if other := confused(src, rng, self.scope, set(EVERYDAY)):
                    return (src, other) if rng.random() < 0.5 else (other, src)
            src = rng.choice(self.scope[rng.choice(sorted(self.scope))])
            if other := stranger(src, rng, self.scope):
                return src, other
        if self.everyday and self.everyday_pairs and rng.random() < self.everyday:
            return rng.choice(self.everyday_pairs[rng.choice(sorted(self.everyday_pairs))])
        every, close = self.course if rng.random() < self.course_share else self.other[rng.choice(sorted(self.other))]
        return rng.choice(close if rng.random() < 0.9 else every)


def generate_question_records(n: int, seed: int, exclude: set[str] = frozenset(),
                              noise_share: dict[str, float] | None = None,
                              shouted_symbols: float = 0.0, everyday: float = 0.0,
                              plan: bool = True, typo_kinds: tuple[str, ...] = TYPOS,
                              shortest_typo: int = SHORTEST_TYPO, dimensions: tuple[str, ...] | None = None,
                              refusals: float = 0.0, course_share: float = 0.5, compounds: float = 0.0,
                              twins: float = 0.0, value_forms: dict[str, float] | None = None,
                              twin_kinds: tuple[str, ...] = DEFAULT_TWIN_KINDS) -> list[Question]:
    """n distinct questions. The first ones follow a coverage plan (every form of every unit, as source
    and as target; every unit in every shape and with every value form that applies); the rest draw unit
    pairs, forms, shapes, value forms and noise at random (noise_share: {"typo": p, "capitals": q}, else
    NOISE_SHARE). dimensions: the dimensions asked about (None: all). course_share: the share of drawn
    questions in the course's six dimensions, the rest spread evenly over the others.
    refusals: the share of drawn questions between two dimensions, which have no answer (answer None);
    above 0 the plan also asks every unit once so. compounds: the share of drawn questions whose value
    is compound ("5 ft 8 in", "2 weeks and 3 days"); twins the share between two units a reader takes for each
    other, of twin_kinds (alike.py: "Mb in 3 MB?", "terabits in 4 tb", "Ounces in 3 pounds?", "5 CM/S TO KN").
    shouted_symbols: the share of drawn questions in capitals whose units are written as symbols
    ("HOW MANY G IN 2 LB?"); value_forms: weights that replace VALUE_FORM_SHARE's for drawn questions
    ({"scale": 0.06}); everyday: the share of drawn questions whose two units are both EVERYDAY
    units. plan=False skips the coverage plan: every question is drawn, so the shares above hold for the
    whole file. typo_kinds: the slips a typo may be (noise.TYPOS; MORE_TYPOS adds the key row above or below
    and sounds spelled otherwise, "quartz", "gramz"; ALL_TYPOS also an extra key, "meteres"); shortest_typo:
    the shortest unit word that gets one (4 lets "feet" become "fete")."""
    noise_share = NOISE_SHARE if noise_share is None else noise_share
    scope = _scope(dimensions)
    rng = random.Random(seed)
    jobs = _coverage_plan(rng, scope, refusals > 0) if plan else []
    drawer = _Drawer(scope, everyday, refusals, course_share, compounds, twins, twin_kinds)
    value_shares = {**VALUE_FORM_SHARE, **(value_forms or {})}
    seen, out = set(exclude), []
    attempts = job_attempts = 0
    while len(out) < n:
        attempts += 1
        if attempts > 100 * n + 10000:
            raise RuntimeError(f"could not make {n} distinct questions; try a smaller size")
        planned = bool(jobs)
        if planned:
            job_attempts += 1
            if job_attempts > 200:
                raise RuntimeError(f"the coverage plan's job {jobs[0]} never makes a question")
            twin_kind, (src, src_form, dst, dst_form, shape, value_form) = None, jobs[0]
        else:
            compound, twin = drawer.compound(rng), drawer.twin(rng)
            (src, dst), src_form, dst_form, shape = compound or drawer.pair(rng), None, None, rng.choice(list(SHAPES))
            twin_kind = twin[0] if twin and not compound else None
            if twin_kind:
                src, src_form, dst, dst_form = twin[1]
            value_form = "compound" if compound else _draw(
                TEMPERATURE_FORMS if src.dimension == "temperature" else value_shares, rng)
            if not applies(value_form, src) or value_form == "compound" and src.dimension != dst.dimension \
                    or twin_kind and value_form in SINGULAR_FORMS:  # "a megabyte in Mb" would lose the twin's "MB"
                value_form = "digits"
        noise = _draw({**noise_share, "none": 1 - sum(noise_share.values())}, rng)
        if twin_kind == "shouted":
            noise = "capitals"  # "9 CM/S TO KN": knots beside a speed
        if not planned and noise == "capitals" and shouted_symbols and rng.random() < shouted_symbols:
            src_form, dst_form = _symbol_text(src, rng), _symbol_text(dst, rng)
        question = _make_question(src, src_form or _unit_text(src, rng), dst, dst_form or _unit_text(dst, rng),
                                  shape, value_form, noise, rng, typo_kinds, shortest_typo)
        too_big = not planned and question.value >= MAX_VALUE and question.value_form != "scale"
        if question.text in seen or too_big or not _readable(question) or (
                question.answer is not None and abs(question.answer) < 0.05):
            continue  # the plan keeps its big values: a cubic kilometer has no partner of similar size
        seen.add(question.text)
        out.append(question)
        if planned:
            jobs.pop(0)
            job_attempts = 0
    return out


def generate_questions(n: int, seed: int, exclude: set[str] = frozenset(), **options) -> list[list]:
    """n distinct [question, answer] pairs, as the data files hold them (answer None: no conversion
    exists); options as generate_question_records."""
    return [[q.text, q.answer] for q in generate_question_records(n, seed, exclude, **options)]


def split_records(train_size: int = 6000, valid_size: int = 1000, seed: int = 0,
                  dimensions: tuple[str, ...] | None = COURSE_DIMENSIONS) -> tuple[list[Question], list[Question]]:
    """(train, valid) as `generate` writes them: valid first with seed + 1, then train without valid's
    questions; both in the course's six dimensions unless dimensions says otherwise."""
    valid = generate_question_records(valid_size, seed=seed + 1, dimensions=dimensions)
    train = generate_question_records(train_size, seed=seed, exclude={q.text for q in valid}, dimensions=dimensions)
    return train, valid


def coverage_gaps(records: list[Question], dimensions: tuple[str, ...] | None = None) -> tuple[dict, dict, list[str]]:
    """Counts of (unit, form) and (unit, shape) in these questions, and one line per gap (a count of 0):
    also every value form that applies and every kind of noise must appear with every dimension, and,
    where any question has no answer, every dimension in one of those."""
    units = [u for u in UNITS if dimensions is None or u.dimension in dimensions]
    forms_used = {(u.name, f): 0 for u in units for f in forms(u)}
    shapes_used = {(u.name, s): 0 for u in units for s in SHAPES}
    for q in records:
        for unit, form in ((q.src, q.src_form), (q.dst, q.dst_form)):
            if (unit.name, form) in forms_used:
                forms_used[unit.name, form] += 1
            if q.shape in SHAPES and (unit.name, q.shape) in shapes_used:
                shapes_used[unit.name, q.shape] += 1
    value_forms = Counter((q.src.dimension, q.value_form) for q in records if q.answer is not None)
    noises = Counter((q.src.dimension, q.noise) for q in records)
    refused = {u.dimension for q in records if q.answer is None for u in (q.src, q.dst)}
    dims = {u.dimension: [] for u in units}
    for u in units:
        dims[u.dimension].append(u)
    gaps = [f"form {form!r} of {unit} is never used" for (unit, form), n in forms_used.items() if n == 0]
    gaps += [f"{unit} never appears in a {shape!r} question" for (unit, shape), n in shapes_used.items() if n == 0]
    gaps += [f"no {dim} question writes its value as {form!r}" for dim, group in dims.items() for form in VALUE_FORMS
             if any(applies(form, u) for u in group) and not value_forms[dim, form]]
    gaps += [f"no {dim} question has noise {noise!r}" for dim in dims for noise in NOISE if not noises[dim, noise]]
    if refused:
        gaps += [f"no {dim} question is one with no answer" for dim in dims if dim not in refused]
    return forms_used, shapes_used, gaps
