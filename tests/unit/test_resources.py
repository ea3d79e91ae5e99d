"""The registry of resources (api/resources.py) agrees with the spec, the models and the
builders, and Settings names every registered resource."""

from __future__ import annotations

import pytest

from api.aws.dynamo import table_model
from api.functions.builders import FUNCTION_BUILDERS
from api.resources import BUCKETS, FUNCTIONS, TABLES
from api.settings import MissingSetting, Settings
from api.spec import load_spec, operations


def test_every_tag_of_the_spec_is_served_by_exactly_one_registered_function():
    tags = {tag for _, _, operation, _ in operations(load_spec()) for tag in operation["tags"]}
    served = [tag for function in FUNCTIONS.values() for tag in function.tags]
    assert sorted(served) == sorted(tags)


def test_every_registered_function_has_a_builder_and_uses_only_registered_resources():
    assert set(FUNCTION_BUILDERS) == set(FUNCTIONS)
    for function in FUNCTIONS.values():
        assert set(function.tables) <= set(TABLES)
        assert set(function.buckets) <= set(BUCKETS)


def test_every_registered_table_names_a_model_that_declares_it():
    for table in TABLES.values():
        model = table_model(table)
        assert table.ttl_attribute in {a.attr_name for a in model.get_attributes().values()}


def test_settings_name_every_registered_resource_by_its_environment_variable():
    env = {t.env: f"{t.key}-prod" for t in TABLES.values()}
    env |= {b.env: f"{b.key}-bucket" for b in BUCKETS.values()}
    settings = Settings.from_env(env)
    assert settings.tables == {key: f"{key}-prod" for key in TABLES}
    assert settings.buckets == {key: f"{key}-bucket" for key in BUCKETS}


def test_locally_every_name_has_a_default():
    settings = Settings.from_env({})
    assert settings.tables == {key: t.local_name for key, t in TABLES.items()}
    assert settings.buckets == {key: b.local_name for key, b in BUCKETS.items()}


@pytest.mark.parametrize("function", FUNCTIONS.values(), ids=lambda f: f.key)
def test_a_function_refuses_settings_without_the_names_of_its_resources(function):
    with pytest.raises(MissingSetting) as refused:
        Settings.from_env({}, required=function.resources)
    for resource in function.resources:
        assert resource.env in str(refused.value)
