"""Outputs checked by their real readers (see tests/meson.build)."""
