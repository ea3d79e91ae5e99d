"""One source of truth for tables: the template declares what the pynamodb models declare
(keys, GSIs and their projections, the expiry attribute), so what `make run` and the tests
create locally from the models is what deploys."""

from __future__ import annotations

import pytest
from pynamodb.attributes import NumberAttribute

from api.aws.dynamo import model_schema, table_model
from api.resources import TABLES


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
    schema = model_schema(model)
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


def test_the_template_has_exactly_the_registered_tables(stack):
    assert set(stack.of_type("AWS::DynamoDB::Table")) == {t.logical_id for t in TABLES.values()}


@pytest.mark.parametrize("table", TABLES.values(), ids=lambda table: table.key)
def test_the_template_table_has_the_keys_and_indexes_of_its_pynamodb_model(stack, table):
    properties = stack.properties(table.logical_id)
    assert shape_of_template_table(properties) == shape_of_model(table_model(table))


@pytest.mark.parametrize("table", TABLES.values(), ids=lambda table: table.key)
def test_the_template_table_expires_items_by_the_registered_ttl_attribute(stack, table):
    ttl = stack.properties(table.logical_id)["TimeToLiveSpecification"]
    assert ttl == {"AttributeName": table.ttl_attribute, "Enabled": True}
    attribute = next(
        a
        for a in table_model(table).get_attributes().values()
        if a.attr_name == table.ttl_attribute
    )
    assert isinstance(attribute, NumberAttribute)


@pytest.mark.parametrize("table", TABLES.values(), ids=lambda table: table.key)
def test_every_table_is_on_demand(stack, table):
    assert stack.properties(table.logical_id)["BillingMode"] == "PAY_PER_REQUEST"
