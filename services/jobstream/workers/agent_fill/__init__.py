"""The agent_fill worker: a PDF form (or a template) filled from instructions."""
