"""`make token SUB=<subject> [ADMIN=1]`: one line, a bearer token that the `make run` server
of this checkout accepts (signed with its local issuer's key, made here if it is missing)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from api.rules.principal import is_subject
from dev.issuer import TOKEN_SECONDS, local_issuer


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dev.token", description=__doc__)
    parser.add_argument("--sub", required=True, help="the caller: the token's subject")
    parser.add_argument("--admin", action="store_true", help="in the admin group")
    parser.add_argument("--port", type=int, help="the port of make run (default: PORT or 8000)")
    parser.add_argument(
        "--seconds", type=int, default=TOKEN_SECONDS, help="how long it is valid (default 1 h)"
    )
    args = parser.parse_args(argv)
    if not is_subject(args.sub):
        parser.error("SUB must be visible text of at most 255 characters")
    if args.seconds < 1:
        parser.error("--seconds must be at least 1")
    issuer = local_issuer(args.port)
    print(issuer.token(args.sub, admin=args.admin, lifetime=args.seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
