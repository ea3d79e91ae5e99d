"""Benchmarks of the Lambda handlers: cold start, warm latency, framework overhead, and a floor."""
