"""An optional fast sampler for datagen on GPUs: vLLM (batching, prefix caching, n samples per prompt).

A thin layer with BaseLLM's sampling interface (format_prompt, parse_answer, batched_generate), so
datagen composes it like any model. vLLM is imported only when asked for; without it, or without a
GPU, `create` stops with one sentence that says what is missing. Not run on our CPU machines.
"""

import json
from pathlib import Path

from . import checkpoints
from .answers import parse_answer
from .base_llm import STOP


def vllm_problem() -> str | None:
    """Why vLLM cannot sample here, or None when it can."""
    import importlib.util

    if importlib.util.find_spec("vllm") is None:
        return "--backend vllm needs the vllm package (pip install vllm) on a machine with a CUDA GPU"
    import torch

    if not torch.cuda.is_available():
        return "--backend vllm needs a CUDA GPU; none is visible here (use --backend hf)"
    return None


def sampling_kwargs(n: int, temperature: float, max_new_tokens: int, seed: int | None) -> dict:
    """vllm.SamplingParams arguments that sample like BaseLLM.batched_generate: n per prompt, stop after </answer>.

    sampling_kwargs(4, 0.6, 60, 7) -> {"n": 4, "temperature": 0.6, "max_tokens": 60, "stop": ["</answer>"],
                                       "include_stop_str_in_output": True, "seed": 7}
    """
    return {"n": n, "temperature": temperature, "max_tokens": max_new_tokens, "stop": [STOP],
            "include_stop_str_in_output": True, "seed": seed}


def engine_kwargs(checkpoint: str | None) -> tuple[dict, str | None, str]:
    """(vllm.LLM arguments, adapter folder or None, prompt style) for a checkpoint name or adapter folder."""
    adapter = None
    if checkpoint and (Path(checkpoint) / "adapter_config.json").exists():
        adapter = checkpoint
        config = json.loads((Path(checkpoint) / "adapter_config.json").read_text())
        base = checkpoints.resolve(config["base_model_name_or_path"])
        return ({"model": base, "enable_prefix_caching": True, "enable_lora": True,
                 "max_lora_rank": max(8, int(config.get("r", 16)))}, adapter, "sft")
    return {"model": checkpoints.resolve(checkpoint or checkpoints.DEFAULT_TEACHER),
            "enable_prefix_caching": True}, None, "cot"


class VLLMSampler:
    """Samples with a vLLM engine; the prompt is the adapter's (SFT/RFT) or the CoT chat."""

    batch_size = 1024  # vLLM schedules its own batches; datagen hands it this many sequences at once

    def __init__(self, llm, format_prompt, lora_request=None):
        self.llm, self.format_prompt, self.lora_request = llm, format_prompt, lora_request

    @classmethod
    def create(cls, checkpoint: str | None) -> "VLLMSampler":
        problem = vllm_problem()
        if problem:
            raise SystemExit(problem)
        from vllm import LLM
        from vllm.lora.request import LoRARequest

        kwargs, adapter, style = engine_kwargs(checkpoint)
        llm = LLM(**kwargs)
        if style == "sft":
            from .sft import format_prompt
        else:
            tokenizer = llm.get_tokenizer()
            from .cot import CoTModel

            def format_prompt(question, _tokenizer=tokenizer):  # CoTModel's prompt without loading torch weights
                return CoTModel.format_prompt(_PromptOnly(_tokenizer), question)
        return cls(llm, format_prompt, LoRARequest("adapter", 1, adapter) if adapter else None)

    def parse_answer(self, text: str) -> float:
        return parse_answer(text)

    def batched_generate(self, prompts: list[str], num_return_sequences: int | None = None, temperature: float = 0,
                         max_new_tokens: int = 60, progress: bool | None = None, seeds: list[int] | None = None):
        from vllm import SamplingParams

        n = num_return_sequences or 1
        params = [SamplingParams(**sampling_kwargs(n, temperature, max_new_tokens, None if seeds is None else s))
                  for s in (seeds or [None] * len(prompts))]
        outputs = self.llm.generate(prompts, params, lora_request=self.lora_request, use_tqdm=bool(progress))
        texts = [[c.text for c in out.outputs] for out in outputs]
        return [t[0] for t in texts] if num_return_sequences is None else texts


class _PromptOnly:
    """Just enough of a CoTModel to build its prompt: a tokenizer."""

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer
