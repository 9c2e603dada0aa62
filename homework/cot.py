"""In-context chain of thought: worked examples as earlier chat turns, no training.

Each example states the one fact it needs ("1 kilogram = 1000 gram") and ends with an
expression in <answer> tags that parse_answer evaluates, so the model never has to
multiply in its head. The facts are computed from the unit table, so they cannot be wrong.
"""

from .base_llm import BaseLLM
from .conversion_utils import base_unit, convert, dimensions, lookup
from .data import run_benchmark_cli

INSTRUCTIONS = ("You convert units. Be concise: state the conversion factor, then give the answer as "
                "an arithmetic expression inside <answer></answer> tags.")

# (question, value, from unit, to unit): one per dimension, phrased as people type them.
EXAMPLES = (
    ("How many gram are there per 6 kg?", 6, "kilogram", "gram"),
    ("Convert 3 hours to minutes.", 3, "hour", "minute"),
    ("What is 2.5 miles in kilometers?", 2.5, "mile", "kilometer"),
    ("How many liters are in 4 gallons?", 4, "gallon", "liter"),
    ("What is 72 km/h in meters per second?", 72, "kilometer per hour", "meter per second"),
    ("How many megabytes is 3 GB?", 3, "gigabyte", "megabyte"),
    ("Can you tell me how many decade are in 5 year?", 5, "year", "decade"),
    ("How many feet are in 8 inches?", 8, "inch", "foot"),
)


def _fmt(number: float) -> str:
    return f"{number:.7g}"


def worked_answer(value: float, src: str, dst: str, style: str) -> str:
    """A concise worked answer. (6, "kilogram", "gram", "expression") ->
    "1 kilogram = 1000 gram, so 6 kilogram = 6 * 1000 gram. <answer>6 * 1000</answer>"."""
    factor = convert(1, src, dst)
    base = base_unit(lookup(src).dimension).name
    f_src, f_dst = convert(1, src, base), convert(1, dst, base)
    through_base = f"<answer>{_fmt(value)} * {_fmt(f_src)} / {_fmt(f_dst)}</answer>"
    if style == "lookup":  # the two lines of fact_lines() it needs, copied word for word, then the arithmetic
        return f"1 {src} = {_fmt(f_src)} {base}. 1 {dst} = {_fmt(f_dst)} {base}. {through_base}"
    if style == "base":  # through the dimension's base unit, with the two factors of the table
        return f"1 {src} = {_fmt(f_src)} {base} and 1 {dst} = {_fmt(f_dst)} {base}, so {through_base}"
    if style == "plain":
        return f"1 {src} = {_fmt(factor)} {dst}. <answer>{_fmt(value * factor)}</answer>"
    return f"1 {src} = {_fmt(factor)} {dst}, so {_fmt(value)} {src} = {_fmt(value)} * {_fmt(factor)} {dst}. " \
           f"<answer>{_fmt(value)} * {_fmt(factor)}</answer>"


def factor_table() -> str:
    """Every unit in its dimension's base unit, one line per dimension: "Mass, in kilogram: gram 0.001; ..."."""
    lines = []
    for dimension, group in dimensions().items():
        lines.append(f"{dimension.capitalize()}, in {base_unit(dimension).name}: "
                     + "; ".join(f"{u.name} {_fmt(u.factor)}" for u in group))
    return "Unit table:\n" + "\n".join(lines)


def fact_lines() -> str:
    """One fact per unit, in the very words a "lookup" answer writes, so that a small model can find
    the line by its first words and copy the rest: "1 gram = 0.001 kilogram"."""
    return "Facts:\n" + "\n".join(f"1 {u.name} = {_fmt(u.factor)} {base_unit(u.dimension).name}"
                                   for group in dimensions().values() for u in group)


TABLES = {None: lambda: "", "compact": factor_table, "lines": fact_lines}

PROMPTS = {
    "expression": dict(style="expression", examples=6, table=None),
    "expression8": dict(style="expression", examples=8, table=None),
    "plain": dict(style="plain", examples=6, table=None),
    "table": dict(style="expression", examples=6, table="compact"),
    "table-base": dict(style="base", examples=6, table="compact"),
    "lookup": dict(style="lookup", examples=6, table="lines"),
}


class CoTModel(BaseLLM):
    """BaseLLM whose prompt is a chat with instructions and worked examples."""

    model_name = "cot"

    def __init__(self, *args, prompt: str = "expression", **kwargs):
        if prompt not in PROMPTS:
            raise ValueError(f"--prompt must be one of {', '.join(PROMPTS)}, got {prompt!r}")
        self.prompt = PROMPTS[prompt]
        super().__init__(*args, **kwargs)

    def format_prompt(self, question: str) -> str:
        table = TABLES[self.prompt["table"]]()
        system = INSTRUCTIONS + ("\n" + table if table else "")
        messages = [{"role": "system", "content": system}]
        for text, value, src, dst in EXAMPLES[: self.prompt["examples"]]:
            messages.append({"role": "user", "content": text})
            messages.append({"role": "assistant", "content": worked_answer(value, src, dst, self.prompt["style"])})
        messages.append({"role": "user", "content": question.strip()})
        return self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)


def load(prompt: str = "expression", checkpoint: str | None = None) -> CoTModel:
    return CoTModel(checkpoint, prompt=prompt)


def test_model(dataset: str = "valid", max_question: int | None = 100, prompt: str = "expression",
               checkpoint: str | None = None, save_samples: str | None = None):
    """Benchmark the CoT prompt (--prompt: one of PROMPTS, e.g. expression, lookup).

    --save_samples PATH writes one JSON line per question (completion, parsed value, correct or not).
    """
    run_benchmark_cli("cot", lambda: load(prompt, checkpoint), dataset, max_question, save_samples)


if __name__ == "__main__":
    from .cli import main

    main({"test": test_model})
