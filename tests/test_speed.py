"""Speed features must not change answers (the dtype rule, the prompt-prefix cache, grouped attention),
and memory a decoding step frees must serve the next step."""

import platform
import resource

import pytest
import torch
from transformers import LlamaConfig

from homework import base_llm, lora
from homework.generation import allocator
from homework.base_llm import BaseLLM, dtype_choice
from homework.generation.prefix_cache import LONG_PREFIX_TOKENS, batch_after_prefix, shared_prefix_length


@pytest.fixture
def no_dtype_env(monkeypatch):
    monkeypatch.delenv("HOMEWORK_DTYPE", raising=False)


def test_cpu_without_native_bf16_runs_float32(monkeypatch, no_dtype_env):
    monkeypatch.setattr(base_llm, "cpu_has_native_bf16", lambda: False)
    monkeypatch.setattr(torch.backends.cpu, "get_cpu_capability", lambda: "AVX2")
    assert dtype_choice("cpu") == (torch.float32, "cpu AVX2 without native bf16: float32")


def test_cpu_with_native_bf16_runs_bfloat16(monkeypatch, no_dtype_env):
    monkeypatch.setattr(base_llm, "cpu_has_native_bf16", lambda: True)
    monkeypatch.setattr(torch.backends.cpu, "get_cpu_capability", lambda: "AVX512")
    assert dtype_choice("cpu") == (torch.bfloat16, "cpu AVX512 with native bf16: bfloat16")


def test_dtype_env_variable_overrides_and_a_bad_value_is_named(monkeypatch):
    monkeypatch.setattr(base_llm, "cpu_has_native_bf16", lambda: True)
    monkeypatch.setenv("HOMEWORK_DTYPE", "float32")
    assert dtype_choice("cpu") == (torch.float32, "HOMEWORK_DTYPE=float32")
    monkeypatch.setenv("HOMEWORK_DTYPE", "float33")
    with pytest.raises(ValueError, match="HOMEWORK_DTYPE='float33'"):
        dtype_choice("cpu")


@pytest.mark.parametrize("native,expected", [(True, (True, False)), (False, (False, False))])
def test_training_uses_bf16_autocast_only_where_the_cpu_has_native_bf16(monkeypatch, no_dtype_env, native, expected):
    monkeypatch.setattr(base_llm, "cpu_has_native_bf16", lambda: native)
    assert lora.mixed_precision("cpu") == expected


@pytest.mark.parametrize("has_bf16,dtype,autocast", [(True, torch.bfloat16, (True, False)),
                                                     (False, torch.float16, (False, True))])
def test_a_gpu_without_bf16_generates_in_float16_and_trains_with_fp16_autocast(monkeypatch, no_dtype_env, has_bf16,
                                                                               dtype, autocast):
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: has_bf16)
    assert dtype_choice("cuda")[0] == dtype
    assert lora.mixed_precision("cuda") == autocast


def test_float16_forced_by_the_environment_and_autocast_options_that_cannot_hold(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)
    monkeypatch.setenv("HOMEWORK_DTYPE", "float16")
    assert dtype_choice("cuda") == (torch.float16, "HOMEWORK_DTYPE=float16")
    assert lora.mixed_precision("cuda") == (False, True)
    assert lora.mixed_precision("cpu") == (False, False), "no loss scaling on a CPU: float32 training"
    with pytest.raises(ValueError, match="--fp16 needs a CUDA GPU"):
        lora.mixed_precision("cpu", fp16=True)
    with pytest.raises(ValueError, match="--bf16 and --fp16 are both on"):
        lora.mixed_precision("cuda", bf16=True)


def test_shared_prefix_leaves_every_row_a_token_of_its_own():
    assert shared_prefix_length([[1, 2, 3, 4], [1, 2, 5]]) == 2
    assert shared_prefix_length([[1, 2, 3], [1, 2, 3]]) == 2
    assert shared_prefix_length([[7], [7, 8]]) == 0


def test_rows_after_a_prefix_pad_between_prefix_and_question():
    ids, mask = batch_after_prefix([[1, 2, 3, 4, 5], [1, 2, 6]], 2, pad_id=0)
    assert ids.tolist() == [[1, 2, 3, 4, 5], [1, 2, 0, 0, 6]]
    assert mask.tolist() == [[1, 1, 1, 1, 1], [1, 1, 0, 0, 1]]
    ids, mask = batch_after_prefix([[1, 2, 3], [4]], 0, pad_id=0)  # no prefix: plain left padding
    assert ids.tolist() == [[1, 2, 3], [0, 0, 4]] and mask.tolist() == [[1, 1, 1], [0, 0, 1]]


class LongPromptLLM(BaseLLM):
    """A prompt with a long fixed preamble, as CoT has."""

    def format_prompt(self, question: str) -> str:
        return "You convert units. " * 12 + "Examples: 1 kg = 1000 g; 1 h = 60 min.\nQ: " + question + "\nA:"


@pytest.fixture(scope="module")
def long_prompt_llm(tiny_model_dir):
    return LongPromptLLM(str(tiny_model_dir), device="cpu", dtype=torch.float32, batch_size=3)


QUESTIONS = ["How many gram are there per 6 kg?", "Convert 3 hours to minutes.", "1 m in cm",
             "What is 2.5 miles in kilometers, please?", "5 GB to MB"]


