/**
 * `npm run conformance [-- --guest riscv64 --tier all --kind all --report DIR]`: runs the conformance
 * suite (per-instruction vectors, the program corpus, random sequences) in the selected execution tiers,
 * prints a guest × tier × kind table, writes summary.json and SUMMARY.md to the report directory (default
 * conformance/report) and ends with "N passed, N failed"; exits 1 on any failure.
 *
 * Random differential testing (kind "random", conformance/random.ts): `--random N --seed S` runs N seeded
 * random RV64GC sequences under qemu-riscv64 (--batch per qemu process) and in every tier; a sequence a tier
 * gets wrong is minimised to its first differing instruction. `--random N` alone selects only this kind.
 * The translating tiers dominate the cost (a binaryen compile per block in dynamic, per batch in aot);
 * --optimize 1 (binaryen's quick pass list, as AOT uses for whole programs) makes them about 3x faster than
 * the default level 2, and --jobs 2 runs the tiers in two processes.
 *   CI-sized run (a few minutes on 2 cores):
 *     npm run conformance -- --random 3000 --seed 1 --optimize 1 --jobs 2
 *   The committed full run (conformance/report-full/, 100,000 sequences per tier):
 *     npm run conformance -- --random 100000 --seed 20240601 --optimize 1 --jobs 2 --report conformance/report-full
 *   The sequences of the uvu test (conformance/riscv64/random/seed-1.json, no qemu needed to run them):
 *     npm run conformance -- --random 50 --seed 1 --tier interp-evaluate --save-random conformance/riscv64/random/seed-1.json
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import process from "node:process";
import type { Guest } from "../translator/guests/guest.ts";
import { riscv64 } from "../translator/guests/riscv64/index.ts";
import { conformanceDir, listVectorGroups, loadVectorGroup, runVectorGroup, type VectorFailure, type VectorFile } from "./vectors.ts";
import { runProgramCorpus } from "./programs.ts";
import { tiersFor, type ConformanceTier } from "./tiers.ts";
import { describeRandomFailure, randomBatch, runRandom, type RandomResult } from "./random.ts";
import { referenceMissing, referenceRun } from "./riscv64/random.ts";
import { enableRelaxedSimd } from "../runtime/host/node.ts";

const USAGE = `usage: conformance [--guest riscv64|ppc32|all] [--tier interp|interp-compile|interp-evaluate|dynamic|aot|all]
                   [--kind vectors|programs|random|all] [--report DIR]
                   [--optimize 0-3] [--random N] [--seed S] [--length L] [--batch K] [--minimise M] [--save-random FILE]
  --tier          one of the names, or several separated by commas (interp = both interpreter executors)
  --optimize N    binaryen optimisation level of the dynamic and aot tiers (default: compileRegions' 2)
  --random N      random sequences per tier (kind random; alone it selects only that kind; default 1000
                  with --kind random, none otherwise)
  --seed S        seed of the random sequences (default 1); sequence k of a seed is always the same
  --length L      instructions (items) per random sequence (default 16)
  --batch K       random sequences per reference program, i.e. per qemu process (default 1000)
  --minimise M    failing random sequences minimised per tier (default 20)
  --jobs J        share the random sequences out to J processes (each runs its share in every tier)
  --first F       index of the first random sequence (default 0): sequences F..F+N-1 of the seed
  --save-random F also write the random sequences with their reference results to F (at most one batch)`;

/** Guests the suite knows, with their front ends. */
const GUESTS: Record<string, Guest> = { riscv64 };

/** Kinds of cases. */
const KINDS = ["vectors", "programs", "random"] as const;
type Kind = (typeof KINDS)[number];

/** One row of the report: a guest, tier and kind, with its counts and first failures. */
export interface ReportRow {
  guest: string;
  tier: string;
  kind: Kind;
  passed: number;
  failed: number;
  ms: number;
  /** vector groups or programs, each with its counts */
  parts: Array<{ name: string; passed: number; failed: number }>;
  /** the first failures, described */
  failures: Array<{ part: string; id: string; detail: string }>;
  /** why the row has no cases, when it has none */
  note?: string;
  /** cases per second in this tier (random kind: the tier's own time, reference runs excluded) */
  rate?: number;
}

interface Options {
  guests: string[]; tier: string; kinds: Kind[]; report: string; optimize?: number;
  random: { count: number; first: number; seed: bigint; length: number; batch: number; minimise: number; save?: string; jobs: number };
}

