"""The lean decoding loop (homework/generation/decoding.py) must answer exactly as transformers' generate() does:
greedy texts equal, with and without a shared prefix, rows leaving the batch mid-way, ties and all."""

import pytest
import torch
from transformers import LlamaForCausalLM

from homework.generation import decoding, output_head
from homework.base_llm import STOP, BaseLLM


class Preamble(BaseLLM):
    """A long fixed preamble before the question, as CoT's prompt has, so the prefix cache applies."""

    def format_prompt(self, question: str) -> str:
        return "You convert units. " * 10 + "Examples: 1 kg = 1000 g; 1 h = 60 min.\nQ: " + question + "\nA:"


class ShortPreamble(BaseLLM):
    """A prompt whose shared start is a few tokens (as SFT's "Question:"): the lean loop copies it into every row."""

    def format_prompt(self, question: str) -> str:
        return "Q: " + question + "\nA:"


PROMPTS = ["1 m in cm", "How many gram are there per 6 kg, if you please?", "Convert 3 hours to minutes now.",
           "5 GB to MB", "What is 2.5 miles in kilometers?"]


@pytest.mark.parametrize("packed", [True, False])
@pytest.mark.parametrize("cls", [BaseLLM, ShortPreamble, Preamble])
def test_lean_greedy_text_equals_generate_without_any_cache(sensitive_model_dir, cls, packed, monkeypatch):
    """With the layers packed for oneDNN (a model within PACK_BUDGET) and without (a larger one); with no
    shared prompt start, a short one (copied into the rows) and a long one (attended where it lies)."""
    monkeypatch.setattr(decoding, "PACK_BUDGET", decoding.PACK_BUDGET if packed else 0)
    options = dict(device="cpu", dtype=torch.float32, batch_size=8)
    lean = cls(str(sensitive_model_dir), decoder="lean", **options)
    plain = cls(str(sensitive_model_dir), decoder="generate", use_prefix_cache=False, **options)
    prompts = [lean.format_prompt(p) for p in PROMPTS]
    fast = lean.batched_generate(prompts, max_new_tokens=10)
    assert fast == plain.batched_generate(prompts, max_new_tokens=10)
    assert (lean._prefix is not None) == (cls is not BaseLLM), "a shared prompt start must be computed once"
    shared = lean._lean_decoder().shared_prefix(lean._prefix)
    assert (shared is not None) == (cls is Preamble), "only the long preamble is attended where it lies"
    assert all(p.q.packed() is not None for p in lean._lean_decoder().products) == packed
    assert len(set(fast)) == len(PROMPTS), "the fixture must answer each prompt differently, or this proves nothing"


def test_a_long_prefix_attended_without_the_flash_kernel_gives_the_same_texts(sensitive_model_dir, monkeypatch):
    """Where torch's CPU flash-attention kernel is missing (and on a GPU) the shared prefix is attended in
    plain products; the texts still equal generate()'s."""
    monkeypatch.setattr(decoding, "FLASH_CPU", None)
    options = dict(device="cpu", dtype=torch.float32, batch_size=8)
    lean = Preamble(str(sensitive_model_dir), decoder="lean", **options)
    plain = Preamble(str(sensitive_model_dir), decoder="generate", use_prefix_cache=False, **options)
    prompts = [lean.format_prompt(p) for p in PROMPTS]
    assert lean.batched_generate(prompts, max_new_tokens=10) == plain.batched_generate(prompts, max_new_tokens=10)
    assert lean._lean_decoder().shared_prefix(lean._prefix) is not None


@pytest.mark.parametrize("batch", [None, 2, 3])
def test_rows_that_leave_or_join_the_batch_do_not_change_the_others(sensitive_model_dir, tokenizer, batch,
                                                                     monkeypatch):
    """A frequent stop character ends rows at different steps, and with batch=2 or 3 waiting rows join
    as others finish (at 3, a joining row meets two, so their order must hold); each row's tokens
    equal its tokens alone. New buffers start as NaN, as fresh memory
    may: a masked position must still not reach the output."""
    allocate = decoding.Rows.__init__

    def poisoned(self, *args, **kwargs):
        allocate(self, *args, **kwargs)
        for buffer in self.keys + self.values:
            buffer.fill_(float("nan"))

    monkeypatch.setattr(decoding.Rows, "__init__", poisoned)
    llm = BaseLLM(str(sensitive_model_dir), device="cpu", dtype=torch.float32)
    decoder = decoding.LeanDecoder(llm.model, tokenizer, stop="e")
    rows = [tokenizer(p, add_special_tokens=False)["input_ids"] for p in PROMPTS]
    together = decoder.generate(rows, max_new_tokens=12, batch=batch)
    alone = [decoder.generate([r], max_new_tokens=12)[0] for r in rows]
    assert together == alone
    assert len({len(t) for t in together}) > 1, "rows must stop at different steps, or nothing left the batch"
    assert all("e" in tokenizer.decode(t) or len(t) == 12 for t in together)


