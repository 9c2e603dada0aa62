"""The LoRA machinery SFT, RFT and datagen share: tokenising (prompt, completion) pairs, training with
the HF Trainer, saving adapter files only, and loading an adapter onto the base its config records.

It does not know which stage it trains for: sft.py and rft.py hand it (prompt, completion) pairs.
"""

import contextlib
import hashlib
import json
import logging
import time
import warnings
from pathlib import Path

import torch
from transformers import TrainerCallback

from . import checkpoints
from .base_llm import BaseLLM, pick_device, pick_dtype

logger = logging.getLogger(__name__)

ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors")


def tokenize(tokenizer, prompt: str, completion: str) -> dict[str, list[int]]:
    """Token ids of prompt + completion + EOS, with labels -100 on the prompt so only the answer is learned.

    The two parts are tokenized separately, so the prompt's tokens are exactly those the model sees
    when it answers.
    """
    prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    completion_ids = tokenizer(completion, add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
    return {"input_ids": prompt_ids + completion_ids,
            "attention_mask": [1] * (len(prompt_ids) + len(completion_ids)),
            "labels": [-100] * len(prompt_ids) + completion_ids}


class TokenizedDataset(torch.utils.data.Dataset):
    """Pairs of (prompt, completion), tokenized once; padding happens per batch in the collator."""

    def __init__(self, tokenizer, pairs: list[tuple[str, str]]):
        self.items = [tokenize(tokenizer, p, c) for p, c in pairs]

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> dict[str, list[int]]:
        return self.items[index]

    def lengths(self) -> list[int]:
        return [len(item["input_ids"]) for item in self.items]


def padding_share(lengths: list[int], batch_size: int, group_by_length: bool, seed: int = 0) -> float:
    """The share of a step's tokens that are padding, for the batches the Trainer will draw.

    padding_share([2, 4], 2, False) -> 0.25 (one batch of width 4 holding 6 real tokens of 8)
    """
    from transformers.trainer_pt_utils import LengthGroupedSampler

    generator = torch.Generator().manual_seed(seed)
    if group_by_length:
        order = list(LengthGroupedSampler(batch_size, lengths=lengths, generator=generator))
    else:
        order = torch.randperm(len(lengths), generator=generator).tolist()
    real = padded = 0
    for start in range(0, len(order), batch_size):
        batch = [lengths[i] for i in order[start:start + batch_size]]
        real += sum(batch)
        padded += max(batch) * len(batch)
    return 1 - real / max(padded, 1)


def lora_config(rank: int, alpha: int | None = None):
    """LoRA on every linear layer; alpha ~4x rank keeps the update scale steady across ranks."""
    from peft import LoraConfig

    return LoraConfig(r=rank, lora_alpha=alpha or 4 * rank, target_modules="all-linear", bias="none",
                      lora_dropout=0.0, task_type="CAUSAL_LM")


def mixed_precision(device: str, bf16: bool | None = None, fp16: bool | None = None) -> tuple[bool, bool]:
    """(bf16, fp16) autocast for training, by the dtype rule of generation unless an option says otherwise.

    Weights stay float32 either way. bfloat16 where the hardware computes it natively; float16 only on
    a CUDA GPU (with loss scaling, which needs one), e.g. a T4 or V100 that lacks bfloat16; else none.
    mixed_precision("cuda") -> (False, True) on a T4; (True, False) on an A100 or H100.
    """
    dtype = pick_dtype(device)
    bf16 = dtype == torch.bfloat16 if bf16 is None else bf16
    fp16 = dtype == torch.float16 and device == "cuda" if fp16 is None else fp16
    if bf16 and fp16:
        raise ValueError("--bf16 and --fp16 are both on: choose one autocast dtype")
    if fp16 and device != "cuda":
        raise ValueError(f"--fp16 needs a CUDA GPU (float16 training scales its loss there); this is {device}")
    return bf16, fp16


def event_log() -> str:
    """TensorBoard event files where tensorboard is installed (requirements.txt has it); else none."""
    import importlib.util

    if importlib.util.find_spec("tensorboard") or importlib.util.find_spec("tensorboardX"):
        return "tensorboard"
    logger.warning("tensorboard is not installed: training writes no event files (the log still shows the loss)")
    return "none"


class SpeedLog(TrainerCallback):
    """Logs tokens/s (real tokens, padding excluded) and the time left, at each logging step."""

    def __init__(self):
        self.start, self.first_step = None, 0

    def on_train_begin(self, args, state, control, **kwargs):
        self.start, self.first_step = time.time(), state.global_step

    def on_log(self, args, state, control, logs=None, **kwargs):
        if self.start is None or state.global_step <= self.first_step:
            return
        elapsed = time.time() - self.start
        done = state.global_step - self.first_step
        left = elapsed / done * (state.max_steps - state.global_step)
        tokens = state.num_input_tokens_seen
        logger.info("step %d/%d: %.0f tokens/s, %d:%02d left", state.global_step, state.max_steps,
                    tokens / elapsed if tokens else float("nan"), left // 60, left % 60)


def train_adapter(pairs: list[tuple[str, str]], output_dir: Path, run_dir: Path, base: str | None = None,
                  epochs: float = 5, learning_rate: float = 1e-3, batch_size: int = 32, rank: int = 16,
                  alpha: int | None = None, seed: int = 0, resume: bool = False, bf16: bool | None = None,
                  fp16: bool | None = None, gradient_checkpointing: bool = False, save_steps: int = 25,
                  group_by_length: bool = True, init_adapter: str | Path | None = None,
                  torch_compile: bool = False) -> Path:
    """Train a LoRA adapter on (prompt, completion) pairs and save adapter files only into output_dir.

    Checkpoints and tensorboard logs go to run_dir; resume=True continues from its last checkpoint.
    Under `accelerate launch --num_processes N` it trains data-parallel (each process takes batch_size
    examples a step), and only the main process writes logs, checkpoints and the adapter.
    init_adapter starts from a trained adapter (its rank, and its base unless base is given) instead
    of a fresh one: a further round of expert iteration. group_by_length batches examples of similar
    length, so that little of each step is padding.
    """
    from peft import PeftModel, get_peft_model
    from transformers import (AutoModelForCausalLM, AutoTokenizer, DataCollatorForSeq2Seq, Trainer,
                              TrainingArguments, set_seed)
    from transformers.trainer_utils import get_last_checkpoint

    from accelerate import PartialState

    started = time.time()
    device = pick_device()
    # under `accelerate launch`, one process speaks and saves; several CPU processes talk over gloo
    main_process = PartialState(cpu=device == "cpu").is_main_process
    if not main_process:
        logger.setLevel(logging.WARNING)
    set_seed(seed)
    bf16, fp16 = mixed_precision(device, bf16, fp16)
    if init_adapter:
        base = base or recorded_base(Path(init_adapter), label=f"--init_adapter {init_adapter}")
    path = checkpoints.resolve(base)
    tokenizer = AutoTokenizer.from_pretrained(path)
    tokenizer.padding_side = "right"
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)
    if gradient_checkpointing:
        model.gradient_checkpointing_enable()
        model.enable_input_require_grads()  # LoRA leaves the embeddings frozen; checkpointing needs a grad path
    if init_adapter:
        with quiet_peft_wrap():
            model = PeftModel.from_pretrained(model, str(init_adapter), is_trainable=True)
        # the adapter records a portable base name ("embedded"); at every checkpoint peft would look that
        # name up on the Hub (about 20 s of retries offline), so point it at the base as loaded here
        model.peft_config["default"].base_model_name_or_path = path
    else:
        with quiet_peft_wrap():
            model = get_peft_model(model, lora_config(rank, alpha))
    trainable, total = model.get_nb_trainable_parameters()
    logger.info("base %s, LoRA r=%d%s: %d trainable of %d parameters, %s", checkpoints.describe(path),
                model.peft_config["default"].r, f" from {init_adapter}" if init_adapter else "", trainable, total,
                "bf16 autocast" if bf16 else "fp16 autocast with loss scaling" if fp16 else "float32")

    dataset = TokenizedDataset(tokenizer, pairs)
    lengths = dataset.lengths()
    logger.info("%d examples, %.1f tokens each on average; padding %.0f%% of each step's tokens (%.0f%% without "
                "length grouping)", len(lengths), sum(lengths) / max(len(lengths), 1),
                100 * padding_share(lengths, batch_size, group_by_length, seed),
                100 * padding_share(lengths, batch_size, False, seed))
    run_dir.mkdir(parents=True, exist_ok=True)
    last = get_last_checkpoint(str(run_dir)) if resume else None
    if resume and last is None:
        logger.warning("--resume: no checkpoint in %s, starting from scratch", run_dir)
    elif last is not None:
        logger.info("--resume: continuing from %s", last)
    check_same_run(run_dir, pairs, init_adapter, resuming=last is not None, main_process=main_process)
    args = TrainingArguments(
        output_dir=str(run_dir), report_to=event_log(),  # event files: run_dir/runs/<date>
        num_train_epochs=epochs, per_device_train_batch_size=batch_size, learning_rate=learning_rate,
        lr_scheduler_type="cosine", warmup_steps=0.05, weight_decay=0.0, logging_steps=5,
        save_strategy="steps", save_steps=save_steps, save_total_limit=2, seed=seed, bf16=bf16, fp16=fp16,
        gradient_checkpointing=gradient_checkpointing, dataloader_num_workers=0, remove_unused_columns=False,
        train_sampling_strategy="group_by_length" if group_by_length else "random",
        include_num_input_tokens_seen="non_padding", use_cpu=device == "cpu",
        torch_compile=torch_compile,
    )
    trainer = Trainer(model=model, args=args, train_dataset=dataset, callbacks=[SpeedLog()],
                      data_collator=DataCollatorForSeq2Seq(tokenizer, padding=True, label_pad_token_id=-100))
    trainer.train(resume_from_checkpoint=last)
    if trainer.is_world_process_zero():
        save_adapter(model, output_dir, checkpoints.portable_name(path))
    trainer.accelerator.wait_for_everyone()  # no process returns before the adapter is on disk
    minutes, seconds = divmod(time.time() - started, 60)
    logger.info("training took %d min %d s (%d steps, %d process(es))", minutes, seconds, trainer.state.global_step,
                trainer.args.world_size)
    return output_dir


def check_same_run(run_dir: Path, pairs: list[tuple[str, str]], init_adapter, resuming: bool,
                   main_process: bool = True) -> None:
    """Refuse to resume checkpoints trained on other data or from another adapter; record this run's.

    Every stage defaults to the same run_dir, and a resumed SFT stage 2 would otherwise continue
    stage 1's last checkpoint and save its weights as if they were stage 2's.
    """
    record = run_dir / "run_data.json"
    this = {"examples": len(pairs),
            "data_sha256": hashlib.sha256(json.dumps(pairs).encode()).hexdigest(),
            "init_adapter": str(Path(init_adapter).resolve()) if init_adapter else None}
    if resuming and record.exists():
        earlier = json.loads(record.read_text())
        if earlier != this:
            raise SystemExit(f"--resume: {run_dir} holds checkpoints of another run ({earlier['examples']} examples, "
                             f"init_adapter {earlier['init_adapter']}; this run: {this['examples']}, "
                             f"{this['init_adapter']}); give this run its own --run_dir, or drop --resume")
    if main_process:
        record.write_text(json.dumps(this, indent=1) + "\n")


def save_adapter(model, output_dir: Path, base_name: str) -> None:
    """Write adapter_config.json and adapter weights only, recording a base name that loads anywhere."""
    output_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(output_dir))
    config_file = output_dir / "adapter_config.json"
    config = json.loads(config_file.read_text())
    config["base_model_name_or_path"] = base_name
    config_file.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
    for extra in output_dir.iterdir():
        if extra.is_file() and extra.name not in ADAPTER_FILES:
            extra.unlink()  # the model card peft writes: adapter files only
    logger.info("saved adapter to %s (base %s)", output_dir, base_name)


def recorded_base(adapter_dir: Path, label: str | None = None) -> str:
    """The base model name an adapter folder's config records; a clear error if it holds no adapter."""
    config_file = adapter_dir / "adapter_config.json"
    if not config_file.exists():
        raise FileNotFoundError(f"{label or adapter_dir}: no trained adapter (adapter_config.json); train one first")
    return json.loads(config_file.read_text())["base_model_name_or_path"]


@contextlib.contextmanager
def quiet_peft_wrap():
    """Wrap models with peft without its FutureWarning: PeftModel reads transformers 5's deprecated
    `is_gradient_checkpointing` whenever it wraps one, so every adapter load printed a warning that is
    peft's to fix and nothing a user can act on."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="`is_gradient_checkpointing` is deprecated", category=FutureWarning)
        yield


def load_adapter_model(cls, adapter_dir: Path, **kwargs) -> BaseLLM:
    """Build `cls` on the base recorded in the adapter's config, with the adapter merged in."""
    from peft import PeftModel

    llm = cls(checkpoint=recorded_base(adapter_dir), **kwargs)
    with quiet_peft_wrap():
        llm.model = PeftModel.from_pretrained(llm.model, str(adapter_dir)).merge_and_unload().eval()
    return llm
