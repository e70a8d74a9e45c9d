#!/usr/bin/env zx
// Benchmarks, side by side in one run: native x86-64 (gcc -O2), qemu-riscv64, isa2wasm AOT (`translate` then
// `run X.wasm`), isa2wasm dynamic, the isa2wasm interpreter (smaller size, reported as guest MIPS), and the
// same C compiled to wasm32-wasi with clang-14 and run on Node. Writes BENCHMARKS.md and bench-chart.svg.
//
// Usage: npm run bench -- [--quick] [--runs N] [--only sieve,crc32] [--configs qemu,aot] [--scale F]
//                         [--timeout S] [--out BENCHMARKS.md] [--json results.json]
//   --quick    small sizes and 1 run: checks the whole pipeline end to end in a minute or two
//   --runs     runs per configuration (median and min-max reported; default 3, quick 1)
//   --only     benchmarks to run (default all)
//   --configs  configurations to run among native,qemu,aot,dynamic,wasi,interp (default all); the others are
//              reported as not measured, not as failures
//   --scale    multiplies the linear sizes (the report says so)
//   --timeout  seconds one run may take before it is killed and counted as a failure (default 900, quick 120)
//   --json     also write the raw measurements as JSON
//
// The AOT configuration also translates a stripped copy of each benchmark (riscv64-linux-gnu-strip: no
// symbols, so discovery has only the entry point, init/fini arrays and code pointers in data) and runs it
// once, to report the share of instructions its translated code ran.
//
// Every configuration that cannot be built, translated or run, times out, exits non-zero, prints something
// other than the reference output, or silently runs in another tier than asked, is reported as failed in
// BENCHMARKS.md, and the script exits with status 1. Wall-clock times are the headline figures; CPU times
// (user + sys) are reported too, because on a shared machine they are less disturbed by other load.
import { spawn } from "node:child_process";
import { $, argv, fs, path, os } from "zx";

$.verbose = false;
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const quick = Boolean(argv.quick);
const runs = Number(argv.runs ?? (quick ? 1 : 3));
const scale = Number(argv.scale ?? 1);
const timeoutSecs = Number(argv.timeout ?? (quick ? 120 : 900));
const only = argv.only ? String(argv.only).split(",") : undefined;
const ALL_CONFIGS = ["native", "qemu", "aot", "dynamic", "wasi", "interp"];
const configs = argv.configs ? String(argv.configs).split(",") : ALL_CONFIGS;
const out = path.resolve(argv.out ?? path.join(root, "BENCHMARKS.md"));
const jsonOut = argv.json ? path.resolve(String(argv.json)) : undefined;
const work = path.join(os.tmpdir(), "isa2wasm-bench");
const cli = ["node", path.join(root, "bin/isa2wasm.js")];

function usage(message) {
  console.error(`bench: ${message}`);
  process.exit(2);
}
if (!(runs >= 1 && Number.isInteger(runs))) usage(`--runs needs a positive integer, not ${argv.runs}`);
if (!(scale > 0)) usage(`--scale needs a positive number, not ${argv.scale}`);
if (!(timeoutSecs > 0)) usage(`--timeout needs a positive number of seconds, not ${argv.timeout}`);
for (const c of configs) if (!ALL_CONFIGS.includes(c)) usage(`--configs: unknown configuration ${c} (known: ${ALL_CONFIGS.join(", ")})`);

/**
 * Benchmarks: name → default size (must equal the C source's default: checked below), the size the
 * interpreter runs (about 100-150 million guest instructions), and the --quick sizes. `kind: "exp"` sizes
 * are exponents (tree depth, fib argument) and are not scaled.
 * Defaults are chosen so that the native x86-64 build takes 1-5 s of CPU time on the reference machine.
 */
const BENCH = {
  sieve: { size: 80000000, interp: 2000000, quick: 500000, quickInterp: 200000 },
  crc32: { size: 500, interp: 10, quick: 2, quickInterp: 1 },
  sha256: { size: 400, interp: 1, quick: 1, quickInterp: 1 },
  qsort: { size: 4000000, interp: 100000, quick: 30000, quickInterp: 10000 },
  strings: { size: 30000000, interp: 25000, quick: 5000, quickInterp: 2000 },
  bytecode: { size: 150000000, interp: 600000, quick: 200000, quickInterp: 50000 },
  statemachine: { size: 12000, interp: 150, quick: 30, quickInterp: 10 },
  bintrees: { size: 19, interp: 12, quick: 10, quickInterp: 8, kind: "exp" },
  linkedlist: { size: 1000000, interp: 100000, quick: 20000, quickInterp: 10000 },
  matmul: { size: 1300, interp: 200, quick: 120, quickInterp: 80, kind: "cubic" },
  nbody: { size: 15000000, interp: 100000, quick: 50000, quickInterp: 10000 },
  calls: { size: 38, interp: 31, quick: 27, quickInterp: 24, kind: "exp" },
};
for (const n of only ?? []) if (!(n in BENCH)) usage(`--only: unknown benchmark ${n} (known: ${Object.keys(BENCH).join(", ")})`);

