"""Every figure (runs, ensembles, comparisons, theory checks, sweeps), the film and the app."""
