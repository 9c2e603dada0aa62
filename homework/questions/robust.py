"""data/robust.json: conversion questions written by hand, unlike the generator's templates.

The rows live in robust.toml, [question, value, from unit, to unit] grouped by kind of phrasing; the
answer is computed from the unit table, so only the wording is hand-made. The kinds: bare and
case-sensitive symbols, rarer units, the target named first, both units first, numbers glued to
units, context, other wordings, and the everyday kinds (no digit, numbers in words and fractions,
misspellings, capitals, British spellings, dotted abbreviations, chatty questions), the dimensions beyond the
course's six (temperature, area, cubed lengths, compound values, energy/power/pressure, data rates and fuel
economy), values as people write them (unicode fractions, decimal commas, scale words, negatives, other
numbers in the question) and refusals (two dimensions: the answer is null). Never used for training.
    python -m homework.questions robust   # writes data/robust.json: [question, answer, kind] rows
"""

import tomllib
from pathlib import Path

from ..conversion_utils import convert, lookup

SECTIONS: dict[str, list[list]] = tomllib.loads((Path(__file__).parent / "robust.toml").read_text())
# kinds whose value is written as digits in the question, checked by build()
DIGIT_KINDS = ("symbols", "new-units", "target-first", "units-first", "glued", "context", "other-wordings")


KINDS = tuple(SECTIONS)


def answer_of(kind: str, value, src, dst: str) -> float | None:
    """A row's answer from the unit table: None for a refusal (the units must be of two dimensions), the
    sum of the parts for a compound value ([5, 8], ["ft", "in"])."""
    if kind == "refusal":
        if lookup(src).dimension == lookup(dst).dimension:
            raise ValueError(f"robust.toml: refusal row from {src} to {dst} has an answer")
        return None
    if isinstance(value, list):
        return sum(convert(part, unit, dst) for part, unit in zip(value, src, strict=True))
    return convert(value, src, dst)


def build() -> list[list]:
    """[question, answer, kind] rows; in the digit kinds, each row's value must be written in its question."""
    out = []
    for kind, rows in SECTIONS.items():
        for i, row in enumerate(rows, 1):
            if not (isinstance(row, list) and len(row) == 4 and isinstance(row[1], (int, float, list))):
                raise ValueError(f"robust.toml: row {i} of {kind} is {row!r}, expected "
                                 "[question, value, from unit, to unit] (value and from unit: lists of parts)")
            question, value, src, dst = row
            if kind in DIGIT_KINDS and f"{value:g}" not in question.replace(",", ""):
                raise ValueError(f"robust row {question!r}: the value {value:g} is not written in the question")
            out.append([question, answer_of(kind, value, src, dst), kind])
    if len({row[0] for row in out}) != len(out):
        raise ValueError("robust rows repeat a question")
    return out
