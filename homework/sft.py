"""LoRA supervised fine-tuning: the question in, `<answer>value * f_from / f_to</answer>` out.

The target is an expression the model writes and parse_answer evaluates, derived from a
[question, answer] pair alone (see answer_expression). The model learns one factor per unit,
copies the number as written, and never has to multiply in its head.
"""

import json
import logging
import math
import re
from itertools import permutations
from pathlib import Path

import torch

from . import checkpoints
from .base_llm import BaseLLM, pick_device, pick_dtype
from .conversion_utils import units_in
from .data import Dataset, run_benchmark_cli

logger = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent
SFT_DIR = PACKAGE_DIR / "sft_model"
ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors")
_FIRST_NUMBER = re.compile(r"(?<![\w^*.])(?:\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?|\.\d+)")


def answer_expression(question: str, answer: float) -> str:
    """The arithmetic the model should write, checked against the answer.

    Through the base unit when the question names two units of the table whose factors give the
    answer: ("How many g in 6 kg?", 6000.0) -> "6 * 1 / 0.001", so the model learns one factor per
    unit rather than one per pair. Otherwise value times factor: ("6 foo in bar?", 12.0) -> "6 * 2".
    The number is copied as the question writes it; parse_answer drops thousands separators.
    """
    match = _FIRST_NUMBER.search(question)
    value = float(match.group(0).replace(",", "")) if match else 0.0
    if value == 0 or not math.isfinite(value):
        return f"{answer:.7g}"
    written = match.group(0)  # verbatim, commas and all: copying "7,000,000" is easier than counting zeros
    for src, dst in permutations(units_in(question), 2):
        if src.dimension == dst.dimension and math.isclose(value * src.factor / dst.factor, answer, rel_tol=1e-6):
            return f"{written} * {src.factor:.7g} / {dst.factor:.7g}"
    return f"{written} * {answer / value:.7g}"


PROMPT = "Question: {question}\nAnswer:"


def format_prompt(question: str) -> str:
    """The prompt of training and answering alike: the question behind a short fixed prefix.

    The prefix matters: as the very first token of a sequence, a question's leading number is barely
    readable (the first position soaks up attention), and the adapter miscopied "5 day" as "3 * ..."
    in 61 of its 78 errors on data/valid.json before the prefix was added.
    """
    return PROMPT.format(question=question.strip())


def format_example(question: str, answer: float) -> tuple[str, str]:
    """(prompt, completion) for one training pair."""
    return format_prompt(question), f" <answer>{answer_expression(question, answer)}</answer>"


def tokenize(tokenizer, prompt: str, completion: str) -> dict[str, list[int]]:
    """Token ids of prompt + completion + EOS, with labels -100 on the prompt so only the answer is learned.

    The two parts are tokenized separately, so the prompt's tokens are exactly those the model sees
    when it answers.
    """
    prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    completion_ids = tokenizer(completion, add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
    return {"input_ids": prompt_ids + completion_ids,
            "attention_mask": [1] * (len(prompt_ids) + len(completion_ids)),
            "labels": [-100] * len(prompt_ids) + completion_ids}


class TokenizedDataset(torch.utils.data.Dataset):
    """Pairs of (prompt, completion), tokenized once; padding happens per batch in the collator."""

    def __init__(self, tokenizer, pairs: list[tuple[str, str]]):
        self.items = [tokenize(tokenizer, p, c) for p, c in pairs]

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> dict[str, list[int]]:
        return self.items[index]


def lora_config(rank: int, alpha: int | None = None):
    """LoRA on every linear layer; alpha ~4x rank keeps the update scale steady across ranks."""
    from peft import LoraConfig

    return LoraConfig(r=rank, lora_alpha=alpha or 4 * rank, target_modules="all-linear", bias="none",
                      lora_dropout=0.0, task_type="CAUSAL_LM")


def train_adapter(pairs: list[tuple[str, str]], output_dir: Path, run_dir: Path, base: str | None = None,
                  epochs: float = 5, learning_rate: float = 1e-3, batch_size: int = 32, rank: int = 16,
                  alpha: int | None = None, seed: int = 0, resume: bool = False, bf16: bool | None = None,
                  gradient_checkpointing: bool = False, save_steps: int = 25,
                  init_adapter: str | Path | None = None) -> Path:
    """Train a LoRA adapter on (prompt, completion) pairs and save adapter files only into output_dir.

    Checkpoints and tensorboard logs go to run_dir; resume=True continues from its last checkpoint.
    init_adapter starts from a trained adapter (its rank, and its base unless base is given) instead
    of a fresh one: a further round of expert iteration.
    """
    from peft import PeftModel, get_peft_model
    from transformers import (AutoModelForCausalLM, AutoTokenizer, DataCollatorForSeq2Seq, Trainer,
                              TrainingArguments, set_seed)
    from transformers.trainer_utils import get_last_checkpoint

    set_seed(seed)
    device = pick_device()
    # mixed precision where generation also runs in bfloat16: ~1.5x faster steps on this CPU (9 s vs 13 s)
    bf16 = pick_dtype(device) == torch.bfloat16 if bf16 is None else bf16
    if init_adapter:
        base = base or recorded_base(Path(init_adapter), label=f"--init_adapter {init_adapter}")
    path = checkpoints.resolve(base)
    tokenizer = AutoTokenizer.from_pretrained(path)
    tokenizer.padding_side = "right"
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)
    if gradient_checkpointing:
        model.gradient_checkpointing_enable()
        model.enable_input_require_grads()  # LoRA leaves the embeddings frozen; checkpointing needs a grad path
    if init_adapter:
        model = PeftModel.from_pretrained(model, str(init_adapter), is_trainable=True)
    else:
        model = get_peft_model(model, lora_config(rank, alpha))
    trainable, total = model.get_nb_trainable_parameters()
    logger.info("base %s, LoRA r=%d%s: %d trainable of %d parameters", checkpoints.describe(path),
                model.peft_config["default"].r, f" from {init_adapter}" if init_adapter else "", trainable, total)

    run_dir.mkdir(parents=True, exist_ok=True)
    last = get_last_checkpoint(str(run_dir)) if resume else None
    if resume and last is None:
        logger.warning("--resume: no checkpoint in %s, starting from scratch", run_dir)
    args = TrainingArguments(
        output_dir=str(run_dir), logging_dir=str(run_dir / "logs"), report_to="tensorboard",
        num_train_epochs=epochs, per_device_train_batch_size=batch_size, learning_rate=learning_rate,
        lr_scheduler_type="cosine", warmup_ratio=0.05, weight_decay=0.0, logging_steps=5,
        save_strategy="steps", save_steps=save_steps, save_total_limit=2, seed=seed, bf16=bf16,
        gradient_checkpointing=gradient_checkpointing, dataloader_num_workers=0, remove_unused_columns=False,
        use_cpu=device == "cpu",
    )
    trainer = Trainer(model=model, args=args, train_dataset=TokenizedDataset(tokenizer, pairs),
                      data_collator=DataCollatorForSeq2Seq(tokenizer, padding=True, label_pad_token_id=-100))
    trainer.train(resume_from_checkpoint=last)
    save_adapter(model, output_dir, checkpoints.portable_name(path))
    return output_dir


