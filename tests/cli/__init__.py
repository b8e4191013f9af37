"""Tests of the command line (see tests/meson.build)."""
