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
