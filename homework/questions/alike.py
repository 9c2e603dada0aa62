"""Pairs of units that a reader takes for each other, though the question says which: the questions the
shipped adapters got wrong most often in the course's own dimensions.

Three kinds, drawn equally often (the generator's twins share): two units of one dimension written alike
but for case ("How many Mb in 3 MB?", "cal in 2 Cal"); the bit and the byte of one prefix ("terabits in
4 tb", "b in 3 kilobytes", "MEGABYTE IN 7 MBIT": the source read as the target, the bit as the byte); and
"ounces", which the unit beside it makes a mass ("Ounces in 3 pounds?") or a volume ("ounces in a cup").
"""

from ..conversion_utils import Unit, forms
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


def twin_kinds(scope: dict[str, list[Unit]], everyday: tuple[str, ...]) -> list[list[Twin]]:
    """The kinds above that this scope has any of; a draw picks a kind, then a pair of it."""
    return [kind for kind in (case_twins(scope), bit_byte_twins(scope), ounce_twins(scope, everyday)) if kind]
