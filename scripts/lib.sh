# Shared by the scripts: install missing Debian packages, configure a build.
# Sourced, not run.

# ensure_packages PKG...: apt-get install whatever is not installed yet.
ensure_packages() {
	local missing=()
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "missing packages: ${missing[*]}; install them (as root: apt-get install ${missing[*]})" >&2
		return 1
	fi
	echo "installing: ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

# The packages a build and its tests need.
BUILD_PACKAGES=(gcc libc6-dev meson ninja-build pkg-config python3 protobuf-c-compiler
	libprotobuf-c-dev libcurl4-openssl-dev zlib1g-dev libcmocka-dev libedit-dev libpcre2-dev)
REFERENCE_PACKAGES=(golang-go valgrind ca-certificates openssl)
# The viewers' tests: Graphviz renders and parses to-dot's output, xmllint
# checks SVG, headless Chromium opens the flame graph and speedscope's app.
VIEWER_PACKAGES=(graphviz libxml2-utils chromium)

# ensure_node: node and npm for the speedscope tests (they install the
# speedscope and ajv npm packages into the build directory). Debian's,
# unless npm is there already: NodeSource's nodejs ships its own npm and
# conflicts with Debian's npm package.
ensure_node() {
	command -v npm >/dev/null 2>&1 && command -v node >/dev/null 2>&1 && return 0
	ensure_packages nodejs npm
}

# suite_results LOG SUITE: "N passed, N failed, N skipped" over the tests of
# meson's JSON log LOG (BUILDDIR/meson-logs/testlog*.json) in SUITE. meson
# names a test "project:suite1+suite2 / name".
suite_results() {
	python3 - "$1" "$2" <<'PY'
import json, os, sys
log, suite = sys.argv[1:]
n = {"passed": 0, "failed": 0, "skipped": 0}
if os.path.exists(log):
    for line in open(log):
        r = json.loads(line)
        suites = r["name"].split(" / ", 1)[0].split(":", 1)[-1].split("+")
        if suite in suites:
            n["passed" if r["result"] in ("OK", "EXPECTEDFAIL") else
              "skipped" if r["result"] == "SKIP" else "failed"] += 1
print("%(passed)d passed, %(failed)d failed, %(skipped)d skipped" % n)
PY
}

# setup_build DIR [meson options...]: configure once, reconfigure after.
setup_build() {
	local dir=$1
	shift
	if [ -f "$dir/build.ninja" ]; then
		meson configure "$dir" "$@" >/dev/null
	else
		meson setup "$dir" "$@" >/dev/null
	fi
}
