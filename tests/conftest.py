"""Fixtures shared by several test modules."""

from __future__ import annotations

import importlib

import pytest


@pytest.fixture(scope="module")
def vector_ensembles():
    """Every ensemble of the module runs the vectorised kernel, however few its runs.

    By default an ensemble of a few runs is run as single runs, one after another
    (``dpmkit.simulate.AUTO_SINGLE_RUNS``; tested in test_simulate.py). Modules that hold the
    vectorised kernel to the single-run kernel with small ensembles use this fixture
    (``pytestmark = pytest.mark.usefixtures("vector_ensembles")``), so they keep comparing two
    kernels rather than one kernel with itself. Module-scoped, so hypothesis tests may use it."""
    module = importlib.import_module("dpmkit.simulate")  # the module (dk.simulate is the function)
    saved = module.AUTO_SINGLE_RUNS
    module.AUTO_SINGLE_RUNS = 0
    yield
    module.AUTO_SINGLE_RUNS = saved
