"""The OpenAI-compatible engine (the `openai` package, any chat-completions server)."""

from jobstream.engines.openai_compatible.engine import OpenAICompatibleEngine

__all__ = ["OpenAICompatibleEngine"]
