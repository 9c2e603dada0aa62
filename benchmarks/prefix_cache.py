"""CoT generation with and without the prompt-prefix cache, same model, same questions, one run.

    python -m benchmarks.prefix_cache --n 32 --dtype float32
Prints both times and how many completions are identical; the last line is JSON.
"""

import argparse
import json
import time

import torch

from homework.cot import CoTModel
from homework.data import Dataset


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=32, help="validation questions")
    parser.add_argument("--dtype", default="float32", choices=("float32", "bfloat16"))
    args = parser.parse_args()
    llm = CoTModel("embedded", dtype=getattr(torch, args.dtype))
    prompts = [llm.format_prompt(q) for q, *_ in Dataset("valid").data[: args.n]]
    seconds, outputs = {}, {}
    for cached in (True, False):
        llm.use_prefix_cache = cached
        start = time.time()
        outputs[cached] = llm.batched_generate(prompts)
        seconds[cached] = round(time.time() - start, 1)
    same = sum(a == b for a, b in zip(outputs[True], outputs[False]))
    print(f"cached {seconds[True]} s, uncached {seconds[False]} s, identical {same} of {len(prompts)}")
    print(json.dumps({"n": len(prompts), "dtype": args.dtype, "cached_s": seconds[True],
                      "uncached_s": seconds[False], "identical": same}))


if __name__ == "__main__":
    main()
