"""Tests that fail when a behaviour a user relies on breaks, on a tiny model whose output matters:
the adapter reaches the model, --resume continues, </answer> stops each row, padding is masked,
and sampling follows the logits and the temperature."""

import json
import math

import pytest
import torch
from safetensors.torch import load_file, save_file

from homework import lora, sft
from homework.base_llm import BaseLLM
from homework.generation.sampling import SeededGumbelSampling


def test_a_loaded_adapter_changes_what_the_model_computes(trained_adapter, tiny_model_dir):
    base = BaseLLM(str(tiny_model_dir), device="cpu", dtype=torch.float32, batch_size=4)
    tuned = sft.load(trained_adapter, device="cpu", dtype=torch.float32)
    ids = base.tokenizer("Question: How many g in 6 kg?\nAnswer:", return_tensors="pt")["input_ids"]
    with torch.no_grad():
        before, after = base.model(ids).logits, tuned.model(ids).logits
    assert (before - after).abs().max() > 1e-3, "the adapter's weights never reached the model"
    # and what reached it is this adapter: the merged q_proj equals base + scale * B @ A
    weights = load_file(trained_adapter / "adapter_model.safetensors")
    config = json.loads((trained_adapter / "adapter_config.json").read_text())
    a = next(w for k, w in weights.items() if "layers.0.self_attn.q_proj.lora_A" in k)
    b = next(w for k, w in weights.items() if "layers.0.self_attn.q_proj.lora_B" in k)
    expected = base.model.model.layers[0].self_attn.q_proj.weight + config["lora_alpha"] / config["r"] * b @ a
    assert torch.allclose(tuned.model.model.layers[0].self_attn.q_proj.weight, expected, atol=1e-5)


def test_resume_continues_from_the_checkpoints_weights_not_from_scratch(tiny_model_dir, tmp_path):
    pairs = [sft.format_example(f"{i} m in cm", i * 100.0) for i in range(1, 5)]
    options = dict(base=str(tiny_model_dir), batch_size=2, rank=2, bf16=False, save_steps=1, learning_rate=1e-3)
    fresh = lora.train_adapter(pairs, tmp_path / "fresh", tmp_path / "fresh_run", epochs=2, **options)
    run = tmp_path / "run"
    lora.train_adapter(pairs, tmp_path / "first", run, epochs=1, **options)
    # mark the checkpoint: a run that really resumes carries the mark to the end, a fresh start loses it
    checkpoint = run / "checkpoint-2" / "adapter_model.safetensors"
    marked = {k: w + 5.0 for k, w in load_file(checkpoint).items()}
    save_file(marked, checkpoint)
    resumed = lora.train_adapter(pairs, tmp_path / "resumed", run, epochs=2, resume=True, **options)
    fresh_w, resumed_w = load_file(fresh / "adapter_model.safetensors"), load_file(resumed / "adapter_model.safetensors")
    assert all((resumed_w[k] - fresh_w[k]).mean() > 4 for k in fresh_w), "--resume started from scratch"
    assert json.loads((run / "checkpoint-4" / "trainer_state.json").read_text())["global_step"] == 4


class Scripted:
    """Wraps a model so that row r of a batch writes scripts[r], token by token, whatever it computes."""

    def __init__(self, model, scripts: list[list[int]]):
        self.forward, self.scripts, self.step = model.forward, scripts, 0

    def __call__(self, *args, **kwargs):
        out = self.forward(*args, **kwargs)
        # the prompt's pass (several tokens) asks for the first token to write; each later pass, the next
        self.step = 0 if kwargs["input_ids"].shape[1] > 1 else self.step + 1
        step = self.step
        forced = torch.full_like(out.logits[:, -1, :], -1e9)
        for row, script in enumerate(self.scripts):
            forced[row, script[min(step, len(script) - 1)]] = 0
        out.logits[:, -1, :] = forced
        return out


def test_each_row_stops_at_its_own_answer_close_mid_batch_in_generate(tiny_llm, monkeypatch):
    """transformers' generate() path (decoder="generate"); tests/test_decoding.py checks the lean loop."""
    monkeypatch.setattr(tiny_llm, "decoder", "generate")
    tok = tiny_llm.tokenizer
    texts = [" <answer>1</answer> and then more words that must not appear", " <answer>22 * 3 + 4</answer> junk"]
    scripts = [tok(t, add_special_tokens=False)["input_ids"] for t in texts]
    wrapped = Scripted(tiny_llm.model, scripts)
    monkeypatch.setattr(tiny_llm.model, "forward", wrapped)
    # rows are sorted longest prompt first, so the longer prompt gets scripts[0]
    out = tiny_llm.batched_generate(["a much longer prompt than the other one", "short"], max_new_tokens=30)
    assert out == [" <answer>1</answer>", " <answer>22 * 3 + 4</answer>"]


@pytest.fixture(scope="module")
def sensitive_llm(sensitive_model_dir):
    """The large-weight tiny Llama (conftest), so every input token, padding included, moves its output."""
    return BaseLLM(str(sensitive_model_dir), device="cpu", dtype=torch.float32, batch_size=8, use_prefix_cache=False)


@pytest.mark.parametrize("decoder", ["lean", "generate"])
def test_padding_does_not_change_a_rows_greedy_output(sensitive_llm, decoder, monkeypatch):
    monkeypatch.setattr(sensitive_llm, "decoder", decoder)
    prompts = ["1 m in cm", "How many gram are there per 6 kg, if you please?", "Convert 3 hours to minutes now."]
    alone = [sensitive_llm.batched_generate([p], max_new_tokens=8)[0] for p in prompts]
    together = sensitive_llm.batched_generate(prompts, max_new_tokens=8)
    assert together == alone
    assert len(set(alone)) == 3, "the fixture must answer each prompt differently, or the test proves nothing"


def test_sampling_follows_the_logits_and_the_temperature():
    probs = torch.tensor([0.7, 0.2, 0.1])
    logits = probs.log().repeat(4000, 1)
    for temperature in (1.0, 0.5):
        sampler = SeededGumbelSampling(list(range(4000)), temperature)
        draws = sampler(None, logits).argmax(dim=1)
        freq = torch.bincount(draws, minlength=3).float() / len(draws)
        expected = probs ** (1 / temperature) / (probs ** (1 / temperature)).sum()
        # 4000 draws: a standard error of at most 0.008 per share
        assert torch.allclose(freq, expected, atol=0.03), (temperature, freq, expected)
    assert not math.isclose(float(freq[0]), 1 / 3, abs_tol=0.1)


def test_resume_refuses_checkpoints_of_a_run_on_other_data(tiny_model_dir, tmp_path):
    options = dict(base=str(tiny_model_dir), batch_size=2, rank=2, bf16=False, save_steps=1)
    stage1 = [sft.format_example(f"{i} m in cm", i * 100.0) for i in range(1, 5)]
    stage2 = [sft.format_example(f"{i} KG IN G", i * 1000.0) for i in range(1, 5)]
    run = tmp_path / "run"
    lora.train_adapter(stage1, tmp_path / "stage1", run, epochs=1, **options)
    with pytest.raises(SystemExit, match="--resume: .* holds checkpoints of another run .*its own --run_dir"):
        lora.train_adapter(stage2, tmp_path / "stage2", run, epochs=1, resume=True, **options)
    # without --resume the same run_dir starts afresh on the new data, and then resumes it
    lora.train_adapter(stage2, tmp_path / "stage2", run, epochs=1, **options)
    lora.train_adapter(stage2, tmp_path / "stage2", run, epochs=2, resume=True, **options)
