"""Scores Clerk's retrieval and answers against question sets (`python -m eval run`)."""
