// Command goservice is a small Go program used by pprofc's tests.
//
// It does realistic, profiled work (CPU work with an inlined helper and
// recursion, allocations, mutex and channel contention, parked goroutines,
// pprof labels) and either serves net/http/pprof on 127.0.0.1, or, with
// -fixtures DIR, writes gzipped profile.proto fixtures into DIR.
//
// No dependencies outside the standard library.
package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	_ "net/http/pprof" // registers /debug/pprof/* on http.DefaultServeMux
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// ---------------------------------------------------------------------------
// CPU work

// sink keeps results alive so the compiler cannot drop the work.
var sink uint64

func consume(v uint64) { atomic.AddUint64(&sink, v) }

// mix is a tiny finalizer-style hash step. It is small enough that the Go
// compiler inlines it into its callers (check with -gcflags=-m).
func mix(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	return x
}

// hashLoop spends its time in the inlined mix.
func hashLoop(n int) uint64 {
	h := uint64(1469598103934665603)
	for i := 0; i < n; i++ {
		h = mix(h + uint64(i))
	}
	return h
}

// fib is deliberately naive so CPU stacks contain deep recursion.
func fib(n int) int {
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}

type node struct {
	left, right *node
	val         int
}

// buildTree builds a complete binary tree (retained globally: heap in-use).
func buildTree(depth, val int) *node {
	if depth == 0 {
		return nil
	}
	return &node{
		left:  buildTree(depth-1, 2*val),
		right: buildTree(depth-1, 2*val+1),
		val:   val,
	}
}

// walkTree is a recursive tree walk.
func walkTree(n *node) int {
	if n == nil {
		return 0
	}
	return n.val%7 + walkTree(n.left) + walkTree(n.right)
}

// sortWork allocates and sorts a slice of pseudo-random ints.
func sortWork(n int, seed uint64) int {
	xs := make([]int, n)
	for i := range xs {
		seed = mix(seed + 0x9e3779b97f4a7c15)
		xs[i] = int(seed >> 1)
	}
	sort.Ints(xs)
	return xs[n/2] & 0xff
}

// ---------------------------------------------------------------------------
// Allocations

var (
	// globalTree and globalIndex are built once at startup and retained.
	globalTree  *node
	globalIndex map[string]int

	// retained is a ring of blobs: always some bytes in use, churned slowly.
	retainedMu  sync.Mutex
	retained    [64][]byte
	retainedPos int

	// sinkBytes forces churned allocations to escape to the heap.
	sinkBytes []byte
	sinkStr   string
)

func buildIndex(n int) map[string]int {
	m := make(map[string]int, n)
	for i := 0; i < n; i++ {
		m["key-"+strconv.Itoa(i)] = i
	}
	return m
}

// retainBlob replaces one slot of the retained ring with a new blob.
func retainBlob(size int) {
	b := make([]byte, size)
	for i := 0; i < len(b); i += 512 {
		b[i] = byte(i)
	}
	retainedMu.Lock()
	retained[retainedPos%len(retained)] = b
	retainedPos++
	retainedMu.Unlock()
}

// churn makes lots of short-lived allocations of several sizes and kinds.
func churn(n int) int {
	total := 0
	for i := 0; i < n; i++ {
		b := make([]byte, 256+(i%16)*512)
		b[0] = byte(i)
		sinkBytes = b
		s := strconv.Itoa(i) + "-" + strconv.Itoa(total)
		sinkStr = s
		m := make(map[int]string, 8)
		m[i] = s
		total += len(b) + len(m)
	}
	return total
}

// ---------------------------------------------------------------------------
// Contention

var (
	contendedMu  sync.Mutex
	contendedVal uint64
)

// contender holds contendedMu while doing a little work so that the other
// contenders have to wait (mutex profile; also block profile at rate 1).
func contender(wg *sync.WaitGroup, iters int) {
	defer wg.Done()
	for i := 0; i < iters; i++ {
		contendedMu.Lock()
		contendedVal = hashLoop(300) + contendedVal
		contendedMu.Unlock()
	}
}

func lockContention(goroutines, iters int) {
	var wg sync.WaitGroup
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go contender(&wg, iters)
	}
	wg.Wait()
}

var (
	tableMu sync.RWMutex
	table   = map[int]uint64{}
)

// tableWriter takes the write lock, tableReader the read lock: writers wait
// for readers and vice versa (a second, distinct mutex profile stack).
func tableWriter(wg *sync.WaitGroup, iters int) {
	defer wg.Done()
	for i := 0; i < iters; i++ {
		tableMu.Lock()
		table[i%32] = hashLoop(200)
		tableMu.Unlock()
	}
}

func tableReader(wg *sync.WaitGroup, iters int) {
	defer wg.Done()
	var acc uint64
	for i := 0; i < iters; i++ {
		tableMu.RLock()
		acc += table[i%32] + hashLoop(200)
		tableMu.RUnlock()
	}
	consume(acc)
}

func rwContention(iters int) {
	var wg sync.WaitGroup
	wg.Add(3)
	go tableWriter(&wg, iters)
	go tableReader(&wg, iters)
	go tableReader(&wg, iters)
	wg.Wait()
}

