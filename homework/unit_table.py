"""The unit table: every unit the project knows, its dimension, its factor and how people write it.

Every conversion factor in the project lives in UNITS, once; conversion_utils reads it, and the
tests check each factor against pint.
"""

from dataclasses import dataclass

YEAR_S = 365.2422 * 86400
INCH_M = 0.0254
POUND_KG = 0.45359237
GALLON_L = 3.785411784


@dataclass(frozen=True)
class Unit:
    """One unit: how many base units one of it is, and every other way people write it.

    Three kinds of relation to the dimension's base unit, each with one rule for the expression the
    model writes (sft.conversion_expression):
        linear   base = value * factor                     ("6 * 1000 / 1")
        affine   base = (value - offset) * factor          temperature: ("(400 - 32) * 0.5556 / 1 + 0")
        inverse  base = factor / value                     L/100 km: ("100 / (35 * 0.4251)")
    """
    name: str  # canonical singular name, as used in generated questions
    dimension: str
    factor: float  # value of one unit in the dimension's base unit
    aliases: tuple[str, ...]  # other ways people write it (plural, symbols, ...)
    offset: float = 0.0  # affine units: the unit's reading at the base unit's zero (32 for Fahrenheit)
    inverse: bool = False  # inverse units: the base value is factor / value (litres per 100 km)

    @property
    def relation(self) -> str:
        return "inverse" if self.inverse else "affine" if self.dimension == "temperature" else "linear"

    def to_base(self, value: float) -> float:
        return self.factor / value if self.inverse else (value - self.offset) * self.factor

    def from_base(self, base: float) -> float:
        return self.factor / base if self.inverse else base / self.factor + self.offset


def _u(name, dimension, factor, *aliases):
    return Unit(name, dimension, factor, aliases)


def _square(name, plural, symbol, factor, *more):
    """An area unit in every written form: square metre(s), m², m^2, m2, sq m."""
    spelled = (f"square {plural}",) + tuple(f"square {w}" for w in more)
    return Unit(f"square {name}", "area", factor, spelled + (f"{symbol}²", f"{symbol}^2", f"{symbol}2", f"sq {symbol}"))


