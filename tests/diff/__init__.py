"""Differential tests against go tool pprof (see tests/meson.build)."""
