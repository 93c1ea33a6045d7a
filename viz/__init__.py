"""Figures of runs and ensembles (matplotlib)."""
