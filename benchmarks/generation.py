"""Questions per second of BaseLLM.answer() against a naive baseline, in the same run, and what it ran on.

Baseline: float32, transformers' stock "sdpa" attention, one model.generate per micro-batch of 8 in
dataset order, a fixed 50 new tokens, no early stop, no prompt-prefix cache. Ours: the package
defaults (dtype by the hardware's features, batch size per device, length-sorted micro-batches,
stop after </answer>, the shared prompt prefix computed once, the lean decoding loop with its products
packed for oneDNN). Both use the same prompt, so accuracy must not change (in float32 the greedy texts
equal generate()'s: tests/test_decoding.py).
    python -m benchmarks.generation --n 200 --model sft
    python -m benchmarks.generation --n 200 --model cot
The last stdout line is one JSON object; the line before it says the ratio in words. It also gives
the model arithmetic answer() achieved (GFLOP/s: matrix products and attention of the tokens it
processed, counted from the prompts and completions) next to the rate this processor reaches on one
matrix product of decoding shape (as many hidden states as answer() decodes together, times the MLP's
up-projection), measured in the same run and dtype with the kernel answer()'s layers use (oneDNN's
packed one on a CPU in float32).
"""

import argparse
import json
import os
import time

import torch

from homework.base_llm import cpu_has_native_bf16, dtype_choice, pick_device
from homework.answers import is_answer_valid
from homework.data import Dataset
from homework.generation.packed_linear import PackedLinear


def build(model: str, **kwargs):
    if model == "sft":
        from homework.lora import load_adapter_model
        from homework.sft import SFT_DIR, SFTModel

        return load_adapter_model(SFTModel, SFT_DIR, **kwargs)
    from homework.cot import CoTModel

    return CoTModel(**kwargs)


@torch.inference_mode()
def naive_answers(llm, questions: list[str]) -> list[float]:
    tok = llm.tokenizer
    out = []
    for start in range(0, len(questions), 8):
        prompts = [llm.format_prompt(q) for q in questions[start:start + 8]]
        inputs = tok(prompts, return_tensors="pt", padding=True, add_special_tokens=False)
        ids = llm.model.generate(**inputs, max_new_tokens=50, min_new_tokens=50, do_sample=False,
                                 pad_token_id=tok.pad_token_id)
        out += [llm.parse_answer(t) for t in tok.batch_decode(ids[:, inputs["input_ids"].shape[1]:],
                                                              skip_special_tokens=True)]
    return out


def model_flops(llm, prompts: list[str], completions: list[str]) -> float:
    """Arithmetic of answering: 2 FLOPs per weight of every layer for each token processed, the output
    matrix for each generated token, and attention (4 x layers x heads x head size per token seen).

    A prompt prefix that the cache computes once is counted once.
    """
    config = llm.model.config
    layers, hidden, vocab = config.num_hidden_layers, config.hidden_size, config.vocab_size
    width = config.num_attention_heads * getattr(config, "head_dim", hidden // config.num_attention_heads)
    kv_width = config.num_key_value_heads * width // config.num_attention_heads
    per_layer = hidden * (2 * width + 2 * kv_width) + 3 * hidden * config.intermediate_size
    prefix = len(llm._prefix) if llm._prefix is not None else 0
    total = 2 * per_layer * layers * prefix
    for prompt, completion in zip(prompts, completions):
        seen = len(llm.tokenizer(prompt, add_special_tokens=False)["input_ids"])
        made = len(llm.tokenizer(completion, add_special_tokens=False)["input_ids"])
        new = seen - prefix + made
        total += 2 * per_layer * layers * new + 2 * hidden * vocab * made
        total += 4 * layers * width * sum(range(seen - new + 1, seen + made + 1))  # each token attends to all before it
    return total


def matmul_rate(dtype: torch.dtype, hidden: int, inner: int, rows: int = 64, seconds: float = 1.0,
                packed: bool = False) -> float:
    """GFLOP/s of (rows x hidden) @ (hidden x inner) in `dtype` on this CPU, the shape of one decoding step,
    through the kernel answer() uses for its layers: oneDNN's packed one when `packed`, else F.linear (MKL)."""
    x = torch.randn(rows, hidden, dtype=dtype)
    product = PackedLinear(torch.nn.Linear(hidden, inner, bias=False, dtype=dtype), pack=packed)
    for _ in range(5):
        product(x)
    count, start = 0, time.time()
    while time.time() - start < seconds:
        product(x)
        count += 1
    return 2 * rows * hidden * inner * count / (time.time() - start) / 1e9


def timed(fn, questions):
    start = time.time()
    answers = fn(questions)
    return answers, len(questions) / (time.time() - start)


def hardware() -> dict:
    """What the figures depend on: the CPU's vector capability, native bf16, threads, the dtype rule."""
    device = pick_device()
    return {"device": device, "cpu_capability": torch.backends.cpu.get_cpu_capability(),
            "native_bf16": cpu_has_native_bf16(), "threads": torch.get_num_threads(), "cores": os.cpu_count(),
            "dtype_rule": dtype_choice(device)[1]}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200, help="validation questions to answer")
    parser.add_argument("--model", choices=("sft", "cot"), default="sft", help="the SFT adapter or the CoT prompt")
    args = parser.parse_args()
    rows = Dataset("valid").data[: args.n]
    questions = [q for q, *_ in rows]

    def accuracy(answers):
        return round(sum(is_answer_valid(a, r[1]) for a, r in zip(answers, rows)) / len(rows), 4)

    naive = build(args.model, device="cpu", dtype=torch.float32, batch_size=8, use_prefix_cache=False)
    naive.model.set_attn_implementation("sdpa")
    naive_out, naive_qps = timed(lambda qs, llm=naive: naive_answers(llm, qs), questions)
    del naive
    fast = build(args.model)
    fast_pairs, fast_qps = timed(lambda qs: fast.answer_with_completions(*qs), questions)
    fast_out = [value for _, value in fast_pairs]
    ratio = fast_qps / naive_qps
    flops = model_flops(fast, [fast.format_prompt(q) for q in questions], [text for text, _ in fast_pairs])
    achieved = flops / len(questions) * fast_qps / 1e9
    config = fast.model.config
    lean = fast._lean_decoder()
    packed = lean is not None and lean.products[0].up.packed() is not None
    peak = matmul_rate(fast.dtype, config.hidden_size, config.intermediate_size, rows=min(fast.batch_size, len(rows)),
                       packed=packed)
    print(f"{args.model}: {fast_qps:.2f} q/s against {naive_qps:.2f} q/s naive, speedup {ratio:.2f}x; "
          f"{achieved:.1f} GFLOP/s of model arithmetic, {achieved / peak:.0%} of this CPU's {peak:.1f} GFLOP/s "
          f"at decoding shape")
    print(json.dumps({"model": args.model, "n": len(rows), "hardware": hardware(),
                      "naive": {"q_per_s": round(naive_qps, 2), "accuracy": accuracy(naive_out),
                                "dtype": "torch.float32", "batch_size": 8},
                      "ours": {"q_per_s": round(fast_qps, 2), "accuracy": accuracy(fast_out),
                               "dtype": str(fast.dtype), "batch_size": fast.batch_size, "decoder": fast.decoder,
                               "layers_packed": packed, "gflop_per_question": round(flops / len(questions) / 1e9, 2),
                               "gflop_per_s": round(achieved, 1)},
                      "matmul_gflop_per_s": round(peak, 1), "speedup": round(ratio, 2)}))


if __name__ == "__main__":
    main()
