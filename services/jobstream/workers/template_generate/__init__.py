"""The template_generate worker: a PDF form in, its fillable fields out."""