# Base units: length m, mass kg, volume L, time s, speed m/s, storage byte, and for the dimensions beyond
# the course's six: temperature °C, area m², energy J, power W, pressure Pa, frequency Hz, angle radian,
# data rate byte/s, force N, fuel economy km/L.
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
    _u("cubic meter", "volume", 1000.0, "cubic meters", "cubic metre", "cubic metres", "m³", "m^3", "m3", "m**3",
       "cu m"),
    _u("cubic centimeter", "volume", 1e-3, "cubic centimeters", "cubic centimetre", "cubic centimetres",
       "cm³", "cm^3", "cm3", "cm**3", "cc", "cu cm"),
    _u("cubic millimeter", "volume", 1e-6, "cubic millimeters", "cubic millimetre", "cubic millimetres",
       "mm³", "mm^3", "mm3", "mm**3", "cu mm"),
    _u("cubic kilometer", "volume", 1e12, "cubic kilometers", "cubic kilometre", "cubic kilometres",
       "km³", "km^3", "km3", "km**3"),
    _u("gallon", "volume", GALLON_L, "gallons", "gal", "gals"),
    _u("quart", "volume", GALLON_L / 4, "quarts", "qt", "qts"),
    _u("pint", "volume", GALLON_L / 8, "pints", "pt", "pts"),
    _u("cup", "volume", GALLON_L / 16, "cups"),
    _u("fluid ounce", "volume", GALLON_L / 128, "fluid ounces", "fl oz", "fl. oz."),
    _u("tablespoon", "volume", GALLON_L / 256, "tablespoons", "tbsp"),
    _u("teaspoon", "volume", GALLON_L / 768, "teaspoons", "tsp"),
    _u("cubic inch", "volume", INCH_M**3 * 1000, "cubic inches", "in³", "in^3", "in3", "in**3", "cu in"),
    _u("cubic foot", "volume", (12 * INCH_M) ** 3 * 1000, "cubic feet", "ft³", "ft^3", "ft3", "ft**3", "cu ft"),
    _u("cubic yard", "volume", (36 * INCH_M) ** 3 * 1000, "cubic yards", "yd³", "yd^3", "yd3", "yd**3", "cu yd"),
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
    _u("kilobyte", "storage", 1e3, "kilobytes", "kB", "KB", "kb"),
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
    # temperature (affine: base °C)
    Unit("degree Celsius", "temperature", 1.0, ("degrees Celsius", "degrees celsius", "celsius", "Celsius", "°C",
         "ºC", "C", "deg C", "degC", "centigrade")),
    Unit("degree Fahrenheit", "temperature", 5 / 9, ("degrees Fahrenheit", "degrees fahrenheit", "fahrenheit",
         "Fahrenheit", "°F", "ºF", "F", "deg F", "degF"), offset=32.0),
    Unit("kelvin", "temperature", 1.0, ("kelvins", "Kelvin", "K"), offset=273.15),
    # area (base m²)
    _square("millimeter", "millimeters", "mm", 1e-6, "millimetre", "millimetres"),
    _square("centimeter", "centimeters", "cm", 1e-4, "centimetre", "centimetres"),
    _square("meter", "meters", "m", 1.0, "metre", "metres"),
    _square("kilometer", "kilometers", "km", 1e6, "kilometre", "kilometres"),
    _square("inch", "inches", "in", INCH_M**2),
    _square("foot", "feet", "ft", (12 * INCH_M) ** 2),
    _square("yard", "yards", "yd", (36 * INCH_M) ** 2),
    _square("mile", "miles", "mi", (63360 * INCH_M) ** 2),
    _u("hectare", "area", 1e4, "hectares", "ha"),
    _u("acre", "area", 4046.8564224, "acres", "ac"),
    # energy (base J)
    _u("joule", "energy", 1.0, "joules", "J"),
    _u("kilojoule", "energy", 1e3, "kilojoules", "kJ"),
    _u("megajoule", "energy", 1e6, "megajoules", "MJ"),
    _u("calorie", "energy", 4.184, "calories", "cal"),
    _u("kilocalorie", "energy", 4184.0, "kilocalories", "kcal", "Cal", "Calories"),
    _u("watt hour", "energy", 3600.0, "watt hours", "watt-hour", "watt-hours", "Wh"),
    _u("kilowatt hour", "energy", 3.6e6, "kilowatt hours", "kilowatt-hour", "kilowatt-hours", "kWh"),
    _u("British thermal unit", "energy", 1055.056, "British thermal units", "BTU", "Btu", "btu"),
    # power (base W)
    _u("watt", "power", 1.0, "watts", "W"),
    _u("kilowatt", "power", 1e3, "kilowatts", "kW"),
    _u("megawatt", "power", 1e6, "megawatts", "MW"),
    _u("horsepower", "power", 745.6998715822702, "hp"),
    # pressure (base Pa)
    _u("pascal", "pressure", 1.0, "pascals", "Pa"),
    _u("hectopascal", "pressure", 100.0, "hectopascals", "hPa"),
    _u("kilopascal", "pressure", 1e3, "kilopascals", "kPa"),
    _u("megapascal", "pressure", 1e6, "megapascals", "MPa"),
    _u("bar", "pressure", 1e5, "bars"),
    _u("millibar", "pressure", 100.0, "millibars", "mbar"),
    _u("atmosphere", "pressure", 101325.0, "atmospheres", "atm"),
    _u("pound per square inch", "pressure", POUND_KG * 9.80665 / INCH_M**2, "pounds per square inch", "psi"),
    _u("millimeter of mercury", "pressure", 133.322387415, "millimeters of mercury", "millimetres of mercury",
       "mmHg", "mm Hg"),
    # frequency (base Hz)
    _u("hertz", "frequency", 1.0, "Hz"),
    _u("kilohertz", "frequency", 1e3, "kHz"),
    _u("megahertz", "frequency", 1e6, "MHz"),
    _u("gigahertz", "frequency", 1e9, "GHz"),
    # angle (base radian)
    _u("radian", "angle", 1.0, "radians", "rad"),
    _u("degree", "angle", 3.141592653589793 / 180, "degrees", "deg", "°"),
    _u("turn", "angle", 2 * 3.141592653589793, "turns", "revolution", "revolutions", "rev"),
    # data rate (base byte/s; bits as in storage: "Mb/s" and "Mbps" are megabits, "MB/s" megabytes)
    _u("bit per second", "data rate", 1 / 8, "bits per second", "bit/s", "bps", "b/s"),
    _u("kilobit per second", "data rate", 1e3 / 8, "kilobits per second", "kbit/s", "kbps", "Kbps"),
    _u("megabit per second", "data rate", 1e6 / 8, "megabits per second", "Mbit/s", "Mbps", "mbps", "Mb/s"),
    _u("gigabit per second", "data rate", 1e9 / 8, "gigabits per second", "Gbit/s", "Gbps", "gbps", "Gb/s"),
    _u("byte per second", "data rate", 1.0, "bytes per second", "B/s"),
    _u("kilobyte per second", "data rate", 1e3, "kilobytes per second", "kB/s", "KB/s"),
    _u("megabyte per second", "data rate", 1e6, "megabytes per second", "MB/s", "MBps"),
    _u("gigabyte per second", "data rate", 1e9, "gigabytes per second", "GB/s", "GBps"),
    # force (base N)
    _u("newton", "force", 1.0, "newtons", "N"),
    _u("kilonewton", "force", 1e3, "kilonewtons", "kN"),
    _u("pound-force", "force", POUND_KG * 9.80665, "pounds-force", "pound force", "pounds force", "lbf"),
    _u("kilogram-force", "force", 9.80665, "kilograms-force", "kilogram force", "kilograms force", "kgf"),
    # fuel economy (base km/L; US gallons; litres per 100 km is inverse: base = 100 / value)
    _u("kilometer per liter", "fuel economy", 1.0, "kilometers per liter", "kilometres per litre", "km/L",
       "km/l", "kmpl"),
    _u("mile per gallon", "fuel economy", 63360 * INCH_M / 1000 / GALLON_L, "miles per gallon", "mpg", "MPG"),
    Unit("liter per 100 kilometers", "fuel economy", 100.0, ("liters per 100 kilometers", "litres per 100 kilometres",
         "liters per 100 km", "litres per 100 km", "L/100 km", "L/100km", "l/100km", "l/100 km"), inverse=True),
)
