"""Landing-zone sources (docs/contracts.md §4): contracts, tolerant readers, staging."""
