#!/usr/bin/env zx
// Benchmarks, side by side in one run: native x86-64 (gcc -O2), qemu-riscv64, isa2wasm AOT, isa2wasm
// dynamic, isa2wasm interpreter (smaller size, reported as guest MIPS), and the same C compiled to
// wasm32-wasi with clang-14 and run on Node. Writes BENCHMARKS.md and bench-chart.svg.
//
// Usage: npm run bench -- [--runs N] [--only sieve,crc32] [--scale F] [--out BENCHMARKS.md]
//   --runs   runs per configuration (median and min-max reported; default 3)
//   --scale  multiplies every default size (e.g. 0.1 for a quick look; the report says so)
import { $, argv, fs, path, os } from "zx";

$.verbose = false;
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const runs = Number(argv.runs ?? 3);
const scale = Number(argv.scale ?? 1);
const only = argv.only ? String(argv.only).split(",") : undefined;
const out = path.resolve(root, argv.out ?? "BENCHMARKS.md");
const work = path.join(os.tmpdir(), "isa2wasm-bench");
await fs.mkdirp(work);
const cli = ["node", path.join(root, "bin/isa2wasm.js")];

/** Benchmarks: name → default size (matches the C source's default) and the interpreter's size divisor. */
const BENCH = {
  sieve: { size: 80000000, interpDiv: 40 },
  crc32: { size: 500, interpDiv: 50 },
  sha256: { size: 400, interpDiv: 50 },
  qsort: { size: 3000000, interpDiv: 30 },
  strings: { size: 20000000, interpDiv: 40 },
  bytecode: { size: 100000000, interpDiv: 50 },
  statemachine: { size: 6000, interpDiv: 50 },
  bintrees: { size: 18, interpDiv: 0 }, // exponential size: the interpreter runs size - 4
  linkedlist: { size: 1000000, interpDiv: 20 },
  matmul: { size: 1000, interpDiv: 0 }, // cubic: the interpreter runs size / 4
  nbody: { size: 10000000, interpDiv: 50 },
  calls: { size: 38, interpDiv: 0 }, // exponential: the interpreter runs size - 6
};
const interpSize = (name, size) =>
  name === "bintrees" ? size - 4 : name === "matmul" ? Math.round(size / 4) : name === "calls" ? size - 6 : Math.max(1, Math.round(size / BENCH[name].interpDiv));

