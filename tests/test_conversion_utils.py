import pint
import pytest

from homework import conversion_utils as cu

UREG = pint.UnitRegistry()
UREG.define("homework_year = 365.2422 * day")  # our convention; pint's year is 365.25 days
UREG.define("homework_month = homework_year / 12")
UREG.define("homework_acre = 43560 * foot ** 2")  # the international acre; pint's acre is the US survey one

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
    "degree Celsius": "degC", "degree Fahrenheit": "degF", "kelvin": "kelvin",
    "square millimeter": "mm**2", "square centimeter": "cm**2", "square meter": "m**2", "square kilometer": "km**2",
    "square inch": "inch**2", "square foot": "foot**2", "square yard": "yard**2", "square mile": "mile**2",
    "hectare": "hectare", "acre": "homework_acre",
    "joule": "J", "kilojoule": "kJ", "megajoule": "MJ", "calorie": "cal", "kilocalorie": "kcal",
    "watt hour": "watt_hour", "kilowatt hour": "kWh", "British thermal unit": "Btu",
    "watt": "W", "kilowatt": "kW", "megawatt": "MW", "horsepower": "hp",
    "pascal": "Pa", "hectopascal": "hPa", "kilopascal": "kPa", "megapascal": "MPa", "bar": "bar",
    "millibar": "mbar", "atmosphere": "atm", "pound per square inch": "psi", "millimeter of mercury": "mmHg",
    "hertz": "Hz", "kilohertz": "kHz", "megahertz": "MHz", "gigahertz": "GHz",
    "radian": "radian", "degree": "degree", "turn": "turn",
    "bit per second": "bit/s", "kilobit per second": "kbit/s", "megabit per second": "Mbit/s",
    "gigabit per second": "Gbit/s", "byte per second": "B/s", "kilobyte per second": "kB/s",
    "megabyte per second": "MB/s", "gigabyte per second": "GB/s",
    "newton": "N", "kilonewton": "kN", "pound-force": "lbf", "kilogram-force": "kgf",
    "kilometer per liter": "km/L", "mile per gallon": "mile/gallon",
    "liter per 100 kilometers": "L/(100 km)",
}


def test_every_unit_has_a_pint_cross_check():
    assert set(PINT) == {u.name for u in cu.UNITS}


def pint_factor(unit: str, base: str) -> float:
    """How many `base` one `unit` is, computed by pint from its own definitions."""
    return (1 * UREG(PINT[unit])).to(UREG(PINT[base]).units).magnitude / UREG(PINT[base]).magnitude


def pint_convert(value: float, unit: str, target: str) -> float:
    """value in unit, converted by pint; offsets (temperature) and the inverse litres per 100 km included."""
    src, dst = PINT[unit], PINT[target]
    if "100 km" in src:  # pint has no inverse relation: L/(100 km) -> km/L first
        return pint_convert(100 / value, "kilometer per liter", target)
    if "100 km" in dst:
        return 100 / pint_convert(value, unit, "kilometer per liter")
    quantity = UREG.Quantity(value * UREG(src).magnitude, UREG(src).units)
    return quantity.to(UREG(dst).units).magnitude / UREG(dst).magnitude


@pytest.mark.parametrize("unit", sorted(PINT))
def test_each_unit_agrees_with_pint_on_its_base_unit_factor(unit):
    dimension = cu.lookup(unit).dimension
    base = cu.base_unit(dimension).name
    for value in (1, 3.5, -20) if dimension == "temperature" else (1, 3.5):
        assert cu.convert(value, unit, base) == pytest.approx(pint_convert(value, unit, base), rel=1e-9)


@pytest.mark.parametrize("a,b", [(a.name, b.name) for a, b in cu.unit_pairs()
                                 if a.dimension in ("temperature", "fuel economy")])
def test_affine_and_inverse_pairs_agree_with_pint(a, b):
    for value in (-40, 0.5, 37, 400) if cu.lookup(a).dimension == "temperature" else (0.5, 8, 35):
        assert cu.convert(value, a, b) == pytest.approx(pint_convert(value, a, b), rel=1e-9, abs=1e-9), (value, a, b)


def test_every_linear_pair_converts_through_the_base_unit():
    """With every unit checked against pint once, a linear pair must be the ratio of the two factors."""
    for a, b in cu.unit_pairs():
        if a.relation == b.relation == "linear":
            assert cu.convert(3, a.name, b.name) == pytest.approx(3 * a.factor / b.factor, rel=1e-12), (a.name, b.name)


