"""Deployment helpers for template.yaml: the API Gateway definition and the Lambda bundle."""
