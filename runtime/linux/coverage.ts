/**
 * The syscall coverage table, generated from the ABI tables and the semantics core: for every syscall a
 * guest has, whether it is implemented, partial (and what is missing) or ENOSYS. Rendered as Markdown
 * for the README: `npx deno eval 'import { coverageMarkdown } from "./runtime/linux/coverage.ts"; console.log(coverageMarkdown())'`.
 */
import { CORE_SYSCALLS, abiOf } from "./kernel.ts";
import type { GuestAbi } from "./abi/abi.ts";

/** Coverage status of one syscall. */
export type Coverage = "implemented" | "partial" | "ENOSYS";

/** One syscall of one or both guests. */
export interface CoverageRow {
  name: string;
  /** syscall number per guest (absent when the guest does not have it) */
  numbers: { riscv64?: number; ppc32?: number };
  status: { riscv64?: Coverage; ppc32?: Coverage };
  note: string;
}

const GUESTS = ["riscv64", "ppc32"] as const;

/** Status of `name` on `abi`, with the note explaining a partial or deliberate ENOSYS. */
function statusOf(abi: GuestAbi, name: string): { status: Coverage; note: string } {
  const why = abi.unsupported[name];
  if (why) return { status: "ENOSYS", note: `${abi.name}: ${why}` };
  const def = CORE_SYSCALLS[abi.aliases[name] ?? name];
  if (!def || def.unsupported) return { status: "ENOSYS", note: def?.unsupported ?? "" };
  const alias = abi.aliases[name] ? `as ${abi.aliases[name]}` : "";
  if (def.partial) return { status: "partial", note: [alias, def.partial].filter(Boolean).join("; ") };
  return { status: "implemented", note: alias };
}

/** Every syscall of both guests, sorted by name. */
export function coverageRows(): CoverageRow[] {
  const rows = new Map<string, CoverageRow>();
  for (const g of GUESTS) {
    const abi = abiOf(g);
    for (const [nr, name] of Object.entries(abi.syscalls)) {
      const row = rows.get(name) ?? { name, numbers: {}, status: {}, note: "" };
      row.numbers[g] = Number(nr);
      const s = statusOf(abi, name);
      row.status[g] = s.status;
      if (s.note && !row.note.includes(s.note)) row.note = row.note ? `${row.note}; ${s.note}` : s.note;
      rows.set(name, row);
    }
  }
  return [...rows.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Counts of each status per guest. */
export function coverageSummary(): Record<(typeof GUESTS)[number], Record<Coverage, number>> {
  const out = { riscv64: { implemented: 0, partial: 0, ENOSYS: 0 }, ppc32: { implemented: 0, partial: 0, ENOSYS: 0 } };
  for (const row of coverageRows()) for (const g of GUESTS) if (row.status[g]) out[g][row.status[g]!]++;
  return out;
}

/**
 * Markdown: a summary line per guest, a table of the implemented and partial syscalls (number per guest,
 * status, notes) and the list of the syscalls that return ENOSYS.
 */
export function coverageMarkdown(): string {
  const rows = coverageRows();
  const sum = coverageSummary();
  const cell = (r: CoverageRow, g: (typeof GUESTS)[number]): string =>
    r.numbers[g] === undefined ? "—" : `${r.numbers[g]} ${r.status[g] === "implemented" ? "✓" : r.status[g] === "partial" ? "partial" : "ENOSYS"}`;
  const lines = [
    ...GUESTS.map((g) => `- ${g}: ${sum[g].implemented} implemented, ${sum[g].partial} partial, ${sum[g].ENOSYS} ENOSYS`),
    "",
    "| syscall | riscv64 | ppc32 | notes |",
    "|---|---|---|---|",
  ];
  for (const r of rows) {
    if (!GUESTS.some((g) => r.status[g] === "implemented" || r.status[g] === "partial")) continue;
    lines.push(`| ${r.name} | ${cell(r, "riscv64")} | ${cell(r, "ppc32")} | ${r.note} |`);
  }
  const none = rows.filter((r) => GUESTS.every((g) => r.status[g] === undefined || r.status[g] === "ENOSYS"));
  const explained = none.filter((r) => r.note).map((r) => `${r.name} (${r.note})`);
  lines.push("", `ENOSYS (reported once on stderr; fatal with \`--strict\`): ${explained.join(", ")}; ${none.filter((r) => !r.note).map((r) => r.name).join(", ")}.`);
  return lines.join("\n");
}
