"""Clerk's web app: the HTTP API and a plain HTML/JS page over the same Assistant (see web.app)."""
