"""Make data/rft.json: sample k reasonings per question, keep a correct one, drop the rest.

Composition only: batched_generate samples, parse_answer reads, data.is_answer_valid judges.
Finished questions are appended to a partial file as they come, so --resume after a crash or
Ctrl-C loses nothing and repeats nothing; the final file is written atomically.
"""

import json
import logging
import os
from pathlib import Path

from tqdm import tqdm

from . import checkpoints
from .base_llm import pick_device
from .cot import CoTModel
from .answers import is_answer_valid, is_refusal
from .data import Dataset
from .sft import SFT_DIR

logger = logging.getLogger(__name__)
CLOSE = "</answer>"
BACKENDS = ("hf", "vllm")


def build_sampler(checkpoint: str | None, backend: str = "hf"):
    """A trained adapter folder samples with its own prompt; any other name samples with the CoT prompt.

    backend "vllm" samples with vLLM on a GPU (homework/vllm_sampler.py), "hf" with transformers.
    """
    if backend not in BACKENDS:
        raise SystemExit(f"--backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
    if backend == "vllm":
        from .vllm_sampler import VLLMSampler

        return VLLMSampler.create(checkpoint)
    if checkpoint and (Path(checkpoint) / "adapter_config.json").exists():
        from .lora import load_adapter_model
        from .rft import RFTModel

        return load_adapter_model(RFTModel, Path(checkpoint))
    return CoTModel(checkpoint or checkpoints.DEFAULT_TEACHER)


def select_reasonings(completions: list[str], answer: float | None, parse, max_paths: int = 1) -> list[str]:
    """Correct completions, cut after </answer>, distinct, shortest first, at most max_paths. Where no
    answer exists (answer None), the correct ones are refusals, not any text without a number.

    (["x <answer>2</answer>", "<answer>5</answer>"], 5.0) -> ["<answer>5</answer>"]
    """
    kept = []
    for text in completions:
        if not (is_refusal(text) if answer is None else is_answer_valid(parse(text), answer)):
            continue
        text = text.strip()
        text = text[: text.index(CLOSE) + len(CLOSE)] if CLOSE in text else text + CLOSE
        kept.append(text)
    return sorted(set(kept), key=lambda t: (len(t), t))[:max_paths]


def _read_partial(partial: Path, repair: bool = True) -> dict[int, list]:
    """The finished questions of a partial file. A last line cut short by a crash is dropped (and, with
    repair, cut from the file), so those questions are redone; any other bad line stops the run."""
    done = {}
    lines = partial.read_text().splitlines()
    for line_no, line in enumerate(lines, 1):
        try:
            record = json.loads(line)
            done[int(record["index"])] = record["entries"]
        except (json.JSONDecodeError, KeyError, TypeError, ValueError):
            if line_no == len(lines):
                if repair:
                    partial.write_text("".join(kept + "\n" for kept in lines[:-1]))
                break
            raise SystemExit(f"{partial}: line {line_no} is not a datagen record; delete the file to start over")
    return done


def partial_files(output: Path) -> list[Path]:
    """Every partial file of an output: one per process that wrote (rft.json.partial.jsonl, ...rank1.jsonl)."""
    return sorted(output.parent.glob(output.name + ".partial*.jsonl"))


def partial_file(output: Path, rank: int, processes: int) -> Path:
    suffix = ".partial.jsonl" if processes == 1 else f".partial.rank{rank}.jsonl"
    return output.with_name(output.name + suffix)


def generate_dataset(output_json: str = "data/rft.json", checkpoint: str | None = str(SFT_DIR), oversample: int = 2,
                     temperature: float = 0.6, dataset: str = "rft_questions", max_questions: int | None = None,
                     max_paths: int = 1, questions_per_batch: int | None = None, resume: bool = False, seed: int = 0,
                     backend: str = "hf"):
    """Sample `oversample` completions per question and write [question, answer, reasoning] entries.

    The defaults are the shipped RFT's stage of recipes/shipped.toml: the SFT adapter samples 2
    completions at T=0.6 for each of data/rft_questions.json's questions.
    --checkpoint: a trained adapter folder (expert iteration), a Hub id or "embedded"; "" (None) samples
    with the CoT prompt from the 1.7B teacher where it can be had, else the fallback BaseLLM uses. --max_paths keeps up to that many
    distinct correct reasonings per question. --questions_per_batch defaults to what fills one
    generation batch (the model's batch size / oversample). Each question samples from its own seed,
    so the file is the same however the work is batched, split or resumed. Under
    `accelerate launch --num_processes N`, each process samples its share into its own partial file
    and the main process writes the merged file. --backend vllm samples with vLLM on a GPU.
    """
    from accelerate import PartialState

    state = PartialState(cpu=pick_device() == "cpu")  # several CPU processes talk over gloo
    logging.basicConfig(level=logging.INFO if state.is_main_process else logging.WARNING, format="%(message)s")
    if oversample < 1 or temperature <= 0:
        raise SystemExit("--oversample must be >= 1 and --temperature > 0 (sampling needs randomness)")
    rows = Dataset(dataset).data[:max_questions]
    output = Path(output_json)
    found = partial_files(output)
    if found and not resume:
        raise SystemExit(f"{found[0]} holds an unfinished run: pass --resume to continue it, or delete it")
    state.wait_for_everyone()  # every process has looked before any writes
    done = {}
    for path in found:
        done.update(_read_partial(path, repair=state.is_main_process))  # one process rewrites a file
    state.wait_for_everyone()  # the main process has repaired any cut-short file before anyone appends
    todo = [i for i in range(len(rows)) if i not in done]
    logger.info("%d questions, %d done before, %d to sample on %d process(es)", len(rows), len(done), len(todo),
                state.num_processes)

    output.parent.mkdir(parents=True, exist_ok=True)
    with state.split_between_processes(todo) as mine:
        model = build_sampler(checkpoint, backend) if mine else None
        per_batch = questions_per_batch or max(1, getattr(model, "batch_size", 64) // oversample)
        mine_done = 0
        with open(partial_file(output, state.process_index, state.num_processes), "a") as sink, \
                tqdm(total=len(todo), desc="datagen", unit="q", disable=not state.is_main_process) as bar:
            for start in range(0, len(mine), per_batch):
                batch = mine[start:start + per_batch]
                prompts = [model.format_prompt(rows[i][0]) for i in batch]
                samples = model.batched_generate(prompts, num_return_sequences=oversample, temperature=temperature,
                                                 progress=False, seeds=[seed * 1_000_003 + i for i in batch])
                for i, completions in zip(batch, samples):
                    question, answer = rows[i][0], rows[i][1]
                    kept = select_reasonings(completions, answer, model.parse_answer, max_paths)
                    done[i] = [[question, answer, r] for r in kept]
                    mine_done += bool(kept)
                    sink.write(json.dumps({"index": i, "entries": done[i]}) + "\n")
                sink.flush()
                os.fsync(sink.fileno())
                bar.update(len(batch) * state.num_processes)  # the main process speaks for all
                bar.set_postfix(success=f"{mine_done / (start + len(batch)):.3f}")
    state.wait_for_everyone()
    if not state.is_main_process:
        return

    for path in partial_files(output):
        done.update(_read_partial(path))
    entries = [entry for i in sorted(done) for entry in done[i]]
    success = sum(bool(done[i]) for i in done) / max(len(rows), 1)
    tmp = output.with_name(output.name + ".tmp")
    tmp.write_text(json.dumps(entries, indent=1) + "\n")
    tmp.replace(output)
    for path in partial_files(output):
        path.unlink()
    # the last stdout line, as with the test commands; nothing is returned, so fire prints nothing after it
    print(json.dumps({"output": str(output), "entries": len(entries), "questions": len(rows),
                      "success_rate": round(success, 4)}))


if __name__ == "__main__":
    from .cli import main

    main(generate_dataset)
