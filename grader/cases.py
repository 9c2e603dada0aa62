"""The graded cases: model size, generation, and accuracy on the course's scale."""

import importlib
import threading
import traceback
from dataclasses import dataclass

from homework.answers import is_answer_valid
from homework.data import Dataset

MAX_PARAMETERS = 380_000_000
ACCURACY_QUESTIONS = 100
# (model, accuracy for 0 points, accuracy for full points, accuracy for full extra credit or None)
SCALES = {"cot": (0.0, 0.4, None), "sft": (0.4, 0.6, None), "rft": (0.6, 0.7, 0.8)}


@dataclass
class CaseResult:
    name: str
    score: float
    max_score: float
    message: str
    error: str = ""


@dataclass(frozen=True)
class Limits:
    """Seconds each case may take. Accuracy scales with the questions asked: on a 2-core AVX2 CPU in
    float32 the slowest model (CoT, ~700-token prompts) answered 100 questions in 441 s before its
    prompt prefix was cached, so 120 s + 10 s a question leaves a wide margin for slower machines."""
    load_s: float = 600
    generation_s: float = 300
    accuracy_base_s: float = 120
    seconds_per_question: float = 10

    def accuracy_s(self, questions: int = ACCURACY_QUESTIONS) -> float:
        return self.accuracy_base_s + self.seconds_per_question * questions

    def how_to_raise(self, case: str) -> str:
        if case == "accuracy":
            return (f"{self.accuracy_base_s:g} s + {self.seconds_per_question:g} s per question for "
                    f"{ACCURACY_QUESTIONS} questions; raise it with --seconds_per_question")
        return f"raise it with --{case}_timeout"


def run_case(name: str, max_score: float, fn, timeout_s: float, raise_hint: str = "") -> CaseResult:
    """Run fn() -> (fraction, message) in a thread; a crash or a timeout costs this case only."""
    box: dict = {}

    def target():
        try:
            box["value"] = fn()
        except Exception as error:  # the submission is untrusted: any failure scores 0 for this case
            box["error"] = (f"{type(error).__name__}: {error}", traceback.format_exc())

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout_s)
    if thread.is_alive():
        hint = f" (limit: {raise_hint})" if raise_hint else ""
        return CaseResult(name, 0.0, max_score, f"timed out after {timeout_s:g} s{hint}")
    if "error" in box:
        return CaseResult(name, 0.0, max_score, box["error"][0], box["error"][1])
    fraction, message = box["value"]
    return CaseResult(name, round(max_score * fraction, 2), max_score, message)


def count_parameters(model) -> int:
    """Parameters of a torch module, without touching their data (works on the meta device)."""
    return sum(p.numel() for p in model.parameters())


def check_size(llm) -> tuple[float, str]:
    n = count_parameters(llm.model)
    if n > MAX_PARAMETERS:
        raise ValueError(f"Model has {n} parameters, which is greater than the maximum allowed {MAX_PARAMETERS}")
    return 1.0, f"{n:,} parameters"


def check_generation(llm) -> tuple[float, str]:
    prompts = [llm.format_prompt(q) for q in ("How many gram are there per 6 kg?", "Convert 3 hours to minutes.")]
    single = llm.generate(prompts[0])
    flat = llm.batched_generate(prompts)
    nested = llm.batched_generate(prompts, num_return_sequences=2, temperature=0.5)
    if not (isinstance(single, str) and len(flat) == 2 and all(isinstance(t, str) for t in flat)):
        raise AssertionError("generate must return a str and batched_generate one str per prompt")
    if len(nested) != 2 or any(len(group) != 2 for group in nested):
        raise AssertionError("batched_generate(num_return_sequences=2) must return 2 lists of 2")
    if flat[0] != single:
        raise AssertionError(f"greedy batched output differs from unbatched: {flat[0]!r} vs {single!r}")
    readable = sum(c.isascii() and (c.isprintable() or c.isspace()) for c in single) / max(len(single), 1)
    if not single.strip() or readable < 0.9:
        raise AssertionError(f"output is not coherent text: {single[:80]!r}")
    return 1.0, f"greedy output: {single.strip()[:60]!r}"


def measure_accuracy(llm) -> float:
    """Accuracy on the first 100 validation questions, checked with the project's rule, not the submission's."""
    rows = Dataset("valid").data[:ACCURACY_QUESTIONS]
    answers = llm.answer(*[q for q, *_ in rows])
    return sum(is_answer_valid(a, r[1]) for a, r in zip(answers, rows)) / len(rows)


def scale_accuracy(accuracy: float, kind: str) -> tuple[float, str]:
    low, high, _ = SCALES[kind]
    fraction = min(max((accuracy - low) / (high - low), 0.0), 1.0)
    return fraction, f"accuracy {accuracy:.3f} on {ACCURACY_QUESTIONS} questions (full marks at {high})"


def scale_extra(accuracy: float, kind: str) -> tuple[float, str]:
    _, high, extra = SCALES[kind]
    fraction = min(max((accuracy - high) / (extra - high), 0.0), 1.0)
    return fraction, f"accuracy {accuracy:.3f}: extra credit from {high} to {extra}"


def grade_model(package: str, kind: str, limits: Limits = Limits()) -> list[CaseResult]:
    """Load package.kind, then the size, generation and accuracy cases for it."""
    holder: dict = {}

    def load():
        holder["llm"] = importlib.import_module(f"{package}.{kind}").load()
        return check_size(holder["llm"])

    results = [run_case(f"{kind}: load and size", 10, load, limits.load_s, limits.how_to_raise("load"))]
    if results[0].score == 0:
        return results + [CaseResult(f"{kind}: {c}", 0.0, m, "skipped: the model did not load within limits")
                          for c, m in (("generation", 10), ("accuracy", 30))]
    llm = holder["llm"]
    results.append(run_case(f"{kind}: generation", 10, lambda: check_generation(llm), limits.generation_s,
                            limits.how_to_raise("generation")))

    def accuracy_case():
        holder["accuracy"] = measure_accuracy(llm)
        return scale_accuracy(holder["accuracy"], kind)

    results.append(run_case(f"{kind}: accuracy", 30, accuracy_case, limits.accuracy_s(),
                            limits.how_to_raise("accuracy")))
    if SCALES[kind][2] is not None:
        results.append(run_case(f"{kind}: extra credit", 5, lambda: scale_extra(holder.get("accuracy", 0.0), kind), 10))
    return results
