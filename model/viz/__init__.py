"""The workshop dashboard's parts: controls, per-session model, estate picture, plots and Solara components.

:mod:`model.app` puts them together as a Mesa SolaraViz app. Everything
except :mod:`model.viz.components` works without a browser, so it is tested
directly.
"""
