"""Answering questions over the index: query handling, fusion, extraction, conversation, CLI."""
