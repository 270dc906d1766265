"""Declarative form templates (`data/forms/*.yaml`), validation, progress, drafts and PDF output."""