def save_adapter(model, output_dir: Path, base_name: str) -> None:
    """Write adapter_config.json and adapter weights only, recording a base name that loads anywhere."""
    output_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(output_dir))
    config_file = output_dir / "adapter_config.json"
    config = json.loads(config_file.read_text())
    config["base_model_name_or_path"] = base_name
    config_file.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
    for extra in output_dir.iterdir():
        if extra.is_file() and extra.name not in ADAPTER_FILES:
            extra.unlink()  # the model card peft writes: adapter files only
    logger.info("saved adapter to %s (base %s)", output_dir, base_name)


def recorded_base(adapter_dir: Path, label: str | None = None) -> str:
    """The base model name an adapter folder's config records; a clear error if it holds no adapter."""
    config_file = adapter_dir / "adapter_config.json"
    if not config_file.exists():
        raise FileNotFoundError(f"{label or adapter_dir}: no trained adapter (adapter_config.json); train one first")
    return json.loads(config_file.read_text())["base_model_name_or_path"]


def load_adapter_model(cls, adapter_dir: Path, **kwargs) -> BaseLLM:
    """Build `cls` on the base recorded in the adapter's config, with the adapter merged in."""
    from peft import PeftModel

    llm = cls(checkpoint=recorded_base(adapter_dir), **kwargs)
    llm.model = PeftModel.from_pretrained(llm.model, str(adapter_dir)).merge_and_unload().eval()
    return llm


class SFTModel(BaseLLM):
    """The base model with the SFT adapter; prompts are format_prompt, as in training."""

    model_name = "sft"

    def format_prompt(self, question: str) -> str:
        return format_prompt(question)


def load(adapter_dir: str | Path = SFT_DIR) -> SFTModel:
    return load_adapter_model(SFTModel, Path(adapter_dir))


def train_model(output_dir: str = str(SFT_DIR), dataset: str = "train", max_examples: int | None = None,
                base: str | None = None, epochs: float = 6, learning_rate: float = 1e-3, batch_size: int = 32,
                rank: int = 16, alpha: int | None = None, seed: int = 0, resume: bool = False,
                bf16: bool | None = None, gradient_checkpointing: bool = False, run_dir: str = "runs/sft"):
    """Train the SFT adapter on [question, answer] pairs (a split name or a JSON path)."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    rows = Dataset(dataset).data[:max_examples]
    pairs = [format_example(q, a) for q, a, *_ in rows]
    train_adapter(pairs, Path(output_dir), Path(run_dir), base=base, epochs=epochs, learning_rate=learning_rate,
                  batch_size=batch_size, rank=rank, alpha=alpha, seed=seed, resume=resume, bf16=bf16,
                  gradient_checkpointing=gradient_checkpointing)


def test_model(dataset: str = "valid", max_question: int | None = 100, adapter_dir: str = str(SFT_DIR)):
    """Benchmark the SFT adapter; the last stdout line is the JSON summary."""
    run_benchmark_cli("sft", lambda: load(adapter_dir), dataset, max_question)


if __name__ == "__main__":
    import fire

    fire.Fire({"train": train_model, "test": test_model})
