"""Pairs of units that a reader takes for each other, though the question says which: the questions the
shipped adapters got wrong most often in the course's own dimensions.

Four kinds, drawn equally often among those the generator's twin_kinds names (its twins share): two
units of one dimension written alike but for case ("How many Mb in 3 MB?", "cal in 2 Cal"); the bit and
the byte of one prefix ("terabits in 4 tb", "b in 3 kilobytes", "MEGABYTE IN 7 MBIT": the source read as
the target, the bit as the byte);
"ounces", which the unit beside it makes a mass ("Ounces in 3 pounds?") or a volume ("ounces in a cup");
and a symbol whose capitals name units of two dimensions, asked in capitals ("9 CM/S TO KN": knots, not
kilonewtons; "CONVERT 250 G TO OZ": grams, not gigabytes), where the other unit says which.
"""

from collections import defaultdict

from ..conversion_utils import Unit, dimensions, forms
from .noise import can_shout
from .refusals import LOOSE_NAMES

# (src, form, dst, form): one question's two units, each as it is written
Twin = tuple[Unit, str, Unit, str]


def case_twins(scope: dict[str, list[Unit]]) -> list[Twin]:
    """Two units of one dimension whose forms differ only in case: megabit "Mb" and megabyte "MB"."""
    return [(a, fa, b, fb) for group in scope.values() for a in group for b in group if a is not b
            for fa in forms(a) for fb in forms(b) if fa.lower() == fb.lower()]


def bit_byte_twins(scope: dict[str, list[Unit]]) -> list[Twin]:
    """The bit and the byte of one prefix, either one the source, in any of their forms: kilobit and
    kilobyte, bit and byte, megabit per second and megabyte per second."""
    return [(a, fa, b, fb) for group in scope.values() for a in group for b in group
            if a.name.replace("bit", "byte") == b.name.replace("bit", "byte") and a is not b
            for fa in forms(a) for fb in forms(b)]


def ounce_twins(scope: dict[str, list[Unit]], everyday: tuple[str, ...]) -> list[Twin]:
    """"ounces" beside an everyday mass (an ounce) and beside an everyday volume (a fluid ounce, written
    loosely as LOOSE_NAMES allows), either one the source."""
    ounces = [(unit, form) for group in scope.values() for unit in group
              for form in (LOOSE_NAMES.get(unit.name) or (forms(unit) if unit.name == "ounce" else ()))]
    pairs = [(unit, form, other, other_form) for unit, form in ounces for other in scope[unit.dimension]
             if other is not unit and other.name in everyday and "ounce" not in other.name for other_form in forms(other)]
    return pairs + [(b, fb, a, fa) for a, fa, b, fb in pairs]


def shout_twins(scope: dict[str, list[Unit]]) -> list[Twin]:
    """A symbol whose capitals name units of two dimensions ("KN": knot, kilonewton; "G": gram, gigabyte;
    "M": meter, megabyte) beside another unit of its own dimension, either one the source; the question is
    then asked in capitals (the generator's "shouted" kind)."""
    meanings = defaultdict(set)  # every dimension the model knows, whatever this scope holds
    for unit in (u for group in dimensions().values() for u in group):
        for form in forms(unit):
            meanings[form.upper()].add(unit.dimension)
    pairs = [(unit, form, other, other_form) for group in scope.values() for unit in group for form in forms(unit)
             if len(meanings[form.upper()]) > 1 for other in group if other is not unit
             for other_form in forms(other) if can_shout(other_form, other)]
    return pairs + [(b, fb, a, fa) for a, fa, b, fb in pairs]


TWIN_KINDS = ("case", "bit-byte", "ounce", "shouted")
# what --twins draws unless --twin_kinds says otherwise: the shipped adapters' data (run S). With "shouted"
# too (run U), "KN" beside a speed was read as knots, SFT valid rose and RFT valid fell (docs/experiments.md)
DEFAULT_TWIN_KINDS = ("case", "bit-byte", "ounce")


def twin_kinds(scope: dict[str, list[Unit]], everyday: tuple[str, ...], names: tuple[str, ...] = DEFAULT_TWIN_KINDS
               ) -> dict[str, list[Twin]]:
    """The named kinds above that this scope has any of, in TWIN_KINDS' order; a draw picks a kind, then a pair."""
    makers = {"case": lambda: case_twins(scope), "bit-byte": lambda: bit_byte_twins(scope),
              "ounce": lambda: ounce_twins(scope, everyday), "shouted": lambda: shout_twins(scope)}
    kinds = {name: makers[name]() for name in TWIN_KINDS if name in names}
    return {name: pairs for name, pairs in kinds.items() if pairs}
