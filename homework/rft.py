"""Rejection-sampling fine-tuning: train a LoRA adapter on sampled reasoning that reached the right answer.

Training is lora.train_adapter with other (prompt, completion) pairs: the completion is the
kept reasoning from data/rft.json instead of a bare answer expression.
"""

import logging
from pathlib import Path

from .data import DataError, Dataset, adapter_test_command
from .lora import load_adapter_model, train_adapter
from .sft import PACKAGE_DIR, SFT_DIR, SFTModel, format_example, format_prompt, target

RFT_DIR = PACKAGE_DIR / "rft_model"


class RFTModel(SFTModel):
    """Same prompt as SFT; the shipped adapter, as SFT's, names the two units it read and their dimensions
    before the answer ("quart (volume) to cup (volume): <answer>1 * 0.9464 / 0.2366</answer>"), which
    parse_answer skips; between two dimensions it refuses."""

    model_name = "rft"


def load_rft_rows(split_or_path: str = "rft") -> list[list]:
    """[question, answer, reasoning] rows, each reasoning ending with <answer>...</answer> (answer null:
    the reasoning is a refusal, "... cannot be converted <answer>none</answer>")."""
    dataset = Dataset(split_or_path, min_fields=3)
    for i, (_, _, reasoning, *_) in enumerate(dataset.data):
        if "<answer>" not in reasoning or not reasoning.rstrip().endswith("</answer>"):
            raise DataError(f"{dataset.path}: entry {i} has reasoning {reasoning[:80]!r}, "
                            "expected text that ends with <answer>...</answer>")
    return dataset.data


def rft_pairs(rows: list[list], name_units: bool = False) -> list[tuple[str, str]]:
    """(prompt, completion) pairs: the SFT prompt, then the kept reasoning.

    name_units puts the two units' table names and dimensions before a reasoning that does not name them
    yet (an SFT adapter trained with --name_units False samples bare answers): "<answer>6 * 1000 / 1609</answer>" becomes
    "kilometer (length) to mile (length): <answer>6 * 1000 / 1609</answer>", as sft.format_example writes
    its targets.
    """
    pairs = []
    for question, answer, reasoning, *_ in rows:
        text = reasoning.strip()
        if name_units and text.startswith("<answer>"):
            text = target(question, answer).names + text
        pairs.append((format_prompt(question), " " + text))
    return pairs


def load(adapter_dir: str | Path = RFT_DIR, **kwargs) -> RFTModel:
    """The adapter merged into its recorded base; kwargs (device, dtype, batch_size) go to BaseLLM."""
    return load_adapter_model(RFTModel, Path(adapter_dir), **kwargs)


def train_model(output_dir: str = str(RFT_DIR), dataset: str = "rft", with_sft_data: str | None = "sft_questions",
                sft_examples: int | None = 4000, init_adapter: str | None = str(SFT_DIR), base: str | None = None,
                epochs: float = 1, learning_rate: float = 1e-4, batch_size: int = 16, rank: int = 16,
                alpha: int | None = None, seed: int = 0, resume: bool = False, bf16: bool | None = None,
                fp16: bool | None = None, gradient_checkpointing: bool = False, group_by_length: bool = True,
                torch_compile: bool = False, run_dir: str = "runs/rft", name_units: bool = True):
    """Train the RFT adapter on rft.json plus the first --sft_examples [question, answer] pairs of
    --with_sft_data ("" for none): a replay of what SFT learned.

    The defaults are the shipped adapter's stage of recipes/shipped.toml: continue from the SFT adapter
    that sampled rft.json (--init_adapter) for one epoch at a tenth of SFT's learning rate, on rft.json and
    4000 replayed pairs of SFT's questions, every completion naming its two units first (--name_units,
    see rft_pairs). --init_adapter "" starts from the base with a fresh adapter of --rank.
    """
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    pairs = rft_pairs(load_rft_rows(dataset), name_units)
    if with_sft_data:
        pairs += [format_example(q, a, name_units) for q, a, *_ in Dataset(with_sft_data).data[:sft_examples]]
    train_adapter(pairs, Path(output_dir), Path(run_dir), base=base, epochs=epochs, learning_rate=learning_rate,
                  batch_size=batch_size, rank=rank, alpha=alpha, seed=seed, resume=resume, bf16=bf16, fp16=fp16,
                  gradient_checkpointing=gradient_checkpointing, group_by_length=group_by_length,
                  init_adapter=init_adapter or None, torch_compile=torch_compile)


test_model = adapter_test_command("rft", load, RFT_DIR)


if __name__ == "__main__":
    from .cli import main

    main({"train": train_model, "test": test_model})
