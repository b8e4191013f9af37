#!/usr/bin/env bash
# pprofc's main job, end to end, on a fresh Debian 12 machine:
#   install what is missing, build pprofc, start the project's Go demo
#   service (net/http/pprof) on 127.0.0.1 with load, capture a 5-second CPU
#   profile and a heap profile with `pprofc fetch`, and write callgrind,
#   folded, top, flame graph (SVG) and speedscope outputs of both.
# Output goes to ./pprofc-demo (or $DEMO_OUT). The service is stopped at the
# end, also on error or Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

ensure_packages "${BUILD_PACKAGES[@]}" golang-go
echo "== building pprofc"
setup_build build-demo -Dtests=false -Dbuildtype=release
ninja -C build-demo >/dev/null
pprofc=$PWD/build-demo/cli/pprofc

out=${DEMO_OUT:-$PWD/pprofc-demo}
mkdir -p "$out"
out=$(cd "$out" && pwd)
# service.log too: the service's redirection happens in its own process,
# and a log left by an earlier run would give its stale address meanwhile
rm -f "$out"/pprof.goservice.*.pb.gz "$out/service.log"

echo "== building and starting the demo service (Go net/http/pprof)"
tests/goservice/build.sh "$out/goservice"
# -load 4: four goroutines run the CPU, allocation and lock-contention
# workload; -duration bounds the service's life even if this script dies.
"$out/goservice" -load 4 -duration 300s >"$out/service.log" 2>&1 &
service=$!
trap 'kill "$service" 2>/dev/null || true; wait "$service" 2>/dev/null || true' EXIT
addr=
for _ in $(seq 50); do
	addr=$(sed -n 's/^listening on //p' "$out/service.log")
	[ -n "$addr" ] && break
	sleep 0.2
done
[ -n "$addr" ] || { echo "demo service did not start:" >&2; cat "$out/service.log" >&2; exit 1; }
echo "service on http://$addr (pid $service)"

# Requests as well as the background load, so HTTP handling shows too.
( for _ in $(seq 25); do
	exec 3<>"/dev/tcp/${addr%:*}/${addr#*:}" || break
	printf 'GET /work?ms=150 HTTP/1.0\r\nHost: %s\r\n\r\n' "$addr" >&3
	cat <&3 >/dev/null
	exec 3<&-
done ) &
clients=$!

export PPROF_TMPDIR=$out
echo "== capturing"
"$pprofc" fetch --seconds 5 "$addr" 2>&1 | tee "$out/fetch.log"
cpu=$(sed -n 's/^Saved profile in //p' "$out/fetch.log" | tail -n 1)
"$pprofc" fetch "http://$addr/debug/pprof/heap" 2>&1 | tee "$out/fetch.log"
heap=$(sed -n 's/^Saved profile in //p' "$out/fetch.log" | tail -n 1)
wait "$clients" 2>/dev/null || true

echo "== writing reports"
for kind in cpu heap; do
	src=${!kind}
	"$pprofc" to-callgrind -o "$out/callgrind.out.$kind" "$src"
	"$pprofc" to-folded -o "$out/$kind.folded" "$src"
	"$pprofc" top --nodecount 20 -o "$out/$kind.top.txt" "$src"
	"$pprofc" to-flamegraph --title "demo service: $kind" -o "$out/$kind.svg" "$src"
	"$pprofc" to-speedscope -o "$out/$kind.speedscope.json" "$src"
	"$pprofc" tree -o "$out/$kind.tree.txt" "$src"
	if command -v dot >/dev/null; then
		"$pprofc" to-dot --svg -o "$out/$kind.graph.svg" "$src"
	fi
	# pprof's interactive session, scripted: the shell reads commands
	# from a pipe as go tool pprof does
	printf 'top 10\ntop -cum 10\npeek main\\.\n' | "$pprofc" -q "$src" >"$out/$kind.shell.txt"
done
echo
cat "$out/cpu.top.txt"
echo
cat <<MSG
== done: everything is in $out
  profiles     $(basename "$cpu")
               $(basename "$heap")
  callgrind    $out/callgrind.out.cpu, $out/callgrind.out.heap
  folded       $out/cpu.folded, $out/heap.folded
  top          $out/cpu.top.txt, $out/heap.top.txt
  flame graphs $out/cpu.svg, $out/heap.svg (open in a browser: click to zoom, Ctrl-F to search)
  speedscope   $out/cpu.speedscope.json, $out/heap.speedscope.json
  tree         $out/cpu.tree.txt, $out/heap.tree.txt
  call graphs  $out/cpu.graph.svg, $out/heap.graph.svg (with Graphviz)
  shell        $out/cpu.shell.txt, $out/heap.shell.txt (top, top -cum, peek main\.)

Explore interactively, as with go tool pprof (top, list RE, peek RE, web,
kcachegrind, help; quit to leave):
  $pprofc $cpu

Open in KCachegrind (apt-get install kcachegrind):
  kcachegrind $out/callgrind.out.cpu
  or in one step from a profile or a live service:
  $pprofc kcachegrind $cpu
The folded stacks also suit flamegraph.pl and inferno; the .speedscope.json
files open in speedscope (https://www.speedscope.app, or npm's speedscope).
MSG
