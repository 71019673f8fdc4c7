"""The template_fill worker: a stored template filled from instructions."""
