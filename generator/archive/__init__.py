"""The web archive (存): every publication as WARC records, indexed, replayable, packaged."""
