"""The workshop dashboard: controls, per-session model, estate picture, plots, Solara components and server.

:mod:`dashboard.app` puts them together as a Mesa SolaraViz app, and
:mod:`dashboard.serve` runs it (``tenant-trust dashboard``). The dashboard
uses the model (:mod:`model`, its parameter declarations, scenarios and outcome
declarations) and nothing of :mod:`experiments`. Everything except
:mod:`dashboard.components` and :mod:`dashboard.app` works without a browser,
so it is tested directly.
"""
