"""Offline checks of template.yaml: lint, SAM transform, and the architecture it deploys."""
