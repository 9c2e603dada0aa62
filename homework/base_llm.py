"""BaseLLM: load a chat model, format prompts, generate in batches, read answers (answers.parse_answer)."""

import logging
import os
import platform
from pathlib import Path

import torch
from tqdm import tqdm
from transformers import AutoModelForCausalLM, AutoTokenizer, LogitsProcessorList

from . import checkpoints
from .generation import decoding
from .generation.attention import GROUPED_SDPA
from .answers import parse_answer
from .generation.prefix_cache import PrefixCache, batch_after_prefix, cache_argument, is_long, shared_prefix_length
from .generation.sampling import SeededGumbelSampling, sequence_seeds

logger = logging.getLogger(__name__)

checkpoint = checkpoints.DEFAULT_BASE
STOP = "</answer>"


def pick_device() -> str:
    """cuda > mps > cpu; $HOMEWORK_DEVICE overrides.

    Under a launcher that starts more processes on this machine than it has GPUs ($LOCAL_WORLD_SIZE,
    set by torchrun and `accelerate launch`), every process runs on the CPU (over gloo) instead of
    failing on a GPU that does not exist.
    """
    if os.environ.get("HOMEWORK_DEVICE"):
        return os.environ["HOMEWORK_DEVICE"]
    if torch.cuda.is_available():
        processes, gpus = int(os.environ.get("LOCAL_WORLD_SIZE", "1")), torch.cuda.device_count()
        if processes <= gpus:
            return "cuda"
        _log_once(f"{processes} processes on this machine but {gpus} GPU(s): every process runs on the CPU")
        return "cpu"
    if torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def cpu_has_native_bf16() -> bool:
    """True where the CPU computes bfloat16 in hardware (x86 AVX512-BF16 or AMX, Arm BF16).

    Elsewhere (most laptops: AVX2 only) torch emulates bfloat16, 3-4x slower than float32.
    """
    if hasattr(torch.cpu, "_is_avx512_bf16_supported"):
        if torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported():
            return True
    if platform.machine().lower() in ("aarch64", "arm64"):
        try:
            return " bf16" in Path("/proc/cpuinfo").read_text()
        except OSError:
            return False
    return False


def dtype_choice(device: str) -> tuple[torch.dtype, str]:
    """The fast dtype for this hardware and why: bfloat16 where it is computed natively, else float32.

    dtype_choice("cpu") -> (torch.float32, "cpu AVX2 without native bf16: float32") on most laptops.
    $HOMEWORK_DTYPE (float32, bfloat16, float16) overrides.
    """
    if os.environ.get("HOMEWORK_DTYPE"):
        name = os.environ["HOMEWORK_DTYPE"]
        dtype = getattr(torch, name, None)
        if not isinstance(dtype, torch.dtype):
            raise ValueError(f"HOMEWORK_DTYPE={name!r}: expected float32, bfloat16 or float16")
        return dtype, f"HOMEWORK_DTYPE={name}"
    if device == "cuda":
        if torch.cuda.is_bf16_supported():
            return torch.bfloat16, "cuda with bf16: bfloat16"
        return torch.float16, "cuda without bf16: float16"
    if device == "cpu":
        capability = torch.backends.cpu.get_cpu_capability()
        if cpu_has_native_bf16():
            return torch.bfloat16, f"cpu {capability} with native bf16: bfloat16"
        return torch.float32, f"cpu {capability} without native bf16: float32"
    return torch.float32, f"{device}: float32"


_logged_choices: set[str] = set()


def _log_once(message: str) -> None:
    """A hardware choice is logged once per process, however often it is made."""
    if message not in _logged_choices:
        _logged_choices.add(message)
        logger.info(message)


def pick_dtype(device: str) -> torch.dtype:
    """dtype_choice's dtype; the choice and its reason are logged once per process."""
    dtype, reason = dtype_choice(device)
    _log_once(f"dtype: {reason}")
    return dtype


KV_BUDGET = 2 * 2**30  # bytes of key/value buffers a CPU batch may fill (at KV_POSITIONS positions a row)
KV_POSITIONS = 128


