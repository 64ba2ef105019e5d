"""The built-in strategies (``*.toml``) and shock layers (``shocks/*.toml``).

A package only so that these files ship, as package data, in every install of
Tenant Trust; :mod:`model.scenario` finds them with :mod:`importlib.resources`
(:func:`model.resources.package_dir`). There is no code here.
"""
