"""The whole-call CAM++ features of a long mono call, computed a block at a time, equal those
computed at once (a CAM++ network with seeded random weights: no download)."""
from __future__ import annotations

import pytest

from qa_pipeline.speakers.diarization import diarization_available

pytestmark = pytest.mark.skipif(not diarization_available()[0], reason=diarization_available()[1])


@pytest.fixture(scope="module")
def model():
    import torch

    from qa_pipeline.speakers.campplus import CAMPPlusEmbedding

    torch.manual_seed(0)
    return CAMPPlusEmbedding().eval()


def _call(seconds: float, seed: int = 1):
    """(1, samples) at 16 kHz: noise over a tone whose loudness changes, so the blocks differ."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    t = torch.arange(int(16000 * seconds)) / 16000
    loudness = 0.2 + 0.15 * torch.sin(2 * torch.pi * t / 17)
    return (0.05 * torch.randn(t.shape, generator=generator) + loudness * torch.sin(2 * torch.pi * 220 * t))[None]


@pytest.mark.parametrize("seconds", [150.0, 120.0042, 60.03])  # blocks of 6,000 frames; the last 1-6,000
def test_fbank_in_blocks_equals_the_whole_calls(model, seconds):
    import torch

    from qa_pipeline.speakers.call_diarization import FBANK_BLOCK_FRAMES, whole_call_fbank

    waveform = _call(seconds)
    whole = model.compute_fbank(waveform[None])[0]
    blocks = whole_call_fbank(model, waveform)
    assert whole.shape[0] > FBANK_BLOCK_FRAMES and blocks.shape == whole.shape
    # each frame from its own samples: the same bits; only the call's mean is summed in another order
    assert torch.equal(torch.vmap(model.fbank)(waveform[None])[0][:FBANK_BLOCK_FRAMES],
                       model.fbank(waveform[..., :(FBANK_BLOCK_FRAMES - 1) * 160 + 400]))
    assert torch.allclose(blocks, whole, rtol=0, atol=1e-5)


def test_frames_of_a_long_call_do_not_depend_on_the_fbank_blocks(model, monkeypatch):
    import torch

    from qa_pipeline.speakers import call_diarization

    waveform = _call(75.0, seed=2)
    at_once, rate = call_diarization.whole_call_frames(model, waveform)  # 7,498 frames: blocks of 6,000
    monkeypatch.setattr(call_diarization, "FBANK_BLOCK_FRAMES", 1000)
    in_blocks, _ = call_diarization.whole_call_frames(model, waveform)
    monkeypatch.setattr(call_diarization, "FBANK_BLOCK_FRAMES", 10 ** 9)  # compute_fbank over the whole call
    whole, _ = call_diarization.whole_call_frames(model, waveform)
    assert rate == 50.0 and whole.shape == (512, 3749)
    assert in_blocks.shape == at_once.shape == whole.shape
    assert torch.allclose(in_blocks, whole, rtol=0, atol=1e-4)
    assert torch.allclose(at_once, whole, rtol=0, atol=1e-4)
