#!/bin/sh
# Installs the npm packages the speedscope tests read (speedscope's schema
# and app, ajv to validate against the schema) into DIR/node_modules, once
# per build directory, never into the source tree. Always exits 0: without
# npm or the registry it writes the reason to STAMP, and the tests that
# need the packages skip (exit 77).
#
# usage: npm_setup.sh DIR STAMP
dir=$1
stamp=$2
if [ -f "$dir/node_modules/speedscope/dist/release/file-format-schema.json" ] &&
	[ -f "$dir/node_modules/ajv/package.json" ]; then
	echo ok >"$stamp"
	exit 0
fi
if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
	echo "npm or node not installed (apt-get install nodejs npm)" >"$stamp"
	exit 0
fi
mkdir -p "$dir"
if npm install --prefix "$dir" --no-audit --no-fund --no-save --fetch-retries=1 \
	--fetch-timeout=60000 speedscope@1.25.0 ajv@8 >"$dir/npm-install.log" 2>&1; then
	echo ok >"$stamp"
else
	echo "npm install failed (see $dir/npm-install.log)" >"$stamp"
fi
exit 0
