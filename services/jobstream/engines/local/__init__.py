"""The local engine: deterministic, no network; layout + multilingual lexicon + type coercion."""

from jobstream.engines.local.engine import LocalEngine

__all__ = ["LocalEngine"]
