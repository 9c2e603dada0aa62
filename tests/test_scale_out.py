"""More than one process through `accelerate launch --cpu`: data-parallel training and sharded datagen."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from homework import datagen, lora, sft, vllm_sampler
from homework.base_llm import BaseLLM, pick_device

ROOT = Path(__file__).resolve().parent.parent
FAKE = ROOT / "tests" / "fixtures" / "datagen_fake_sampler.py"


def launch(args: list[str], processes: int, env: dict | None = None) -> subprocess.CompletedProcess:
    # accelerate's torchrun launcher (--multi_gpu) starts the processes; with fewer GPUs than processes (none
    # or one) our code runs each on the CPU over gloo. (accelerate's --cpu starts one process without MPI.)
    command = [sys.executable, *args] if processes == 1 else [
        sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", str(processes),
        "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no", *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT),
                               **(env or {})})


@pytest.fixture
def questions(tmp_path):
    path = tmp_path / "q.json"
    path.write_text(json.dumps([[f"convert {i} m", i * 100.0] for i in range(1, 14)]))
    return str(path)


def test_datagen_on_two_processes_writes_the_same_entries_as_on_one(tmp_path, questions):
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    for out, n in ((one, 1), (two, 2)):
        run = launch([str(FAKE), str(out), questions], n)
        assert run.returncode == 0, run.stderr[-3000:]
    assert json.loads(one.read_text()) == json.loads(two.read_text())
    assert len(json.loads(one.read_text())) >= 5
    assert not list(tmp_path.glob("*.partial*"))


def test_a_killed_two_process_datagen_resumes_to_the_same_file(tmp_path, questions):
    clean, crashed = tmp_path / "clean.json", tmp_path / "crashed.json"
    assert launch([str(FAKE), str(clean), questions], 2).returncode == 0
    run = launch([str(FAKE), str(crashed), questions], 2, env={"CRASH_RANK": "1", "CRASH_AFTER": "1"})
    assert run.returncode != 0 and not crashed.exists()
    assert datagen.partial_files(crashed), "finished work was kept"
    assert launch([str(FAKE), str(crashed), questions, "--resume"], 2).returncode == 0
    assert json.loads(crashed.read_text()) == json.loads(clean.read_text())


def test_two_process_training_writes_one_adapter_that_loads_and_generates(tmp_path, tiny_model_dir):
    data = tmp_path / "train.json"
    data.write_text(json.dumps([[f"How many gram are there per {i} kg?", i * 1000.0] for i in range(1, 9)]))
    out, run_dir = tmp_path / "adapter", tmp_path / "run"
    run = launch(["-m", "homework.sft", "train", "--base", str(tiny_model_dir), "--dataset", str(data),
                  "--epochs", "1", "--batch_size", "2", "--rank", "2", "--bf16", "False", "--output_dir", str(out),
                  "--run_dir", str(run_dir)], 2)
    assert run.returncode == 0, run.stderr[-3000:]
    assert sorted(p.name for p in out.iterdir()) == sorted(lora.ADAPTER_FILES)
    assert run.stderr.count("saved adapter to") == 1, "only the main process saves"
    llm = sft.load(out)
    assert isinstance(llm.generate(llm.format_prompt("How many g in 2 kg?")), str)


def test_seeded_samples_do_not_depend_on_what_shares_their_batch(tiny_model_dir):
    llm = BaseLLM(str(tiny_model_dir), device="cpu", dtype=torch.float32, batch_size=8)
    prompts = ["How many g in 6 kg?", "2 h in min", "3 m in cm", "Convert 5 GB to MB please"]
    together = llm.batched_generate(prompts, num_return_sequences=2, temperature=0.8, max_new_tokens=8,
                                    seeds=[11, 12, 13, 14])
    alone = [llm.batched_generate([p], num_return_sequences=2, temperature=0.8, max_new_tokens=8, seeds=[s])[0]
             for p, s in zip(prompts, [11, 12, 13, 14])]
    assert together == alone
    other = llm.batched_generate(prompts[:1], num_return_sequences=2, temperature=0.8, max_new_tokens=8, seeds=[99])
    assert other[0] != together[0], "another seed samples otherwise"


def test_vllm_backend_without_vllm_says_what_is_missing(monkeypatch):
    monkeypatch.setattr("importlib.util.find_spec", lambda name, *a: None if name == "vllm" else object())
    assert "needs the vllm package" in vllm_sampler.vllm_problem()
    with pytest.raises(SystemExit, match="needs the vllm package"):
        datagen.build_sampler(None, backend="vllm")
    with pytest.raises(SystemExit, match="--backend must be one of hf, vllm"):
        datagen.build_sampler(None, backend="onnx")


def test_vllm_arguments_mirror_our_sampling(trained_adapter):
    assert vllm_sampler.sampling_kwargs(4, 0.6, 60, 7) == {
        "n": 4, "temperature": 0.6, "max_tokens": 60, "stop": ["</answer>"], "include_stop_str_in_output": True,
        "seed": 7}
    kwargs, adapter, style = vllm_sampler.engine_kwargs(str(trained_adapter))
    assert adapter == str(trained_adapter) and style == "sft" and kwargs["enable_lora"] and kwargs["max_lora_rank"] >= 4
    assert kwargs["enable_prefix_caching"] and Path(kwargs["model"]).is_dir()


def test_more_processes_than_gpus_run_on_the_cpu_and_enough_gpus_on_the_gpus(monkeypatch):
    monkeypatch.delenv("HOMEWORK_DEVICE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    monkeypatch.setenv("LOCAL_WORLD_SIZE", "2")
    assert pick_device() == "cpu"
    monkeypatch.setenv("LOCAL_WORLD_SIZE", "1")
    assert pick_device() == "cuda"
    monkeypatch.delenv("LOCAL_WORLD_SIZE")
    assert pick_device() == "cuda", "a single process takes the GPU"
    monkeypatch.setenv("HOMEWORK_DEVICE", "cpu")
    assert pick_device() == "cpu"
