"""BaseLLM: load a chat model, format prompts, generate in batches, parse answers."""

import logging
import math
import os
import re

import torch
from tqdm import tqdm
from transformers import AutoModelForCausalLM, AutoTokenizer

from . import checkpoints
from .conversion_utils import safe_eval

logger = logging.getLogger(__name__)

checkpoint = checkpoints.DEFAULT_BASE
STOP = "</answer>"


def pick_device() -> str:
    """cuda > mps > cpu; $HOMEWORK_DEVICE overrides."""
    if os.environ.get("HOMEWORK_DEVICE"):
        return os.environ["HOMEWORK_DEVICE"]
    if torch.cuda.is_available():
        return "cuda"
    if torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def pick_dtype(device: str) -> torch.dtype:
    """bfloat16 where it is fast (CUDA; this kind of CPU runs it ~2x faster than float32), else float32.

    $HOMEWORK_DTYPE (float32, bfloat16, float16) overrides.
    """
    if os.environ.get("HOMEWORK_DTYPE"):
        return getattr(torch, os.environ["HOMEWORK_DTYPE"])
    if device == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.bfloat16 if device == "cpu" else torch.float32


def default_batch_size(device: str) -> int:
    """Sequences generated together; larger lifts CPU throughput until memory bandwidth saturates."""
    return int(os.environ.get("HOMEWORK_BATCH_SIZE", 256 if device == "cuda" else 64))


_ANSWER = re.compile(r"<answer>(.*?)(?:</answer>|$)", re.DOTALL)
_ARITHMETIC_PREFIX = re.compile(r"(?:[\d\s.+\-*/^()]|(?<=\d)[eE][-+]?\d)+")


def parse_answer(text: str) -> float:
    """The value inside <answer>...</answer>: a number or an arithmetic expression; NaN if none.

    parse_answer("<answer>6 * 1000</answer>") -> 6000.0
    parse_answer("<answer>1,234.5 kg") -> 1234.5
    """
    match = _ANSWER.search(text) if isinstance(text, str) else None
    if not match:
        return math.nan
    inner = match.group(1).strip()
    if not inner or len(inner) > 200:
        return math.nan
    expression = re.sub(r"(?<=\d),(?=\d{3}\b)", "", inner)  # thousands separators
    expression = expression.replace("×", "*").replace("÷", "/").rstrip(". ")
    value = safe_eval(expression)
    if not math.isnan(value):
        return value
    prefix = _ARITHMETIC_PREFIX.match(expression)  # arithmetic followed by a unit or words: "6 * 1000 g"
    return safe_eval(prefix.group(0)) if prefix and prefix.end() < len(expression) else math.nan


class BaseLLM:
    """A causal chat model with batched, early-stopping generation."""

    model_name = "base"

    def __init__(self, checkpoint: str | None = None, device: str | None = None,
                 dtype: torch.dtype | None = None, batch_size: int | None = None):
        self.device = device or pick_device()
        self.dtype = dtype or pick_dtype(self.device)
        self.batch_size = batch_size or default_batch_size(self.device)
        path = checkpoints.resolve(checkpoint)
        self.base_name = checkpoints.describe(path)
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        model = AutoModelForCausalLM.from_pretrained(path, dtype=self.dtype)
        self.tokenizer.padding_side = "left"  # so every prompt ends where generation starts
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.model = model.to(self.device).eval()
        logger.info("model %s on %s in %s, batch %d", self.base_name, self.device, self.dtype, self.batch_size)

    def format_prompt(self, question: str) -> str:
        """The text the model continues; subclasses override this, and only this, to change prompting."""
        return question

    def parse_answer(self, text: str) -> float:
        return parse_answer(text)

    def generate(self, prompt: str) -> str:
        return self.batched_generate([prompt])[0]

    @torch.inference_mode()
    def batched_generate(self, prompts: list[str], num_return_sequences: int | None = None,
                         temperature: float = 0, max_new_tokens: int = 60, progress: bool | None = None):
        """Complete each prompt: a flat list when num_return_sequences is None, else one list per prompt.

        Greedy at temperature 0, sampling otherwise. Prompts are sorted by length so that a micro-batch
        carries little padding, and a sequence stops once it has closed </answer> or emitted EOS.
        """
        n = num_return_sequences or 1
        per_batch = max(1, self.batch_size // n)
        order = sorted(range(len(prompts)), key=lambda i: len(prompts[i]), reverse=True)
        results: list[list[str]] = [[] for _ in prompts]
        show = progress if progress is not None else len(prompts) > per_batch
        with tqdm(total=len(prompts), desc="generate", unit="q", disable=not show, leave=False) as bar:
            for start in range(0, len(order), per_batch):
                index = order[start:start + per_batch]
                texts = self._generate_batch([prompts[i] for i in index], n, temperature, max_new_tokens)
                for k, i in enumerate(index):
                    results[i] = texts[k * n:(k + 1) * n]
                bar.update(len(index))
        return [r[0] for r in results] if num_return_sequences is None else results

    def _generate_batch(self, prompts: list[str], n: int, temperature: float, max_new_tokens: int) -> list[str]:
        inputs = self.tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=False).to(self.device)
        sampling = temperature > 0
        output = self.model.generate(
            **inputs,
            max_new_tokens=max_new_tokens,
            do_sample=sampling,
            temperature=temperature if sampling else None,
            top_p=None,
            top_k=None,
            num_return_sequences=n,
            stop_strings=[STOP],
            tokenizer=self.tokenizer,
            pad_token_id=self.tokenizer.pad_token_id,
            eos_token_id=self.tokenizer.eos_token_id,
        )
        new_tokens = output[:, inputs["input_ids"].shape[1]:]
        return self.tokenizer.batch_decode(new_tokens, skip_special_tokens=True)

    def answer(self, *questions: str) -> list[float]:
        """Numeric answers, NaN where the model gave none."""
        generations = self.batched_generate([self.format_prompt(q) for q in questions])
        return [self.parse_answer(g) for g in generations]


def load() -> BaseLLM:
    return BaseLLM()


def test_model(checkpoint: str | None = None, dataset: str = "valid", max_question: int = 100):
    """Benchmark the base model with its plain prompt."""
    from .data import run_benchmark_cli

    run_benchmark_cli("base", lambda: BaseLLM(checkpoint), dataset, max_question)


if __name__ == "__main__":
    import fire

    fire.Fire({"test": test_model})
