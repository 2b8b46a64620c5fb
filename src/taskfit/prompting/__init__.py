"""Prompting: templates, demonstrations, scoring-based classification, answer parsing."""
