"""Review: QA specialists' confirmations and overrides, disputes, playlists, targets, and coaching clips."""
