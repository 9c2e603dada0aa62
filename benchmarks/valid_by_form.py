"""Accuracy on data/valid.json by how each question was written: noise (typo, capitals) or, without
noise, plain digits against everyday value forms ("a", words, fractions, ".5", "1,500").

The generator's records say how each question was made (the saved samples do not), so the split is
rebuilt with the seed `generate` used. Reads `test --save_samples` files of valid.json:
    python -m benchmarks.valid_by_form runs/samples/sft_valid.jsonl runs/samples/rft_valid.jsonl
"""

import sys

from homework.questions import split_records
from homework.report import accuracy_by, read_samples

FORMS = ("digits", "everyday", "typo", "capitals")


def form(question) -> str:
    """typo | capitals | digits | everyday"""
    if question.noise != "none":
        return question.noise
    return "digits" if question.value_form == "digits" else "everyday"


def by_form(samples_path: str, records: dict) -> dict[str, tuple[float, int]]:
    """{form: (accuracy, count)} for one samples file; a question not in valid.json is an error."""
    samples = read_samples(samples_path)
    for number, sample in enumerate(samples, 1):
        if sample["question"] not in records:
            raise SystemExit(f"{samples_path}, line {number}: the question is not in data/valid.json "
                             "as `python -m homework.questions generate` writes it")
    return accuracy_by(samples, lambda sample: form(records[sample["question"]]))


def main(paths: list[str]) -> None:
    if not paths:
        raise SystemExit(__doc__)
    _, valid = split_records()
    records = {q.text: q for q in valid}
    for path in paths:
        groups = by_form(path, records)
        right = {kind: round(accuracy * count) for kind, (accuracy, count) in groups.items()}
        cells = "  ".join(f"{kind} {right.get(kind, 0)}/{groups.get(kind, (0, 0))[1]}" for kind in FORMS)
        total = sum(count for _, count in groups.values())
        print(f"{path}: {sum(right.values())}/{total}  {cells}")


if __name__ == "__main__":
    main(sys.argv[1:])