/** Runs cmd; returns wall seconds, peak RSS (MiB), stdout, stderr. Throws on a non-zero exit. */
async function timed(cmd, opts = {}) {
  const t0 = performance.now();
  const p = await $({ nothrow: true, ...opts })`/usr/bin/time -f ${"%M"} -o ${path.join(work, "rss")} ${cmd}`;
  const secs = (performance.now() - t0) / 1000;
  if (p.exitCode !== 0) throw new Error(`${cmd.join(" ")} exited with ${p.exitCode}: ${p.stderr.slice(0, 400)}`);
  const rss = Number((await fs.readFile(path.join(work, "rss"), "utf8")).trim().split("\n").pop()) / 1024;
  return { secs, rss, stdout: p.stdout, stderr: p.stderr };
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const geomean = (xs) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
const fmt = (x, d = 2) => (x === undefined || Number.isNaN(x) ? "–" : x.toFixed(d));

async function build(name) {
  const src = path.join(root, "fixtures/bench", `${name}.c`);
  const native = path.join(work, `${name}.x86`), wasi = path.join(work, `${name}.wasm`), rv = path.join(work, `${name}.rv64`);
  await $`gcc -O2 -o ${native} ${src} -lm`;
  await $`clang-14 --target=wasm32-wasi -O2 -o ${wasi} ${src} -lm`;
  await $`riscv64-linux-gnu-gcc -O2 -static -o ${rv} ${src} -lm`;
  const aot = path.join(work, `${name}.rv64.wasm`);
  const t0 = performance.now();
  await $`${cli} translate ${rv} -o ${aot}`;
  const translateSecs = (performance.now() - t0) / 1000;
  return { native, wasi, rv, aot, translateSecs, aotBytes: (await fs.stat(aot)).size };
}

const wasiRunner = path.join(work, "run-wasi.mjs");
await fs.writeFile(wasiRunner, `import { WASI } from "node:wasi"; import { readFileSync } from "node:fs";
const [file, ...args] = process.argv.slice(2);
const wasi = new WASI({ version: "preview1", args: [file, ...args], env: {}, preopens: {} });
const { instance } = await WebAssembly.instantiate(readFileSync(file), wasi.getImportObject());
process.exitCode = wasi.start(instance);\n`);

const results = [];
const names = Object.keys(BENCH).filter((n) => !only || only.includes(n));
for (const name of names) {
  const size = Math.max(1, Math.round(BENCH[name].size * (["bintrees", "calls"].includes(name) ? 1 : scale)));
  process.stderr.write(`${name} (size ${size}): building...`);
  const b = await build(name);
  const configs = {
    native: [b.native, String(size)],
    qemu: ["qemu-riscv64", b.rv, String(size)],
    aot: [...cli, "run", b.aot, String(size)],
    dynamic: [...cli, "run", "--tier=dynamic", b.rv, String(size)],
    wasi: ["node", "--no-warnings", wasiRunner, b.wasi, String(size)],
  };
  const r = { name, size, translateSecs: b.translateSecs, aotBytes: b.aotBytes, times: {}, rss: {}, outputs: {} };
  for (const [cfg, cmd] of Object.entries(configs)) {
    process.stderr.write(` ${cfg}`);
    const secs = [], rss = [];
    for (let i = 0; i < runs; i++) {
      const t = await timed(cmd);
      secs.push(t.secs); rss.push(t.rss);
      r.outputs[cfg] = t.stdout.trim();
    }
    r.times[cfg] = { median: median(secs), min: Math.min(...secs), max: Math.max(...secs) };
    r.rss[cfg] = Math.max(...rss);
  }
  // shares of guest instructions by tier, from --stats
  for (const [cfg, cmd] of [["aot", [...cli, "run", "--stats", b.aot, String(size)]], ["dynamic", [...cli, "run", "--stats", "--tier=dynamic", b.rv, String(size)]]]) {
    const t = await timed(cmd);
    r[`${cfg}Stats`] = parseStats(t.stderr);
  }
  // the interpreter at a smaller size: guest MIPS
  const isz = interpSize(name, size);
  process.stderr.write(` interp(${isz})`);
  const ti = await timed([...cli, "run", "--stats", "--tier=interp", b.rv, String(isz)]);
  const st = parseStats(ti.stderr);
  r.interp = { size: isz, secs: ti.secs, mips: st?.guestMips ?? (st ? st.instructions.total / ti.secs / 1e6 : undefined) };
  const ref = r.outputs.native;
  r.agree = Object.values(r.outputs).every((o) => o === ref);
  process.stderr.write(r.agree ? " ok\n" : " OUTPUTS DIFFER\n");
  results.push(r);
}

// start-up time: hello as an ELF (dynamic tier, loads binaryen) and as a translated module
const hello = path.join(root, "fixtures/bin/riscv64/hello");
let startup;
if (await fs.pathExists(hello)) {
  const helloWasm = path.join(work, "hello.wasm");
  await $`${cli} translate ${hello} -o ${helloWasm}`;
  const elf = [], wasm = [];
  for (let i = 0; i < Math.max(runs, 5); i++) { elf.push((await timed([...cli, "run", hello])).secs); wasm.push((await timed([...cli, "run", helloWasm])).secs); }
  startup = { elf: median(elf), wasm: median(wasm) };
}

function parseStats(stderr) {
  const line = stderr.split("\n").reverse().find((l) => l.trim().startsWith("{"));
  try { return line ? JSON.parse(line) : undefined; } catch { return undefined; }
}

// ---- report ----
const ratio = (r, a, b) => r.times[a].median / r.times[b].median;
const geo = (a, b) => geomean(results.map((r) => ratio(r, a, b)));
const versions = {
  node: process.version,
  qemu: (await $`qemu-riscv64 --version`).stdout.split("\n")[0],
  gcc: (await $`riscv64-linux-gnu-gcc --version`).stdout.split("\n")[0],
  clang: (await $`clang-14 --version`).stdout.split("\n")[0],
};
const cpu = (await $`lscpu`).stdout.match(/Model name:\s*(.*)/)?.[1] ?? os.cpus()[0]?.model;
const share = (s, key) => (s && s.instructions && s.instructions.total ? (100 * (s.instructions[key] ?? 0)) / s.instructions.total : undefined);
let md = `# Benchmarks

Generated by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${cpu}, ${os.cpus().length} CPUs, ${Math.round(os.totalmem() / 2 ** 30)} GiB.
${versions.node} · ${versions.qemu} · ${versions.gcc} · ${versions.clang}. ${runs} runs per configuration${scale !== 1 ? `, sizes scaled by ${scale}` : ""}.

Times are wall-clock seconds (median, min–max). Ratios are time divided by the reference: below 1.0 is faster.

| benchmark | size | native | qemu-riscv64 | isa2wasm AOT | isa2wasm dynamic | wasm32-wasi (clang) | AOT/qemu | AOT/wasi | dynamic/qemu | AOT share | interp MIPS | outputs |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|
`;
for (const r of results) {
  const t = (c) => `${fmt(r.times[c].median)} (${fmt(r.times[c].min)}–${fmt(r.times[c].max)})`;
  md += `| ${r.name} | ${r.size} | ${t("native")} | ${t("qemu")} | ${t("aot")} | ${t("dynamic")} | ${t("wasi")} | ${fmt(ratio(r, "aot", "qemu"))} | ${fmt(ratio(r, "aot", "wasi"))} | ${fmt(ratio(r, "dynamic", "qemu"))} | ${fmt(share(r.aotStats, "aot"), 1)}% | ${fmt(r.interp.mips, 1)} | ${r.agree ? "agree" : "**differ**"} |\n`;
}
md += `
**Geometric means** over ${results.length} benchmarks: AOT/qemu **${fmt(geo("aot", "qemu"))}**, AOT/native-wasm **${fmt(geo("aot", "wasi"))}**, dynamic/qemu **${fmt(geo("dynamic", "qemu"))}**, qemu/native ${fmt(geo("qemu", "native"))}, wasi/native ${fmt(geo("wasi", "native"))}.
Interpreter: ${fmt(median(results.map((r) => r.interp.mips).filter((x) => x !== undefined)), 1)} million guest instructions per second (median over benchmarks, at smaller sizes).

## Targets (issue 8)

| target | measured | met |
|---|---:|---|
| AOT at least as fast as qemu-riscv64 (ratio ≤ 1.0; stretch 0.67) | ${fmt(geo("aot", "qemu"))} | ${geo("aot", "qemu") <= 1 ? "yes" : "no"} |
| AOT within 2× of native wasm32-wasi | ${fmt(geo("aot", "wasi"))} | ${geo("aot", "wasi") <= 2 ? "yes" : "no"} |
| dynamic within 1.5× of qemu-riscv64 | ${fmt(geo("dynamic", "qemu"))} | ${geo("dynamic", "qemu") <= 1.5 ? "yes" : "no"} |
| interpreter ≥ 30 guest MIPS | ${fmt(median(results.map((r) => r.interp.mips).filter((x) => x !== undefined)), 1)} | ${median(results.map((r) => r.interp.mips).filter((x) => x !== undefined)) >= 30 ? "yes" : "no"} |

## Translation cost and memory

| benchmark | AOT translate (s) | .wasm size (KiB) | peak RSS qemu / AOT / dynamic / wasi (MiB) |
|---|---:|---:|---|
`;
for (const r of results) md += `| ${r.name} | ${fmt(r.translateSecs)} | ${Math.round(r.aotBytes / 1024)} | ${Math.round(r.rss.qemu)} / ${Math.round(r.rss.aot)} / ${Math.round(r.rss.dynamic)} / ${Math.round(r.rss.wasi)} |\n`;
if (startup) md += `\nStart-up (hello, median): \`isa2wasm run hello\` ${fmt(startup.elf, 3)} s, \`isa2wasm run hello.wasm\` ${fmt(startup.wasm, 3)} s.\n`;
md += `\n![time relative to qemu-riscv64](bench-chart.svg)\n`;
await fs.writeFile(out, md);

// chart: time relative to qemu per benchmark and configuration (log scale bars)
const cfgs = [["native", "#4c78a8"], ["aot", "#f58518"], ["dynamic", "#e45756"], ["wasi", "#72b7b2"]];
const W = 900, rowH = 14 * cfgs.length + 10, H = 40 + results.length * rowH + 30;
const x0 = 120, span = W - x0 - 20, lg = (v) => Math.log2(Math.max(v, 1 / 16));
const xOf = (v) => x0 + ((lg(v) + 4) / 8) * span; // 1/16 .. 16
let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">\n`;
svg += `<text x="${x0}" y="16" font-size="13">time relative to qemu-riscv64 (log scale; left of the line is faster)</text>\n`;
for (const t of [1 / 8, 1 / 4, 1 / 2, 1, 2, 4, 8]) svg += `<line x1="${xOf(t)}" y1="24" x2="${xOf(t)}" y2="${H - 20}" stroke="${t === 1 ? "#000" : "#ddd"}"/><text x="${xOf(t) - 8}" y="${H - 6}">${t < 1 ? `1/${1 / t}` : t}</text>\n`;
results.forEach((r, i) => {
  const y = 30 + i * rowH;
  svg += `<text x="4" y="${y + rowH / 2}">${r.name}</text>\n`;
  cfgs.forEach(([c, color], j) => {
    const v = ratio(r, c, "qemu");
    const a = xOf(1), bx = xOf(v);
    svg += `<rect x="${Math.min(a, bx)}" y="${y + j * 14}" width="${Math.abs(bx - a)}" height="12" fill="${color}"><title>${c}: ${v.toFixed(2)}</title></rect>\n`;
  });
});
cfgs.forEach(([c, color], j) => { svg += `<rect x="${W - 110}" y="${30 + j * 14}" width="10" height="10" fill="${color}"/><text x="${W - 96}" y="${39 + j * 14}">${c}</text>\n`; });
svg += "</svg>\n";
await fs.writeFile(path.join(path.dirname(out), "bench-chart.svg"), svg);
console.log(md);
const bad = results.filter((r) => !r.agree).map((r) => r.name);
if (bad.length) { console.error(`outputs differ: ${bad.join(", ")}`); process.exitCode = 1; }