/** A positive integer option value, or a clear error. */
function count(flag: string, v: string, min = 1): number {
  if (!/^\d+$/.test(v) || Number(v) < min) throw new Error(`${flag} needs an integer >= ${min}, got '${v}'\n${USAGE}`);
  return Number(v);
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    guests: ["riscv64"], tier: "all", kinds: ["vectors", "programs"], report: join(conformanceDir(), "report"),
    random: { count: 0, first: 0, seed: 1n, length: 16, batch: 1000, minimise: 20, jobs: 1 },
  };
  let kindGiven = false, countGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    switch (flag) {
      case "--guest": { const v = value(); o.guests = v === "all" ? ["riscv64", "ppc32"] : [v]; break; }
      case "--tier": o.tier = value(); break;
      case "--kind": {
        const v = value();
        if (v !== "all" && !(KINDS as readonly string[]).includes(v)) throw new Error(`--kind must be vectors, programs, random or all\n${USAGE}`);
        o.kinds = v === "all" ? [...KINDS] : [v as Kind];
        kindGiven = true;
        break;
      }
      case "--report": o.report = value(); break;
      case "--optimize": {
        const v = value();
        if (!/^[0-3]$/.test(v)) throw new Error(`--optimize needs a level 0..3, got '${v}'\n${USAGE}`);
        o.optimize = Number(v);
        break;
      }
      case "--random": o.random.count = count(flag, value()); countGiven = true; break;
      case "--seed": {
        const v = value();
        if (!/^(\d+|0x[0-9a-f]+)$/i.test(v)) throw new Error(`--seed needs a non-negative integer, got '${v}'\n${USAGE}`);
        o.random.seed = BigInt(v);
        break;
      }
      case "--length": o.random.length = count(flag, value()); break;
      case "--batch": o.random.batch = count(flag, value()); break;
      case "--minimise": o.random.minimise = count(flag, value(), 0); break;
      case "--jobs": o.random.jobs = count(flag, value()); break;
      case "--first": o.random.first = count(flag, value(), 0); break;
      case "--save-random": o.random.save = value(); break;
      case "--help": case "-h": console.log(USAGE); process.exit(0); break;
      default: throw new Error(`unknown option ${a}\n${USAGE}`);
    }
  }
  for (const g of o.guests) if (g !== "riscv64" && g !== "ppc32") throw new Error(`unknown guest '${g}'\n${USAGE}`);
  // --random N alone selects the random kind; --kind random alone runs a default number of sequences
  if (countGiven && !kindGiven) o.kinds = ["random"];
  if (!countGiven && o.kinds.includes("random")) {
    if (kindGiven && o.kinds.length === 1) o.random.count = 1000;
    else o.kinds = o.kinds.filter((k) => k !== "random");
  }
  if (o.random.save !== undefined && o.random.count > o.random.batch) throw new Error(`--save-random writes one batch: --random must be <= --batch (${o.random.batch})`);
  return o;
}

const describe = (f: VectorFailure): string => `${f.dis} @${f.pc}: ${f.diffs.join("; ")}`;
const MAX_FAILURES = 50;

async function vectorsRow(guestName: string, tier: ReturnType<typeof tiersFor>[number]): Promise<ReportRow> {
  const row: ReportRow = { guest: guestName, tier: tier.name, kind: "vectors", passed: 0, failed: 0, ms: 0, parts: [], failures: [] };
  const guest = GUESTS[guestName];
  const groups = guest ? listVectorGroups(guestName) : [];
  if (!guest || groups.length === 0) { row.note = `no ${guest ? "vectors" : "front end"} for ${guestName} yet`; return row; }
  const t0 = performance.now();
  for (const group of groups) {
    let r;
    try {
      r = await runVectorGroup(guest, loadVectorGroup(guestName, group), tier);
    } catch (e) {
      const n = loadVectorGroup(guestName, group).cases.length;
      row.failed += n;
      row.parts.push({ name: group, passed: 0, failed: n });
      row.failures.push({ part: group, id: "(setup)", detail: e instanceof Error ? e.message : String(e) });
      continue;
    }
    row.passed += r.passed;
    row.failed += r.failed;
    row.parts.push({ name: group, passed: r.passed, failed: r.failed });
    for (const f of r.failures) if (row.failures.length < MAX_FAILURES) row.failures.push({ part: group, id: f.id, detail: describe(f) });
  }
  row.ms = performance.now() - t0;
  return row;
}

