"""The assets Lambda function's entry point (template.yaml: Handler)."""

from __future__ import annotations

from api.functions.init_phase import init_phase

with init_phase():
    from api.functions.builders import assets_function
    from api.resources import FUNCTIONS
    from api.settings import Settings

    handler = assets_function(Settings.from_env(required=FUNCTIONS["assets"].resources))
