"""Break the code on purpose, one defect at a time, and check that a fast test notices: `make mutants`.

Each mutant replaces one line of the package in a scratch copy of the repository and runs the tests
that guard it; a mutant that no test kills is a survivor, printed with its name. Exit status 1 when
any survives.
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# name: (file, the line as it is, the defect, the tests that must fail)
MUTANTS = {
    "temperature ignores its offset": (
        "homework/unit_table.py", "return self.factor / value if self.inverse else (value - self.offset) * self.factor",
        "return self.factor / value if self.inverse else value * self.factor", "tests/test_conversion_utils.py"),
    "a question with no answer is scored as any other": (
        "homework/answers.py", "    if correct_answer is None:\n        return no_number",
        "    if correct_answer is None:\n        return False", "tests/test_answers_and_data.py"),
    "a refusal's target drops the names of the two quantities": (
        "homework/sft.py", 'names = f"{pair[0].name} ({pair[0].dimension}) to {pair[1].name} ({pair[1].dimension}): " if pair else ""',
        'names = ""', "tests/test_sft_rft.py"),
    "adapter never reaches the model": (
        "homework/lora.py",
        "llm.model = PeftModel.from_pretrained(llm.model, str(adapter_dir)).merge_and_unload().eval()",
        "llm.model = llm.model.eval()", "tests/test_defects.py"),
    "--resume starts from scratch": (
        "homework/lora.py", "trainer.train(resume_from_checkpoint=last)", "trainer.train(resume_from_checkpoint=None)",
        "tests/test_defects.py"),
    "generation ignores </answer>": ("homework/base_llm.py", "stop_strings=[STOP],", "", "tests/test_defects.py"),
    "generation ignores the padding mask": (
        "homework/base_llm.py", "attention_mask=attention_mask.to(self.device),",
        "attention_mask=torch.ones_like(attention_mask).to(self.device),", "tests/test_defects.py"),
    "the lean loop ignores the padding mask": (
        "homework/generation/decoding.py", "allowed = (state.valid[:, None, :end] & (key_at <= query_at)) | (key_at == query_at)",
        "allowed = (state.valid[:, None, :end] | True) & (key_at <= query_at)", "tests/test_decoding.py"),
    "prompt padding goes through the products": (
        "homework/generation/decoding.py", "keep = None if width == 1 or bool(real.all()) else real.flatten().nonzero()[:, 0]",
        "keep = None", "tests/test_decoding.py"),
    "a short shared prompt start is not copied into the rows": (
        "homework/generation/rows.py", "keys[:, :, first:at] = prefix_keys", "pass", "tests/test_decoding.py"),
    "the prefix cache goes by transformers' old name": (
        "homework/generation/prefix_cache.py",
        'return "cache" if "cache" in inspect.signature(inner_model(model).forward).parameters else "past_key_values"',
        'return "past_key_values"', "tests/test_speed.py"),
    "the lean loop ignores </answer>": (
        "homework/generation/decoding.py", "or (token in self.may_stop and self.stop in self.tokenizer.decode(tokens)))", ")",
        "tests/test_decoding.py"),
    "finished rows leave with the wrong buffers": (
        "homework/generation/rows.py", "buffer[to, :, :self.length] = buffer[source, :, :self.length]",
        "buffer[to, :, :self.length] = buffer[to, :, :self.length]", "tests/test_decoding.py"),
    "prompts read in groups leave masked positions as memory held them": (
        "homework/generation/rows.py", "buffer[:, :, :at] = 0", "pass", "tests/test_decoding.py"),
    "masked buffer positions keep whatever memory held": (
        "homework/generation/rows.py", "target[start:end, :, :length - span] = 0", "pass", "tests/test_decoding.py"),
    "sliced greedy prefers the last of tied words": (
        "homework/generation/output_head.py", "better = value > best_value", "better = value >= best_value", "tests/test_decoding.py"),
    "a packed weight is not packed again after it changed": (
        "homework/generation/packed_linear.py", "if self._copy is None or self._copy_of != source:", "if self._copy is None:",
        "tests/test_decoding.py"),
    "LoRA-wrapped layers are packed as if plain": (
        "homework/generation/packed_linear.py", "self.plain = type(linear) is torch.nn.Linear", "self.plain = True",
        "tests/test_decoding.py"),
    "the prefix's share of the softmax is left out of its normalisation": (
        "homework/generation/decoding.py", "            total = total + share", "            total = total", "tests/test_decoding.py"),
    "the prefix's values in plain products are left unnormalised": (
        "homework/generation/decoding.py", "        out = (weights.to(queries.dtype) @ values[0]) / total.to(queries.dtype)",
        "        out = weights.to(queries.dtype) @ values[0]", "tests/test_decoding.py"),
    "the packed head leaves out the last part of the vocabulary": (
        "homework/generation/output_head.py", "            return self.packed_parts", "            return self.packed_parts[:-1]",
        "tests/test_decoding.py"),
    "prompts read in one pass however many positions they fill": (
        "homework/generation/decoding.py", "groups = prefill_groups([len(r) for r in own], PREFILL_WASTE, PREFILL_TOKENS)",
        "groups = prefill_groups([len(r) for r in own], PREFILL_WASTE, 10**9)", "tests/test_decoding.py"),
    "memory freed by a decoding step is handed back to the OS": (
        "homework/generation/allocator.py", "and libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1", "and True",
        "tests/test_speed.py"),
    "sampling ignores the logits": (
        "homework/generation/sampling.py", "return scores.float() / self.temperature + gumbel", "return scores.float() * 0 + gumbel",
        "tests/test_defects.py"),
    "the lean loop samples without the model's logits": (
        "homework/generation/sampling.py", "return self.noised(decoder.logits(hidden), ids).argmax(-1)",
        "return self.noised(decoder.logits(hidden) * 0, ids).argmax(-1)", "tests/test_decoding.py"),
    "the lean loop's samples draw from another row's seed": (
        "homework/generation/sampling.py", "return self.noised(decoder.logits(hidden), ids).argmax(-1)",
        "return self.noised(decoder.logits(hidden), range(len(ids))).argmax(-1)", "tests/test_decoding.py"),
    "the answer check forgets the tolerance": (
        "homework/answers.py", "return abs(round(answer, 3) - expected) < relative_tolerance * abs(expected)",
        "return abs(round(answer, 3) - expected) < 0.5 * abs(expected)", "tests/test_answers_and_data.py"),
    "safe arithmetic allows any power": (
        "homework/answers.py", "if isinstance(node.op, ast.Pow) and abs(right) > MAX_EXPONENT:",
        "if False:", "tests/test_answers_and_data.py"),
    "the SFT target keeps only the numerator of a fraction": (
        "homework/questions/quantities.py", 'found.append((f"({num}/{den})", num / den))',
        'found.append((f"{num}", float(num)))', "tests/test_sft_rft.py tests/test_questions.py"),
    "a hundred said in words is read as a hundred plus": (
        "homework/questions/quantities.py", "            value *= 100", "            value += 100",
        "tests/test_questions.py"),
    "a unit's factor is wrong": (
        "homework/unit_table.py", '_u("quart", "volume", GALLON_L / 4,', '_u("quart", "volume", GALLON_L / 5,',
        "tests/test_conversion_utils.py"),
    "a typo in a four-letter unit word gets a target without units": (
        "homework/conversion_utils.py", "cutoff = {3: 0.85, 4: 0.75}.get(len(phrase), 0.8)", "cutoff = 0.8",
        "tests/test_sft_rft.py"),
    "named targets leave the units out": (
        "homework/sft.py", 'return f" {self.names}{self.answer}" if name_units or self.refusal else f" {self.answer}"',
        'return f" {self.answer}" if name_units or self.refusal else f" {self.answer}"',
        "tests/test_sft_rft.py"),
    "datagen keeps reasonings that reach a wrong answer": (
        "homework/datagen.py", "if not (is_refusal(text) if answer is None else is_answer_valid(parse(text), answer)):",
        "if False:",
        "tests/test_cot_datagen.py"),
    "RFT leaves the sampled answers without unit names": (
        "homework/rft.py", "text = target(question, answer).names + text", "text = text",
        "tests/test_sft_rft.py"),
    "RFT forgets the replayed SFT pairs": (
        "homework/rft.py", "if with_sft_data:", "if False:", "tests/test_sft_rft.py"),
    "grouped attention ignores the padding mask": (
        "homework/generation/attention.py", "stacked, key, value, attn_mask=mask,", "stacked, key, value, attn_mask=None,",
        "tests/test_speed.py"),
    "fp16 autocast without a GPU": (
        "homework/lora.py", 'fp16 = dtype == torch.float16 and device == "cuda" if fp16 is None else fp16',
        "fp16 = dtype == torch.float16 if fp16 is None else fp16", "tests/test_speed.py"),
    "more processes than GPUs all take a GPU": (
        "homework/base_llm.py", "if processes <= gpus:", "if True:",
        "tests/test_scale_out.py::test_more_processes_than_gpus_run_on_the_cpu_and_enough_gpus_on_the_gpus"),
    "the recipe runs a finished stage again": (
        "homework/recipe.py",
        'if not force and record.get("stamp") == current and record.get("seconds") is not None and outputs_exist:',
        "if False:", "tests/test_recipe.py::test_the_miniature_recipe_runs_end_to_end_then_skips_finished_stages_and_"
                     "resumes_an_interrupted_one"),
    "the recipe starts an interrupted stage from nothing": (
        "homework/recipe.py", 'if force or record.get("stamp") != current or record.get("seconds") is not None:',
        "if True:", "tests/test_recipe.py::test_the_miniature_recipe_runs_end_to_end_then_skips_finished_stages_and_"
                    "resumes_an_interrupted_one"),
    "the grader passes a failing submission": (
        "grader/__main__.py", 'return 0 if all(r.score > 0 or r.max_score == 0 for r in results if "extra" not in r.name) else 1',
        "return 0", "tests/test_bundle_grader.py"),
    "the grader extracts a zip of any size": (
        "grader/loader.py", "if sum(i.file_size for i in infos) > MAX_UNCOMPRESSED:", "if False:",
        "tests/test_bundle_grader.py"),
}


def run(mutants: dict = MUTANTS) -> int:
    """Apply each mutant in a scratch copy, run its tests, and count survivors."""
    survivors = []
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "repo"
        shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".venv", "runs", ".git", "__pycache__", "*.zip"))
        for name, (path, line, _, _) in mutants.items():  # every mutant still applies, before the slow part
            if line not in (copy / path).read_text():
                raise SystemExit(f"mutant {name!r}: {path} no longer holds {line!r}; update tests/mutants.py")
        for name, (path, line, defect, tests) in mutants.items():
            source = (copy / path).read_text()
            (copy / path).write_text(source.replace(line, defect))
            result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-m", "not slow", "-p", "no:cacheprovider",
                                     *tests.split()], cwd=copy, capture_output=True, text=True)
            (copy / path).write_text(source)
            killed = result.returncode != 0
            print(f"{'killed  ' if killed else 'SURVIVED'} {name}", flush=True)
            if not killed:
                survivors.append(name)
    print(f"{len(mutants) - len(survivors)} of {len(mutants)} mutants killed, {len(survivors)} survived")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(run())
