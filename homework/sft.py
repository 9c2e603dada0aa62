"""LoRA supervised fine-tuning: the question in, `<answer>value * f_from / f_to</answer>` out.

The target is an expression the model writes and parse_answer evaluates, derived from a
[question, answer] pair alone (see answer_expression). The model learns one factor per unit,
copies the number as written, and never has to multiply in its head.
"""

import logging
from pathlib import Path

from .base_llm import BaseLLM
from .data import Dataset, adapter_test_command
from .lora import load_adapter_model, train_adapter
from .questions.quantities import quantity_candidates, reading_behind

logger = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent
SFT_DIR = PACKAGE_DIR / "sft_model"
# Factors are written with 4 significant digits: the answer check allows 5%, and each digit dropped
# is a token fewer to train and to generate (3.155693e+08 -> 3.156e+08).
FACTOR_FORMAT = ".4g"


def format_factor(x: float) -> str:
    """A factor in FACTOR_FORMAT, its exponent without sign or zero padding: 3.156e+08 -> "3.156e8".

    Digits are single tokens, so "e8" is two tokens fewer than "e+08"; Python reads both alike.
    """
    mantissa, _, exponent = f"{x:{FACTOR_FORMAT}}".partition("e")
    return f"{mantissa}e{int(exponent)}" if exponent else mantissa


def answer_expression(question: str, answer: float) -> str:
    """The arithmetic the model should write, checked against the answer.

    Through the base unit when the question names two units of the table whose factors give the
    answer: ("How many g in 6 kg?", 6000.0) -> "6 * 1 / 0.001", so the model learns one factor per
    unit rather than one per pair. The number is copied as the question writes it (parse_answer drops
    thousands separators); a number written otherwise becomes a numeral: "a quart" -> "1",
    "seven" -> "7", "half a" -> "0.5", "1/2" -> "(1/2)", "3 1/2" -> "(3+1/2)", ".5" -> "0.5".
    Otherwise value times factor: ("6 foo in bar?", 12.0) -> "6 * 2".
    """
    return _expression(question, answer, reading_behind(question, answer))


def _expression(question: str, answer: float, found) -> str:
    """answer_expression for a reading_behind result already found (None when there is none)."""
    if found:
        written, _, src, dst = found
        return f"{written} * {format_factor(src.factor)} / {format_factor(dst.factor)}"
    candidates = quantity_candidates(question)
    if not candidates:
        return format_factor(answer)
    written, value = candidates[0]
    return f"{written} * {format_factor(answer / value)}"


PROMPT = "Question: {question}\nAnswer:"


def format_prompt(question: str) -> str:
    """The prompt of training and answering alike: the question behind a short fixed prefix.

    The prefix matters: as the very first token of a sequence, a question's leading number is barely
    readable (the first position soaks up attention), and the adapter miscopied "5 day" as "3 * ..."
    in 61 of its 78 errors on data/valid.json before the prefix was added.
    """
    return PROMPT.format(question=question.strip())


def unit_names(found) -> str:
    """The two units of a reading_behind result, by their table names, before the answer: "kilometer to mile: ".

    Naming them first turns a misspelt or shouted word ("miels", "QT") into the unit's own name, and the
    factors that follow are then written after that name rather than after the typed word. Empty when
    the question's units cannot be told from the pair (found is None).
    """
    return f"{found[2].name} to {found[3].name}: " if found else ""


def format_example(question: str, answer: float, name_units: bool = False) -> tuple[str, str]:
    """(prompt, completion) for one training pair; name_units puts unit_names before the answer.
    The question is read once for both (reading_behind tries typo matches, the slow part)."""
    found = reading_behind(question, answer)
    names = unit_names(found) if name_units else ""
    return format_prompt(question), f" {names}<answer>{_expression(question, answer, found)}</answer>"


class SFTModel(BaseLLM):
    """The base model with the SFT adapter; prompts are format_prompt, as in training."""

    model_name = "sft"

    def format_prompt(self, question: str) -> str:
        return format_prompt(question)


def load(adapter_dir: str | Path = SFT_DIR, **kwargs) -> SFTModel:
    """The adapter merged into its recorded base; kwargs (device, dtype, batch_size) go to BaseLLM."""
    return load_adapter_model(SFTModel, Path(adapter_dir), **kwargs)


def train_model(output_dir: str = str(SFT_DIR), dataset: str = "sft_questions", max_examples: int | None = None,
                base: str | None = None, epochs: float = 1, learning_rate: float = 1e-3, batch_size: int = 16,
                rank: int = 16, alpha: int | None = None, seed: int = 0, resume: bool = False,
                bf16: bool | None = None, fp16: bool | None = None, gradient_checkpointing: bool = False,
                group_by_length: bool = True, torch_compile: bool = False, init_adapter: str | None = None,
                run_dir: str = "runs/sft", name_units: bool = False):
    """Train the SFT adapter on [question, answer] pairs (a split name or a JSON path).

    The defaults are the shipped adapter's stage of recipes/shipped.toml: one epoch on
    data/sft_questions.json (10000 generated questions, half of them with typos or in capitals).

    --init_adapter DIR continues training an existing adapter (its base and rank) instead of a fresh one.
    --name_units True writes the two units' table names before the answer (see unit_names).
    """
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    rows = Dataset(dataset).data[:max_examples]
    pairs = [format_example(q, a, name_units) for q, a, *_ in rows]
    train_adapter(pairs, Path(output_dir), Path(run_dir), base=base, epochs=epochs, learning_rate=learning_rate,
                  batch_size=batch_size, rank=rank, alpha=alpha, seed=seed, resume=resume, bf16=bf16, fp16=fp16,
                  gradient_checkpointing=gradient_checkpointing, group_by_length=group_by_length,
                  torch_compile=torch_compile, init_adapter=init_adapter or None)


test_model = adapter_test_command("sft", load, SFT_DIR)


if __name__ == "__main__":
    from .cli import main

    main({"train": train_model, "test": test_model})
