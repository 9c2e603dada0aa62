"""In-context chain of thought: worked examples as earlier chat turns, no training.

Each example states the one fact it needs ("1 kilogram = 1000 gram") and ends with an
expression in <answer> tags that parse_answer evaluates, so the model never has to
multiply in its head. The facts are computed from the unit table, so they cannot be wrong.
"""

from .base_llm import BaseLLM
from .conversion_utils import convert
from .data import run_benchmark_cli

INSTRUCTIONS = ("You convert units. Be concise: state the conversion factor, then give the answer as "
                "an arithmetic expression inside <answer></answer> tags.")

# (question, value, from unit, to unit): one per dimension, phrased as people type them. Eight examples,
# a unit table in the system text, answers through the base unit or as a bare product did no better on
# valid (0.00-0.08 against 0.08; docs/experiments.md, the variants' code at commit 792a38c).
EXAMPLES = (
    ("How many gram are there per 6 kg?", 6, "kilogram", "gram"),
    ("Convert 3 hours to minutes.", 3, "hour", "minute"),
    ("What is 2.5 miles in kilometers?", 2.5, "mile", "kilometer"),
    ("How many liters are in 4 gallons?", 4, "gallon", "liter"),
    ("What is 72 km/h in meters per second?", 72, "kilometer per hour", "meter per second"),
    ("How many megabytes is 3 GB?", 3, "gigabyte", "megabyte"),
)


def _fmt(number: float) -> str:
    return f"{number:.7g}"


def worked_answer(value: float, src: str, dst: str) -> str:
    """A concise worked answer: the one fact it needs, then the arithmetic. (6, "kilogram", "gram") ->
    "1 kilogram = 1000 gram, so 6 kilogram = 6 * 1000 gram. <answer>6 * 1000</answer>"."""
    factor = _fmt(convert(1, src, dst))
    return f"1 {src} = {factor} {dst}, so {_fmt(value)} {src} = {_fmt(value)} * {factor} {dst}. " \
           f"<answer>{_fmt(value)} * {factor}</answer>"


class CoTModel(BaseLLM):
    """BaseLLM whose prompt is a chat with instructions and worked examples."""

    model_name = "cot"

    def format_prompt(self, question: str) -> str:
        messages = [{"role": "system", "content": INSTRUCTIONS}]
        for text, value, src, dst in EXAMPLES:
            messages.append({"role": "user", "content": text})
            messages.append({"role": "assistant", "content": worked_answer(value, src, dst)})
        messages.append({"role": "user", "content": question.strip()})
        return self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)


def load(checkpoint: str | None = None) -> CoTModel:
    return CoTModel(checkpoint)


def test_model(dataset: str = "valid", max_question: int | None = 100, checkpoint: str | None = None,
               save_samples: str | None = None):
    """Benchmark the CoT prompt on a base model (--checkpoint: a Hub id, a folder or "embedded").

    --save_samples PATH writes one JSON line per question (completion, parsed value, correct or not).
    """
    run_benchmark_cli("cot", lambda: load(checkpoint), dataset, max_question, save_samples)


if __name__ == "__main__":
    from .cli import main

    main({"test": test_model})
