"""Where answer() spends its time: torch.profiler's top operators for one batch of validation questions.

    python -m benchmarks.profile --n 64 --model sft
Prints the wall time, then the operators by self CPU time (the README's speed section quotes them).
"""

import argparse
import time

import torch
from torch.profiler import ProfilerActivity, profile

from benchmarks.generation import build
from homework.data import Dataset


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=64, help="validation questions (one batch at the default 64)")
    parser.add_argument("--model", choices=("sft", "cot"), default="sft")
    parser.add_argument("--rows", type=int, default=12, help="operators to list")
    args = parser.parse_args()
    questions = [q for q, *_ in Dataset("valid").data[: args.n]]
    llm = build(args.model)
    llm.answer(*questions[:4])  # warm-up: one-time costs (prefix cache, allocator) stay out of the profile
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        start = time.time()
        llm.answer(*questions)
        wall = time.time() - start
    print(f"{args.model}: {len(questions)} questions in {wall:.2f} s ({len(questions) / wall:.2f} q/s)")
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=args.rows, max_name_column_width=28))


if __name__ == "__main__":
    main()
