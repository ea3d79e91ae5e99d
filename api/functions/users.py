"""The users Lambda function's entry point (template.yaml: Handler)."""

from __future__ import annotations

from api.functions.init_phase import init_phase

with init_phase():
    from api.functions.builders import users_function
    from api.resources import FUNCTIONS
    from api.settings import Settings

    handler = users_function(Settings.from_env(required=FUNCTIONS["users"].resources))
