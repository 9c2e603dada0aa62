"""The one slow test: the shipped SFT adapter on the embedded SmolLM2-135M, through the CLI contract."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_sft_test_command_answers_with_the_shipped_adapter_and_ends_with_json():
    run = subprocess.run([sys.executable, "-m", "homework.sft", "test", "--max_question", "16"], cwd=ROOT,
                         capture_output=True, text=True, timeout=600, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert run.returncode == 0, run.stderr[-2000:]
    summary = json.loads(run.stdout.strip().splitlines()[-1])
    # refused_right and false_refusals join only where the set has questions with no answer or the model refused
    assert {"model", "base", "accuracy", "answer_rate", "n", "seconds"} <= set(summary) <= {
        "model", "base", "accuracy", "answer_rate", "n", "seconds", "refused_right", "false_refusals"}
    assert summary["model"] == "sft" and summary["n"] == 16 and "135M" in summary["base"]
    assert summary["answer_rate"] >= 0.9 and summary["accuracy"] >= 0.5


@pytest.mark.slow
def test_lean_decoding_with_the_prefix_cache_keeps_greedy_answers_identical_on_the_embedded_model():
    """The defaults (lean loop, CoT's examples cached once) against transformers' generate() with no cache."""
    import torch

    from homework.cot import CoTModel
    from homework.data import Dataset

    llm = CoTModel("embedded", device="cpu", dtype=torch.float32)
    prompts = [llm.format_prompt(q) for q, *_ in Dataset("valid").data[:8]]
    fast = llm.batched_generate(prompts, max_new_tokens=40)
    assert llm._prefix is not None and len(llm._prefix) > 300, "the examples were not cached"
    llm.use_prefix_cache, llm.decoder = False, "generate"
    assert llm.batched_generate(prompts, max_new_tokens=40) == fast


# what a student submits: the shipped adapters, asked as people ask (none of these is in data/)
SHIPPED_QUESTIONS = [
    ("How many gram are there per 6 kg?", 6000.0),
    ("How many pints are in a gallon?", 8.0),
    ("Convert seven pounds to kilograms.", 7 * 0.45359237),
    ("How many minutes are in 2 1/2 hours?", 150.0),
    ("What is half a mile in feet?", 2640.0),
    ("HOW MANY ML IN 3 TSP?", 3 * 4.92892159375),
    ("How many centimeters are in 4 metrs?", 400.0),
    ("I have .5 liters of water, how many milliliters is that?", 500.0),
]


@pytest.mark.slow
@pytest.mark.parametrize("model", ["sft", "rft"])
def test_the_shipped_adapters_answer_everyday_questions_right(model):
    import torch

    from homework import lora, rft, sft
    from homework.answers import is_answer_valid

    # float32 on the CPU: the same numbers on every machine (bfloat16 may flip a close call)
    cls, folder = (sft.SFTModel, sft.SFT_DIR) if model == "sft" else (rft.RFTModel, rft.RFT_DIR)
    llm = lora.load_adapter_model(cls, folder, device="cpu", dtype=torch.float32)
    answers = llm.answer(*[q for q, _ in SHIPPED_QUESTIONS])
    wrong = [(q, a) for (q, expected), a in zip(SHIPPED_QUESTIONS, answers) if not is_answer_valid(a, expected)]
    assert not wrong, f"the shipped {model} adapter got these wrong: {wrong}"
