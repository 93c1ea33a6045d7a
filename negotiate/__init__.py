"""The ``negotiate`` command: runs, ensembles, sweeps, theory checks and the app, from a shell."""
