"""Procedure knowledge: guides, the national-record importer, indexing and retrieval."""
