"""Datasets of [question, answer, ...], the benchmark that scores a model on them, saved samples.

The data formats, all JSON lists of rows (data/*.json):
    question sets   [question, answer]                 train.json, valid.json, sft_questions.json, rft_questions.json
    the robust set  [question, answer, kind]           robust.json; kind is one of questions.robust.KINDS
    RFT data        [question, answer, reasoning]      rft.json; reasoning ends with <answer>...</answer>
answer is a finite number, or null where no conversion exists (a question between two dimensions: the
model is right when it gives no number). `test --dataset PATH` takes any of them (extra columns are ignored, except a
robust kind, which saved samples carry). A samples file (test --save_samples) has one JSON object a line:
question, correct_answer, completion, answer (null when none), is_correct, from_unit, to_unit, dimension
and, for the robust set, kind.
"""

import json
import logging
import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from .answers import is_answer_valid, is_refusal
from .questions.robust import KINDS

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SPLITS = ("train", "valid", "robust", "sft_questions", "rft_questions", "rft")


class DataError(ValueError):
    """A dataset file that is missing or malformed; the message names the file and entry."""


def dataset_path(split_or_path: str) -> Path:
    """'valid' -> data/valid.json; anything else is a path."""
    if split_or_path in SPLITS:
        return DATA_DIR / f"{split_or_path}.json"
    return Path(split_or_path)


def load_rows(path: Path, min_fields: int = 2) -> list[list]:
    """Read and check a JSON list of [question, answer, ...] entries."""
    if not path.exists():
        raise DataError(f"{path}: no such dataset file")
    try:
        rows = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise DataError(f"{path}: not valid JSON ({error})") from None
    if not isinstance(rows, list):
        raise DataError(f"{path}: expected a JSON list of [question, answer, ...] entries, got {type(rows).__name__}")
    for i, row in enumerate(rows):
        ok = (isinstance(row, list) and len(row) >= min_fields and isinstance(row[0], str)
              and (row[1] is None or isinstance(row[1], (int, float)) and not isinstance(row[1], bool)
                   and math.isfinite(row[1]))
              and all(isinstance(extra, str) for extra in row[2:]))
        if not ok:
            expected = "[question, answer" + (", reasoning" if min_fields > 2 else "") + "]"
            raise DataError(f"{path}: entry {i} is {json.dumps(row)[:120]}, expected {expected} "
                            "with a text question and a finite numeric answer (null: no answer exists)")
    return rows


class Dataset:
    """Dataset("valid") or Dataset("path/to/file.json"): indexable rows of [question, answer, ...]."""

    def __init__(self, split_or_path: str = "valid", min_fields: int = 2):
        self.path = dataset_path(split_or_path)
        self.data = load_rows(self.path, min_fields)

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int):
        return self.data[index]


@dataclass
class BenchmarkResult:
    accuracy: float
    answer_rate: float  # fraction of questions with any parsable answer
    samples: list[dict] = field(default_factory=list)
    false_refusals: float = 0.0  # fraction of the questions that have an answer where the model refused

    @property
    def refusal_accuracy(self) -> float | None:
        """The accuracy on the questions with no answer (None when there are none)."""
        rows = [s for s in self.samples if s["correct_answer"] is None]
        return sum(s["is_correct"] for s in rows) / len(rows) if rows else None

    @classmethod
    def from_answers(cls, answers: list[float], rows: list[list], completions: list[str] | None = None
                     ) -> "BenchmarkResult":
        samples = [{"question": r[0], "answer": a, "correct_answer": r[1], "is_correct": is_answer_valid(a, r[1])}
                   for a, r in zip(answers, rows)]
        for sample, row in zip(samples, rows):
            if len(row) > 2 and row[2] in KINDS:  # a robust.json row names its kind of phrasing
                sample["kind"] = row[2]
        for sample, completion in zip(samples, completions or []):
            sample["completion"] = completion
        n = max(len(samples), 1)
        refused, answerable = false_refusal_count(samples)
        return cls(accuracy=sum(s["is_correct"] for s in samples) / n,
                   answer_rate=sum(not math.isnan(s["answer"]) for s in samples) / n,
                   samples=samples, false_refusals=refused / max(answerable, 1))


