"""`python -m qa mcp`: Clerk's MCP tools over stdio, for an assistant that starts Clerk itself
(Claude Desktop's `command` and `args`).

Whoever starts the process is the caller: with `--token` (or CLERK_TOKEN) that API token's
clearance, else the public's. No quota applies to a local process. The index is opened before
serving; while it cannot be, every tool answers with the command that builds it, as the HTTP API
answers 503.
"""

from __future__ import annotations

import logging

from corpus.errors import IndexError_
from qa.settings import Settings
from qa.users import AccountError, UserStore
from web.auth import ANONYMOUS, Viewer
from web.deps import AssistantSlot
from web.errors import index_hint
from web.mcp_tools import Backend, Caller, build

logger = logging.getLogger(__name__)


def viewer_of(settings: Settings, token: str | None) -> Viewer:
    """The viewer `token` gives (the public's without one); raises AccountError if it is not valid."""
    if not token:
        return ANONYMOUS
    accounts = UserStore.in_index(settings.index_dir).load()
    found = accounts.token_of(token.strip()) if accounts else None
    if found is None:
        raise AccountError("the API token is not valid (it may have been revoked); make one with "
                           "`python -m qa users token NAME`")
    return Viewer.of(found[0], "token", found[1])


def serve(settings: Settings, token: str | None) -> None:
    """Serve the tools on stdin/stdout until the client closes them."""
    caller = Caller(viewer_of(settings, token))
    slot = AssistantSlot(settings)
    try:
        slot.get()
    except IndexError_ as exc:
        logger.error("cannot open the index (%s); %s", exc, index_hint(settings))
    build(Backend(slot.get, lambda ctx: caller)).run("stdio")
