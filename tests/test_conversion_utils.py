import math

import pint
import pytest
from hypothesis import given, strategies as st

from homework import conversion_utils as cu

UREG = pint.UnitRegistry()
UREG.define("homework_year = 365.2422 * day")  # our convention; pint's year is 365.25 days
UREG.define("homework_month = homework_year / 12")

# How pint writes each of our units; every unit in the table must appear here.
PINT = {
    "meter": "m", "kilometer": "km", "centimeter": "cm", "millimeter": "mm", "micrometer": "um", "nanometer": "nm",
    "decimeter": "dm", "inch": "inch", "foot": "foot", "yard": "yard", "mile": "mile", "nautical mile": "nautical_mile",
    "kilogram": "kg", "gram": "g", "milligram": "mg", "microgram": "ug", "metric ton": "metric_ton", "carat": "carat",
    "pound": "lb", "ounce": "oz", "stone": "stone",
    "liter": "L", "milliliter": "mL", "centiliter": "cL", "deciliter": "dL", "cubic meter": "m**3",
    "cubic centimeter": "cm**3", "cubic millimeter": "mm**3", "cubic kilometer": "km**3", "gallon": "gallon",
    "quart": "quart", "pint": "pint", "cup": "cup", "fluid ounce": "fluid_ounce", "tablespoon": "tablespoon",
    "teaspoon": "teaspoon", "cubic inch": "inch**3", "cubic foot": "foot**3", "cubic yard": "yard**3",
    "second": "s", "millisecond": "ms", "microsecond": "us", "nanosecond": "ns", "minute": "minute",
    "hour": "hour", "day": "day", "week": "week", "fortnight": "fortnight", "month": "homework_month", "year": "homework_year",
    "decade": "10 * homework_year", "century": "100 * homework_year",
    "millennium": "1000 * homework_year", "kilometer per second": "km/s",
    "meter per second": "m/s", "kilometer per hour": "km/hour", "mile per hour": "mile/hour",
    "foot per second": "foot/s", "inch per second": "inch/s", "centimeter per second": "cm/s", "knot": "knot",
    "bit": "bit", "byte": "byte", "kilobyte": "kB", "megabyte": "MB", "gigabyte": "GB", "terabyte": "TB",
    "petabyte": "PB", "kilobit": "kbit", "megabit": "Mbit", "gigabit": "Gbit",
    "terabit": "Tbit", "kibibyte": "KiB", "mebibyte": "MiB", "gibibyte": "GiB", "tebibyte": "TiB",
}


def test_every_unit_has_a_pint_cross_check():
    assert set(PINT) == {u.name for u in cu.UNITS}


@pytest.mark.parametrize("src,dst", [(a.name, b.name) for a, b in cu.unit_pairs()])
def test_every_factor_agrees_with_pint(src, dst):
    expected = (1 * UREG(PINT[src])).to(UREG(PINT[dst]).units).magnitude / UREG(PINT[dst]).magnitude
    assert cu.convert(1, src, dst) == pytest.approx(expected, rel=1e-9)


def test_conventions():
    assert cu.convert(1, "kB", "B") == 1000
    assert cu.convert(1, "KB", "byte") == 1000
    assert cu.convert(1, "M", "kB") == 1000 and cu.convert(1, "G", "MB") == 1000
    assert cu.convert(1, "B", "bit") == 8
    assert cu.convert(1, "year", "day") == pytest.approx(365.2422)
    assert cu.convert(1, "ton", "kg") == 1000 and cu.convert(1, "tonne", "kg") == 1000
    assert cu.convert(1, "gallon", "pint") == pytest.approx(8)
    assert cu.convert(1, "KiB", "B") == 1024 and cu.convert(1, "MiB", "KiB") == 1024


@pytest.mark.parametrize("alias,name", [("m", "meter"), ("M", "megabyte"), ("g", "gram"), ("G", "gigabyte"),
                                        ("b", "bit"), ("B", "byte"), ("Mb", "megabit"), ("MB", "megabyte"),
                                        ("mb", "megabyte"), ("Kb", "kilobit"), ("KB", "kilobyte"), ("K", "kilobyte"),
                                        ("h", "hour"), ("mm^3", "cubic millimeter"), ("mm**3", "cubic millimeter"),
                                        ("mm3", "cubic millimeter"), ("μs", "microsecond"), ("µs", "microsecond")])
def test_case_sensitive_symbols_name_the_right_unit(alias, name):
    assert cu.lookup(alias).name == name


@pytest.mark.parametrize("alias", ["m/s", "km/h", "kmh", "mph", "mi/h", "in/s", "ft/s", "cm^3", "cm**3", "cc",
                                   "mL", "l", "fl oz", "metric ton", "kgs", "Feet", "HOURS"])
def test_common_aliases_are_known(alias):
    assert cu.lookup(alias)


def test_unknown_unit_and_mixed_dimensions_raise_clear_errors():
    with pytest.raises(ValueError, match="unknown unit 'furlongs'"):
        cu.convert(1, "furlongs", "m")
    with pytest.raises(ValueError, match="cannot convert kilogram \\(mass\\) to meter \\(length\\)"):
        cu.convert(1, "kg", "m")