// slowConsumer is slower than the producer, so sends block (block profile).
func slowConsumer(ch <-chan int, done chan<- struct{}) {
	var acc uint64
	for v := range ch {
		acc += hashLoop(2000 + v%13)
	}
	consume(acc)
	close(done)
}

func channelPipeline(items int) {
	ch := make(chan int)
	done := make(chan struct{})
	go slowConsumer(ch, done)
	for i := 0; i < items; i++ {
		ch <- i
	}
	close(ch)
	<-done
}

// ---------------------------------------------------------------------------
// Parked goroutines (several distinct stacks in the goroutine profile)

var (
	forever  = make(chan struct{}) // never closed
	parkCond = sync.NewCond(&sync.Mutex{})
)

func parkedOnChannel(id int) {
	<-forever
	consume(uint64(id))
}

func parkedInSelect() {
	never := make(chan int)
	select {
	case <-forever:
	case v := <-never:
		consume(uint64(v))
	}
}

func parkedOnCond() {
	parkCond.L.Lock()
	for {
		parkCond.Wait() // nobody signals
	}
}

func parkedSleeper() {
	for {
		time.Sleep(time.Hour)
	}
}

func startParked() {
	pprof.Do(context.Background(), pprof.Labels("role", "parked"), func(context.Context) {
		for i := 0; i < 3; i++ {
			go parkedOnChannel(i)
		}
		go parkedInSelect()
	})
	go parkedOnCond()
	go parkedSleeper()
}

// ---------------------------------------------------------------------------
// Workload

// workOnce runs one round of every kind of work (a few milliseconds).
func workOnce(ctx context.Context) {
	pprof.Do(ctx, pprof.Labels("worker", "a"), func(context.Context) {
		consume(hashLoop(100000))
		consume(uint64(fib(23)))
	})
	pprof.Do(ctx, pprof.Labels("worker", "b"), func(context.Context) {
		consume(uint64(walkTree(globalTree)))
		consume(uint64(sortWork(3000, uint64(time.Now().UnixNano()))))
	})
	consume(uint64(churn(100)))
	retainBlob(64 << 10)
	lockContention(4, 40)
	rwContention(40)
	channelPipeline(40)
}

// workFor runs workOnce repeatedly for about d (at least once).
func workFor(ctx context.Context, d time.Duration) {
	deadline := time.Now().Add(d)
	for {
		workOnce(ctx)
		if ctx.Err() != nil || !time.Now().Before(deadline) {
			return
		}
	}
}

// startLoad starts n goroutines running the workload until ctx is done.
func startLoad(ctx context.Context, n int) *sync.WaitGroup {
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				workOnce(ctx)
			}
		}()
	}
	return &wg
}

// ---------------------------------------------------------------------------
// Server mode

func serve(addr string, load int, duration time.Duration) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("bad -addr %q: %v", addr, err)
	}
	if host != "127.0.0.1" {
		return fmt.Errorf("-addr %q: only 127.0.0.1 is allowed", addr)
	}
	ln, err := net.Listen("tcp4", addr)
	if err != nil {
		return err
	}
	if ta, ok := ln.Addr().(*net.TCPAddr); !ok || !ta.IP.Equal(net.IPv4(127, 0, 0, 1)) {
		ln.Close()
		return fmt.Errorf("refusing to serve on %v", ln.Addr())
	}

	http.HandleFunc("/work", func(w http.ResponseWriter, r *http.Request) {
		ms := 100
		if s := r.URL.Query().Get("ms"); s != "" {
			v, err := strconv.Atoi(s)
			if err != nil || v < 0 || v > 600000 {
				http.Error(w, "bad ms", http.StatusBadRequest)
				return
			}
			ms = v
		}
		workFor(r.Context(), time.Duration(ms)*time.Millisecond)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok")
	})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	startLoad(ctx, load)

	srv := &http.Server{Handler: http.DefaultServeMux, ReadHeaderTimeout: 10 * time.Second,
		WriteTimeout: writeTimeout}

	stop := make(chan struct{}, 1)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() { <-sigs; stop <- struct{}{} }()
	if duration > 0 {
		time.AfterFunc(duration, func() { stop <- struct{}{} })
	}
	go func() {
		<-stop
		cancel()
		sctx, scancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer scancel()
		if srv.Shutdown(sctx) != nil {
			srv.Close()
		}
	}()

	fmt.Fprintf(os.Stdout, "listening on %s\n", ln.Addr().String())
	os.Stdout.Sync() // os.Stdout is unbuffered; Sync is best effort for files

	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// ---------------------------------------------------------------------------
// Fixtures mode

const maxFixtureSize = 60 << 10

