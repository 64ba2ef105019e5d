"""The committed calibration: ``posterior.csv`` and ``summary.json`` (see README.md).

A package only so that these files ship, as package data, in every install of
Tenant Trust: a scenario with ``posterior = "calibrated"`` draws from
``posterior.csv``, and ``tenant-trust params`` reads ``summary.json``. They are
found with :mod:`importlib.resources` (:func:`model.resources.package_dir`) and
only read: ``tenant-trust calibrate`` writes to its ``--out`` folder, by default
``calibration/`` in the current directory (in the repository's root, this
folder). There is no code here.
"""