def default_batch_size(device: str, config, dtype: torch.dtype) -> int:
    """Sequences generated together; $HOMEWORK_BATCH_SIZE overrides.

    A CPU decoding step reads every weight matrix from memory once, whatever the rows: more rows per
    step cost less each (the lean loop's step: 3.6-4.9 ms a row at 64 rows, 2.5-3.2 ms at 256, 2-core
    EPYC, `python -m benchmarks.decode_step`). So a CPU batch is as large as KV_BUDGET of key/value
    buffers allows for this model, at most 256 (135M: 256; 1.7B: 40); a GPU's is 256.
    """
    if os.environ.get("HOMEWORK_BATCH_SIZE"):
        name = os.environ["HOMEWORK_BATCH_SIZE"]
        if not name.isdigit() or int(name) < 1:
            raise ValueError(f"HOMEWORK_BATCH_SIZE={name!r}: expected a whole number of sequences, 1 or more")
        return int(name)
    if device == "cuda":
        return 256
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads
    per_row = (2 * config.num_hidden_layers * config.num_key_value_heads * head_dim * KV_POSITIONS
               * dtype.itemsize)
    return max(8, min(256, KV_BUDGET // per_row // 8 * 8))


class BaseLLM:
    """A causal chat model with batched, early-stopping generation."""

    model_name = "base"

    def __init__(self, checkpoint: str | None = None, device: str | None = None,
                 dtype: torch.dtype | None = None, batch_size: int | None = None, use_prefix_cache: bool = True,
                 decoder: str | None = None):
        self.use_prefix_cache = use_prefix_cache  # reuse the keys/values of a prompt prefix shared by a call
        self.decoder = decoder or os.environ.get("HOMEWORK_DECODER", "lean")  # "lean" or transformers' "generate"
        if self.decoder not in ("lean", "generate"):
            raise ValueError(f"decoder={self.decoder!r}: expected 'lean' or 'generate'")
        self._lean: decoding.LeanDecoder | None = None
        self._prefix: PrefixCache | None = None
        self.device = device or pick_device()
        self.dtype = dtype or pick_dtype(self.device)
        path = checkpoints.resolve(checkpoint)
        self.base_name = checkpoints.describe(path)
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        model = AutoModelForCausalLM.from_pretrained(path, dtype=self.dtype, attn_implementation=GROUPED_SDPA)
        self.tokenizer.padding_side = "left"  # so every prompt ends where generation starts
        self.tokenizer.clean_up_tokenization_spaces = False  # transformers 5 ignores it for BPE, with a warning
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.model = model.to(self.device).eval()
        self.batch_size = batch_size or default_batch_size(self.device, model.config, self.dtype)
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
                         temperature: float = 0, max_new_tokens: int = 60, progress: bool | None = None,
                         seeds: list[int] | None = None):
        """Complete each prompt: a flat list when num_return_sequences is None, else one list per prompt.

        Greedy at temperature 0, sampling otherwise. Prompts are sorted by length so that a micro-batch
        carries little padding, a sequence stops once it has closed </answer> or emitted EOS, and a
        prefix that all prompts share (CoT's instructions and examples) is computed once. With seeds
        (one per prompt), each prompt's samples depend on its seed alone, not on its batch.
        """
        n = num_return_sequences or 1
        if seeds is not None and (len(seeds) != len(prompts) or temperature <= 0):
            raise ValueError("seeds: give one per prompt, and sample (temperature > 0)")
        per_batch = max(1, self.batch_size // n)
        rows = self.tokenizer(list(prompts), add_special_tokens=False)["input_ids"] if prompts else []
        lean = self._lean_decoder()
        prefix = self._prefix_for(rows)
        order = sorted(range(len(prompts)), key=lambda i: len(rows[i]), reverse=True)
        results: list[list[str]] = [[] for _ in prompts]
        show = progress if progress is not None else len(prompts) > per_batch
        with tqdm(total=len(prompts) * n, desc="generate", unit="seq", disable=not show, leave=False) as bar:
            if lean is not None:  # one stream of rows, refilled as rows finish
                batches = [order] if order else []
            else:  # micro-batches of similar length through generate()
                batches = [order[start:start + per_batch] for start in range(0, len(order), per_batch)]
            for index in batches:
                rows_here, seeds_here = [rows[i] for i in index], None if seeds is None else [seeds[i] for i in index]
                if lean is not None:
                    texts = self._generate_lean(lean, rows_here, n, temperature, max_new_tokens, prefix, seeds_here,
                                                bar.update)
                else:
                    texts = self._generate_batch(rows_here, n, temperature, max_new_tokens, prefix, seeds_here)
                    bar.update(len(index) * n)
                for k, i in enumerate(index):
                    results[i] = texts[k * n:(k + 1) * n]
        return [r[0] for r in results] if num_return_sequences is None else results

    def _prefix_for(self, rows: list[list[int]]) -> PrefixCache | None:
        """The prompt prefix these rows share, its keys and values computed once per model; None where
        they share none (or prefix caching is off). How each decoder reads it: prefix_cache.LONG_PREFIX_TOKENS.

        The prefix is what every row shares with this model's empty prompt (format_prompt("")), so it is
        the same split whether one prompt comes or a thousand: a single generate() and a batch compute
        the same keys and values. Prompts not made by format_prompt fall back to what the rows share.
        """
        if not self.use_prefix_cache or not rows:
            return None
        if self._prefix is not None and self._prefix.serves(self.model, rows):
            return self._prefix
        template = self.tokenizer(self.format_prompt(""), add_special_tokens=False)["input_ids"]
        length = shared_prefix_length([template + [-1], *rows]) if template else 0
        if length == 0 and len(rows) > 1:
            length = shared_prefix_length(rows)
        if length == 0:
            return None
        self._prefix = PrefixCache(self.model, rows[0][:length])
        logger.info("prompt prefix of %d tokens computed once and reused", length)
        return self._prefix

    def _lean_decoder(self) -> decoding.LeanDecoder | None:
        """The lean loop for this model, built once per model object; None where it does not apply."""
        if self.decoder != "lean" or not decoding.supports(self.model):
            return None
        if self._lean is None or self._lean.model is not self.model:
            self._lean = decoding.LeanDecoder(self.model, self.tokenizer, STOP)
        return self._lean

    def _generate_lean(self, lean: decoding.LeanDecoder, rows: list[list[int]], n: int, temperature: float,
                       max_new_tokens: int, prefix: PrefixCache | None, seeds: list[int] | None, progress) -> list[str]:
        """n completions per row, the n samples of a row adjacent (as generate() returns them)."""
        rows = [r for r in rows for _ in range(n)]
        pick = None
        if seeds is not None:
            pick = SeededGumbelSampling(sequence_seeds(seeds, n), temperature).pick(lean)
        elif temperature > 0:
            pick = lambda hidden, ids: torch.multinomial((lean.logits(hidden) / temperature).softmax(-1), 1)[:, 0]
        new_tokens = lean.generate(rows, prefix, max_new_tokens, pick, batch=self.batch_size, progress=progress)
        return self.tokenizer.batch_decode(new_tokens, skip_special_tokens=True)

    def _generate_batch(self, rows: list[list[int]], n: int, temperature: float, max_new_tokens: int,
                        prefix: PrefixCache | None = None, seeds: list[int] | None = None) -> list[str]:
        """One micro-batch through transformers' generate(); a short prefix is recomputed in every row."""
        prefix = prefix if is_long(prefix) else None
        sampling = temperature > 0
        options = {"do_sample": sampling, "temperature": temperature if sampling else None,
                   "num_return_sequences": n}
        if seeds is not None:  # one generator per sequence: repeat each prompt n times and decode greedily
            rows = [r for r in rows for _ in range(n)]
            options = {"do_sample": False, "temperature": None, "num_return_sequences": 1,
                       "logits_processor": LogitsProcessorList([SeededGumbelSampling(sequence_seeds(seeds, n),
                                                                                     temperature)])}
            n = 1
        # with no prefix this is plain left padding, so every row ends where generation starts
        input_ids, attention_mask = batch_after_prefix(rows, len(prefix or ()), self.tokenizer.pad_token_id)
        cached = {} if prefix is None else {
            cache_argument(self.model): prefix.expand(len(rows) * n, input_ids.shape[1] + max_new_tokens)}
        output = self.model.generate(
            input_ids=input_ids.to(self.device),
            attention_mask=attention_mask.to(self.device),
            max_new_tokens=max_new_tokens,
            top_p=None,
            top_k=None,
            **options,
            stop_strings=[STOP],
            tokenizer=self.tokenizer,
            pad_token_id=self.tokenizer.pad_token_id,
            eos_token_id=self.tokenizer.eos_token_id,
            **cached,
        )
        new_tokens = output[:, input_ids.shape[1]:]
        return self.tokenizer.batch_decode(new_tokens, skip_special_tokens=True)

    def answer(self, *questions: str) -> list[float]:
        """Numeric answers, NaN where the model gave none."""
        return [value for _, value in self.answer_with_completions(*questions)]

    def answer_with_completions(self, *questions: str) -> list[tuple[str, float]]:
        """(completion, numeric answer) per question: what answer() returns, with the text it read."""
        generations = self.batched_generate([self.format_prompt(q) for q in questions])
        return [(g, self.parse_answer(g)) for g in generations]


def load() -> BaseLLM:
    return BaseLLM()


def test_model(checkpoint: str | None = None, dataset: str = "valid", max_question: int = 100,
               save_samples: str | None = None):
    """Benchmark the base model with its plain prompt."""
    from .data import run_benchmark_cli

    run_benchmark_cli("base", lambda: BaseLLM(checkpoint), dataset, max_question, save_samples)


if __name__ == "__main__":
    from .cli import main

    main({"test": test_model})