/** Sizes for this run: the table's, scaled (cubic sizes by the cube root), or the quick ones. */
function sizesOf(name) {
  const b = BENCH[name];
  if (quick) return { size: b.quick, interp: b.quickInterp };
  const f = b.kind === "exp" ? 1 : b.kind === "cubic" ? Math.cbrt(scale) : scale;
  return { size: Math.max(1, Math.round(b.size * f)), interp: Math.max(1, Math.round(b.interp * f)) };
}

// ---- process running ----

/**
 * Runs argv under /usr/bin/time with a timeout. Returns wall and CPU seconds, peak RSS (MiB), exit code,
 * stdout and stderr; `error` is set when the command did not exit 0 (or was killed).
 */
function timed(cmd, { timeout = timeoutSecs } = {}) {
  const rssFile = path.join(work, `time.${process.pid}`);
  return new Promise((resolve) => {
    const t0 = performance.now();
    const p = spawn("/usr/bin/time", ["-f", "%M %U %S", "-o", rssFile, ...cmd], { stdio: ["ignore", "pipe", "pipe"], detached: true });
    const so = [], se = [];
    p.stdout.on("data", (d) => so.push(d));
    p.stderr.on("data", (d) => se.push(d));
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; try { process.kill(-p.pid, "SIGKILL"); } catch {} }, timeout * 1000);
    p.on("error", (e) => { clearTimeout(timer); resolve({ error: `cannot start ${cmd[0]}: ${e.message}` }); });
    p.on("close", (code, signal) => {
      clearTimeout(timer);
      const secs = (performance.now() - t0) / 1000;
      const stdout = Buffer.concat(so).toString(), stderr = Buffer.concat(se).toString();
      let rss, cpu;
      try {
        const last = fs.readFileSync(rssFile, "utf8").trim().split("\n").pop().split(" ").map(Number);
        if (last.length === 3 && last.every((x) => !Number.isNaN(x))) { rss = last[0] / 1024; cpu = last[1] + last[2]; }
      } catch {}
      const r = { secs, cpu, rss, stdout, stderr, code };
      if (timedOut) r.error = `timed out after ${timeout} s`;
      else if (signal) r.error = `killed by ${signal}`;
      else if (code !== 0) r.error = `exit status ${code}${stderrLine(stderr) ? `: ${stderrLine(stderr)}` : ""}`;
      resolve(r);
    });
  });
}

/** The last meaningful line of stderr (not a --stats JSON line), for failure messages. */
function stderrLine(stderr) {
  const lines = stderr.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("{") && !l.startsWith("Command exited"));
  return lines.length ? lines[lines.length - 1].slice(0, 300) : "";
}

/** The --stats JSON line of an isa2wasm run, if any. */
function parseStats(stderr) {
  const line = stderr.split("\n").reverse().find((l) => l.trim().startsWith("{"));
  try { return line ? JSON.parse(line) : undefined; } catch { return undefined; }
}

/** Guest instructions of a --stats record, by tier and in total (the tier counts are disjoint). */
function instructionsOf(st) {
  const by = st?.instructions;
  if (!by || typeof by !== "object") return undefined;
  const total = typeof by.total === "number" ? by.total : Object.values(by).reduce((a, x) => a + (typeof x === "number" ? x : 0), 0);
  return { by, total };
}

/** Finds a numeric field anywhere in a stats record (e.g. translateMs under a tier's sub-record). */
function findStat(st, key) {
  if (!st || typeof st !== "object") return undefined;
  if (typeof st[key] === "number") return st[key];
  for (const v of Object.values(st)) { const x = findStat(v, key); if (x !== undefined) return x; }
  return undefined;
}

/**
 * Checks that an isa2wasm run ran in the tier asked for: a run that fell back to another tier (e.g. the
 * dynamic tier missing) is a failure, not a measurement of that tier.
 */
