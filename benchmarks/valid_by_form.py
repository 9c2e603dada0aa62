"""Accuracy on data/valid.json by how each question was written: noise (typo, capitals) or, without
noise, plain digits against everyday value forms ("a", words, fractions, ".5", "1,500").

The generator's records say how each question was made (the saved samples do not), so the split is
rebuilt with the seed `generate` used. Reads `test --save_samples` files of valid.json:
    python -m benchmarks.valid_by_form runs/samples/sft_valid.jsonl runs/samples/rft_valid.jsonl
"""

import json
import sys
from collections import Counter

from homework.questions import split_records


def form(question) -> str:
    """typo | capitals | digits | everyday"""
    if question.noise != "none":
        return question.noise
    return "digits" if question.value_form == "digits" else "everyday"


def counts(samples_path: str, records: dict) -> tuple[Counter, Counter]:
    """(right, asked) per form for one samples file; a question not in valid.json is an error."""
    right, asked = Counter(), Counter()
    with open(samples_path) as f:
        for line_number, line in enumerate(f, 1):
            row = json.loads(line)
            if row["question"] not in records:
                raise SystemExit(f"{samples_path}, line {line_number}: the question is not in data/valid.json "
                                 "as `python -m homework.questions generate` writes it")
            kind = form(records[row["question"]])
            asked[kind] += 1
            right[kind] += bool(row["is_correct"])
    return right, asked


def main(paths: list[str]) -> None:
    if not paths:
        raise SystemExit(__doc__)
    _, valid = split_records()
    records = {q.text: q for q in valid}
    for path in paths:
        right, asked = counts(path, records)
        cells = "  ".join(f"{kind} {right[kind]}/{asked[kind]}" for kind in ("digits", "everyday", "typo", "capitals"))
        print(f"{path}: {sum(right.values())}/{sum(asked.values())}  {cells}")


if __name__ == "__main__":
    main(sys.argv[1:])
