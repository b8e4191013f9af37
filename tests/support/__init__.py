"""Helpers and servers shared by the test scripts in tests/cli, tests/diff
and tests/readers. Each script puts tests/ first on sys.path and imports
them as support.NAME (and a script of another folder as FOLDER.NAME)."""