// writeAtomic writes DIR/name via a temp file in DIR and a rename.
func writeAtomic(dir, name string, data []byte) error {
	f, err := os.CreateTemp(dir, "."+name+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// countSamples returns the number of Profile.sample (field 2) entries in a
// gzipped profile.proto, by walking the top-level protobuf fields.
func countSamples(gz []byte) (int, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return 0, err
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return 0, err
	}
	uvarint := func() (uint64, error) {
		var v uint64
		for shift := uint(0); shift < 64; shift += 7 {
			if len(b) == 0 {
				return 0, errors.New("truncated varint")
			}
			c := b[0]
			b = b[1:]
			v |= uint64(c&0x7f) << shift
			if c < 0x80 {
				return v, nil
			}
		}
		return 0, errors.New("bad varint")
	}
	n := 0
	for len(b) > 0 {
		key, err := uvarint()
		if err != nil {
			return 0, err
		}
		switch key & 7 {
		case 0:
			if _, err := uvarint(); err != nil {
				return 0, err
			}
		case 1:
			if len(b) < 8 {
				return 0, errors.New("truncated fixed64")
			}
			b = b[8:]
		case 2:
			l, err := uvarint()
			if err != nil {
				return 0, err
			}
			if uint64(len(b)) < l {
				return 0, errors.New("truncated bytes")
			}
			b = b[l:]
		case 5:
			if len(b) < 4 {
				return 0, errors.New("truncated fixed32")
			}
			b = b[4:]
		default:
			return 0, fmt.Errorf("unsupported wire type %d", key&7)
		}
		if key>>3 == 2 {
			n++
		}
	}
	return n, nil
}

func cpuProfile(d time.Duration) ([]byte, error) {
	var buf bytes.Buffer
	if err := pprof.StartCPUProfile(&buf); err != nil {
		return nil, err
	}
	time.Sleep(d)
	pprof.StopCPUProfile()
	return buf.Bytes(), nil
}

func writeFixtures(dir string, load int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if load <= 0 {
		load = 2
	}

	// A few synchronous rounds first, so the mutex and block profiles
	// have events even before the background load gets going.
	for i := 0; i < 5; i++ {
		workOnce(context.Background())
	}

	ctx, cancel := context.WithCancel(context.Background())
	wg := startLoad(ctx, load)
	var cpu []byte
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		cpu, err = cpuProfile(1500 * time.Millisecond)
		if err != nil {
			break
		}
		var n int
		if n, err = countSamples(cpu); err != nil {
			break
		}
		if n >= 100 {
			break
		}
		fmt.Fprintf(os.Stderr, "goservice: cpu profile has only %d samples, retrying\n", n)
	}
	cancel()
	wg.Wait()
	if err != nil {
		return fmt.Errorf("cpu profile: %v", err)
	}

	if n, _ := runtime.MutexProfile(nil); n == 0 {
		return errors.New("mutex profile is empty")
	}
	if n, _ := runtime.BlockProfile(nil); n == 0 {
		return errors.New("block profile is empty")
	}

	// Make the heap profile reflect the current state (it reports as of
	// the last completed GC).
	runtime.GC()

	files := []struct {
		name string
		data []byte
	}{{"cpu.pb.gz", cpu}}
	for _, p := range []string{"heap", "allocs", "goroutine", "mutex", "block", "threadcreate"} {
		var buf bytes.Buffer
		if err := pprof.Lookup(p).WriteTo(&buf, 0); err != nil {
			return fmt.Errorf("%s profile: %v", p, err)
		}
		files = append(files, struct {
			name string
			data []byte
		}{p + ".pb.gz", buf.Bytes()})
	}
	for _, f := range files {
		if len(f.data) > maxFixtureSize {
			return fmt.Errorf("%s is %d bytes (limit %d)", f.name, len(f.data), maxFixtureSize)
		}
		if err := writeAtomic(dir, f.name, f.data); err != nil {
			return err
		}
		n, _ := countSamples(f.data)
		fmt.Fprintf(os.Stderr, "goservice: wrote %s (%d bytes, %d samples)\n",
			filepath.Join(dir, f.name), len(f.data), n)
	}
	return nil
}

// ---------------------------------------------------------------------------

// writeTimeout is the HTTP server's WriteTimeout (-write-timeout).
var writeTimeout time.Duration

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address (host must be 127.0.0.1)")
	load := flag.Int("load", 0, "number of background goroutines running the workload")
	duration := flag.Duration("duration", 0, "exit after this long (0: run until killed)")
	fixtures := flag.String("fixtures", "", "write profile fixtures into this directory instead of serving")
	flag.DurationVar(&writeTimeout, "write-timeout", 0,
		"the server's WriteTimeout (0: none); longer captures are refused by net/http/pprof")
	flag.Parse()
	if flag.NArg() != 0 {
		fmt.Fprintf(os.Stderr, "goservice: unexpected arguments: %v\n", flag.Args())
		os.Exit(2)
	}

	runtime.SetMutexProfileFraction(1)
	runtime.SetBlockProfileRate(1)

	globalTree = buildTree(15, 1)
	globalIndex = buildIndex(20000)
	startParked()

	var err error
	if *fixtures != "" {
		err = writeFixtures(*fixtures, *load)
	} else {
		err = serve(*addr, *load, *duration)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "goservice: %v\n", err)
		os.Exit(1)
	}
}
