"""The workshop dashboard: controls, per-session model, the room, estate picture, plots, Solara pages and server.

:mod:`dashboard.app` puts them together as a Solara app (a participant's page
and the facilitator's page), and
:mod:`dashboard.serve` runs it (``tenant-trust dashboard``). The dashboard
uses the model (:mod:`model`, its parameter declarations, scenarios and outcome
declarations) and nothing of :mod:`experiments`. Everything except
:mod:`dashboard.linechart` (drawn by the browser) works without a browser, so
it is tested directly; the pages are also rendered without one in the tests.
"""