async function programsRow(guestName: string, tier: ReturnType<typeof tiersFor>[number]): Promise<ReportRow> {
  const row: ReportRow = { guest: guestName, tier: tier.name, kind: "programs", passed: 0, failed: 0, ms: 0, parts: [], failures: [] };
  const t0 = performance.now();
  const results = await runProgramCorpus(guestName as "riscv64" | "ppc32", tier);
  if (results === undefined) { row.note = `tier ${tier.name} does not run whole programs yet`; return row; }
  for (const r of results) {
    const ok = r.diffs.length === 0;
    if (ok) row.passed++; else row.failed++;
    row.parts.push({ name: r.name, passed: ok ? 1 : 0, failed: ok ? 0 : 1 });
    if (!ok && row.failures.length < MAX_FAILURES) row.failures.push({ part: r.name, id: r.name, detail: r.diffs.join("; ") });
  }
  if (results.length === 0) row.note = `no fixtures for ${guestName}`;
  row.ms = performance.now() - t0;
  return row;
}

/** What the random kind ran, for the report. */
interface RandomSummary {
  count: number; seed: string; length: number; batch: number; first: number;
  /** processes the sequences were shared out to (times below are summed over them) */
  jobs?: number;
  /** generation and reference runs (gcc + qemu-riscv64): total and sequences per second */
  referenceMs: number; referenceRate: number;
  minimiseMs: number;
  /** wall-clock time of the whole random kind (all tiers, reference and minimising included) */
  wallMs?: number;
}

/**
 * The random kind in `jobs` child processes (this program with --first/--random and a report directory of
 * its own), each running a consecutive share of the sequences in every tier; their rows are added up.
 * Sequence k of a seed is the same whichever process runs it.
 */
