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
    assert set(summary) == {"model", "base", "accuracy", "answer_rate", "n", "seconds"}
    assert summary["model"] == "sft" and summary["n"] == 16 and "135M" in summary["base"]
    assert summary["answer_rate"] >= 0.9 and summary["accuracy"] >= 0.5


@pytest.mark.slow
def test_cot_prefix_cache_keeps_greedy_answers_identical_on_the_embedded_model():
    import torch

    from homework.cot import CoTModel
    from homework.data import Dataset

    llm = CoTModel("embedded", device="cpu", dtype=torch.float32)
    prompts = [llm.format_prompt(q) for q, *_ in Dataset("valid").data[:8]]
    cached = llm.batched_generate(prompts, max_new_tokens=40)
    assert llm._prefix is not None and len(llm._prefix) > 300, "the examples were not cached"
    llm.use_prefix_cache = False
    assert llm.batched_generate(prompts, max_new_tokens=40) == cached
