"""Make data/rft.json: sample k reasonings per question, keep a correct one, drop the rest.

Composition only: batched_generate samples, parse_answer reads, data.is_answer_valid judges.
Finished questions are appended to a partial file as they come, so --resume after a crash or
Ctrl-C loses nothing and repeats nothing; the final file is written atomically.
"""

import json
import logging
import os
from pathlib import Path

import torch
from tqdm import tqdm

from . import checkpoints
from .cot import CoTModel
from .data import Dataset, is_answer_valid

logger = logging.getLogger(__name__)
CLOSE = "</answer>"


def build_sampler(checkpoint: str | None):
    """A trained adapter folder samples with its own prompt; any other name samples with the CoT prompt."""
    if checkpoint and (Path(checkpoint) / "adapter_config.json").exists():
        from .rft import RFTModel
        from .lora import load_adapter_model

        return load_adapter_model(RFTModel, Path(checkpoint))
    return CoTModel(checkpoint or checkpoints.DEFAULT_TEACHER)


def select_reasonings(completions: list[str], answer: float, parse, max_paths: int = 1) -> list[str]:
    """Correct completions, cut after </answer>, distinct, shortest first, at most max_paths.

    (["x <answer>2</answer>", "<answer>5</answer>"], 5.0) -> ["<answer>5</answer>"]
    """
    kept = []
    for text in completions:
        if not is_answer_valid(parse(text), answer):
            continue
        text = text.strip()
        text = text[: text.index(CLOSE) + len(CLOSE)] if CLOSE in text else text + CLOSE
        kept.append(text)
    return sorted(set(kept), key=lambda t: (len(t), t))[:max_paths]


def _read_partial(partial: Path) -> dict[int, list]:
    done = {}
    lines = partial.read_text().splitlines()
    for line_no, line in enumerate(lines, 1):
        try:
            record = json.loads(line)
            done[int(record["index"])] = record["entries"]
        except (json.JSONDecodeError, KeyError, TypeError, ValueError):
            if line_no == len(lines):  # a last line cut short by a crash: drop it, redo those questions
                partial.write_text("".join(kept + "\n" for kept in lines[:-1]))
                break
            raise SystemExit(f"{partial}: line {line_no} is not a datagen record; delete the file to start over")
    return done


def generate_dataset(output_json: str = "data/rft.json", checkpoint: str | None = None, oversample: int = 10,
                     temperature: float = 0.6, dataset: str = "train", max_questions: int | None = None,
                     max_paths: int = 1, questions_per_batch: int | None = None, resume: bool = False, seed: int = 0):
    """Sample `oversample` completions per question and write [question, answer, reasoning] entries.

    --checkpoint: a Hub id, "embedded", or a trained adapter folder (expert iteration); by default the
    1.7B teacher where it can be had, else the fallback BaseLLM uses. --max_paths keeps up to that many
    distinct correct reasonings per question. --questions_per_batch defaults to what fills one
    generation batch (the model's batch size / oversample).
    """
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if oversample < 1 or temperature <= 0:
        raise SystemExit("--oversample must be >= 1 and --temperature > 0 (sampling needs randomness)")
    rows = Dataset(dataset).data[:max_questions]
    output = Path(output_json)
    partial = output.with_name(output.name + ".partial.jsonl")
    if partial.exists() and not resume:
        raise SystemExit(f"{partial} holds an unfinished run: pass --resume to continue it, or delete it")
    done = _read_partial(partial) if partial.exists() else {}
    todo = [i for i in range(len(rows)) if i not in done]
    logger.info("%d questions, %d done before, %d to sample", len(rows), len(done), len(todo))

    model = build_sampler(checkpoint) if todo else None
    output.parent.mkdir(parents=True, exist_ok=True)
    questions_per_batch = questions_per_batch or max(1, getattr(model, "batch_size", 64) // oversample)
    with open(partial, "a") as sink, tqdm(total=len(rows), initial=len(done), desc="datagen", unit="q") as bar:
        for start in range(0, len(todo), questions_per_batch):
            batch = todo[start:start + questions_per_batch]
            torch.manual_seed(seed * 1_000_003 + batch[0])  # the same command gives the same file
            prompts = [model.format_prompt(rows[i][0]) for i in batch]
            samples = model.batched_generate(prompts, num_return_sequences=oversample, temperature=temperature,
                                             progress=False)
            for i, completions in zip(batch, samples):
                question, answer = rows[i][0], rows[i][1]
                kept = select_reasonings(completions, answer, model.parse_answer, max_paths)
                done[i] = [[question, answer, r] for r in kept]
                sink.write(json.dumps({"index": i, "entries": done[i]}) + "\n")
            sink.flush()
            os.fsync(sink.fileno())
            bar.update(len(batch))
            bar.set_postfix(success=f"{sum(bool(e) for e in done.values()) / len(done):.3f}")

    entries = [entry for i in sorted(done) for entry in done[i]]
    success = sum(bool(done[i]) for i in done) / max(len(rows), 1)
    tmp = output.with_name(output.name + ".tmp")
    tmp.write_text(json.dumps(entries, indent=1) + "\n")
    tmp.replace(output)
    partial.unlink()
    # the last stdout line, as with the test commands; nothing is returned, so fire prints nothing after it
    print(json.dumps({"output": str(output), "entries": len(entries), "questions": len(rows),
                      "success_rate": round(success, 4)}))


if __name__ == "__main__":
    import fire

    fire.Fire(generate_dataset)
