"""Experiments in numbers: ensembles and their summaries, comparisons, theory checks, sweeps."""
