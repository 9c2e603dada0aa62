import json
import warnings

import pytest
import torch
from safetensors.torch import load_file

from homework import lora, rft, sft
from homework.answers import parse_answer
from homework.data import DataError


@pytest.mark.parametrize("question,answer,expected", [
    ("How many gram are there per 6 kg?", 6000.0, "6 * 1 / 0.001"),
    ("How many cm^3 are in 5 liters?", 5000.0, "5 * 1 / 0.001"),
    ("Convert 2,500 m3 to l", 2_500_000.0, "2,500 * 1000 / 1"),
    ("What is 0.5 h in min?", 30.0, "0.5 * 3600 / 60"),
    ("How many bits in 2 bytes?", 16.0, "2 * 1 / 0.125"),
    ("Convert 6 foo to bar", 12.0, "6 * 2"),  # units we do not know: value times factor
    ("How many g in 6 kg?", 7.0, "6 * 1.167"),  # the units' factors disagree with the answer: trust the answer
    ("no number here", 3.5, "3.5"),
    # everyday forms: the model writes a numeral for a number the question spells out
    ("How many cups are in a quart?", 4.0, "1 * 0.9464 / 0.2366"),
    ("seven kilograms in pounds", 7 / 0.45359237, "7 * 1 / 0.4536"),
    ("How many cups is 1/2 gallon?", 8.0, "(1/2) * 3.785 / 0.2366"),
    ("How many hours are in 3 1/2 days?", 84.0, "(3+1/2) * 8.64e4 / 3600"),
    ("I ran .75 km, how many m is that?", 750.0, "0.75 * 1000 / 1"),
    ("How many centimetres in 2 meeters?", 200.0, "2 * 1 / 0.01"),  # a typo in a unit word
    ("What do 7 hlur equal in minute?", 420.0, "7 * 3600 / 60"),  # a letter changed in a four-letter word
    ("how many dys in 4 yr", 1460.9688, "4 * 3.156e7 / 8.64e4"),  # a letter dropped from one
    ("WHAT IS 12 QT IN GAL?", 3.0, "12 * 0.9464 / 3.785"),  # symbols in capitals
    ("HOW MANY M IN 4 KM?", 4000.0, "4 * 1000 / 1"),  # "M" next to "KM" is a metre
    # one rule per kind of relation: affine (temperature) carries the offsets, inverse divides
    ("What is 400 F in C?", 1840 / 9, "(400 - 32) * 0.5556 / 1 + 0"),
    ("-20 celsius in fahrenheit", -4.0, "(-20 - 0) * 1 / 0.5556 + 32"),
    ("310 K in °C", 36.85, "(310 - 273.15) * 1 / 1 + 0"),
    ("35 mpg in L/100 km", 6.720416666666668, "100 / (35 * 0.4251)"),
    ("8 L/100km in mpg", 29.40182291666667, "100 / (8 * 0.4251)"),
    ("30 m² to ft²", 322.91729, "30 * 1 / 0.0929"),
    # values as people write them become numerals; a compound value sums its parts
    ("How many ml in ¾ cup?", 177.44117737500002, "(3/4) * 0.2366 / 0.001"),
    ("3,5 kg in g", 3500.0, "3.5 * 1 / 0.001"),
    ("How many km is twenty thousand feet?", 6.096, "20e3 * 0.3048 / 1000"),
    ("My flight 237 leaves in 3 hours. How many minutes is that?", 180.0, "3 * 3600 / 60"),
    ("5 ft 8 in in cm", 172.72, "(5 * 0.3048 + 8 * 0.0254) / 0.01"),
])
def test_answer_expression_goes_through_the_base_unit_when_it_can(question, answer, expected):
    expression = sft.answer_expression(question, answer)
    assert expression == expected
    assert parse_answer(f"<answer>{expression}</answer>") == pytest.approx(answer, rel=1e-3)  # 4 digits



