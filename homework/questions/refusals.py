"""Which two units make a question with no answer: a unit of another dimension, never one the asker
meant otherwise, and often one written like it ("watts in a kilowatt hour")."""

import random

from ..conversion_utils import Unit, look_alike

# Pairs of two dimensions that people still convert, meaning a unit of the same name: "ounces in a cup"
# asks for fluid ounces, "degrees" beside a temperature are degrees of it, "pounds" or "kilograms" beside
# newtons are pounds- or kilograms-force. Refusing them would teach the model to refuse what the asker
# meant; they are never a refusal's pair.
MEANT_OTHERWISE = {("ounce", "volume"), ("degree", "temperature"), ("pound", "force"), ("kilogram", "force")}
# The one the generator also writes so: a fluid ounce beside a volume, a third of the time, as "ounces" or "oz"
# ("How many ounces in a gallon?"; conversion_utils.ALSO_MEANS reads it back for the target).
LOOSE_NAMES = {"fluid ounce": ("ounces", "ounce", "oz")}


# Pairs of two dimensions that people ask to convert though no conversion exists without more facts:
# "How many grams in a cup?", "3 kg to gallons". The fluid ounce written "ounces" beside a volume teaches
# the model that a mass word may stand in a volume question; these refusals (half of those not between
# units written alike, mostly the everyday units: "pounds to liters") teach it that no other mass does.
CONFUSED = (("mass", "volume"),)


def confused(unit: Unit, rng: random.Random, scope: dict[str, list[Unit]], among: set[str] = frozenset()) -> Unit | None:
    """A unit of the dimension people confuse with this unit's (CONFUSED), of the names `among` where any
    is, for a question that has no answer; None where there is no such unit but ones MEANT_OTHERWISE."""
    partners = [b if a == unit.dimension else a for a, b in CONFUSED if unit.dimension in (a, b)]
    others = [u for d in partners if d in scope for u in scope[d] if not meant_otherwise(unit, u)]
    return rng.choice([u for u in others if u.name in among] or others) if others else None


def confusable(scope: dict[str, list[Unit]], preferred: tuple[str, ...]) -> list[Unit]:
    """The units of scope in a CONFUSED pair of dimensions both in scope, those named in `preferred` where any are."""
    units = [u for group in scope.values() for u in group
             if any(u.dimension in pair and all(d in scope for d in pair) for pair in CONFUSED)]
    return [u for u in units if u.name in preferred] or units


def meant_otherwise(a: Unit, b: Unit) -> bool:
    """Whether a question between these two units of different dimensions means a unit of the same name."""
    return (a.name, b.dimension) in MEANT_OTHERWISE or (b.name, a.dimension) in MEANT_OTHERWISE


def stranger(unit: Unit, rng: random.Random, scope: dict[str, list[Unit]]) -> Unit | None:
    """A unit of another dimension, for a question that has no answer; never one that MEANT_OTHERWISE, so
    None where every other unit is (the degree when the scope is angle and temperature)."""
    if all(meant_otherwise(unit, u) for d in scope if d != unit.dimension for u in scope[d]):
        return None
    while True:
        other = rng.choice(scope[rng.choice(sorted(d for d in scope if d != unit.dimension))])
        if not meant_otherwise(unit, other):
            return other


def look_alikes(scope: dict[str, list[Unit]]) -> dict[Unit, list[Unit]]:
    """For each unit that has any, the units of other dimensions written like it (conversion_utils.look_alike):
    watt -> [watt hour, kilowatt hour], megabyte -> [megabyte per second, ...]. A question between them
    is the refusal a model gets wrong, reading both as one unit. Never one it MEANT_OTHERWISE, nor a mass
    beside a force ("grams in a kgf"), which people write meaning the same thing."""
    pairs = {u: [v for d in scope if d != u.dimension and {d, u.dimension} != {"mass", "force"} for v in scope[d]
                 if look_alike(u, v) and not meant_otherwise(u, v)] for group in scope.values() for u in group}
    return {u: others for u, others in pairs.items() if others}
