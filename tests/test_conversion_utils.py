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
