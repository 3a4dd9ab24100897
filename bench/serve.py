"""`python -m qa serve` for the benchmark: the same app, with the per-client rate limit lifted so
one client can send every question. Imports as little as the real command does."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    import uvicorn

    from qa.settings import Settings
    from web.app import create_app
    from web.limits import Limits

    settings = Settings.from_env(index_dir=args.index, host="127.0.0.1", port=args.port)
    app = create_app(settings, limits=Limits(ask_burst=10**9))
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