def test_each_row_stops_at_its_own_answer_close_or_eos(tiny_llm):
    tok = tiny_llm.tokenizer
    texts = [" <answer>1</answer> and then more", " <answer>22 * 3 + 4</answer> junk", " no answer at all here"]
    scripts = [tok(t, add_special_tokens=False)["input_ids"] for t in texts]
    scripts[2] = scripts[2][:3] + [tok.eos_token_id] + scripts[2][3:]
    written = [0, 0, 0]

    def scripted(hidden, ids):  # row i writes scripts[i], token by token, whatever the model computes
        assert hidden.shape[0] == len(ids)
        picks = [scripts[i][min(written[i], len(scripts[i]) - 1)] for i in ids]
        for i in ids:
            written[i] += 1
        return torch.tensor(picks)

    decoder = tiny_llm._lean_decoder()
    out = decoder.generate([[1, 2, 3], [4, 5], [6]], max_new_tokens=30, pick=scripted)
    assert tok.batch_decode(out, skip_special_tokens=True) == [" <answer>1</answer>", " <answer>22 * 3 + 4</answer>",
                                                               " no answer at"]
    assert len(decoder.generate([[1, 2, 3]], max_new_tokens=4)[0]) == 4, "max_new_tokens caps a row that never stops"


@pytest.mark.parametrize("packed", [True, False])
def test_greedy_is_the_argmax_of_the_full_logits_first_on_a_tie(tiny_model_dir, tokenizer, monkeypatch, packed):
    monkeypatch.setattr(output_head, "PACKED_HEAD", packed)
    monkeypatch.setattr(output_head, "HEAD_SLICE", 1000)  # unpacked: 50 slices of the 49152 words
    model = LlamaForCausalLM.from_pretrained(tiny_model_dir)
    hidden = torch.randn(150, model.config.hidden_size)
    with torch.no_grad():  # row 0: word 7 and word 30000 (another part of the vocabulary) tie for the top
        model.lm_head.weight[7] = model.lm_head.weight[30000] = hidden[0] * 10
    decoder = decoding.LeanDecoder(model, tokenizer, STOP)
    with torch.no_grad():
        full = decoder.logits(hidden)
        assert full.shape == (150, len(tokenizer))
        assert torch.equal(decoder.greedy(hidden), full.argmax(-1))
        assert torch.allclose(full, model.lm_head(hidden), atol=1e-5), "the logits are those of the model's head"
        assert decoder.greedy(hidden)[0] == 7
        model.lm_head.weight[7] *= -1  # a weight changed in place reaches the head
        assert decoder.greedy(hidden)[0] == 30000


def test_a_layer_weight_changed_after_packing_or_lora_layers_left_unmerged_are_computed_as_they_are(
        sensitive_model_dir):
    """The packed copy of a weight follows the weight (training, or an adapter merged in place, changes it
    after the decoder was built); a LoRA-wrapped layer is not packed but computed by its own forward."""
    from peft import LoraConfig, get_peft_model

    options = dict(device="cpu", dtype=torch.float32, batch_size=8)
    lean = BaseLLM(str(sensitive_model_dir), decoder="lean", **options)
    plain = BaseLLM(str(sensitive_model_dir), decoder="generate", use_prefix_cache=False, **options)
    before = lean.batched_generate(PROMPTS, max_new_tokens=8)
    for llm in (lean, plain):
        with torch.no_grad():
            llm.model.model.layers[1].mlp.down_proj.weight.mul_(-1)
    after = lean.batched_generate(PROMPTS, max_new_tokens=8)
    assert after != before, "the fixture must answer differently after the change, or this proves nothing"
    assert after == plain.batched_generate(PROMPTS, max_new_tokens=8)

    config = LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "down_proj"], init_lora_weights=False)
    lean.model, plain.model = get_peft_model(lean.model, config), get_peft_model(plain.model, config)
    plain.model.load_state_dict(lean.model.state_dict())
    wrapped = lean.batched_generate(PROMPTS, max_new_tokens=8)
    assert wrapped != after, "the random LoRA weights must change the answers, or this proves nothing"
    assert wrapped == plain.batched_generate(PROMPTS, max_new_tokens=8)


