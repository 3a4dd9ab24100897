"""Clerk's domain exceptions, in one place.

ClerkError
 +-- ReadError          a file could not be read or understood (reported per file at ingest)
 +-- ClusterError       the Ray cluster an ingest was sent to cannot be reached or cannot do the work
 +-- IndexError_        the index folder is missing, damaged or built with other settings
 |    +-- IndexMissing
 |    +-- IndexMismatch
 |    +-- BackendError  the search backend (Milvus) cannot be reached, or does not hold this index
 +-- QueryError         a question or filter that cannot be answered as asked (HTTP 422)
 +-- DocumentNotFound   no ingested document has that name (HTTP 404)
 +-- QuotaExceeded      a client asked more than its rate allows (HTTP 429, an MCP tool error)
 +-- SettingError       an environment variable that cannot be used (the CLI says which)
 +-- RemoteError        a running Clerk server could not be asked (`eval run --url`)
"""

from __future__ import annotations


class ClerkError(Exception):
    """Base of every error Clerk raises on purpose."""


class ReadError(ClerkError):
    """A file could not be read; the message says why in words a user can act on."""


class ClusterError(ClerkError):
    """`ingest --ray`: no cluster at the address, Ray not installed, or the cluster failed the work."""


class IndexError_(ClerkError):
    """The index folder cannot be used as it is."""


class IndexMissing(IndexError_):
    """No index has been built in the folder yet."""


class IndexMismatch(IndexError_):
    """The index was built by another model or format version, or a file in it is damaged."""


class BackendError(IndexError_):
    """The search backend named by CLERK_BACKEND cannot serve this index (unreachable, missing
    collection, another vector dimension); the message names the URI and the command that mends it."""


class QueryError(ClerkError):
    """The request cannot be answered as asked (empty question, bad filter, ...)."""


class DocumentNotFound(ClerkError):
    """No ingested document has the requested name."""


class QuotaExceeded(ClerkError):
    """A client asked more than its rate allows; `retry_after` is the whole seconds to wait."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class SettingError(ClerkError):
    """An environment variable holds a value Clerk cannot use; the message names it."""


class RemoteError(ClerkError):
    """A running Clerk server was unreachable, refused the token or answered with an error."""
