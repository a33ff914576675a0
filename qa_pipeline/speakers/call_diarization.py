"""pyannote's speaker diarization with the embedding step computed once per call.

pyannote.audio's ``SpeakerDiarization`` embeds every (10 s chunk, local speaker) pair
separately: with chunks every second, each second of a call goes through the embedding
network ten times, and that step took about 80 % of the diarization time here.
:class:`CallDiarization` runs CAM++ once over the whole call (in 30 s blocks with 2 s of
context on each side) and, for each chunk and speaker, pools the network's frame features
under that speaker's segmentation mask, exactly the statistics pooling the network ends
with. The segmentation, clustering and reconstruction steps are pyannote's own.

The difference to per-chunk embeddings: CAM++'s context-aware masking sees the whole
block's average instead of the chunk's. On the benchmark calls the DER and speaker
accuracy stayed the same (docs/diarization.md).
"""
from __future__ import annotations

import os

# pyannote.audio sends usage metrics to its authors unless this is set before it is imported.
os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")

import math
from typing import Callable, Optional

import numpy as np
import torch
from pyannote.audio.pipelines.speaker_diarization import SpeakerDiarization
from pyannote.core import SlidingWindowFeature

from qa_pipeline.speakers.campplus import CAMPPlusEmbedding

BLOCK_SECONDS = 30.0
CONTEXT_SECONDS = 2.0
CHUNK_BATCH = 64  # chunks pooled per batch
FBANK_BLOCK_FRAMES = 6000  # a minute of fbank frames at a time (whole_call_fbank)


class CallDiarization(SpeakerDiarization):
    """``SpeakerDiarization`` with a whole-call embedding step for CAM++ models."""

    def get_embeddings(self, file, binary_segmentations: SlidingWindowFeature, exclude_overlap: bool = False,
                       hook: Optional[Callable] = None) -> np.ndarray:
        model = getattr(self._embedding, "model_", None)
        if self.training or not isinstance(model, CAMPPlusEmbedding):
            return super().get_embeddings(file, binary_segmentations, exclude_overlap=exclude_overlap, hook=hook)

        waveform, sample_rate = self._audio(file)  # (1, samples), mono at the model's rate
        frames, frame_rate = whole_call_frames(model, waveform.to(self._embedding.device))
        masks = np.nan_to_num(binary_segmentations.data, nan=0.0).astype(np.float32)
        num_chunks, num_frames, num_speakers = masks.shape
        chunk = binary_segmentations.sliding_window
        if exclude_overlap:
            # As pyannote: leave out overlapped frames unless too little speech remains.
            min_frames = math.ceil(num_frames * self._embedding.min_num_samples / (chunk.duration * sample_rate))
            clean = masks * (masks.sum(axis=2, keepdims=True) < 2)
            use_clean = clean.sum(axis=1, keepdims=True) > min_frames
            masks = np.where(use_clean, clean, masks)

        span = int(round(chunk.duration * frame_rate))
        embeddings = np.empty((num_chunks, num_speakers, model.dimension), dtype=np.float32)
        if hook is not None:
            hook("embeddings", None, total=num_chunks, completed=0)
        for first in range(0, num_chunks, CHUNK_BATCH):
            last = min(first + CHUNK_BATCH, num_chunks)
            feats = torch.stack([_window(frames, int(round(chunk[c].start * frame_rate)), span)
                                 for c in range(first, last)])  # (batch, channels, span)
            weights = torch.from_numpy(masks[first:last]).permute(0, 2, 1)  # (batch, speakers, num_frames)
            weights = torch.nn.functional.interpolate(weights, size=span, mode="nearest").to(feats.device)
            stats = _weighted_stats(feats, weights)  # (batch, speakers, 2 * channels)
            dense = model.campplus.xvector.dense(stats.reshape(-1, stats.shape[-1]))
            embeddings[first:last] = dense.reshape(last - first, num_speakers, -1).cpu().numpy()
            if hook is not None:
                hook("embeddings", None, total=num_chunks, completed=last)
        return embeddings