async function randomRowsInJobs(tiers: ConformanceTier[], o: Options["random"], optimize: number | undefined): Promise<{ rows: ReportRow[]; summary?: RandomSummary }> {
  const jobs = Math.min(o.jobs, o.count);
  const dir = mkdtempSync(join(tmpdir(), "conformance-jobs-"));
  try {
    const results = await Promise.all(Array.from({ length: jobs }, (_, j) => new Promise<{ rows: ReportRow[]; random: RandomSummary }>((resolve, reject) => {
      const first = o.first + Math.floor((o.count * j) / jobs), count = o.first + Math.floor((o.count * (j + 1)) / jobs) - first;
      const report = join(dir, String(j));
      const args = [fileURLToPath(import.meta.url), "--kind", "random", "--random", String(count), "--first", String(first), "--seed", String(o.seed),
        "--length", String(o.length), "--batch", String(o.batch), "--minimise", String(o.minimise), "--tier", tiers.map((t) => t.name).join(","),
        "--report", report, ...(optimize !== undefined ? ["--optimize", String(optimize)] : [])];
      const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
      let partial = "";
      child.stderr.on("data", (d: Buffer) => {
        const lines = (partial + d.toString()).split("\n");
        partial = lines.pop()!;
        for (const line of lines) console.error(`[job ${j}: ${first}..${first + count - 1}] ${line}`);
      });
      child.on("error", reject);
      child.on("close", (code) => {
        if (code !== 0 && code !== 1) { reject(new Error(`job ${j} (sequences ${first}..${first + count - 1}) exited with ${code}`)); return; }
        const summary = JSON.parse(readFileSync(join(report, "summary.json"), "utf8")) as { rows: ReportRow[]; random: RandomSummary };
        resolve(summary);
      });
    })));
    // add up the rows of each tier; times are the sum over jobs (CPU time of the tier), so rates stay per core
    const rows = tiers.map((t): ReportRow => {
      const parts = results.map((r) => r.rows.find((x) => x.tier === t.name)!);
      const passed = parts.reduce((n, r) => n + r.passed, 0), failed = parts.reduce((n, r) => n + r.failed, 0);
      const ms = parts.reduce((n, r) => n + r.ms, 0);
      return { guest: "riscv64", tier: t.name, kind: "random", passed, failed, ms, rate: (passed + failed) / (ms / 1000),
        parts: parts.flatMap((r) => r.parts), failures: parts.flatMap((r) => r.failures).slice(0, MAX_FAILURES) };
    });
    const referenceMs = results.reduce((n, r) => n + r.random.referenceMs, 0);
    return { rows, summary: { ...results[0]!.random, count: o.count, first: o.first, jobs, referenceMs, referenceRate: o.count / (referenceMs / 1000),
      minimiseMs: results.reduce((n, r) => n + r.random.minimiseMs, 0) } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Random rows: the sequences run once under the reference and then in every tier. */
async function randomRows(guestName: string, tiers: ConformanceTier[], o: Options["random"], optimize?: number): Promise<{ rows: ReportRow[]; summary?: RandomSummary }> {
  const empty = (note: string): ReportRow[] => tiers.map((t) => ({ guest: guestName, tier: t.name, kind: "random" as const, passed: 0, failed: 0, ms: 0, parts: [], failures: [], note }));
  if (guestName !== "riscv64") return { rows: empty(`no random sequence generator for ${guestName} yet`) };
  const missing = referenceMissing();
  if (missing !== undefined) throw new Error(missing);
  if (o.jobs > 1 && o.save === undefined) return randomRowsInJobs(tiers, o, optimize);
  if (o.save !== undefined) {
    const file = referenceRun(randomBatch(o.seed, o.first, o.count, o.length));
    mkdirSync(dirname(o.save), { recursive: true });
    writeFileSync(o.save, formatVectorFile({ ...file, generator: "conformance/riscv64/random.ts", seed: String(o.seed), length: o.length } as VectorFile));
    console.error(`wrote ${file.cases.length} random sequences (seed ${o.seed}) to ${o.save}`);
  }
  const t0 = performance.now();
  const r: RandomResult = await runRandom(tiers, {
    ...o,
    progress: (done, res) => console.error(`random: ${done}/${o.count} sequences, ${((performance.now() - t0) / 1000).toFixed(0)} s; ` +
      res.map((t) => `${t.tier} ${t.failed} failed`).join(", ")),
  });
  const rows = r.tiers.map((t): ReportRow => ({
    guest: guestName, tier: t.tier, kind: "random", passed: t.passed, failed: t.failed, ms: t.ms,
    rate: (t.passed + t.failed) / (t.ms / 1000),
    parts: [{ name: `seed ${o.seed}, sequences ${o.first}..${o.first + o.count - 1} (${o.length} items each)`, passed: t.passed, failed: t.failed }],
    failures: t.failures.slice(0, MAX_FAILURES).map((f) => ({ part: "random", id: f.id, detail: describeRandomFailure(f) })),
  }));
  return {
    rows,
    summary: { count: o.count, first: o.first, seed: String(o.seed), length: o.length, batch: o.batch, referenceMs: r.referenceMs,
      referenceRate: o.count / (r.referenceMs / 1000), minimiseMs: r.minimiseMs },
  };
}

/** One case per line, so diffs of regenerated files stay readable (as gen-vectors.mjs writes them). */
function formatVectorFile(v: object & { cases: unknown[] }): string {
  const { cases, ...rest } = v;
  return `${JSON.stringify(rest).slice(0, -1)},"cases":[\n${cases.map((c) => JSON.stringify(c)).join(",\n")}\n]}\n`;
}

const timeText = (r: ReportRow): string =>
  r.note ?? `${(r.ms / 1000).toFixed(1)} s${r.rate !== undefined ? ` (${Math.round(r.rate)}/s)` : ""}`;

function table(rows: ReportRow[]): string {
  const head = ["guest", "tier", "kind", "passed", "failed", "time"];
  const body = rows.map((r) => [r.guest, r.tier, r.kind, String(r.passed), String(r.failed), timeText(r)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  return [head, ...body].map((cols) => cols.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd()).join("\n");
}

function markdown(rows: ReportRow[], totals: { passed: number; failed: number }, command: string, random?: RandomSummary): string {
  const out = [
    "# Conformance summary",
    "",
    `Command: \`${command}\``,
    "",
    "Expected results come from the reference (qemu-user): per-instruction vectors in `conformance/<guest>/vectors/`",
    "(generator `conformance/<guest>/gen-vectors.mjs`), programs in `fixtures/expected/<guest>/`, random sequences",
    "from running them under qemu-user (`conformance/random.ts`, generator `conformance/<guest>/random.ts`).",
    "",
    "| guest | tier | kind | passed | failed | time |",
    "|---|---|---|---:|---:|---:|",
    ...rows.map((r) => `| ${r.guest} | ${r.tier} | ${r.kind} | ${r.passed} | ${r.failed} | ${timeText(r)} |`),
    "",
    `**${totals.passed} passed, ${totals.failed} failed**`,
    "",
  ];
  if (random !== undefined) {
    out.push("## Random sequences", "",
      `${random.count} sequences of ${random.length} items (seed ${random.seed}, sequences ${random.first}..${random.first + random.count - 1}), ${random.batch} per qemu process` +
        (random.jobs !== undefined ? `, shared out to ${random.jobs} processes (times are summed over them: CPU time per tier).` : "."),
      `Generation and reference runs (gcc + qemu-riscv64): ${(random.referenceMs / 1000).toFixed(1)} s, ${Math.round(random.referenceRate)} sequences/s;`,
      `minimising failures: ${(random.minimiseMs / 1000).toFixed(1)} s` +
        (random.wallMs !== undefined ? `; wall-clock time of the whole random kind: ${(random.wallMs / 60000).toFixed(1)} min.` : "."),
      "Per tier (the tier's own time; sequences/s):", "",
      "| tier | sequences | time | sequences/s |", "|---|---:|---:|---:|",
      ...rows.filter((r) => r.kind === "random" && r.rate !== undefined)
        .map((r) => `| ${r.tier} | ${r.passed + r.failed} | ${(r.ms / 1000).toFixed(1)} s | ${Math.round(r.rate!)} |`),
      "");
  }
  const failing = rows.filter((r) => r.failures.length > 0);
  if (failing.length) {
    out.push("## Failures (first of each row)", "");
    for (const r of failing) {
      out.push(`### ${r.guest} ${r.tier} ${r.kind}`, "");
      for (const f of r.failures) out.push(`- ${f.part} ${f.id}: ${f.detail.replaceAll("|", "\\|")}`);
      out.push("");
    }
  }
  out.push("## Per group", "", "| guest | tier | kind | group | passed | failed |", "|---|---|---|---|---:|---:|");
  for (const r of rows) for (const p of r.parts) out.push(`| ${r.guest} | ${r.tier} | ${r.kind} | ${p.name} | ${p.passed} | ${p.failed} |`);
  return out.join("\n") + "\n";
}

async function main(): Promise<number> {
  enableRelaxedSimd(); // the translating tiers run as the CLI runs them (host FMA when there is one)
  let o: Options;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
  let tiers: ConformanceTier[];
  try {
    tiers = tiersFor(o.tier, o.optimize);
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
  const rows: ReportRow[] = [];
  let random: RandomSummary | undefined;
  const log = (row: ReportRow): void =>
    console.error(`${row.guest} ${row.tier} ${row.kind}: ${row.passed} passed, ${row.failed} failed${row.note ? ` (${row.note})` : ""}`);
  for (const guest of o.guests) {
    const guestRows: ReportRow[] = [];
    for (const tier of tiers) {
      for (const kind of o.kinds) {
        if (kind === "random") continue;
        const row = kind === "vectors" ? await vectorsRow(guest, tier) : await programsRow(guest, tier);
        guestRows.push(row);
        log(row);
      }
    }
    if (o.kinds.includes("random")) {
      let r;
      const t0 = performance.now();
      try {
        r = await randomRows(guest, tiers, o.random, o.optimize);
        if (r.summary) r.summary.wallMs = performance.now() - t0;
      } catch (e) {
        console.error(`random: ${(e as Error).message}`);
        return 2;
      }
      r.rows.forEach(log);
      guestRows.push(...r.rows);
      random ??= r.summary;
    }
    // guest × tier × kind order
    const order = (row: ReportRow): number => tiers.findIndex((t) => t.name === row.tier) * KINDS.length + KINDS.indexOf(row.kind);
    rows.push(...guestRows.sort((a, b) => order(a) - order(b)));
  }
  const totals = { passed: rows.reduce((n, r) => n + r.passed, 0), failed: rows.reduce((n, r) => n + r.failed, 0) };
  const command = `npm run conformance -- ${process.argv.slice(2).join(" ")}`.trim();
  mkdirSync(o.report, { recursive: true });
  writeFileSync(join(o.report, "summary.json"), JSON.stringify({ command, date: new Date().toISOString(), totals, random, rows }, null, 1) + "\n");
  writeFileSync(join(o.report, "SUMMARY.md"), markdown(rows, totals, command, random));
  console.log(table(rows));
  for (const r of rows) for (const f of r.failures.slice(0, 5)) console.log(`FAIL ${r.guest} ${r.tier} ${r.kind} ${f.part} ${f.id}: ${f.detail}`);
  console.log(`${totals.passed} passed, ${totals.failed} failed`);
  return totals.failed === 0 && totals.passed > 0 ? 0 : 1;
}

process.exitCode = await main();
