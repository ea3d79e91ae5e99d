"""python -m ops restore, against the emulator: a table the application wrote, restored into
a new table, waited for, verified, and the deploy command that points the stack at it."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from api.functions.builders import users_function
from api.resources import TABLES
from dev.emulator import create_resources
from ops import restore
from ops.restore import Report, RestoreError, Restorer, parse_time, target_name
from tests.events import FakeLambdaContext, make_http_event


@pytest.fixture
def stack(settings):
    """A stack name of this test's own (the emulator lives for the whole session)."""
    return f"shop-{settings.table('users').rsplit('-', 1)[1]}"


@pytest.fixture
def stack_settings(settings, stack):
    """Tables named as CloudFormation names them in the stack `stack`."""
    tables = {key: f"{stack}-{t.logical_id}-ABC123" for key, t in TABLES.items()}
    stack_settings = dataclasses.replace(settings, tables=tables)
    create_resources(stack_settings)
    return stack_settings


@pytest.fixture
def dynamodb(stack_settings):
    return boto3.client(
        "dynamodb", region_name=stack_settings.region, endpoint_url=stack_settings.aws_endpoint_url
    )


@pytest.fixture
def users_table(stack_settings, dynamodb):
    """The users table with point-in-time recovery on (as the template has it) and three
    users the users function wrote, with their email guard items."""
    name = stack_settings.table("users")
    dynamodb.update_continuous_backups(
        TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    handler = users_function(stack_settings)
    for i in range(3):
        body = {"email": f"u{i}@example.com", "name": f"U {i}", "department": "Eng"}
        response = handler(make_http_event(method="POST", body=body), FakeLambdaContext())
        assert response["statusCode"] == 201, response
    return name


def run(capsys, dynamodb, *argv):
    code = restore.main(list(argv), dynamodb=dynamodb)
    return code, capsys.readouterr().out


def test_a_restore_makes_a_verified_table_with_ttl_and_recovery_and_prints_the_deploy_command(
    capsys, dynamodb, users_table, stack
):
    code, out = run(capsys, dynamodb, "--table", users_table, "--to", "latest")

    assert code == 0, out
    command = out.strip().splitlines()[-1]
    target = command.split("ExistingUsersTable=")[1].split()[0]
    assert target.startswith(f"{stack}-UsersTable-restored-")
    assert command == (
        f"sam deploy --stack-name {stack} --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND"
        f" --parameter-overrides ExistingUsersTable={target} DeploymentStrategy=AllAtOnce"
    )
    restored = dynamodb.describe_table(TableName=target)["Table"]
    assert restored["TableStatus"] == "ACTIVE"
    source_items = dynamodb.scan(TableName=users_table)["Items"]
    assert len(source_items) == 6  # three users and their email guard items
    assert sorted(map(json.dumps, dynamodb.scan(TableName=target)["Items"])) == sorted(
        map(json.dumps, source_items)
    )
    ttl = dynamodb.describe_time_to_live(TableName=target)["TimeToLiveDescription"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "ttl")
    recovery = dynamodb.describe_continuous_backups(TableName=target)
    status = recovery["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert status["PointInTimeRecoveryStatus"] == "ENABLED"
    assert "items: 6 restored, 6 in" in out
    assert "sample: 6 keys read back; 6 of them still in" in out
    for index in ("email-index", "listShard-index", "department-index"):
        assert f"index {index}: answers" in out
    assert "PROBLEM" not in out


def test_each_step_is_reported_with_the_time_since_the_start(capsys, dynamodb, users_table, stack):
    _, out = run(capsys, dynamodb, "--table", users_table, "--to", "latest", "--stack", "other")
    steps = [line for line in out.splitlines() if line.startswith("[")]
    assert [line.split("] ", 1)[1].split(" ")[0] for line in steps] == [
        "restore",
        f"{stack}-UsersTable-restored-{steps[0].split('-restored-')[1].split()[0]}",
        "TTL",
        "verified",
    ]
    assert "sam deploy --stack-name other " in out


def test_a_table_without_point_in_time_recovery_cannot_be_restored(
    capsys, dynamodb, stack_settings
):
    code, out = run(capsys, dynamodb, "--table", stack_settings.table("assets"), "--to", "latest")
    assert code == 1
    assert "has no point-in-time recovery" in out


def test_a_time_before_the_earliest_restorable_one_is_refused(capsys, dynamodb, users_table):
    before = (datetime.now(UTC) - timedelta(days=1)).replace(microsecond=0)
    code, out = run(capsys, dynamodb, "--table", users_table, "--to", before.isoformat())
    assert code == 1
    assert "is outside" in out
    with pytest.raises(dynamodb.exceptions.ResourceNotFoundException):
        dynamodb.describe_table(TableName=target_name(users_table, TABLES["users"], before))


def test_a_time_without_an_offset_is_refused():
    with pytest.raises(RestoreError, match="UTC offset"):
        parse_time("2026-12-02T06:30:00")
    assert parse_time("2026-12-02T06:30:00Z") == datetime(2026, 12, 2, 6, 30, tzinfo=UTC)
    assert parse_time("latest") is None


class SlowToRestore:
    """The emulator's client, whose restored table stays CREATING for its first two
    descriptions, as DynamoDB's does for 20 minutes or more."""

    def __init__(self, client):
        self._client = client
        self.creating = 2

    def __getattr__(self, name):
        return getattr(self._client, name)

    def describe_table(self, *, TableName):
        described = self._client.describe_table(TableName=TableName)
        if "-restored-" in TableName and self.creating:
            self.creating -= 1
            described["Table"]["TableStatus"] = "CREATING"
        return described


def test_the_restore_waits_until_the_new_table_is_active(dynamodb, users_table):
    sleeps: list[float] = []
    restorer = Restorer(SlowToRestore(dynamodb), report=Report(), sleep=sleeps.append)
    restorer.restore(users_table, None)
    assert sleeps == [restore.POLL_SECONDS, restore.POLL_SECONDS]


def test_a_restored_table_without_an_index_fails_verification(dynamodb, users_table):
    target = f"{users_table}-broken"
    dynamodb.create_table(
        TableName=target,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "userId", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "userId", "KeyType": "HASH"}],
    )
    report = Report()
    Restorer(dynamodb, report=report).verify(users_table, target, TABLES["users"])
    assert len(report.problems) == 1
    assert "keys and indexes" in report.problems[0]


def test_a_table_of_no_registered_shape_is_refused(capsys, dynamodb, users_table):
    dynamodb.create_table(
        TableName="stranger",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
    )
    code, out = run(capsys, dynamodb, "--table", "stranger", "--to", "latest")
    assert code == 1
    assert "no table of api/resources.py" in out
