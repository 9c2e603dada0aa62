"""Load a submitted package from a folder or a zip without trusting it."""

import importlib.util
import sys
import tempfile
import uuid
import zipfile
from pathlib import Path, PurePosixPath

MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_FILES = 2000
PROJECT_DATA = Path(__file__).resolve().parent.parent / "data"


class SubmissionError(Exception):
    """A submission that cannot be graded; the message says why."""


def check_zip(archive: zipfile.ZipFile, name: str) -> str:
    """Validate every entry before extracting anything; return the single top-level folder."""
    infos = archive.infolist()
    if len(infos) > MAX_FILES:
        raise SubmissionError(f"{name}: {len(infos)} entries, more than the {MAX_FILES} allowed")
    if sum(i.file_size for i in infos) > MAX_UNCOMPRESSED:
        raise SubmissionError(f"{name}: uncompressed size over {MAX_UNCOMPRESSED // 2**20} MB")
    tops = set()
    for info in infos:
        path = PurePosixPath(info.filename.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts or ":" in info.filename:
            raise SubmissionError(f"{name}: entry {info.filename!r} would land outside the extraction folder")
        tops.add(path.parts[0])
    if len(tops) != 1:
        raise SubmissionError(f"{name}: expected one top-level package folder, found {sorted(tops) or 'none'}")
    return tops.pop()


def unpack(submission: str, workdir: Path) -> Path:
    """The package folder of a submission: the folder itself, or a zip extracted into workdir."""
    path = Path(submission)
    if path.is_dir():
        return path.resolve()
    if not path.exists():
        raise SubmissionError(f"{submission}: no such folder or zip")
    try:
        with zipfile.ZipFile(path) as archive:
            top = check_zip(archive, path.name)
            archive.extractall(workdir)
    except zipfile.BadZipFile:
        raise SubmissionError(f"{submission}: not a valid zip file") from None
    return workdir / top


def import_package(folder: Path):
    """Import the package under a private name, with the project's data/ linked beside it."""
    if not (folder / "__init__.py").exists():
        raise SubmissionError(f"{folder}: not a Python package (no __init__.py)")
    data = folder.parent / "data"
    if not data.exists() and PROJECT_DATA.exists():
        data.symlink_to(PROJECT_DATA, target_is_directory=True)
    name = f"graded_{folder.name}_{uuid.uuid4().hex[:8]}"  # a fresh name: never reuse an earlier submission's modules
    spec = importlib.util.spec_from_file_location(name, folder / "__init__.py", submodule_search_locations=[str(folder)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return name


def workspace() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="grader-")
