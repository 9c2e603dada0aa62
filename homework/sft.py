"""LoRA supervised fine-tuning: the question in, `<answer>value * f_from / f_to</answer>` out.

The target is an expression the model writes and parse_answer evaluates, derived from a
[question, answer] pair alone (see target). The model learns one factor (and, for temperature, one
offset) per unit, copies the number as written, and never has to multiply in its head. A question
with no answer (between two dimensions) is answered by naming both and refusing.
"""

import logging
from dataclasses import dataclass
from pathlib import Path

from .base_llm import BaseLLM
from .data import Dataset, adapter_test_command
from .lora import load_adapter_model, train_adapter
from .conversion_utils import Unit, refusal_pair
from .questions.quantities import compound_behind, quantity_candidates, reading_behind

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


def format_offset(x: float) -> str:
    """An affine unit's offset, exact where a short decimal allows: 273.15 -> "273.15", 32.0 -> "32"."""
    return f"{x:g}"


def conversion_expression(written: str, src: Unit, dst: Unit) -> str:
    """The arithmetic for one value between two units: one rule per kind of relation (unit_table.Unit).

        linear   "6 * 1 / 0.001"                   value * factor / factor, through the base unit
        affine   "(400 - 32) * 0.5556 / 1 + 0"     (value - offset) * factor / factor + offset
        inverse  "100 / (35 * 0.4251)"             the inverse unit's factor / (value * the other's)
    """
    if src.inverse or dst.inverse:
        inverse, other = (src, dst) if src.inverse else (dst, src)
        return f"{format_factor(inverse.factor)} / ({written} * {format_factor(other.factor)})"
    if src.relation == "affine":
        return (f"({written} - {format_offset(src.offset)}) * {format_factor(src.factor)} / "
                f"{format_factor(dst.factor)} + {format_offset(dst.offset)}")
    return f"{written} * {format_factor(src.factor)} / {format_factor(dst.factor)}"


def compound_expression(parts, dst: Unit) -> str:
    """A compound value's parts summed through the base unit: "(5 * 0.3048 + 8 * 0.0254) / 0.01"."""
    terms = " + ".join(f"{written} * {format_factor(unit.factor)}" for written, _, unit in parts)
    return f"({terms}) / {format_factor(dst.factor)}"


NO_ANSWER = "<answer>none</answer>"


@dataclass(frozen=True)
class Target:
    """What the model should write for a [question, answer] pair: the units' names and dimensions (said
    first when training names them) and the answer, or a refusal when the answer is None (no conversion
    exists). With the dimensions written down, a refusal is decided after both: "liter (volume) to meter
    (length): " is followed by "cannot be converted", "liter (volume) to cup (volume): " by the answer."""
    names: str
    answer: str
    refusal: bool = False

    def completion(self, name_units: bool = False) -> str:
        return f" {self.names}{self.answer}" if name_units or self.refusal else f" {self.answer}"


def target(question: str, answer: float | None) -> Target:
    """The Target of a [question, answer] pair, derived from the pair alone and checked against the answer.

    answer None: the question's two units are of different dimensions; the model names both and refuses:
        ("How many liters are in a meter?", None) -> "liter (volume) to meter (length): cannot be converted
        <answer>none</answer>".
    A compound value sums its parts: ("5 ft 8 in in cm", 172.72) -> "(5 * 0.3048 + 8 * 0.0254) / 0.01".
    Otherwise through the base unit by the units' relation (conversion_expression), the number copied as
    the question writes it (parse_answer drops thousands separators); a number written otherwise becomes
    a numeral: "a quart" -> "1", "seven" -> "7", "half a" -> "0.5", "3 1/2" -> "(3+1/2)", "¾" -> "(3/4)",
    "3,5" -> "3.5", "twenty thousand" -> "20e3", "minus 10" -> "-10".
    With no two units that give the answer: value times factor, ("6 foo in bar?", 12.0) -> "6 * 2".
    """
    if answer is None:
        pair = refusal_pair(question)
        names = f"{pair[0].name} ({pair[0].dimension}) to {pair[1].name} ({pair[1].dimension}): " if pair else ""
        return Target(names + "cannot be converted ", NO_ANSWER, refusal=True)
    compound = compound_behind(question, answer)
    if compound:
        parts, dst = compound
        names = " and ".join(unit.name for _, _, unit in parts)
        return Target(f"{names} ({dst.dimension}) to {dst.name} ({dst.dimension}): ",
                      f"<answer>{compound_expression(parts, dst)}</answer>")
    found = reading_behind(question, answer)
    if found:
        written, _, src, dst = found
        return Target(f"{src.name} ({src.dimension}) to {dst.name} ({dst.dimension}): ",
                      f"<answer>{conversion_expression(written, src, dst)}</answer>")
    candidates = quantity_candidates(question)
    expression = f"{candidates[0][0]} * {format_factor(answer / candidates[0][1])}" if candidates \
        else format_factor(answer)
    return Target("", f"<answer>{expression}</answer>")


def answer_expression(question: str, answer: float) -> str:
    """The arithmetic inside the Target's <answer>: ("How many g in 6 kg?", 6000.0) -> "6 * 1 / 0.001"."""
    return target(question, answer).answer.removeprefix("<answer>").removesuffix("</answer>")


PROMPT = "Question: {question}\nAnswer:"


def format_prompt(question: str) -> str:
    """The prompt of training and answering alike: the question behind a short fixed prefix.

    The prefix matters: as the very first token of a sequence, a question's leading number is barely
    readable (the first position soaks up attention), and the adapter miscopied "5 day" as "3 * ..."
    in 61 of its 78 errors on data/valid.json before the prefix was added.
    """
    return PROMPT.format(question=question.strip())


def format_example(question: str, answer: float | None, name_units: bool = False) -> tuple[str, str]:
    """(prompt, completion) for one training pair; name_units puts the units' table names and dimensions
    before the answer ("kilometer (length) to mile (length): <answer>...").

    Naming them first turns a misspelt or shouted word ("miels", "QT") into the unit's own name, and the
    factors that follow are then written after that name rather than after the typed word. A refusal
    always names them: the names are the reason there is no answer.
    """
    return format_prompt(question), target(question, answer).completion(name_units)


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
                run_dir: str = "runs/sft", name_units: bool = True):
    """Train the SFT adapter on [question, answer] pairs (a split name or a JSON path).

    The defaults are the shipped adapter's stage of recipes/shipped.toml: one epoch on
    data/sft_questions.json (10000 generated questions, half of them with typos or in capitals).

    --init_adapter DIR continues training an existing adapter (its base and rank) instead of a fresh one.
    --name_units (on by default) writes the two units' table names and dimensions before the answer, so
    that a question between two dimensions is refused once both are written (see Target); False trains
    the bare answer.
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
