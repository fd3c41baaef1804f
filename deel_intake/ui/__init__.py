"""Widgets. They lay out, collect text and show results; the logic lives below them."""
