"""Speakers: who said each word (stereo channels or pyannote diarization), turns, and the agent/customer roles."""
