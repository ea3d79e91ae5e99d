"""Operating the deployed service: disaster recovery (restore) and the cost model (cost)."""
