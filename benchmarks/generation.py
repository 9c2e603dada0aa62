"""Questions per second of BaseLLM.answer() against a naive baseline, in the same run.

Baseline: float32, one model.generate per micro-batch of 8 in dataset order, a fixed 50 new
tokens, no early stop. Ours: the package defaults (dtype and batch size per device, length-sorted
micro-batches, stop after </answer>). Both use the same prompt, so accuracy must not change.
    python -m benchmarks.generation --n 200 --model sft
"""

import argparse
import json
import time

import torch

from homework.data import Dataset, is_answer_valid


def build(model: str, **kwargs):
    if model == "sft":
        from homework.sft import SFT_DIR, SFTModel, load_adapter_model

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


def timed(fn, questions):
    start = time.time()
    answers = fn(questions)
    return answers, len(questions) / (time.time() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--model", choices=("sft", "cot"), default="sft")
    args = parser.parse_args()
    rows = Dataset("valid").data[: args.n]
    questions = [q for q, *_ in rows]

    def accuracy(answers):
        return sum(is_answer_valid(a, r[1]) for a, r in zip(answers, rows)) / len(rows)

    naive = build(args.model, device="cpu", dtype=torch.float32, batch_size=8)
    naive_out, naive_qps = timed(lambda qs: naive_answers(naive, qs), questions)
    del naive
    fast = build(args.model)
    fast_out, fast_qps = timed(lambda qs: fast.answer(*qs), questions)
    print(json.dumps({"naive": {"q_per_s": round(naive_qps, 2), "accuracy": accuracy(naive_out)},
                      "ours": {"q_per_s": round(fast_qps, 2), "accuracy": accuracy(fast_out),
                               "dtype": str(fast.dtype), "batch_size": fast.batch_size}}))
    print(f"speedup {fast_qps / naive_qps:.2f}x")


if __name__ == "__main__":
    main()
