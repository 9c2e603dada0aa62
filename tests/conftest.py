"""Shared fixtures: the real SmolLM2 tokenizer with a tiny random Llama, so logic tests take seconds."""

import os
import sys

import pytest
import torch
from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

from homework import checkpoints
from homework.base_llm import BaseLLM


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """End the test process with pytest's own exit status once it has reported, skipping the
    interpreter's teardown of native libraries: once, on a fresh clone, every test passed and the run
    still failed, aborted at exit by a C++ runtime ("terminate called without an active exception")."""
    status = getattr(config, "_exit_status", None)
    if status is not None:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(int(status))


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    session.config._exit_status = exitstatus


@pytest.fixture(scope="session")
def tokenizer():
    return AutoTokenizer.from_pretrained(checkpoints.embedded_model_dir())


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory, tokenizer):
    """A 2-layer Llama (hidden size 16) saved with the SmolLM2 tokenizer, loadable by name like any base."""
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=512,
                         bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                         pad_token_id=tokenizer.pad_token_id, tie_word_embeddings=True)
    path = tmp_path_factory.mktemp("tiny-llama")
    LlamaForCausalLM(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


@pytest.fixture(scope="session")
def sensitive_model_dir(tmp_path_factory, tokenizer):
    """A tiny Llama with large random weights (grouped heads: 4 query, 2 key/value), so every input
    token, padding included, and any slip in attention or positions changes its greedy text."""
    torch.manual_seed(1)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256,
                         initializer_range=0.5, bos_token_id=tokenizer.bos_token_id,
                         eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)
    path = tmp_path_factory.mktemp("sensitive")
    LlamaForCausalLM(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


@pytest.fixture(scope="session")
def tiny_llm(tiny_model_dir):
    return BaseLLM(str(tiny_model_dir), device="cpu", dtype=torch.float32, batch_size=4)


@pytest.fixture(scope="session")
def trained_adapter(tiny_model_dir, tmp_path_factory):
    """A LoRA adapter trained for a few steps on the tiny model: real files, meaningless answers."""
    from homework import lora, sft

    out = tmp_path_factory.mktemp("adapter")
    pairs = [sft.format_example(f"How many gram are there per {i} kg?", i * 1000.0) for i in range(1, 9)]
    lora.train_adapter(pairs, out, out.parent / "run", base=str(tiny_model_dir), epochs=2, batch_size=4, rank=4,
                       learning_rate=1e-2, bf16=False)
    return out
