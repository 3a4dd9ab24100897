"""Officers' and members' accounts: argon2 password hashes and API tokens in one 0600 JSON file.

The file lives in the index folder (`DIR/users.json`, beside CURRENT, outside any build) and holds
the secret that signs session cookies. Tokens are shown once and stored as SHA-256 digests: they
are long random strings, so a fast hash is enough and a stolen file gives no usable token. Each
account has a `stamp` that changes with its password: sessions signed before a change, or before
the account was removed, stop working at once.

A service token (`qa users token NAME --service --rate N`) is for scripts: it sees what its user
sees, but is rate-limited by its own quota of N questions (and N searches) a second, with bursts of
up to SERVICE_BURST_SECONDS times that, instead of the per-client limits people get.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import re
import secrets
import threading
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from corpus.access import EXEMPT
from corpus.errors import ClerkError

FILE_NAME = "users.json"
ROLES = ("officer", "member")
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024
TOKEN_PREFIX = "clerk_"
MAX_SERVICE_RATE = 10_000.0
SERVICE_BURST_SECONDS = 10
_HASHER = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the name is unknown, so a wrong name costs as long as a wrong password."""
    return _HASHER.hash(secrets.token_hex(16))


class AccountError(ClerkError):
    """A user name, role or password that cannot be used, or a user that does not exist."""


@dataclass(frozen=True)
class Token:
    """An API token as stored: its digest, a label, and its first characters to recognise it by."""

    digest: str
    label: str
    created: str
    shown: str
    service: bool = False
    rate: float | None = None  # a service token's questions a second

    @property
    def burst(self) -> int:
        """Questions a service token may send at once: SERVICE_BURST_SECONDS of its rate."""
        return max(1, math.ceil((self.rate or 0.0) * SERVICE_BURST_SECONDS))


@dataclass(frozen=True)
class User:
    name: str
    role: str
    password_hash: str
    created: str
    stamp: str
    tokens: tuple[Token, ...] = ()

    @property
    def clearance(self) -> str:
        """Officers and members alike see exempt material."""
        return EXEMPT


@dataclass(frozen=True)
class Accounts:
    """The file's contents: the session secret and the users by name."""

    secret: str
    users: dict[str, User] = field(default_factory=dict)

    def by_token(self, token: str) -> User | None:
        found = self.token_of(token)
        return found[0] if found else None

    def token_of(self, token: str) -> tuple[User, Token] | None:
        """The user an API token belongs to, with the token as stored."""
        digest = token_digest(token)
        for user in self.users.values():
            for stored in user.tokens:
                if secrets.compare_digest(stored.digest, digest):
                    return user, stored
        return None


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def check_name(name: str) -> str:
    if not NAME.fullmatch(name or ""):
        raise AccountError("a user name is 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit")
    return name


def check_password(password: str) -> str:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise AccountError(f"a password is {MIN_PASSWORD} to {MAX_PASSWORD} characters long")
    return password


def check_rate(rate: float | None) -> float | None:
    if rate is not None and not 0 < rate <= MAX_SERVICE_RATE:
        raise AccountError(f"a service token's rate is above 0 and at most {MAX_SERVICE_RATE:g} questions a second")
    return rate


def _user(data: dict[str, Any]) -> User:
    tokens = tuple(Token(**t) for t in data.get("tokens", ()))
    return User(**{**data, "tokens": tokens})


def _parse(text: str) -> Accounts:
    data = json.loads(text)
    users = {name: _user(u) for name, u in data.get("users", {}).items()}
    return Accounts(secret=str(data["secret"]), users=users)


class UserStore:
    """Reads and writes the accounts file; reads are cached until the file changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._seen: tuple[int, int] | None = None
        self._cached: Accounts | None = None

    @classmethod
    def in_index(cls, index_dir: Path) -> UserStore:
        return cls(Path(index_dir) / FILE_NAME)

    def load(self) -> Accounts | None:
        """The accounts, or None when nobody has been added yet."""
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        key = (st.st_mtime_ns, st.st_size)
        with self._lock:
            if key != self._seen:
                try:
                    self._cached = _parse(self.path.read_text(encoding="utf-8"))
                except (OSError, ValueError, KeyError, TypeError) as exc:
                    raise AccountError(f"{self.path} is not a readable accounts file ({exc})") from exc
                self._seen = key
            return self._cached

    def _accounts(self) -> Accounts:
        return self.load() or Accounts(secret=secrets.token_hex(32))

    def _save(self, accounts: Accounts) -> None:
        """Write the whole file with 0600 permissions and switch it in atomically."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"version": 1, "secret": accounts.secret,
                "users": {n: asdict(u) for n, u in sorted(accounts.users.items())}}
        staged = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=1)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(staged, 0o600)
        os.replace(staged, self.path)

    def add(self, name: str, password: str, role: str, replace_existing: bool = False) -> User:
        check_name(name)
        check_password(password)
        if role not in ROLES:
            raise AccountError(f"role must be one of {', '.join(ROLES)}")
        accounts = self._accounts()
        old = accounts.users.get(name)
        if old is not None and not replace_existing:
            raise AccountError(f"user {name!r} exists already (use --replace to set a new password)")
        user = User(name, role, _HASHER.hash(password), old.created if old else _now(),
                    secrets.token_hex(8), old.tokens if old else ())
        self._save(replace(accounts, users={**accounts.users, name: user}))
        return user

    def remove(self, name: str) -> None:
        accounts = self._accounts()
        if name not in accounts.users:
            raise AccountError(f"no user is named {name!r}")
        self._save(replace(accounts, users={n: u for n, u in accounts.users.items() if n != name}))

    def new_token(self, name: str, label: str = "", service_rate: float | None = None) -> str:
        """A new API token for `name`, returned once; only its digest is kept. With
        `service_rate` it is a service token allowed that many questions a second."""
        accounts = self._accounts()
        user = accounts.users.get(name)
        if user is None:
            raise AccountError(f"no user is named {name!r}")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        entry = Token(token_digest(token), label[:80], _now(), token[:10] + "…",
                      service=service_rate is not None, rate=check_rate(service_rate))
        updated = replace(user, tokens=(*user.tokens, entry))
        self._save(replace(accounts, users={**accounts.users, name: updated}))
        return token

    def revoke_tokens(self, name: str) -> int:
        accounts = self._accounts()
        user = accounts.users.get(name)
        if user is None:
            raise AccountError(f"no user is named {name!r}")
        self._save(replace(accounts, users={**accounts.users, name: replace(user, tokens=())}))
        return len(user.tokens)

    def verify(self, name: str, password: str) -> User | None:
        """The user when the password is theirs; None otherwise, in about the same time."""
        accounts = self.load()
        user = accounts.users.get(name) if accounts else None
        try:
            _HASHER.verify(user.password_hash if user else _dummy_hash(), password[:MAX_PASSWORD])
        except (VerificationError, InvalidHashError):
            return None
        return user