@pytest.mark.parametrize("question,answer,names", [
    ("What is 6 kilometres in miels?", 6000 / 1609.344, "kilometer (length) to mile (length): "),  # a typo: the table's name
    ("WHAT IS 12 QT IN GAL?", 3.0, "quart (volume) to gallon (volume): "),  # shouted symbols
    ("How many cups are in a quart?", 4.0, "quart (volume) to cup (volume): "),  # the target named first, no digit
    ("Convert 6 foo to bar", 12.0, ""),  # units we do not know: nothing to name
    ("How tall is 5'8\" in cm?", 172.72, "foot and inch (length) to centimeter (length): "),  # a compound value: every part
])
def test_named_completion_names_the_units_the_answer_came_from(question, answer, names):
    _, plain = sft.format_example(question, answer)
    _, named = sft.format_example(question, answer, name_units=True)
    assert named == f" {names}{plain[1:]}"
    assert parse_answer(named) == parse_answer(plain)  # the names never change what is evaluated

@pytest.mark.parametrize("name_units", [False, True])
def test_a_question_with_no_answer_names_both_quantities_and_gives_no_number(name_units):
    from homework.answers import is_refusal, refusal_sentence

    _, completion = sft.format_example("How many liters are in a meter?", None, name_units)
    assert completion == " liter (volume) to meter (length): cannot be converted <answer>none</answer>"
    assert is_refusal(completion) and parse_answer(completion) != parse_answer(completion)  # NaN
    assert refusal_sentence(completion) == "liter (volume) to meter (length): cannot be converted"
    pairs = rft.rft_pairs([["3 kg to gallons", None, completion.strip()]], name_units)
    assert pairs[0][1] == completion  # a sampled refusal is kept as it is


def test_tokenize_masks_the_question_and_learns_answer_and_eos(tokenizer):
    prompt, completion = sft.format_example("How many gram are there per 6 kg?", 6000.0)
    item = lora.tokenize(tokenizer, prompt, completion)
    n_prompt = len(tokenizer(prompt, add_special_tokens=False)["input_ids"])
    assert item["labels"][:n_prompt] == [-100] * n_prompt
    assert item["labels"][n_prompt:] == item["input_ids"][n_prompt:]
    assert item["input_ids"][-1] == tokenizer.eos_token_id
    assert tokenizer.decode(item["labels"][n_prompt:], skip_special_tokens=True) == " <answer>6 * 1 / 0.001</answer>"
    assert len(item["input_ids"]) == len(item["attention_mask"]) == len(item["labels"])


def test_lora_config_targets_all_linear_layers():
    config = lora.lora_config(8)
    assert config.r == 8 and config.lora_alpha == 32 and config.bias == "none"
    assert config.target_modules in ("all-linear", {"all-linear"})


def test_training_writes_adapter_files_only_and_records_the_base(trained_adapter, tiny_model_dir):
    assert sorted(p.name for p in trained_adapter.iterdir()) == sorted(lora.ADAPTER_FILES)
    config = json.loads((trained_adapter / "adapter_config.json").read_text())
    assert config["base_model_name_or_path"] == str(tiny_model_dir)


def test_training_changes_lora_weights_and_keeps_base_weights(trained_adapter, tiny_model_dir):
    weights = load_file(trained_adapter / "adapter_model.safetensors")
    lora_b = [w for name, w in weights.items() if "lora_B" in name]
    assert lora_b and any(w.abs().sum() > 0 for w in lora_b), "LoRA B starts at zero and must have moved"
    assert not any("lora" not in name for name in weights), "only adapter weights are saved"
    # the base file is untouched, and a layer LoRA adapts keeps its base weight beside the adapter
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    base = load_file(tiny_model_dir / "model.safetensors")
    peft = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(tiny_model_dir), str(trained_adapter))
    q_proj = peft.base_model.model.model.layers[0].self_attn.q_proj
    assert torch.equal(q_proj.base_layer.weight, base["model.layers.0.self_attn.q_proj.weight"])
    assert q_proj.lora_B["default"].weight.abs().sum() > 0


def test_load_rebuilds_the_recorded_base_and_answers(trained_adapter):
    llm = sft.load(trained_adapter)
    assert isinstance(llm, sft.SFTModel)
    assert llm.format_prompt(" How many g in 6 kg? ") == "Question: How many g in 6 kg?\nAnswer:"
    assert len(llm.answer("How many g in 6 kg?")) == 1