def false_refusal_count(samples: list[dict]) -> tuple[int, int]:
    """(refused, asked): of the questions that have an answer, how many the model refused ("3/715" in the
    results table, a rate in BenchmarkResult)."""
    answerable = [s for s in samples if s["correct_answer"] is not None]
    return sum(is_refusal(s.get("completion")) for s in answerable), len(answerable)


def benchmark(model, dataset: Dataset, max_question: int | None = None) -> BenchmarkResult:
    """Answer the first max_question questions in one batched call and score them."""
    rows = dataset.data[:max_question] if max_question else dataset.data
    questions = [row[0] for row in rows]
    if hasattr(model, "answer_with_completions"):  # keep the text too, for saved samples
        completions, answers = zip(*model.answer_with_completions(*questions)) if questions else ((), ())
        return BenchmarkResult.from_answers(list(answers), rows, list(completions))
    return BenchmarkResult.from_answers(model.answer(*questions), rows)


def sample_record(sample: dict) -> dict:
    """One line of a samples file: the sample, plus the units and dimension the question is about
    (from the unit table, for reports only; None where the table cannot tell), and the kind of
    phrasing where the dataset names it (data/robust.json does)."""
    from .conversion_utils import refusal_pair
    from .questions.quantities import reading_behind

    if sample["correct_answer"] is None:  # no answer exists: the two units of different dimensions
        units = refusal_pair(sample["question"])
    else:
        found = reading_behind(sample["question"], sample["correct_answer"])
        units = found[2:] if found else None
    answer = sample["answer"]
    record = {"question": sample["question"], "correct_answer": sample["correct_answer"],
              "completion": sample.get("completion"), "answer": None if math.isnan(answer) else answer,
              "is_correct": sample["is_correct"], "from_unit": units[0].name if units else None,
              "to_unit": units[1].name if units else None,
              "dimension": units[0].dimension if units and sample["correct_answer"] is not None else None}
    if sample.get("kind"):
        record["kind"] = sample["kind"]
    return record


def save_samples(result: BenchmarkResult, path: str | Path) -> None:
    """Write one JSON line per question, atomically."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text("".join(json.dumps(sample_record(s)) + "\n" for s in result.samples))
    tmp.replace(target)


def run_benchmark_cli(model_name: str, build_model, dataset: str = "valid", max_question: int | None = 100,
                      save_samples_to: str | None = None) -> dict:
    """The `test` command every model module shares: progress on stderr, one JSON line last on stdout."""
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    try:
        data = Dataset(dataset)
    except DataError as error:
        sys.exit(f"--dataset: {error}")
    start = time.time()
    model = build_model()
    result = benchmark(model, data, max_question)
    summary = {"model": model_name, "base": model.base_name, "accuracy": round(result.accuracy, 4),
               "answer_rate": round(result.answer_rate, 4), "n": len(result.samples),
               "seconds": round(time.time() - start, 1)}
    if result.refusal_accuracy is not None or result.false_refusals:  # no answer exists, or was given
        summary["refused_right"] = result.refusal_accuracy and round(result.refusal_accuracy, 4)
        summary["false_refusals"] = round(result.false_refusals, 4)
    if save_samples_to:
        save_samples(result, save_samples_to)
        logging.info("wrote %d samples to %s", len(result.samples), save_samples_to)
    print(json.dumps(summary), flush=True)
    return summary


def adapter_test_command(model_name: str, load, default_dir: Path):
    """The `test` command of a model with an adapter (sft, rft): its adapter folder, benchmarked."""
    def test_model(dataset: str = "valid", max_question: int | None = 100, adapter_dir: str = str(default_dir),
                   save_samples: str | None = None):
        """Benchmark the adapter; the last stdout line is the JSON summary.

        --save_samples PATH writes one JSON line per question (completion, parsed value, correct or not).
        """
        run_benchmark_cli(model_name, lambda: load(adapter_dir), dataset, max_question, save_samples)

    return test_model
