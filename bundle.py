"""Make the submission zip: `python3 bundle.py homework UTID` writes UTID.zip (at most 50 MB)."""

import sys
import zipfile
from pathlib import Path

MAX_BYTES = 50_000_000
SKIP_DIRS = {"__pycache__", ".ipynb_checkpoints", "runs", "logs"}
SKIP_NAMES = {"optimizer.pt", "scheduler.pt", "trainer_state.json", "training_args.bin"}
SKIP_SUFFIXES = {".pyc", ".ipynb"}


def should_pack(path: Path) -> bool:
    """Package files only: no caches, notebooks, trainer checkpoints, optimizer states or event logs."""
    if any(part in SKIP_DIRS or part.startswith("checkpoint-") for part in path.parts):
        return False
    name = path.name
    return not (name in SKIP_NAMES or path.suffix in SKIP_SUFFIXES or name.startswith("rng_state")
                or name.startswith("events.out.tfevents"))


def bundle(package_dir: str, utid: str, max_bytes: int = MAX_BYTES) -> Path:
    """Zip package_dir (kept as the zip's top-level folder) into UTID.zip; refuse one over max_bytes."""
    root = Path(package_dir).resolve()
    if not (root / "__init__.py").exists():
        raise SystemExit(f"{package_dir}: not a Python package folder (no __init__.py)")
    files = sorted(p for p in root.rglob("*") if p.is_file() and should_pack(p.relative_to(root)))
    output = Path(f"{utid}.zip")
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, Path(root.name) / path.relative_to(root))
    for path in files:
        print(f"{path.stat().st_size / 1e6:9.3f} MB  {root.name}/{path.relative_to(root)}")
    size = output.stat().st_size
    if size > max_bytes:
        output.unlink()
        largest = ", ".join(f"{p.relative_to(root)} ({p.stat().st_size / 1e6:.1f} MB)"
                            for p in sorted(files, key=lambda p: p.stat().st_size, reverse=True)[:3])
        raise SystemExit(f"{output} would be {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit; "
                         f"largest files: {largest}")
    print(f"wrote {output} ({size / 1e6:.2f} MB, {len(files)} files)")
    return output


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: python3 bundle.py PACKAGE_DIR UTID")
    bundle(sys.argv[1], sys.argv[2])