def test_loading_an_adapter_prints_no_future_warning(trained_adapter):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sft.load(trained_adapter)
    assert [str(w.message) for w in caught if issubclass(w.category, FutureWarning)] == []


def test_resume_continues_from_the_last_checkpoint(tiny_model_dir, tmp_path):
    pairs = [sft.format_example(f"{i} m in cm", i * 100.0) for i in range(1, 5)]
    run = tmp_path / "run"
    options = dict(base=str(tiny_model_dir), batch_size=2, rank=2, bf16=False, save_steps=1)
    lora.train_adapter(pairs, tmp_path / "a", run, epochs=1, **options)
    assert (run / "checkpoint-2").is_dir()
    lora.train_adapter(pairs, tmp_path / "b", run, epochs=2, resume=True, **options)
    state = json.loads(max(run.glob("checkpoint-*/trainer_state.json"), key=lambda p: p.stat().st_mtime).read_text())
    assert state["global_step"] == 4


def test_init_adapter_continues_training_from_a_trained_adapter(trained_adapter, tmp_path):
    pairs = [sft.format_example(f"{i} m in cm", i * 100.0) for i in range(1, 5)]
    out = lora.train_adapter(pairs, tmp_path / "next", tmp_path / "run", epochs=1, batch_size=2, rank=8,
                            learning_rate=1e-2, bf16=False, init_adapter=trained_adapter)
    before = load_file(trained_adapter / "adapter_model.safetensors")
    after = load_file(out / "adapter_model.safetensors")
    assert before.keys() == after.keys()
    assert all(before[k].shape == after[k].shape for k in before), "the init adapter's rank (4) is kept, not --rank"
    assert any(not torch.equal(before[k], after[k]) for k in before)
    config = json.loads((out / "adapter_config.json").read_text())
    assert config["r"] == 4
    assert config["base_model_name_or_path"] == json.loads((trained_adapter / "adapter_config.json").read_text())[
        "base_model_name_or_path"]
    with pytest.raises(FileNotFoundError, match="--init_adapter"):
        lora.train_adapter(pairs, tmp_path / "x", tmp_path / "run2", init_adapter=tmp_path / "missing")


def test_missing_adapter_gives_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no trained adapter"):
        sft.load(tmp_path)


def test_rft_rows_must_end_with_an_answer(tmp_path):
    path = tmp_path / "rft.json"
    path.write_text(json.dumps([["q 1", 1.0, "so <answer>1</answer>"], ["q 2", 2.0, "I think 2"]]))
    with pytest.raises(DataError, match="entry 1 has reasoning"):
        rft.load_rft_rows(str(path))
    path.write_text(json.dumps([["q 1", 1.0]]))
    with pytest.raises(DataError, match="entry 0"):
        rft.load_rft_rows(str(path))


def test_rft_pairs_train_on_the_reasoning():
    pairs = rft.rft_pairs([["How many g in 6 kg?", 6000.0, "1 kg = 1000 g. <answer>6 * 1000</answer>"]])
    assert pairs == [(sft.format_prompt("How many g in 6 kg?"), " 1 kg = 1000 g. <answer>6 * 1000</answer>")]


def test_rft_names_the_units_before_a_bare_sampled_answer_as_the_sft_targets_do():
    rows = [["How many g in 6 kg?", 6000.0, "<answer>6 * 1 / 0.001</answer>"],
            ["How many g in 6 kg?", 6000.0, "kilogram (mass) to gram (mass): <answer>6 * 1 / 0.001</answer>"]]
    named = [completion for _, completion in rft.rft_pairs(rows, name_units=True)]
    assert named == [" kilogram (mass) to gram (mass): <answer>6 * 1 / 0.001</answer>"] * 2
    assert named[0] == sft.format_example("How many g in 6 kg?", 6000.0, name_units=True)[1]
    assert rft.rft_pairs(rows[:1])[0][1] == " <answer>6 * 1 / 0.001</answer>"


