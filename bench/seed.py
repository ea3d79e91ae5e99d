"""`python -m bench.seed`: a user and an uploaded asset, made through the application,
for the cold starts' first requests to read."""

from __future__ import annotations

import uuid

from bench.child import report
from bench.handlers import handler_for
from bench.workload import Client, body_of, uploaded_asset


def main() -> None:
    users, _ = handler_for("app", "users", "emulator")
    assets, upload = handler_for("app", "assets", "emulator")
    _, created = Client(users).send(
        "POST",
        "/users",
        body={"email": f"cold-{uuid.uuid4().hex[:8]}@example.com", "name": "Cold Start"},
    )
    report(
        {"user_id": body_of(created)["userId"], "asset_id": uploaded_asset(Client(assets), upload)}
    )


if __name__ == "__main__":
    main()