function tierProblem(cfg, st) {
  if (!st) return "no --stats output";
  if (st.note) return st.note;
  if (st.requestedTier && st.tier !== st.requestedTier) return `asked for tier ${st.requestedTier}, ran in ${st.tier}`;
  const ins = instructionsOf(st);
  if (!ins || ins.total === 0) return "--stats reports no guest instructions";
  if (cfg === "aot" && !(ins.by.aot > 0)) return "no instruction ran in AOT-translated code";
  if (cfg === "dynamic" && !(Object.entries(ins.by).some(([k, v]) => k !== "interp" && k !== "total" && v > 0))) return "no instruction ran in translated code";
  return undefined;
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const geomean = (xs) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
const fmt = (x, d = 2) => (x === undefined || x === null || Number.isNaN(x) ? "–" : x.toFixed(d));
const progress = (s) => process.stderr.write(s);

// ---- checks before anything runs ----

await fs.mkdirp(work);
await fs.mkdirp(path.dirname(out));
if (jsonOut) await fs.mkdirp(path.dirname(jsonOut));
for (const name of Object.keys(BENCH)) {
  const src = await fs.readFile(path.join(root, "fixtures/bench", `${name}.c`), "utf8");
  const m = src.match(/argc > 1 \? ato[il]\(argv\[1\]\) : (\d+);/);
  if (!m) usage(`fixtures/bench/${name}.c: cannot find its default size`);
  if (Number(m[1]) !== BENCH[name].size) usage(`fixtures/bench/${name}.c default size ${m[1]} differs from scripts/bench.mjs (${BENCH[name].size}): keep them equal`);
}
const dist = path.join(root, "dist/cli/main.js");
if (!(await fs.pathExists(dist))) usage("dist/ is missing: run `npm run build` first (npm run bench does)");

// A minimal WASI preview1 host for the benchmark programs (arguments, writes to stdout/stderr, exit). Node's
// own node:wasi crashed this machine's Node 20.20 (SIGSEGV on exit) whenever a program's memory grew past
// about 60 MB (a 10-line C program that mallocs and memsets 60 MB reproduces it), so it is not used.
const wasiRunner = path.join(work, "run-wasi.mjs");
await fs.writeFile(wasiRunner, `import { readFileSync, writeSync } from "node:fs";
const [file, ...rest] = process.argv.slice(2);
const args = [file, ...rest].map((a) => new TextEncoder().encode(a + "\\0"));
let memory;
const dv = () => new DataView(memory.buffer);
class Exit { constructor(code) { this.code = code; } }
const wasi = {
  args_sizes_get(argc, size) { dv().setUint32(argc, args.length, true); dv().setUint32(size, args.reduce((n, a) => n + a.length, 0), true); return 0; },
  args_get(argv, buf) {
    for (const a of args) { dv().setUint32(argv, buf, true); argv += 4; new Uint8Array(memory.buffer, buf, a.length).set(a); buf += a.length; }
    return 0;
  },
  environ_sizes_get(n, size) { dv().setUint32(n, 0, true); dv().setUint32(size, 0, true); return 0; },
  environ_get() { return 0; },
  fd_fdstat_get(fd, out) { if (fd > 2) return 8; new Uint8Array(memory.buffer, out, 24).fill(0); dv().setUint8(out, 2, true); return 0; },
  fd_seek() { return 70; },
  fd_close() { return 0; },
  fd_write(fd, iovs, n, written) {
    if (fd !== 1 && fd !== 2) return 8;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const ptr = dv().getUint32(iovs + 8 * i, true), len = dv().getUint32(iovs + 8 * i + 4, true);
      let off = 0;
      while (off < len) off += writeSync(fd, new Uint8Array(memory.buffer, ptr + off, len - off));
      total += len;
    }
    dv().setUint32(written, total, true);
    return 0;
  },
  clock_time_get(id, precision, out) { dv().setBigUint64(out, process.hrtime.bigint(), true); return 0; },
  proc_exit(code) { throw new Exit(code); },
};
const { instance } = await WebAssembly.instantiate(readFileSync(file), { wasi_snapshot_preview1: wasi });
memory = instance.exports.memory;
try { instance.exports._start(); process.exitCode = 0; } catch (e) { if (!(e instanceof Exit)) throw e; process.exitCode = e.code; }
\n`);

/** Runs a build step; returns undefined or the error message. */
async function step(cmd) {
  const r = await timed(cmd, { timeout: 1800 });
  return r.error ? `${cmd.slice(0, 2).join(" ")}: ${r.error}` : undefined;
}

/**
 * Builds the three binaries of a benchmark and the AOT translation. The riscv64 binary is the committed
 * fixture (fixtures/bin/riscv64/bench-NAME, same compiler flags), built here only if it is missing.
 */
async function build(name) {
  const src = path.join(root, "fixtures/bench", `${name}.c`);
  const b = { native: path.join(work, `${name}.x86`), wasi: path.join(work, `${name}.wasm`), aot: path.join(work, `${name}.rv64.wasm`), errors: {} };
  b.rv = path.join(root, "fixtures/bin/riscv64", `bench-${name}`);
  if (!(await fs.pathExists(b.rv))) {
    b.rv = path.join(work, `${name}.rv64`);
    b.errors.rv = await step(["riscv64-linux-gnu-gcc", "-O2", "-static", "-o", b.rv, src, "-lm"]);
  }
  if (configs.includes("native")) b.errors.native = await step(["gcc", "-O2", "-o", b.native, src, "-lm"]);
  if (configs.includes("wasi")) b.errors.wasi = await step(["clang-14", "--target=wasm32-wasi", "-O2", "-o", b.wasi, src, "-lm"]);
  if (configs.includes("aot") && !b.errors.rv) {
    await fs.rm(b.aot, { force: true });
    const t = await timed([...cli, "translate", b.rv, "-o", b.aot], { timeout: 1800 });
    if (t.error) b.errors.aot = `isa2wasm translate: ${t.error}`;
    else if (!(await fs.pathExists(b.aot))) b.errors.aot = "isa2wasm translate exited 0 but wrote no file";
    else { b.translateSecs = t.secs; b.translateRss = t.rss; b.aotBytes = (await fs.stat(b.aot)).size; }
    // the stripped copy: only its AOT share is reported
    b.stripped = path.join(work, `${name}.rv64.stripped`);
    b.aotStripped = path.join(work, `${name}.rv64.stripped.wasm`);
    await fs.rm(b.aotStripped, { force: true });
    b.errors.aotStripped = await step(["riscv64-linux-gnu-strip", "-o", b.stripped, b.rv]);
    if (!b.errors.aotStripped) {
      const ts = await timed([...cli, "translate", b.stripped, "-o", b.aotStripped], { timeout: 1800 });
      if (ts.error) b.errors.aotStripped = `isa2wasm translate (stripped copy): ${ts.error}`;
    }
  }
  return b;
}

// ---- the runs ----

const loads = [os.loadavg()[0]];
const results = [];
const names = Object.keys(BENCH).filter((n) => !only || only.includes(n));
const mainConfigs = configs.filter((c) => c !== "interp");
for (const name of names) {
  const { size, interp: isize } = sizesOf(name);
  progress(`${name} (size ${size}): building`);
  const b = await build(name);
  const r = { name, size, translateSecs: b.translateSecs, aotBytes: b.aotBytes, translateRss: b.translateRss, times: {}, cpu: {}, rss: {}, outputs: {}, failures: {}, stats: {}, load: [os.loadavg()[0]] };
  const cmds = {
    native: [b.native, String(size)],
    qemu: ["qemu-riscv64", b.rv, String(size)],
    aot: [...cli, "run", "--stats", b.aot, String(size)],
    dynamic: [...cli, "run", "--stats", "--tier=dynamic", b.rv, String(size)],
    wasi: ["node", "--no-warnings", wasiRunner, b.wasi, String(size)],
  };
  const needs = { native: ["native"], qemu: ["rv"], aot: ["rv", "aot"], dynamic: ["rv"], wasi: ["wasi"], interp: ["rv"] };
  for (const c of configs) for (const k of needs[c]) if (b.errors[k] && !r.failures[c]) r.failures[c] = `build: ${b.errors[k]}`;
  const samples = Object.fromEntries(mainConfigs.map((c) => [c, { secs: [], cpu: [], rss: [] }]));
  // runs interleaved across configurations, so that a change in the machine's load hits all of them alike
  for (let i = 0; i < runs; i++) {
    for (const cfg of mainConfigs) {
      if (r.failures[cfg]) continue;
      progress(` ${cfg}`);
      const t = await timed(cmds[cfg]);
      if (t.error) { r.failures[cfg] = t.error; progress("(failed)"); continue; }
      if (cfg === "aot" || cfg === "dynamic") {
        const st = parseStats(t.stderr);
        const problem = tierProblem(cfg, st);
        if (problem) { r.failures[cfg] = problem; progress("(failed)"); continue; }
        r.stats[cfg] = st;
      }
      samples[cfg].secs.push(t.secs); samples[cfg].cpu.push(t.cpu); samples[cfg].rss.push(t.rss);
      r.outputs[cfg] = t.stdout;
    }
  }
  for (const cfg of mainConfigs) {
    const s = samples[cfg];
    if (r.failures[cfg] || s.secs.length === 0) continue;
    r.times[cfg] = { median: median(s.secs), min: Math.min(...s.secs), max: Math.max(...s.secs), runs: s.secs.length };
    r.cpu[cfg] = median(s.cpu);
    r.rss[cfg] = Math.max(...s.rss);
  }
  // the stripped copy, once, in the AOT configuration's tier: its share of instructions in translated code
  if (configs.includes("aot") && !r.failures.aot) {
    progress(" aot(stripped)");
    const t = b.errors.aotStripped ? { error: b.errors.aotStripped } : await timed([...cli, "run", "--stats", b.aotStripped, String(size)]);
    const st = t.error ? undefined : parseStats(t.stderr);
    const problem = t.error ?? tierProblem("aot", st);
    if (problem) r.failures["aot (stripped)"] = problem;
    else if (t.stdout !== r.outputs.aot) r.failures["aot (stripped)"] = `output differs from the unstripped program's: ${JSON.stringify(t.stdout.slice(0, 120))}`;
    else r.stats.aotStripped = st;
  }
  // outputs: the riscv64 configurations against qemu, qemu and wasi against native
  const ref = { qemu: "native", wasi: "native", aot: "qemu", dynamic: "qemu" };
  for (const [cfg, against] of Object.entries(ref)) {
    if (r.outputs[cfg] === undefined || r.outputs[against] === undefined || r.failures[cfg]) continue;
    if (r.outputs[cfg] !== r.outputs[against]) {
      r.failures[cfg] = `output differs from ${against}: ${JSON.stringify(r.outputs[cfg].slice(0, 120))} vs ${JSON.stringify(r.outputs[against].slice(0, 120))}`;
      delete r.times[cfg];
    }
  }
  // the interpreter at a smaller size: guest MIPS, output checked against qemu at the same size
  if (configs.includes("interp") && !r.failures.interp) {
    progress(` interp(${isize})`);
    const ti = await timed([...cli, "run", "--stats", "--tier=interp", b.rv, String(isize)]);
    const st = ti.error ? undefined : parseStats(ti.stderr);
    const ins = instructionsOf(st);
    if (ti.error) r.failures.interp = ti.error;
    else if (!ins || ins.total === 0) r.failures.interp = "no guest instruction count in --stats";
    else {
      const q = await timed(["qemu-riscv64", b.rv, String(isize)]);
      if (!q.error && q.stdout !== ti.stdout) r.failures.interp = `output differs from qemu at size ${isize}`;
      const secs = (st.wallMs ?? ti.secs * 1000) / 1000;
      r.interp = { size: isize, secs: ti.secs, cpu: ti.cpu, instructions: ins.total, mips: ins.total / secs / 1e6, cpuMips: ins.total / ti.cpu / 1e6 };
    }
  }
  r.load.push(os.loadavg()[0]);
  loads.push(os.loadavg()[0]);
  const failed = Object.keys(r.failures);
  progress(failed.length ? ` FAILED: ${failed.join(", ")}\n` : " ok\n");
  results.push(r);
}

// start-up: hello natively under qemu, as an ELF under isa2wasm (dynamic tier: loads binaryen) and translated
const startup = {};
const hello = path.join(root, "fixtures/bin/riscv64/hello");
if (await fs.pathExists(hello)) {
  progress("start-up (hello):");
  const helloWasm = path.join(work, "hello.wasm");
  const cmds = {};
  if (configs.includes("qemu")) cmds.qemu = ["qemu-riscv64", hello];
  if (configs.includes("dynamic")) cmds.dynamic = [...cli, "run", hello];
  if (configs.includes("interp")) cmds.interp = [...cli, "run", "--tier=interp", hello];
  if (configs.includes("aot")) {
    await fs.rm(helloWasm, { force: true });
    const t = await timed([...cli, "translate", hello, "-o", helloWasm]);
    if (t.error) startup.aotError = `isa2wasm translate: ${t.error}`;
    else cmds.aot = [...cli, "run", helloWasm];
  }
  for (const [cfg, cmd] of Object.entries(cmds)) {
    progress(` ${cfg}`);
    const xs = [];
    for (let i = 0; i < Math.max(runs, 5); i++) {
      const t = await timed(cmd, { timeout: 120 });
      if (t.error) { startup[`${cfg}Error`] = t.error; break; }
      if (t.stdout !== "Hello, world!\n") { startup[`${cfg}Error`] = `unexpected output ${JSON.stringify(t.stdout.slice(0, 80))}`; break; }
      xs.push(t.secs);
    }
    if (xs.length) startup[cfg] = median(xs);
  }
  progress("\n");
}

// ---- report ----

const has = (r, c) => r.times[c] !== undefined;
const ratio = (r, a, b, cpu = false) => (has(r, a) && has(r, b) ? (cpu ? r.cpu[a] / r.cpu[b] : r.times[a].median / r.times[b].median) : undefined);
/** Geometric mean of a/b over the benchmarks where both were measured, with how many that is. */
function geo(a, b, cpu = false) {
  const xs = results.map((r) => ratio(r, a, b, cpu)).filter((x) => x !== undefined);
  return { value: xs.length ? geomean(xs) : undefined, n: xs.length };
}
const geoText = (g) => (g.value === undefined ? "not measured" : `${fmt(g.value)}${g.n < results.length ? ` (over ${g.n} of ${results.length})` : ""}`);
async function version(cmd) { try { return (await $`${cmd}`).stdout.split("\n")[0]; } catch { return `${cmd[0]} missing`; } }
const versions = [process.version, await version(["qemu-riscv64", "--version"]), await version(["riscv64-linux-gnu-gcc", "--version"]), await version(["gcc", "--version"]), await version(["clang-14", "--version"])];
let commit = "unknown";
try {
  commit = (await $`git -C ${root} rev-parse --short HEAD`).stdout.trim();
  if ((await $`git -C ${root} status --porcelain --untracked-files=no`).stdout.trim()) commit += " (with uncommitted changes)";
} catch {}
const cpuModel = os.cpus()[0]?.model ?? "unknown CPU";
const mipsList = results.map((r) => r.interp && !r.failures.interp ? r.interp.mips : undefined).filter((x) => x !== undefined);
const cpuMipsList = results.map((r) => r.interp && !r.failures.interp ? r.interp.cpuMips : undefined).filter((x) => x !== undefined);
const interpMips = mipsList.length ? geomean(mipsList) : undefined;
const interpCpuMips = cpuMipsList.length ? geomean(cpuMipsList) : undefined;
const failures = results.flatMap((r) => Object.entries(r.failures).map(([cfg, msg]) => ({ name: r.name, cfg, msg })));
for (const k of ["aot", "dynamic", "interp", "qemu"]) if (startup[`${k}Error`]) failures.push({ name: "hello (start-up)", cfg: k, msg: startup[`${k}Error`] });
const maxLoad = Math.max(...loads), minLoad = Math.min(...loads);
const shared = maxLoad > 1.5;
const outside = quick || scale !== 1 ? [] : results.filter((r) => r.cpu.native !== undefined && (r.cpu.native < 1 || r.cpu.native > 5)).map((r) => `${r.name} (${fmt(r.cpu.native)} s)`);

const cell = (r, c) => (r.failures[c] ? "**failed**" : has(r, c) ? `${fmt(r.times[c].median)} (${fmt(r.times[c].min)}–${fmt(r.times[c].max)})` : "–");
const share = (st, key) => { const ins = instructionsOf(st); return ins && ins.total ? (100 * (ins.by[key] ?? 0)) / ins.total : undefined; };
const g = { aotQemu: geo("aot", "qemu"), aotWasi: geo("aot", "wasi"), dynQemu: geo("dynamic", "qemu"), qemuNative: geo("qemu", "native"), wasiNative: geo("wasi", "native"), aotNative: geo("aot", "native") };
const gc = { aotQemu: geo("aot", "qemu", true), aotWasi: geo("aot", "wasi", true), dynQemu: geo("dynamic", "qemu", true) };
/** The smallest AOT share (percent) over the benchmarks, for the unstripped programs or their stripped copies. */
function minShare(key) {
  const xs = results.map((r) => (r.stats[key] ? { name: r.name, v: share(r.stats[key], "aot") } : undefined)).filter((x) => x && x.v !== undefined);
  if (xs.length === 0) return undefined;
  const low = xs.reduce((a, x) => (x.v < a.v ? x : a));
  return { ...low, n: xs.length };
}
const shareRow = (label, key, target) => {
  const m = minShare(key);
  const text = m ? `${fmt(m.v, 1)}% (${m.name})${m.n < results.length ? ` over ${m.n} of ${results.length}` : ""}` : "not measured";
  return `| ${label} | ${text} | ${m === undefined ? "not measured" : m.v >= target ? "yes" : "no"} |`;
};
const met = (x, limit) => (x.value === undefined ? "not measured" : x.value <= limit ? "yes" : `no (${fmt(x.value / limit)}× the target)`);

let md = `# Benchmarks

Generated by \`npm run bench${quick ? " -- --quick" : ""}\` on ${new Date().toISOString().slice(0, 10)} at isa2wasm ${commit}: ${cpuModel}, ${os.cpus().length} CPUs, ${Math.round(os.totalmem() / 2 ** 30)} GiB.
${versions.join(" · ")}.
${runs} run${runs > 1 ? "s" : ""} per configuration${quick ? ", **quick sizes** (a pipeline check, not a measurement)" : scale !== 1 ? `, **sizes scaled by ${scale}**` : ""}; runs are interleaved across configurations.
${shared ? `**The machine was shared**: 1-minute load average ${fmt(minLoad, 1)}–${fmt(maxLoad, 1)} on ${os.cpus().length} CPUs during the run, so wall-clock times are inflated and noisy; the CPU-time figures below are less affected.` : `Load average during the run: ${fmt(minLoad, 1)}–${fmt(maxLoad, 1)}.`}
${failures.length ? `\n**${failures.length} configuration${failures.length > 1 ? "s" : ""} failed** (see [Failures](#failures)); the means below leave them out.\n` : ""}
Times are wall-clock seconds of the whole process (median, min–max), start-up included. isa2wasm runs
are \`node bin/isa2wasm.js run --stats\` (AOT: \`translate\` first, then \`run X.wasm\`; dynamic:
\`--tier=dynamic\` on the ELF). Ratios are time divided by the reference: below 1.0 is faster.

| benchmark | size | native | qemu-riscv64 | isa2wasm AOT | isa2wasm dynamic | wasm32-wasi (clang) | AOT/qemu | AOT/wasi | dynamic/qemu |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|
`;
for (const r of results) {
  md += `| ${r.name} | ${r.size} | ${cell(r, "native")} | ${cell(r, "qemu")} | ${cell(r, "aot")} | ${cell(r, "dynamic")} | ${cell(r, "wasi")} | ${fmt(ratio(r, "aot", "qemu"))} | ${fmt(ratio(r, "aot", "wasi"))} | ${fmt(ratio(r, "dynamic", "qemu"))} |\n`;
}
md += `
**Geometric means**: AOT/qemu **${geoText(g.aotQemu)}**, AOT/wasm32-wasi **${geoText(g.aotWasi)}**, dynamic/qemu **${geoText(g.dynQemu)}**; qemu/native ${geoText(g.qemuNative)}, wasi/native ${geoText(g.wasiNative)}, AOT/native ${geoText(g.aotNative)}.
By CPU time (user + sys, median): AOT/qemu ${geoText(gc.aotQemu)}, AOT/wasm32-wasi ${geoText(gc.aotWasi)}, dynamic/qemu ${geoText(gc.dynQemu)}.
Interpreter: ${fmt(interpMips, 1)} million guest instructions per second (geometric mean over benchmarks, by wall time; ${fmt(interpCpuMips, 1)} by CPU time), at the smaller sizes below.

## Targets

| target | measured (geometric mean) | met |
|---|---:|---|
| AOT at least as fast as qemu-riscv64 (ratio ≤ 1.0; stretch 0.67) | ${geoText(g.aotQemu)} | ${met(g.aotQemu, 1)}${g.aotQemu.value !== undefined && g.aotQemu.value <= 0.67 ? " (stretch met)" : ""} |
| AOT within 2× of wasm32-wasi | ${geoText(g.aotWasi)} | ${met(g.aotWasi, 2)} |
| dynamic within 1.5× of qemu-riscv64 | ${geoText(g.dynQemu)} | ${met(g.dynQemu, 1.5)} |
${shareRow("every benchmark runs ≥ 99% of its instructions in AOT code (lowest shown)", "aot", 99)}
${shareRow("every stripped copy runs ≥ 95% of its instructions in AOT code (lowest shown)", "aotStripped", 95)}
| interpreter ≥ 30 guest MIPS | ${fmt(interpMips, 1)} | ${interpMips === undefined ? "not measured" : interpMips >= 30 ? "yes" : `no (${fmt(interpMips / 30)}× the target)`} |

## CPU time, memory and translation

CPU seconds (user + sys, median) and peak resident set size (MiB, largest over the runs). For Node-hosted
configurations RSS includes Node and V8 themselves.

| benchmark | CPU native / qemu / AOT / dynamic / wasi (s) | peak RSS native / qemu / AOT / dynamic / wasi (MiB) | AOT translate (s) | .wasm (KiB) | AOT share | AOT share, stripped | dynamic compile (s) |
|---|---|---|---:|---:|---:|---:|---:|
`;
const slash = (r, f) => mainConfigs.length ? ["native", "qemu", "aot", "dynamic", "wasi"].map((c) => (has(r, c) ? f(c) : "–")).join(" / ") : "–";
for (const r of results) {
  const dynCompile = r.stats.dynamic ? ((findStat(r.stats.dynamic, "translateMs") ?? 0) + (findStat(r.stats.dynamic, "wasmCompileMs") ?? 0)) / 1000 : undefined;
  md += `| ${r.name} | ${slash(r, (c) => fmt(r.cpu[c]))} | ${slash(r, (c) => String(Math.round(r.rss[c])))} | ${fmt(r.translateSecs, 1)} | ${r.aotBytes ? Math.round(r.aotBytes / 1024) : "–"} | ${r.stats.aot ? `${fmt(share(r.stats.aot, "aot"), 1)}%` : "–"} | ${r.stats.aotStripped ? `${fmt(share(r.stats.aotStripped, "aot"), 1)}%` : "–"} | ${fmt(dynCompile)} |\n`;
}
md += `
AOT share: guest instructions that ran in ahead-of-time translated code (the rest ran in the dynamic tier or
the interpreter); stripped: the same for a copy stripped of its symbols (riscv64-linux-gnu-strip), translated
and run once in the same way. Dynamic compile: binaryen plus WebAssembly compile time inside the dynamic run.
`;
// the FP environment (translator/ir/fpenv.ts): which programs' FP code skipped the exception flags
const skipped = results.filter((r) => r.stats.aot?.fpFlagsSkipped === true).map((r) => r.name);
const exact = results.filter((r) => r.stats.aot && r.stats.aot.fpFlagsSkipped !== true).map((r) => r.name);
const fmaInlined = results.filter((r) => r.stats.aot?.fmaInlined > 0).map((r) => `${r.name} ${r.stats.aot.fmaInlined}`);
md += `
FP exception flags (\`--stats\` fpFlagsSkipped of the AOT run): skipped, as the program never reads them, in
${skipped.length ? skipped.join(", ") : "none"}; kept exact in ${exact.length ? exact.join(", ") : "none"}. AOT modules are
the portable default: an f64 fused multiply-add is a call of the host's FMA, which the runtime rewrites into
relaxed SIMD's fused \`f64x2.relaxed_madd\` inline when it loads the module on an engine that has one
(\`--stats\` fmaInlined: ${fmaInlined.length ? fmaInlined.join(", ") : "none"}); the dynamic tier inlines it by itself.

## Interpreter

| benchmark | size | guest instructions | wall (s) | MIPS (wall) | MIPS (CPU) |
|---|---:|---:|---:|---:|---:|
`;
for (const r of results) {
  if (r.failures.interp) md += `| ${r.name} | ${sizesOf(r.name).interp} | **failed** | | | |\n`;
  else if (r.interp) md += `| ${r.name} | ${r.interp.size} | ${(r.interp.instructions / 1e6).toFixed(1)} M | ${fmt(r.interp.secs)} | ${fmt(r.interp.mips, 1)} | ${fmt(r.interp.cpuMips, 1)} |\n`;
}
md += `\nMIPS by wall time uses the run's own wall time from \`--stats\` (start-up of Node excluded).\n`;
if (Object.keys(startup).length) {
  const s = (k) => (startup[`${k}Error`] ? "**failed**" : startup[k] !== undefined ? `${fmt(startup[k], 3)} s` : "–");
  md += `
## Start-up

hello (median of ${Math.max(runs, 5)}): \`qemu-riscv64 hello\` ${s("qemu")}, \`isa2wasm run hello\` (default tier) ${s("dynamic")}, \`isa2wasm run --tier=interp hello\` ${s("interp")}, \`isa2wasm run hello.wasm\` ${s("aot")}.
`;
}
if (outside.length) md += `\n**Native time outside the intended 1–5 s CPU window**: ${outside.join(", ")}: adjust the default size.\n`;
if (failures.length) {
  md += `\n## Failures\n\n| benchmark | configuration | what happened |\n|---|---|---|\n`;
  for (const f of failures) md += `| ${f.name} | ${f.cfg} | ${f.msg.replace(/\|/g, "\\|").replace(/\n/g, " ")} |\n`;
}
md += `\n![time relative to qemu-riscv64](bench-chart.svg)\n`;
await fs.writeFile(out, md);

// ---- chart: time relative to qemu per benchmark and configuration, log scale ----
const chartCfgs = [["native", "#4c78a8", "native x86-64"], ["aot", "#f58518", "isa2wasm AOT"], ["dynamic", "#e45756", "isa2wasm dynamic"], ["wasi", "#72b7b2", "wasm32-wasi"]];
const rows = [...results.map((r) => ({ label: r.name, v: (c) => ratio(r, c, "qemu"), failed: (c) => Boolean(r.failures[c] || r.failures.qemu) })),
  { label: "geometric mean", v: (c) => geo(c, "qemu").value, failed: () => false }];
const W = 900, rowH = 14 * chartCfgs.length + 10, H = 50 + rows.length * rowH + 30;
const x0 = 130, span = W - x0 - 150;
const xOf = (v) => x0 + ((Math.log2(Math.min(Math.max(v, 1 / 16), 16)) + 4) / 8) * span; // 1/16 .. 16
let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">\n`;
svg += `<rect width="${W}" height="${H}" fill="#fff"/>\n`;
svg += `<text x="${x0}" y="16" font-size="13">time relative to qemu-riscv64 (log scale; left of the black line is faster)</text>\n`;
svg += `<text x="${x0}" y="32" fill="#555">${quick ? "quick sizes: pipeline check only" : `${runs} runs, median wall time`}${shared ? `; shared machine (load ${fmt(minLoad, 1)}–${fmt(maxLoad, 1)})` : ""}</text>\n`;
for (const t of [1 / 16, 1 / 8, 1 / 4, 1 / 2, 1, 2, 4, 8, 16]) svg += `<line x1="${xOf(t)}" y1="40" x2="${xOf(t)}" y2="${H - 20}" stroke="${t === 1 ? "#000" : "#ddd"}"/><text x="${xOf(t) - 8}" y="${H - 6}">${t < 1 ? `1/${1 / t}` : t}</text>\n`;
rows.forEach((row, i) => {
  const y = 44 + i * rowH;
  svg += `<text x="4" y="${y + rowH / 2}"${row.label === "geometric mean" ? ' font-weight="bold"' : ""}>${row.label}</text>\n`;
  chartCfgs.forEach(([c, color], j) => {
    if (!configs.includes(c)) return;
    const v = row.v(c);
    if (v === undefined) {
      if (row.failed(c)) svg += `<text x="${xOf(1) + 4}" y="${y + j * 14 + 10}" fill="${color}">${c} failed</text>\n`;
      return;
    }
    const a = xOf(1), bx = xOf(v);
    svg += `<rect x="${Math.min(a, bx)}" y="${y + j * 14}" width="${Math.max(1, Math.abs(bx - a))}" height="12" fill="${color}"><title>${c}: ${v.toFixed(2)}</title></rect>`;
    svg += `<text x="${Math.max(a, bx) + 3}" y="${y + j * 14 + 10}" fill="#333">${v.toFixed(2)}</text>\n`;
  });
});
chartCfgs.forEach(([, color, label], j) => { svg += `<rect x="${W - 140}" y="${44 + j * 14}" width="10" height="10" fill="${color}"/><text x="${W - 126}" y="${53 + j * 14}">${label}</text>\n`; });
svg += "</svg>\n";
await fs.writeFile(path.join(path.dirname(out), "bench-chart.svg"), svg);
if (jsonOut) await fs.writeFile(jsonOut, JSON.stringify({ date: new Date().toISOString(), commit, quick, runs, scale, loads, startup, results }, null, 1));

console.log(md);
if (failures.length) {
  console.error(`bench: ${failures.length} configuration(s) failed: ${failures.map((f) => `${f.name}/${f.cfg}`).join(", ")}`);
  process.exitCode = 1;
}
