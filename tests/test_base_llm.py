import socket

import pytest

from homework import checkpoints
from homework.base_llm import STOP


def test_greedy_batched_output_equals_unbatched(tiny_llm):
    prompts = ["How many gram are there per 6 kg?", "Convert 3 hours to minutes, please, right now.", "1 m in cm"]
    batched = tiny_llm.batched_generate(prompts, max_new_tokens=12)
    assert batched == [tiny_llm.batched_generate([p], max_new_tokens=12)[0] for p in prompts]
    assert tiny_llm.generate(prompts[0]) == tiny_llm.batched_generate([prompts[0]])[0]


def test_num_return_sequences_gives_one_list_per_prompt(tiny_llm):
    out = tiny_llm.batched_generate(["a", "b c", "d"], num_return_sequences=3, temperature=0.8, max_new_tokens=5)
    assert len(out) == 3 and all(len(group) == 3 and all(isinstance(t, str) for t in group) for group in out)


def test_answer_returns_one_float_per_question(tiny_llm):
    answers = tiny_llm.answer("How many gram are there per 6 kg?", "2 h in min")
    assert len(answers) == 2 and all(isinstance(a, float) for a in answers)



def test_stop_rule_ends_a_sequence_once_it_closed_the_answer(tiny_llm):
    """batched_generate passes this stop string; check it on real tokenizer output."""
    import torch
    from transformers import StopStringCriteria

    tok = tiny_llm.tokenizer
    criteria = StopStringCriteria(tok, [STOP])
    ids = tok(["x <answer>6 * 1000</answer>", "x <answer>6 * 10"], return_tensors="pt", padding=True)["input_ids"]
    assert criteria(ids, torch.zeros(2)).tolist() == [True, False]


def test_offline_resolution_falls_back_to_the_embedded_model_without_trying_the_network(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: pytest.fail("HF_HUB_OFFLINE=1 but it connected"))
    checkpoints.resolve.cache_clear()
    assert checkpoints.resolve("HuggingFaceTB/SomeModelNobodyCached") == str(checkpoints.embedded_model_dir())
    checkpoints.resolve.cache_clear()


def test_an_unreachable_hub_costs_one_short_connection_attempt_then_the_embedded_model(monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    attempts = []

    def unreachable(address, timeout):
        attempts.append((address, timeout))
        raise OSError("network is unreachable")

    monkeypatch.setattr(socket, "create_connection", unreachable)
    checkpoints.resolve.cache_clear()
    assert checkpoints.resolve("HuggingFaceTB/SomeModelNobodyCached") == str(checkpoints.embedded_model_dir())
    checkpoints.resolve.cache_clear()
    assert attempts == [(checkpoints.HUB_HOST, checkpoints.HUB_TIMEOUT_S)] and checkpoints.HUB_TIMEOUT_S <= 3


def test_base_model_env_variable_picks_the_embedded_model(monkeypatch):
    monkeypatch.setenv(checkpoints.BASE_ENV, "embedded")
    checkpoints.resolve.cache_clear()
    assert checkpoints.resolve() == str(checkpoints.embedded_model_dir())
    checkpoints.resolve.cache_clear()


def test_local_folder_resolves_to_itself(tiny_model_dir):
    assert checkpoints.resolve(str(tiny_model_dir)) == str(tiny_model_dir)
