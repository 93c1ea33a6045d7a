"""Experiments: ensembles, summaries and the ``negotiate`` command line."""