def test_lean_applies_to_llama_models_and_the_option_is_checked(tiny_llm, tiny_model_dir):
    assert decoding.supports(tiny_llm.model)
    assert not decoding.supports(torch.nn.Linear(2, 2))
    with pytest.raises(ValueError, match="decoder='fast'"):
        BaseLLM(str(tiny_model_dir), device="cpu", dtype=torch.float32, decoder="fast")


@pytest.mark.parametrize("most", [decoding.PREFILL_TOKENS, 40])
def test_prompts_are_read_in_groups_padded_to_their_own_longest(sensitive_model_dir, tokenizer, monkeypatch, most):
    """A batch of one long and several short prompts is not padded to the long one: the short ones are
    read apart, each group with little padding and at most `most` positions (unless one prompt is
    longer), and each row's tokens equal its tokens alone."""
    monkeypatch.setattr(decoding, "PREFILL_TOKENS", most)
    assert decoding.prefill_groups([5] * 10, most=20) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    lengths = [30, 3, 12, 3, 11, 4, 29]
    groups = decoding.prefill_groups(lengths)
    assert sorted(k for group in groups for k in group) == list(range(len(lengths)))
    for group in groups:
        longest = max(lengths[k] for k in group)
        assert longest * len(group) <= (1 + decoding.PREFILL_WASTE) * sum(lengths[k] for k in group)
    assert len(groups) < len(lengths), "prompts of similar length must share a pass"

    llm = BaseLLM(str(sensitive_model_dir), device="cpu", dtype=torch.float32)
    decoder = decoding.LeanDecoder(llm.model, tokenizer, stop="e")
    widths, rows_multiplied = [], []
    forward, gate = decoder.forward, decoder.products[0].gate
    monkeypatch.setattr(decoder, "forward", lambda tokens, *rest: widths.append(tuple(tokens.shape)) or
                        forward(tokens, *rest))
    decoder.products[0].gate = lambda h: rows_multiplied.append(h.shape[:-1].numel()) or gate(h)
    torch.manual_seed(0)
    rows = [torch.randint(100, 5000, (n,)).tolist() for n in lengths]
    together = decoder.generate(rows, max_new_tokens=6)
    read = [shape for shape in widths if shape[1] > 1]
    assert sum(b * w for b, w in read) <= (1 + decoding.PREFILL_WASTE) * sum(lengths) < 30 * len(lengths)
    assert all(b * w <= most or b == 1 for b, w in read), read
    assert sum(rows_multiplied[:len(read)]) == sum(lengths), "the products must skip the padding"
    assert together == [decoder.generate([r], max_new_tokens=6)[0] for r in rows]


def test_a_packed_product_equals_the_layer_and_gives_a_row_the_same_bits_in_any_batch():
    """What the lean loop relies on: the module's product (to float rounding), each row's result the same
    whether it is multiplied alone or among 40 rows; a weight made in inference mode (no version counter)
    is packed too."""
    from homework.generation.packed_linear import PackedLinear, packable

    torch.manual_seed(0)
    with torch.inference_mode():
        linear = torch.nn.Linear(64, 48)
        product = PackedLinear(linear)
        x = torch.randn(40, 64)
        assert torch.allclose(product(x), linear(x), atol=1e-5)
        assert product(x[None]).shape == (1, 40, 48), "leading dimensions are kept"
        if packable(linear.weight):
            assert product.packed() is not None
            assert all(torch.equal(product(x[k:k + 1]), product(x)[k:k + 1]) for k in range(40))


def test_lean_sampling_follows_the_models_logits_and_each_rows_own_seed(sensitive_model_dir):
    """Sampling in the lean loop: near temperature 0 a peaked model's samples are its greedy texts, and at
    temperature 1 each row draws from its own seed, so the texts equal generate()'s with the same seeds."""
    options = dict(device="cpu", dtype=torch.float32, batch_size=8)
    lean = BaseLLM(str(sensitive_model_dir), decoder="lean", **options)
    plain = BaseLLM(str(sensitive_model_dir), decoder="generate", use_prefix_cache=False, **options)
    greedy = lean.batched_generate(PROMPTS, max_new_tokens=8)
    cold = lean.batched_generate(PROMPTS, num_return_sequences=2, temperature=0.01, max_new_tokens=8,
                                 seeds=list(range(len(PROMPTS))))
    assert cold == [[text, text] for text in greedy]
    warm = dict(num_return_sequences=2, temperature=1.0, max_new_tokens=8, seeds=list(range(len(PROMPTS))))
    sampled = lean.batched_generate(PROMPTS, **warm)
    assert sampled == plain.batched_generate(PROMPTS, **warm)
    assert sum(a != b for a, b in sampled) >= 2, "the samples must differ, or this proves nothing about seeds"