def generate_both_ways(llm, prompts, **kwargs):
    llm.use_prefix_cache, llm._prefix = True, None
    cached = llm.batched_generate(prompts, **kwargs)
    assert llm._prefix is not None and len(llm._prefix) >= LONG_PREFIX_TOKENS, "the preamble was not cached"
    llm.use_prefix_cache = False
    uncached = llm.batched_generate(prompts, **kwargs)
    llm.use_prefix_cache = True
    return cached, uncached


def test_greedy_output_with_the_prefix_cache_equals_the_uncached_path(long_prompt_llm):
    prompts = [long_prompt_llm.format_prompt(q) for q in QUESTIONS]
    cached, uncached = generate_both_ways(long_prompt_llm, prompts, max_new_tokens=12)
    assert cached == uncached
    assert long_prompt_llm.batched_generate([prompts[1]], max_new_tokens=12) == cached[1:2], "alone, the same prefix"


def test_sampling_with_the_prefix_cache_gives_one_list_per_prompt(long_prompt_llm):
    prompts = [long_prompt_llm.format_prompt(q) for q in QUESTIONS[:2]]
    out = long_prompt_llm.batched_generate(prompts, num_return_sequences=4, temperature=0.7, max_new_tokens=6)
    assert len(out) == 2 and all(len(group) == 4 for group in out)


def test_grouped_attention_gives_the_same_logits_as_stock_sdpa(tiny_model_dir):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from homework.generation.attention import GROUPED_SDPA

    tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    tok.padding_side, tok.pad_token = "left", tok.eos_token
    batch = tok(QUESTIONS, return_tensors="pt", padding=True)
    stock = AutoModelForCausalLM.from_pretrained(tiny_model_dir, attn_implementation="sdpa")
    grouped = AutoModelForCausalLM.from_pretrained(tiny_model_dir, attn_implementation=GROUPED_SDPA)
    assert grouped.config.num_attention_heads > grouped.config.num_key_value_heads, "the fixture must use GQA"
    with torch.no_grad():
        expected, got = stock(**batch).logits, grouped(**batch).logits
    mask = batch["attention_mask"].bool()
    torch.testing.assert_close(got[mask], expected[mask], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("layers,kv_heads,dtype,expected", [(30, 3, torch.float32, 256),  # SmolLM2-135M
                                                            (24, 32, torch.float32, 40),  # SmolLM2-1.7B
                                                            (24, 32, torch.bfloat16, 80)])
def test_cpu_batch_is_as_large_as_the_key_value_budget_allows(monkeypatch, layers, kv_heads, dtype, expected):
    """A larger CPU batch is faster, but a laptop must not run out of memory on a bigger model."""
    monkeypatch.delenv("HOMEWORK_BATCH_SIZE", raising=False)
    config = LlamaConfig(hidden_size=64 * kv_heads * 3, num_attention_heads=kv_heads * 3, num_key_value_heads=kv_heads,
                         num_hidden_layers=layers, head_dim=64)
    batch = base_llm.default_batch_size("cpu", config, dtype)
    assert batch == expected
    per_row = 2 * layers * kv_heads * 64 * base_llm.KV_POSITIONS * dtype.itemsize
    assert batch == 256 or batch * per_row <= base_llm.KV_BUDGET < (batch + 8) * per_row
    assert base_llm.default_batch_size("cuda", config, dtype) == 256
    monkeypatch.setenv("HOMEWORK_BATCH_SIZE", "12")
    assert base_llm.default_batch_size("cpu", config, dtype) == 12
    monkeypatch.setenv("HOMEWORK_BATCH_SIZE", "lots")
    with pytest.raises(ValueError, match="HOMEWORK_BATCH_SIZE='lots'"):
        base_llm.default_batch_size("cpu", config, dtype)


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's allocator")
def test_memory_a_decoding_step_frees_is_reused_by_the_next_without_page_faults():
    """Each decoding step frees large tensors that the next allocates again; faulting them in afresh cost
    0.8-2.5 s of system time per 200 questions before allocator.keep_freed_memory."""
    assert allocator.keep_freed_memory()

    def faults(elements: int) -> int:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        torch.ones(elements)  # freed at once, as a step's tensors are
        return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before

    faults(32 * 2**20)  # 128 MB, then 64 MB: above glibc's own largest mmap threshold (32 MB)
    assert faults(16 * 2**20) < 1000, "a 64 MB tensor (16384 pages) must reuse the memory a step freed"


@pytest.mark.parametrize("decoder", ["lean", "generate"])
def test_the_prefix_cache_names_the_cache_as_the_installed_transformers_does(tiny_model_dir, decoder):
    """transformers 5.2x renamed past_key_values to cache and warns at the old name: computing or passing
    the prefix's cache under it printed a warning on every CoT and SFT run, which users cannot act on."""
    import logging

    from transformers.utils import logging as hf_logging

    hf_logging.warning_once.cache_clear()  # an earlier test may have had the warning said already
    messages = []
    handler = logging.Handler()
    handler.emit = lambda record: messages.append(record.getMessage())
    logging.getLogger("transformers").addHandler(handler)
    try:
        llm = LongPromptLLM(str(tiny_model_dir), device="cpu", dtype=torch.float32, batch_size=3, decoder=decoder)
        llm.batched_generate([llm.format_prompt(q) for q in QUESTIONS[:2]], max_new_tokens=3)
    finally:
        logging.getLogger("transformers").removeHandler(handler)
    assert llm._prefix is not None, "the preamble must go through the prefix cache"
    assert not [m for m in messages if "deprecated" in m and "cache" in m], messages
