"""What routes receive by injection: the settings, the assistant and the page templates."""

from __future__ import annotations

import logging
import threading
from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from qa.assistant import Assistant
from qa.settings import Settings

logger = logging.getLogger(__name__)


class AssistantSlot:
    """Holds the app's one Assistant, opening it from the settings on first need.

    Opening again after a failure lets a server started before `python -m qa ingest` recover
    without a restart; the lock keeps concurrent requests from loading the model twice.
    """

    def __init__(self, settings: Settings, assistant: Assistant | None = None) -> None:
        self.settings = settings
        self.assistant = assistant
        self._lock = threading.Lock()

    def get(self) -> Assistant:
        """The assistant; raises IndexMissing / IndexMismatch while the index cannot be used."""
        if self.assistant is not None:
            return self.assistant
        with self._lock:
            if self.assistant is None:
                logger.info("opening the index in %s", self.settings.index_dir)
                self.assistant = Assistant.open(self.settings)
        return self.assistant


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_assistant(request: Request) -> Assistant:
    # A sync dependency: FastAPI runs it in the threadpool, so a first open never blocks the loop.
    slot: AssistantSlot = request.app.state.assistant_slot
    return slot.get()


def get_templates(request: Request) -> Jinja2Templates:
    templates: Jinja2Templates = request.app.state.templates
    return templates


SettingsDep = Annotated[Settings, Depends(get_settings)]
AssistantDep = Annotated[Assistant, Depends(get_assistant)]
TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]
