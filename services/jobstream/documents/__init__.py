"""The document layer: one Document model for every format (model.py, pure) and its loaders."""
