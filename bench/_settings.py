"""Benchmark settings: the test settings (read from the environment that ``bench._support`` sets:
DEBUG off, the throwaway database) with the benchmark's URLconf, which adds the floor views."""

from tests.settings import *  # noqa: F403

ROOT_URLCONF = "bench._urls"
