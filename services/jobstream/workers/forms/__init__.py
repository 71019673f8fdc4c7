"""What the form handlers (template_generate, template_fill, agent_fill) share: the CPU-pool
steps over the PDF, reading templates, running the engine's `fill_form`, and the bodies."""
