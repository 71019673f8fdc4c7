"""Form detection, filling and the form handlers through the real PDF libraries."""
