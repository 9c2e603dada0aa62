"""SFT training speed on this CPU, optionally with its vector units capped at AVX2 (a laptop's):
python -m benchmarks.training_rate --examples 480 [--avx2 True].

Trains the SFT stage for examples / 16 steps into a scratch folder and prints the real (unpadded)
tokens per second of its last logged step. --avx2 True caps torch's kernels, oneDNN and MKL at AVX2
(ATEN_CPU_CAPABILITY, ONEDNN_MAX_CPU_ISA, MKL_ENABLE_INSTRUCTIONS), which on an AVX-512 machine
approximates what an AVX2 laptop of the same clock would do; the last stdout line is JSON.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import time

AVX2 = {"ATEN_CPU_CAPABILITY": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2", "MKL_ENABLE_INSTRUCTIONS": "AVX2"}


def measure(examples: int = 480, avx2: bool = False) -> dict:
    env = {**os.environ, **(AVX2 if avx2 else {})}
    with tempfile.TemporaryDirectory() as scratch:
        started = time.time()
        done = subprocess.run([sys.executable, "-m", "homework.sft", "train", "--max_examples", str(examples),
                               "--output_dir", f"{scratch}/adapter", "--run_dir", f"{scratch}/run"],
                              env=env, capture_output=True, text=True)
        seconds = time.time() - started
    if done.returncode != 0:
        raise SystemExit(f"training failed:\n{done.stderr[-2000:]}")
    rates = [float(r) for r in re.findall(r"step \d+/\d+: (\d+) tokens/s", done.stderr)]
    return {"examples": examples, "avx2_only": avx2, "real_tokens_per_s": rates[-1] if rates else None,
            "seconds": round(seconds, 1)}


def main(examples: int = 480, avx2: bool = False) -> None:
    print(json.dumps(measure(examples, avx2)))


if __name__ == "__main__":
    import fire

    fire.Fire(main)
