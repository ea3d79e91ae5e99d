"""Contract tooling derived from openapi.yaml: the Schemathesis hooks, the runner of the
contract suite against a live URL (`python -m contract URL`) and the client generator."""
