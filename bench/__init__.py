"""Clerk's benchmark harness (bench/run.py); not part of the installed package."""
