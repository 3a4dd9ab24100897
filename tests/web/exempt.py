"""What the tests of exempt papers share: where the exempt fixtures are, the officer's account,
and limits loose enough for tests that ask many questions from one address."""

from __future__ import annotations

from pathlib import Path

from web.limits import Limits

EXEMPT_PAPERS = Path(__file__).parent / "data" / "exempt"
OFFICER = ("officer.one", "correct horse battery staple")
TEST_LIMITS = Limits(ask_burst=100_000, login_burst=1000)
