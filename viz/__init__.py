"""Figures of runs and ensembles (matplotlib), the animation, and the teaching app (Solara)."""
