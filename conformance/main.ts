/**
 * `npm run conformance [-- --guest riscv64 --tier all --kind all --report DIR]`: runs the conformance
 * suite (per-instruction vectors, the program corpus) in the selected execution tiers, prints a
 * guest × tier × kind table, writes summary.json and SUMMARY.md to the report directory (default
 * conformance/report) and ends with "N passed, N failed"; exits 1 on any failure.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import type { Guest } from "../translator/guests/guest.ts";
import { riscv64 } from "../translator/guests/riscv64/index.ts";
import { conformanceDir, listVectorGroups, loadVectorGroup, runVectorGroup, type VectorFailure } from "./vectors.ts";
import { runProgramCorpus } from "./programs.ts";
import { tiersFor } from "./tiers.ts";

const USAGE = `usage: conformance [--guest riscv64|ppc32|all] [--tier interp|interp-compile|interp-evaluate|dynamic|aot|all]
                   [--kind vectors|programs|all] [--report DIR]`;

/** Guests the suite knows, with their front ends. */
const GUESTS: Record<string, Guest> = { riscv64 };

/** Kinds of cases. */
const KINDS = ["vectors", "programs"] as const;
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
}

interface Options { guests: string[]; tier: string; kinds: Kind[]; report: string }

function parseArgs(argv: string[]): Options {
  const o: Options = { guests: ["riscv64"], tier: "all", kinds: [...KINDS], report: join(conformanceDir(), "report") };
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
        if (v !== "all" && !(KINDS as readonly string[]).includes(v)) throw new Error(`--kind must be vectors, programs or all\n${USAGE}`);
        o.kinds = v === "all" ? [...KINDS] : [v as Kind];
        break;
      }
      case "--report": o.report = value(); break;
      case "--help": case "-h": console.log(USAGE); process.exit(0); break;
      default: throw new Error(`unknown option ${a}\n${USAGE}`);
    }
  }
  for (const g of o.guests) if (g !== "riscv64" && g !== "ppc32") throw new Error(`unknown guest '${g}'\n${USAGE}`);
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

function table(rows: ReportRow[]): string {
  const head = ["guest", "tier", "kind", "passed", "failed", "time"];
  const body = rows.map((r) => [r.guest, r.tier, r.kind, String(r.passed), String(r.failed), r.note ?? `${(r.ms / 1000).toFixed(1)} s`]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  return [head, ...body].map((cols) => cols.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd()).join("\n");
}

function markdown(rows: ReportRow[], totals: { passed: number; failed: number }, command: string): string {
  const out = [
    "# Conformance summary",
    "",
    `Command: \`${command}\``,
    "",
    "Expected results come from the reference (qemu-user): per-instruction vectors in `conformance/<guest>/vectors/`",
    "(generator `conformance/<guest>/gen-vectors.mjs`), programs in `fixtures/expected/<guest>/`.",
    "",
    "| guest | tier | kind | passed | failed | time |",
    "|---|---|---|---:|---:|---:|",
    ...rows.map((r) => `| ${r.guest} | ${r.tier} | ${r.kind} | ${r.passed} | ${r.failed} | ${r.note ?? `${(r.ms / 1000).toFixed(1)} s`} |`),
    "",
    `**${totals.passed} passed, ${totals.failed} failed**`,
    "",
  ];
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
  let o: Options;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
  const tiers = tiersFor(o.tier);
  const rows: ReportRow[] = [];
  for (const guest of o.guests) {
    for (const tier of tiers) {
      for (const kind of o.kinds) {
        const row = kind === "vectors" ? await vectorsRow(guest, tier) : await programsRow(guest, tier);
        rows.push(row);
        console.error(`${guest} ${tier.name} ${kind}: ${row.passed} passed, ${row.failed} failed${row.note ? ` (${row.note})` : ""}`);
      }
    }
  }
  const totals = { passed: rows.reduce((n, r) => n + r.passed, 0), failed: rows.reduce((n, r) => n + r.failed, 0) };
  const command = `npm run conformance -- ${process.argv.slice(2).join(" ")}`.trim();
  mkdirSync(o.report, { recursive: true });
  writeFileSync(join(o.report, "summary.json"), JSON.stringify({ command, date: new Date().toISOString(), totals, rows }, null, 1) + "\n");
  writeFileSync(join(o.report, "SUMMARY.md"), markdown(rows, totals, command));
  console.log(table(rows));
  for (const r of rows) for (const f of r.failures.slice(0, 5)) console.log(`FAIL ${r.guest} ${r.tier} ${r.kind} ${f.part} ${f.id}: ${f.detail}`);
  console.log(`${totals.passed} passed, ${totals.failed} failed`);
  return totals.failed === 0 && totals.passed > 0 ? 0 : 1;
}

process.exitCode = await main();
