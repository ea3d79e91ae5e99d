"""One source of truth for tables: the template declares what the pynamodb models declare
(keys, GSIs and their projections, the expiry attribute), so what `make run` and the tests
create locally from the models is what deploys."""

from __future__ import annotations

import pytest
from pynamodb.attributes import NumberAttribute

from api.asset_store import AssetItem
from api.user_store import UserItem


def shape_of_template_table(properties):
    """Keys, indexes and projections of a table in the template."""
    types = {a["AttributeName"]: a["AttributeType"] for a in properties["AttributeDefinitions"]}

    def key(schema):
        return {(k["AttributeName"], types[k["AttributeName"]], k["KeyType"]) for k in schema}

    return {
        "key": key(properties["KeySchema"]),
        "indexes": {
            index["IndexName"]: (key(index["KeySchema"]), index["Projection"]["ProjectionType"])
            for index in properties.get("GlobalSecondaryIndexes", [])
        },
        "local_indexes": {
            index["IndexName"] for index in properties.get("LocalSecondaryIndexes", [])
        },
    }


def shape_of_model(model):
    """Keys, indexes and projections of a pynamodb model, as it would create its table."""
    schema = model._get_schema()
    types = {a["AttributeName"]: a["AttributeType"] for a in schema["attribute_definitions"]}

    def key(key_schema):
        return {(k["AttributeName"], types[k["AttributeName"]], k["KeyType"]) for k in key_schema}

    return {
        "key": key(schema["key_schema"]),
        "indexes": {
            index["index_name"]: (key(index["key_schema"]), index["projection"]["ProjectionType"])
            for index in schema["global_secondary_indexes"]
        },
        "local_indexes": {index["index_name"] for index in schema["local_secondary_indexes"]},
    }


def expiry_attribute_of(model):
    """The name DynamoDB stores the model's `ttl` attribute under, which must be a number."""
    attribute = model.get_attributes()["ttl"]
    assert isinstance(attribute, NumberAttribute)
    return attribute.attr_name


TABLES = [
    pytest.param("UsersTable", UserItem, id="users"),
    pytest.param("AssetsTable", AssetItem, id="assets"),
]


@pytest.mark.parametrize(("table", "model"), TABLES)
def test_the_template_table_has_the_keys_and_indexes_of_its_pynamodb_model(stack, table, model):
    assert shape_of_template_table(stack.properties(table)) == shape_of_model(model)


@pytest.mark.parametrize(("table", "model"), TABLES)
def test_the_template_table_expires_items_by_the_models_ttl_attribute(stack, table, model):
    ttl = stack.properties(table)["TimeToLiveSpecification"]
    assert ttl == {"AttributeName": expiry_attribute_of(model), "Enabled": True}


def test_the_emulators_idempotency_table_is_the_templates(stack):
    from dev.emulator import IDEMPOTENCY_TABLE

    properties = stack.properties("IdempotencyTable")
    for name in ("BillingMode", "AttributeDefinitions", "KeySchema"):
        assert properties[name] == IDEMPOTENCY_TABLE[name]
    assert properties["TimeToLiveSpecification"]["AttributeName"] == "expiration"
