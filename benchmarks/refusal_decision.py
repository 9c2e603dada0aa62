"""How sharply an adapter decides to refuse: the probability of " cannot" at the token where a completion
turns to a refusal or an answer, after the model's own unit names ("liter (volume) to meter (length):").

    python -m benchmarks.refusal_decision --adapter_dir homework/sft_model --samples runs/recipe/samples/sft_robust.jsonl

The samples file (written by `test --save_samples`) gives the questions and each completion's names. An
adapter that learned the rule puts P(" cannot") near 1 on the questions with no answer and near 0 on the
others; one that learned only how often refusals occur puts it near that share on both (with run H's
questions and seed 1, SFT did so and never refused). The last stdout line is one JSON object.
"""

import argparse
import json

import torch

from homework import rft, sft
from homework.report import read_samples


def decision_probabilities(model, records: list[dict]) -> dict[str, list[float]]:
    """P(" cannot") after each completion's names, split by whether the question has an answer."""
    cannot = model.tokenizer.encode(" cannot", add_special_tokens=False)[0]
    found = {"no_answer": [], "answer": []}
    for record in records:
        completion = record["completion"]
        if ": " not in completion:  # no names written: no decision point
            continue
        text = model.format_prompt(record["question"]) + completion[:completion.index(": ") + 1]
        ids = model.tokenizer(text, return_tensors="pt", add_special_tokens=False).input_ids.to(model.device)
        with torch.no_grad():
            logits = model.model(ids).logits[0, -1].float()
        key = "no_answer" if record["correct_answer"] is None else "answer"
        found[key].append(torch.softmax(logits, -1)[cannot].item())
    return found


def summary(probabilities: list[float]) -> dict:
    ordered = sorted(probabilities)
    return {"n": len(ordered), "median": round(ordered[len(ordered) // 2], 4) if ordered else None,
            "above_half": sum(p > 0.5 for p in ordered)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adapter_dir", required=True)
    parser.add_argument("--samples", required=True, help="a samples file of `test --save_samples`")
    parser.add_argument("--model", choices=("sft", "rft"), default="sft")
    args = parser.parse_args()
    model = (sft if args.model == "sft" else rft).load(args.adapter_dir)
    found = decision_probabilities(model, read_samples(args.samples))
    result = {key: summary(values) for key, values in found.items()}
    print(f"P(' cannot'): no answer {result['no_answer']}, answer {result['answer']}")
    print(json.dumps({"adapter_dir": args.adapter_dir, "samples": args.samples, **result}))


if __name__ == "__main__":
    main()
