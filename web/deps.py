"""What routes receive by injection: the settings, the assistant and the page templates."""

from __future__ import annotations

import logging
import threading
import time
from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from corpus.errors import IndexError_
from index.store import IndexStore
from qa.assistant import Assistant
from qa.settings import Settings

logger = logging.getLogger(__name__)


class AssistantSlot:
    """Holds the app's one Assistant, opening it from the settings on first need.

    Opening again after a failure lets a server started before `python -m qa ingest` recover
    without a restart; the lock keeps concurrent requests from loading the model twice. Once
    open, CURRENT is read at most every CHECK_SECONDS: a new build is loaded in a thread of its
    own while requests go on being answered from the old one, then swapped in as one reference
    assignment, so no request fails or waits during the switch. A build that cannot be loaded
    (damaged, another model) is logged and the old one kept.
    """

    CHECK_SECONDS = 1.0

    def __init__(self, settings: Settings, assistant: Assistant | None = None) -> None:
        self.settings = settings
        self.assistant = assistant
        self._lock = threading.Lock()
        self._checked = time.monotonic()
        self._tried: str | None = None  # the build last loaded or attempted
        self._loading = False

    def get(self) -> Assistant:
        """The assistant; raises IndexMissing / IndexMismatch while the index cannot be used."""
        current = self.assistant
        if current is not None:
            self._watch(current)
            return current
        with self._lock:
            if self.assistant is None:
                logger.info("opening the index in %s", self.settings.index_dir)
                self.assistant = Assistant.open(self.settings)
        return self.assistant

    def _watch(self, current: Assistant) -> None:
        """Start loading a newer build, if CURRENT names one (an in-memory index is not watched)."""
        now = time.monotonic()
        if not current.index.build or now - self._checked < self.CHECK_SECONDS:
            return
        self._checked = now
        name = IndexStore(self.settings.index_dir).current_name()
        with self._lock:
            if not name or name in (current.index.build, self._tried) or self._loading:
                return
            self._tried, self._loading = name, True
        threading.Thread(target=self._reload, args=(current, name), name="clerk-reload", daemon=True).start()

    def _reload(self, old: Assistant, name: str) -> None:
        try:
            index = IndexStore(self.settings.index_dir).load(self.settings.model)
            fresh = Assistant(index, old.embedder, self.settings, reuse=old.backend)
        except IndexError_ as exc:
            logger.error("new index build %s not loaded, still serving %s: %s", name, old.index.build, exc)
        else:
            self.assistant = fresh
            logger.info("now serving index build %s", index.build)
        finally:
            self._loading = False


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