@pytest.mark.parametrize("question,answer,expected", [
    ("How many seconds are in 2 years?", 2 * 31556926.08, "2 * 3.156e7 / 1"),
    ("Convert 3 gallons to liters.", 3 * 3.785411784, "3 * 3.785 / 1"),
    ("Minutes in 6 hours?", 360.0, "6 * 3600 / 60"),  # a capitalised unit word is still found
    ("HOW MANY MILLIGRAMS IN 2 MICROGRAMS?", 0.002, "2 * 1e-9 / 1e-6"),  # so is a word in capitals
])
def test_factors_have_four_significant_digits_and_stay_within_the_answer_check(question, answer, expected):
    from homework.answers import is_answer_valid

    expression = sft.answer_expression(question, answer)
    assert expression == expected and is_answer_valid(parse_answer(f"<answer>{expression}</answer>"), answer)


@pytest.mark.parametrize("factor,written", [(3.155693e8, "3.156e8"), (1e-9, "1e-9"), (0.001, "0.001"),
                                            (1852.0, "1852"), (2.0**40, "1.1e12")])
def test_factors_drop_the_exponents_sign_and_padding_but_keep_their_value(factor, written):
    assert sft.format_factor(factor) == written and float(written) == pytest.approx(factor, rel=1e-3)


def test_padding_share_counts_the_padded_tokens_of_each_batch():
    assert lora.padding_share([2, 4], 2, group_by_length=False) == pytest.approx(0.25)
    lengths = [5, 50] * 32
    assert lora.padding_share(lengths, 8, group_by_length=True) < lora.padding_share(lengths, 8, group_by_length=False)


def test_training_without_tensorboard_still_writes_the_adapter_and_no_event_files(tmp_path, tiny_model_dir,
                                                                                monkeypatch):
    import importlib.util

    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name.startswith("tensorboard") else find_spec(name, *a))
    pairs = [sft.format_example(f"How many g in {i} kg?", i * 1000.0) for i in range(1, 5)]
    out = lora.train_adapter(pairs, tmp_path / "adapter", tmp_path / "run", base=str(tiny_model_dir), epochs=1,
                             batch_size=2, rank=2, bf16=False)
    assert sorted(p.name for p in out.iterdir()) == sorted(lora.ADAPTER_FILES)
    assert not list((tmp_path / "run").rglob("events.out.tfevents*"))


def test_rft_trains_on_its_reasonings_plus_replayed_sft_pairs_from_the_sft_adapter(tmp_path, trained_adapter,
                                                                                    monkeypatch, capsys):
    rows = tmp_path / "rft.json"
    rows.write_text(json.dumps([[f"How many g in {i} kg?", i * 1000.0, f"1 kg = 1000 g. <answer>{i} * 1000</answer>"]
                                for i in range(1, 4)]))
    sft_rows = tmp_path / "train.json"
    sft_rows.write_text(json.dumps([[f"{i} m in cm", i * 100.0] for i in range(1, 6)]))
    seen = {}
    real = rft.train_adapter
    monkeypatch.setattr(rft, "train_adapter", lambda pairs, *a, **k: seen.update(pairs=pairs, **k) or real(pairs, *a, **k))
    out = tmp_path / "rft_adapter"
    rft.train_model(output_dir=str(out), dataset=str(rows), with_sft_data=str(sft_rows), sft_examples=2,
                    init_adapter=str(trained_adapter), epochs=1, batch_size=2, bf16=False, run_dir=str(tmp_path / "run"))
    completions = [completion for _, completion in seen["pairs"]]
    assert len(completions) == 3 + 2, "every reasoning, then the first --sft_examples pairs"
    assert completions[0].startswith(" 1 kg = 1000 g. <answer>1 * 1000</answer>")
    assert completions[-1] == sft.format_example("2 m in cm", 200.0, name_units=True)[1], "named, by default"
    assert seen["init_adapter"] == str(trained_adapter) and seen["learning_rate"] == 1e-4
    before, after = load_file(trained_adapter / "adapter_model.safetensors"), load_file(out / "adapter_model.safetensors")
    assert before.keys() == after.keys() and any(not torch.equal(before[k], after[k]) for k in before)
    rft.test_model(dataset=str(sft_rows), max_question=3, adapter_dir=str(out))
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["model"] == "rft" and summary["n"] == 3
