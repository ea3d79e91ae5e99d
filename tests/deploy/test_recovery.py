"""What disaster recovery needs of the template: every table can be replaced by an existing
one (a restored table) through a parameter, without the table resource ever being removed."""

from __future__ import annotations

import pytest

from api.resources import TABLES
from ops.restore import EXISTING_TABLE_PARAMETER

TABLE_IDS = [table.logical_id for table in TABLES.values() if table.recoverable]
COUNTERS = [table.logical_id for table in TABLES.values() if not table.recoverable]


@pytest.mark.parametrize("table", TABLE_IDS)
def test_each_table_can_be_replaced_by_an_existing_one_named_by_a_parameter(
    sam_template, stack, table
):
    parameter = EXISTING_TABLE_PARAMETER.format(logical_id=table)
    assert sam_template["Parameters"][parameter]["Default"] == ""
    assert stack.template["Conditions"][f"UsesExisting{table}"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": parameter}, ""]}]
    }


@pytest.mark.parametrize("table", TABLE_IDS)
def test_no_table_is_ever_removed_by_a_condition(stack, table):
    # A table resource switched off by a condition is deleted (or, retained, orphaned and
    # re-created empty when switched back on): the tables stay, only the names in use change.
    assert "Condition" not in stack.resources[table]
    assert stack.properties(table)["PointInTimeRecoverySpecification"] == {
        "PointInTimeRecoveryEnabled": True
    }


@pytest.mark.parametrize("table", COUNTERS)
def test_a_table_of_counters_is_neither_recovered_nor_replaced(sam_template, stack, table):
    assert EXISTING_TABLE_PARAMETER.format(logical_id=table) not in sam_template["Parameters"]
    assert "PointInTimeRecoverySpecification" not in stack.properties(table)


@pytest.mark.parametrize("table", ["UsersTable", "AssetsTable"])
def test_the_tables_of_record_are_kept_when_removed_or_replaced(stack, table):
    assert stack.resources[table]["DeletionPolicy"] == "Retain"
    assert stack.resources[table]["UpdateReplacePolicy"] == "Retain"
