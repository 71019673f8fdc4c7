"""Engines: what a document operation needs from "a model" (port.py), with a local deterministic
engine (local/) and an OpenAI-compatible one (openai_compatible/)."""