def test_conventions_against_pints_own_definitions():
    # year: the tropical year, pint's tropical_year (pint's plain year is the Julian 365.25 days)
    assert cu.convert(1, "year", "day") == pytest.approx(365.2422)
    assert cu.convert(1, "year", "day") == pytest.approx(UREG("tropical_year").to("day").magnitude, rel=1e-6)
    assert UREG("year").to("day").magnitude == pytest.approx(365.25), "pint's year is not ours"
    # month: a twelfth of the year, as pint defines its month from its year
    assert cu.convert(1, "month", "year") == pytest.approx(1 / 12)
    assert UREG("month").to("year").magnitude == pytest.approx(1 / 12)
    # storage: decimal prefixes (kB = 1000 B, as pint's SI prefixes), binary ones only as KiB, MiB...
    assert cu.convert(1, "kB", "B") == UREG("kB").to("byte").magnitude == 1000
    assert cu.convert(1, "KiB", "B") == UREG("KiB").to("byte").magnitude == 1024
    assert cu.convert(1, "B", "bit") == 8
    # ton: the metric ton, pint's tonne (pint's ton is the short ton, 2000 lb)
    assert cu.convert(1, "ton", "kg") == UREG("tonne").to("kg").magnitude == 1000
    assert UREG("ton").to("lb").magnitude == pytest.approx(2000), "pint's ton is not ours"


def test_conventions():
    assert cu.convert(1, "KB", "byte") == 1000
    assert cu.convert(1, "M", "kB") == 1000 and cu.convert(1, "G", "MB") == 1000
    assert cu.convert(1, "tonne", "kg") == 1000
    assert cu.convert(1, "gallon", "pint") == pytest.approx(8)
    assert cu.convert(1, "MiB", "KiB") == 1024


@pytest.mark.parametrize("alias,name", [("m", "meter"), ("M", "megabyte"), ("g", "gram"), ("G", "gigabyte"),
                                        ("b", "bit"), ("B", "byte"), ("Mb", "megabit"), ("MB", "megabyte"),
                                        ("mb", "megabyte"), ("Kb", "kilobit"), ("KB", "kilobyte"), ("K", "kelvin"),
                                        ("C", "degree Celsius"), ("°F", "degree Fahrenheit"), ("°", "degree"),
                                        ("Mbps", "megabit per second"), ("MB/s", "megabyte per second"),
                                        ("Mb/s", "megabit per second"), ("Cal", "kilocalorie"), ("cal", "calorie"),
                                        ("m²", "square meter"), ("ft³", "cubic foot"), ("W", "watt"),
                                        ("MW", "megawatt"), ("N", "newton"),
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
        "speed": "meter per second", "storage": "byte", "temperature": "degree Celsius", "area": "square meter",
        "energy": "joule", "power": "watt", "pressure": "pascal", "frequency": "hertz", "angle": "radian",
        "data rate": "byte per second", "force": "newton", "fuel economy": "kilometer per liter"}


@pytest.mark.parametrize("question,pair", [
    ("How many liters are in a meter?", ("liter", "meter")),
    ("Turn 5 kg into liters, please.", ("kilogram", "liter")),
    ("bar to bytes: 5", ("bar", "byte")),  # an everyday word counts when nothing else makes a pair
    ("How many kg in 5 in?", ("kilogram", "inch")),
    ("How many grams are there per 6 kg?", None),
])
def test_refusal_pair_names_the_two_dimensions_a_question_mixes(question, pair):
    found = cu.refusal_pair(question)
    assert (found and (found[0].name, found[1].name)) == pair


def test_look_alike_units_share_a_word_but_for_a_prefix_or_start_a_symbol():
    """The refusals a model gets wrong are between units it reads as one: "watts in a kilowatt hour"."""
    alike = [("watt", "kilowatt hour"), ("second", "meter per second"), ("kilowatt", "kWh"), ("MB", "MB/s"),
             ("meter", "square kilometer"), ("hp", "hPa"), ("gallon", "mpg")]
    assert all(cu.look_alike(cu.lookup(a), cu.lookup(b)) for a, b in alike)
    assert all(cu.look_alike(cu.lookup(b), cu.lookup(a)) for a, b in alike)
    unlike = [("liter", "meter"), ("gram", "byte"), ("hour", "joule"), ("square meter", "square foot")]
    assert not any(cu.look_alike(cu.lookup(a), cu.lookup(b)) for a, b in unlike)