def whole_call_frames(model: CAMPPlusEmbedding, waveform: torch.Tensor) -> tuple[torch.Tensor, float]:
    """CAM++ frame features of a whole call: (channels, frames) and frames per second."""
    fbank = whole_call_fbank(model, waveform)  # (fbank frames, mel bins), mean over the call removed
    fbank_rate = 100.0  # 10 ms hop
    block, context = int(BLOCK_SECONDS * fbank_rate), int(CONTEXT_SECONDS * fbank_rate)
    total = sum((min(start + block, fbank.shape[0]) - start + 1) // 2 for start in range(0, fbank.shape[0], block))
    frames: Optional[torch.Tensor] = None  # filled block by block: a list joined at the end held them twice
    at = 0
    with torch.inference_mode():
        for start in range(0, fbank.shape[0], block):
            lo, hi = max(0, start - context), min(fbank.shape[0], start + block + context)
            out = model.campplus.frames(fbank[lo:hi][None])[0]  # time stride 2
            skip = (start - lo) // 2
            keep = (min(start + block, fbank.shape[0]) - start + 1) // 2
            if frames is None:
                frames = out.new_empty((out.shape[0], total))
            frames[:, at:at + keep] = out[:, skip:skip + keep]
            at += keep
    return frames, fbank_rate / 2


def whole_call_fbank(model: CAMPPlusEmbedding, waveform: torch.Tensor) -> torch.Tensor:
    """``model.compute_fbank`` of a whole call, (1, samples) -> (frames, mel bins), computed
    :data:`FBANK_BLOCK_FRAMES` frames at a time. Kaldi's fbank frames (25 ms every 10 ms) are
    each computed from their own samples, so a block holding whole frames gives the same
    frames; the FFT of the whole call at once held about 40 MB per minute of call (7 GB at 3
    hours, ten times the samples). The call's mean is then subtracted, as compute_fbank does."""
    rate, samples = model.hparams.sample_rate, waveform.shape[-1]
    length, shift = int(rate * 0.025), int(rate * 0.010)  # Kaldi's frames (snip_edges: whole frames only)
    count = 1 + (samples - length) // shift if samples >= length else 0
    if count <= FBANK_BLOCK_FRAMES:
        return model.compute_fbank(waveform[None])[0]
    features = torch.empty((count, model.hparams.num_mel_bins), dtype=waveform.dtype, device=waveform.device)
    total = torch.zeros(model.hparams.num_mel_bins, dtype=torch.float64, device=waveform.device)
    for first in range(0, count, FBANK_BLOCK_FRAMES):
        last = min(first + FBANK_BLOCK_FRAMES, count)
        block = model.fbank(waveform[..., first * shift:(last - 1) * shift + length])
        features[first:last] = block
        total += block.sum(dim=0, dtype=torch.float64)
    features -= (total / count).to(features.dtype)
    return features


def _window(frames: torch.Tensor, start: int, span: int) -> torch.Tensor:
    """frames[:, start:start + span], zero-padded past the end of the call."""
    piece = frames[:, max(0, start):start + span]
    if piece.shape[1] < span:
        piece = torch.nn.functional.pad(piece, (0, span - piece.shape[1]))
    return piece


def _weighted_stats(feats: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """Weighted mean and unbiased std per speaker, as pyannote's StatsPool computes them.

    feats (batch, channels, frames), weights (batch, speakers, frames) -> (batch, speakers, 2 * channels)
    """
    v1 = weights.sum(dim=2, keepdim=True) + 1e-8
    v2 = (weights ** 2).sum(dim=2, keepdim=True)
    mean = torch.einsum("bsf,bcf->bsc", weights, feats) / v1
    second = torch.einsum("bsf,bcf->bsc", weights, feats ** 2)
    var = (second - mean ** 2 * v1).clamp_min(0.0) / (v1 - v2 / v1 + 1e-8)
    return torch.cat([mean, var.sqrt()], dim=-1)
