"""Small builders for the scripted cases of the rule and kernel tests."""

import numpy as np

T, F = True, False


def arr(*values: float) -> np.ndarray:
    return np.array(values, dtype=float)


def bools(*values: bool) -> np.ndarray:
    return np.array(values, dtype=bool)


def ints(*values: int) -> np.ndarray:
    return np.array(values, dtype=np.int64)
