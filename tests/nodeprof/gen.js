#!/usr/bin/env node
// Writes DIR/node-time.pb.gz and DIR/node-heap.pb.gz (gzipped profile.proto,
// encoded by @datadog/pprof's encode()) after running some JS CPU work and
// allocations. Usage: node gen.js DIR
'use strict';

const fs = require('fs');
const path = require('path');
const pprof = require('@datadog/pprof');

const TIME_MS = 1000;

// ---- CPU work: several distinct named functions, one of them recursive.

function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

function hashStrings(n) {
  let h = 2166136261;
  for (let i = 0; i < n; i++) {
    const s = 'item-' + i;
    for (let j = 0; j < s.length; j++) {
      h = Math.imul(h ^ s.charCodeAt(j), 16777619) >>> 0;
    }
  }
  return h;
}

function compareNumbers(a, b) {
  return a - b;
}

function sortNumbers(n) {
  const xs = new Array(n);
  let x = 12345;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    xs[i] = x;
  }
  xs.sort(compareNumbers);
  return xs[n >> 1];
}

function buildTree(depth) {
  if (depth === 0) return null;
  return {left: buildTree(depth - 1), right: buildTree(depth - 1), depth};
}

function walkTree(node) {
  if (node === null) return 0;
  return 1 + walkTree(node.left) + walkTree(node.right);
}

// ---- Allocations: some retained (heap in use), some churned.

const retained = [];

function retainBuffers(count, size) {
  for (let i = 0; i < count; i++) {
    retained.push(new Array(size).fill(i));
  }
  if (retained.length > 400) retained.splice(0, retained.length - 400);
}

function churnObjects(n) {
  let total = 0;
  for (let i = 0; i < n; i++) {
    const o = {id: i, name: 'obj-' + i, tags: [i, i + 1, i + 2]};
    total += JSON.stringify(o).length;
  }
  return total;
}

let sink = 0;
const tree = buildTree(12);

function workChunk() {
  sink ^= fib(23);
  sink ^= hashStrings(3000);
  sink ^= sortNumbers(3000);
  sink ^= walkTree(tree);
  sink ^= churnObjects(500);
  retainBuffers(4, 1000);
}

// Run work in short synchronous chunks, yielding to the event loop so the
// profiler's timer can fire; stop when `done` resolves.
function workUntil(done) {
  let finished = false;
  done.then(() => { finished = true; }, () => { finished = true; });
  return new Promise((resolve) => {
    const step = () => {
      if (finished) return resolve();
      const end = Date.now() + 8;
      while (Date.now() < end) workChunk();
      setImmediate(step);
    };
    step();
  });
}

function writeAtomic(file, data) {
  const tmp = path.join(path.dirname(file),
      '.' + path.basename(file) + '.' + process.pid + '.tmp');
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

async function main() {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node gen.js DIR');
    process.exit(2);
  }
  fs.mkdirSync(dir, {recursive: true});

  // Heap sampling must be running while the allocations happen.
  pprof.heap.start(32 * 1024, 64);

  const timeP = pprof.time.profile({durationMillis: TIME_MS});
  await workUntil(timeP);
  const timeProfile = await timeP;

  const heapProfile = pprof.heap.profile();
  pprof.heap.stop();

  const outputs = [
    ['node-time.pb.gz', timeProfile],
    ['node-heap.pb.gz', heapProfile],
  ];
  for (const [name, prof] of outputs) {
    const buf = await pprof.encode(prof);
    const file = path.join(dir, name);
    writeAtomic(file, buf);
    console.error(`nodeprof: wrote ${file} (${buf.length} bytes, ` +
        `${prof.sample.length} samples)`);
  }
  if (sink === 0.5) console.log(sink); // keep sink observable
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
