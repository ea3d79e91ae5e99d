"""A load run against `make run`'s server: 50 concurrent clients of mixed operations, no 5xx,
and a store that holds exactly what the clients were told. It is bounded by a count of
requests, never by time, and asserts no speed: throughput is measured by `make bench`."""

from __future__ import annotations

import os
import random
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import boto3
import httpx
import pytest

from dev.emulator import use_emulator_credentials
from tests.local_server import LocalServer, local_server

CLIENTS = 50
STEPS = int(os.environ.get("LOAD_STEPS", "12"))  # requests per client
EXPECTED = {
    "createUser": {201},
    "getUser": {200},
    "updateUser": {200},
    "deleteUser": {204},
    "listUsers": {200},
    "createAsset": {201},
    "getAsset": {200},
    "deleteAsset": {204},
}


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with local_server() as server:
        yield server


@dataclass
class Client:
    """One client's own users and assets, and what the server told it about them."""

    number: int
    run: str
    users: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (name, etag)
    assets: set[str] = field(default_factory=set)
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    created: int = 0

    def step(self, http: httpx.Client, api: str, rng: random.Random) -> None:
        operation = rng.choices(list(EXPECTED), weights=[25, 15, 20, 8, 7, 12, 8, 5])[0]
        if operation in ("getUser", "updateUser", "deleteUser") and not self.users:
            operation = "createUser"
        if operation in ("getAsset", "deleteAsset") and not self.assets:
            operation = "createAsset"
        response = getattr(self, operation)(http, api, rng)
        self.statuses[(operation, response.status_code)] += 1

    def createUser(self, http, api, rng):
        self.created += 1
        email = f"{self.run}-{self.number}-{self.created}@load.example"
        response = http.post(f"{api}/users", json={"email": email, "name": "L"})
        if response.status_code == 201:
            self.users[response.json()["userId"]] = ("L", response.headers["etag"])
        return response

    def getUser(self, http, api, rng):
        return http.get(f"{api}/users/{rng.choice(list(self.users))}")

    def updateUser(self, http, api, rng):
        user_id = rng.choice(list(self.users))
        name = f"N{rng.randrange(10**6)}"
        response = http.patch(
            f"{api}/users/{user_id}",
            json={"name": name},
            headers={"If-Match": self.users[user_id][1]},
        )
        if response.status_code == 200:
            self.users[user_id] = (name, response.headers["etag"])
        return response

    def deleteUser(self, http, api, rng):
        user_id = rng.choice(list(self.users))
        response = http.delete(f"{api}/users/{user_id}")
        if response.status_code == 204:
            del self.users[user_id]
        return response

    def listUsers(self, http, api, rng):
        return http.get(f"{api}/users", params={"limit": 10})

    def createAsset(self, http, api, rng):
        body = {"fileName": f"{self.run}.txt", "contentType": "text/plain", "size": 10}
        response = http.post(f"{api}/assets", json=body)
        if response.status_code == 201:
            self.assets.add(response.json()["assetId"])
        return response

    def getAsset(self, http, api, rng):
        return http.get(f"{api}/assets/{rng.choice(sorted(self.assets))}")

    def deleteAsset(self, http, api, rng):
        asset_id = rng.choice(sorted(self.assets))
        response = http.delete(f"{api}/assets/{asset_id}")
        if response.status_code == 204:
            self.assets.discard(asset_id)
        return response


def test_50_concurrent_clients_see_no_5xx_and_the_store_matches_what_they_were_told(server):
    run = uuid.uuid4().hex[:8]
    clients = [Client(number, run) for number in range(CLIENTS)]

    def work(client: Client) -> None:
        rng = random.Random(client.number)
        # Each client its own administrator: its own quota, and every operation allowed.
        with server.client(f"load-{run}-{client.number}") as http:
            for _ in range(STEPS):
                client.step(http, server.url, rng)

    threads = [threading.Thread(target=work, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    statuses = sum((client.statuses for client in clients), Counter())
    unexpected = {key: n for key, n in statuses.items() if key[1] not in EXPECTED[key[0]]}
    total = sum(statuses.values())
    print(f"load: {total} requests from {CLIENTS} clients: {dict(statuses)}")
    assert unexpected == {}
    assert total == CLIENTS * STEPS

    use_emulator_credentials()
    dynamodb = boto3.resource("dynamodb", region_name="us-east-1", endpoint_url=server.emulator_url)
    users = {
        item["userId"]: item["name"]
        for item in _scan(dynamodb.Table("Users"))
        if item.get("email", "").startswith(f"{run}-")
    }
    assets = {
        item["assetId"]
        for item in _scan(dynamodb.Table("Assets"))
        if item["fileName"] == f"{run}.txt"
    }
    told_users = {u: name for client in clients for u, (name, _) in client.users.items()}
    told_assets = {a for client in clients for a in client.assets}
    assert users == told_users
    assert assets == told_assets


def _scan(table):
    response = table.scan()
    yield from response["Items"]
    while "LastEvaluatedKey" in response:
        response = table.scan(ExclusiveStartKey=response["LastEvaluatedKey"])
        yield from response["Items"]
