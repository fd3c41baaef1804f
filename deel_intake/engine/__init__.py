"""Sync: the outbox to Deel, exactly once, at Deel's pace. No Qt: the app runs it on a
worker thread, the headless ``deel-intake sync`` runs it directly."""
