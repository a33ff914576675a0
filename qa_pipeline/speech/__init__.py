"""Speech: decode recordings and transcribe them (faster-whisper) into timed words."""