@given(st.floats(0.001, 1e6), st.sampled_from(cu.unit_pairs()))
def test_convert_round_trips(value, pair):
    src, dst = pair
    assert cu.convert(cu.convert(value, src.name, dst.name), dst.name, src.name) == pytest.approx(value, rel=1e-9)


@pytest.mark.parametrize("text,value", [("6 * 1000", 6000), ("4 * 3155692597.5 / 604800", 4 * 3155692597.5 / 604800),
                                        ("(1 + 2) ^ 2", 9), ("-3 * 2", -6), ("2 ** 10", 1024), ("1e3 / 4", 250)])
def test_safe_eval_evaluates_arithmetic(text, value):
    assert cu.safe_eval(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["9**9**9", "1" * 10_000, "__import__('os')", "x + 1", "[1, 2]", "1 / 0",
                                  "10 ** 400", "", "2 +", "lambda: 1", "(" * 300 + "1" + ")" * 300])
def test_safe_eval_refuses_everything_else_with_nan(text):
    assert math.isnan(cu.safe_eval(text))


@given(st.text(max_size=300))
def test_safe_eval_never_raises(text):
    result = cu.safe_eval(text)
    assert isinstance(result, float)


def test_generation_is_deterministic_disjoint_and_covers_every_pair():
    valid = cu.generate_questions(600, seed=1)
    train = cu.generate_questions(600, seed=0, exclude={q for q, _ in valid})
    assert cu.generate_questions(600, seed=1) == valid
    assert not {q for q, _ in train} & {q for q, _ in valid}
    assert len({q for q, _ in train}) == 600
    words = " ".join(q for q, _ in cu.generate_questions(len(cu.unit_pairs()), seed=3))
    for unit in cu.UNITS:
        assert any(name in words for name in (unit.name, *unit.aliases)), f"{unit.name} never asked about"
    assert len(cu.TEMPLATES) >= 25
    assert all(a >= 0.05 for _, a in train), "answers that round to 0 could never be judged right"


def test_train_json_uses_every_form_of_every_unit_in_every_shape(capsys):
    cu.coverage()  # raises SystemExit on a gap or when train.json is not the generator's output
    assert "every form of every unit is used" in capsys.readouterr().out


def test_stories_fit_the_quantity_and_capitals_never_touch_a_symbol():
    records = cu.generate_question_records(3000, seed=5)
    for q in records:
        if q.shape == "story":
            assert any(q.text.lower().startswith(t.split("{")[0].lower()) for t in cu.STORIES[q.src.dimension]), q.text
        if q.text.isupper() and any(len(word) > 3 and word.isalpha() for word in q.text.split()):  # not "7B = ? KB"
            assert cu._is_word(q.src_form) and cu._is_word(q.dst_form), q.text
            assert set(cu.units_in(q.text)) >= {q.src, q.dst}, q.text
    assert sum(q.text.isupper() and "HOW" in q.text for q in records) > 3
    # 13-digit values only where the coverage plan needs them: a cubic kilometer has no unit of similar size
    assert all(q.value < cu.MAX_VALUE or q.dst.name == "cubic kilometer" for q in records)
    assert not cu._is_word("Mb") and not cu._is_word("m") and not cu._is_word("mm^3") and cu._is_word("cubic feet")


def test_coverage_names_each_gap():
    train, _ = cu.split_records(200, 10)
    *_, gaps = cu.coverage_gaps(train)
    assert gaps and all(" is never used" in g or " never appears in a " in g for g in gaps)


def test_committed_data_matches_the_generator():
    import json
    from pathlib import Path

    data = Path(__file__).resolve().parent.parent / "data"
    valid = json.loads((data / "valid.json").read_text())
    train = json.loads((data / "train.json").read_text())
    assert valid == [list(r) for r in cu.generate_questions(1000, seed=1)]
    assert not {q for q, _ in train} & {q for q, _ in valid}
    robust = json.loads((data / "robust.json").read_text())
    assert len(robust) >= 200 and not {q for q, _ in robust} & {q for q, _ in train + valid}


@pytest.mark.parametrize("text,names", [
    ("How many gram are there per 6 kg?", ["gram", "kilogram"]),
    ("Convert 3 mph to km/h", ["mile per hour", "kilometer per hour"]),
    ("How many cubic feet in 2 gallons?", ["cubic foot", "inch", "gallon"]),  # "in" may be inches: a candidate
    ("2 in in micrometers", ["inch", "micrometer"]),
    ("What is 4 MB in bits", ["megabyte", "inch", "bit"]),
])
def test_units_in_finds_the_units_a_question_names(text, names):
    assert [u.name for u in cu.units_in(text)] == names


def test_base_units_have_factor_one():
    assert {d: cu.base_unit(d).name for d in cu.dimensions()} == {
        "length": "meter", "mass": "kilogram", "volume": "liter", "time": "second",
        "speed": "meter per second", "storage": "byte"}


def test_robust_json_is_the_hand_written_rows_with_table_answers():
    import json
    from pathlib import Path

    from benchmarks.robust_questions import build

    path = Path(__file__).resolve().parent.parent / "data" / "robust.json"
    assert json.loads(path.read_text()) == build()
