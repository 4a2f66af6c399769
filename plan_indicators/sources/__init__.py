"""Landing-zone sources (SPEC §3): contracts, tolerant readers, staging."""
