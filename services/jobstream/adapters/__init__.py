"""Adapters: the technology-specific implementations (and in-memory fakes) of the core's ports."""
