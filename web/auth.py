"""Who is asking: anonymous (public material only), or an officer or member signed in by session
cookie or API token (exempt material too).

The session cookie holds the user's name and account stamp, signed with the secret in
users.json (itsdangerous), HttpOnly, Secure and SameSite=Lax, for SESSION_SECONDS. It is checked
against the accounts file on every request, so a removed user or a changed password ends
existing sessions at once. Scripts send `Authorization: Bearer TOKEN`; a token that is not valid
is a 401, never a quiet downgrade to public answers. A service token's viewer carries its quota.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.responses import Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from corpus.access import PUBLIC
from qa.users import AccountError, Accounts, Token, User, UserStore

logger = logging.getLogger(__name__)

COOKIE = "clerk_session"
SESSION_SECONDS = 8 * 3600
_SALT = "clerk-session"


@dataclass(frozen=True)
class Viewer:
    """Whoever sent the request, and the access level that follows from it."""

    name: str | None = None
    role: str | None = None
    clearance: str = PUBLIC
    via: str | None = None  # "session" | "token"
    service: Token | None = None  # the service token used, whose quota replaces the per-client limits

    @property
    def signed_in(self) -> bool:
        return self.name is not None

    @classmethod
    def of(cls, user: User, via: str, token: Token | None = None) -> Viewer:
        return cls(user.name, user.role, user.clearance, via, token if token and token.service else None)


ANONYMOUS = Viewer()


class Auth:
    """Signs and reads session cookies and API tokens against one accounts file."""

    def __init__(self, store: UserStore, secure_cookie: bool = True) -> None:
        self.store = store
        self.secure_cookie = secure_cookie

    def _accounts(self) -> Accounts | None:
        try:
            return self.store.load()
        except AccountError as exc:
            # An unreadable accounts file signs nobody in; it must not take the public site down.
            logger.error("%s", exc)
            return None

    def _signer(self, accounts: Accounts) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(accounts.secret, salt=_SALT)

    def viewer(self, request: Request, cookies: bool = True) -> Viewer:
        """The viewer of a request; raises 401 for an Authorization header that is not valid.
        `cookies=False` reads the bearer token only (the MCP endpoint takes no sessions)."""
        header = request.headers.get("authorization")
        if header is not None:
            return self.by_token(header)
        cookie = request.cookies.get(COOKIE) if cookies else None
        return self._by_cookie(cookie) if cookie else ANONYMOUS

    def by_token(self, header: str) -> Viewer:
        """The viewer of an `Authorization: Bearer TOKEN` header value; 401 unless it is valid."""
        scheme, _, token = header.partition(" ")
        accounts = self._accounts()
        found = accounts.token_of(token.strip()) if accounts and scheme.lower() == "bearer" else None
        if found is None:
            raise HTTPException(401, "The API token is not valid (it may have been revoked); "
                                     "send `Authorization: Bearer TOKEN` from `python -m qa users token`.",
                                headers={"WWW-Authenticate": "Bearer"})
        return Viewer.of(found[0], "token", found[1])

    def _by_cookie(self, cookie: str) -> Viewer:
        accounts = self._accounts()
        if accounts is None:
            return ANONYMOUS
        try:
            data = self._signer(accounts).loads(cookie[:4096], max_age=SESSION_SECONDS)
        except BadSignature:
            return ANONYMOUS
        user = accounts.users.get(str(data.get("u"))) if isinstance(data, dict) else None
        if user is None or data.get("s") != user.stamp:
            return ANONYMOUS
        return Viewer.of(user, "session")

    def sign_in(self, response: Response, user: User) -> None:
        accounts = self._accounts()
        if accounts is None:
            raise AccountError("the accounts file cannot be read")
        value = self._signer(accounts).dumps({"u": user.name, "s": user.stamp})
        response.set_cookie(COOKIE, value, max_age=SESSION_SECONDS, path="/", httponly=True,
                            secure=self.secure_cookie, samesite="lax")

    def sign_out(self, response: Response) -> None:
        response.delete_cookie(COOKIE, path="/", httponly=True, secure=self.secure_cookie, samesite="lax")


def get_viewer(request: Request) -> Viewer:
    """Sync on purpose: reading the accounts file runs in the threadpool, off the event loop."""
    auth: Auth = request.app.state.auth
    viewer = auth.viewer(request)
    request.state.viewer = viewer
    return viewer


ViewerDep = Annotated[Viewer, Depends(get_viewer)]
