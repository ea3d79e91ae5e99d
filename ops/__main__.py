"""python -m ops restore ... | python -m ops cost ... | python -m ops shard-users ..."""

from __future__ import annotations

import sys

from ops import consumption, cost, restore, shard_users

COMMANDS = {
    "restore": restore.main,
    "consumption": consumption.main,
    "cost": cost.main,
    "shard-users": shard_users.main,
}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(f"usage: python -m ops {{{','.join(COMMANDS)}}} [options]  (--help for each)")
        return 2
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
