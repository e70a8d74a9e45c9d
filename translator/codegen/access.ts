/**
 * Grouping of a block's memory accesses so that one page-map check covers several of them.
 *
 * Within a lifted block (straight-line code), accesses through the same base value — the same guest
 * register, not written in between, plus different constant offsets — often fall within a few bytes of
 * each other: a function's register saves and restores off sp, a struct's fields, an unrolled loop over an
 * array. Such accesses form a group when the span from the lowest byte to the highest is at most a page.
 * The group's first access (its leader) checks the whole span at once (the page map's "this page and the
 * next" bits, or the span inside one page); the other members then access memory unchecked.
 *
 * Why this is exact: every unconditional access of a block runs once the block starts, unless an earlier
 * instruction leaves it (a trap or a slow path), so if the span check fails, some member would have
 * failed its own check too — the span's first and last bytes belong to members, and a span of at most a
 * page lies in at most two pages. On failure the leader leaves for the slow path before its own
 * instruction, exactly as a failing check of its own would, and the runtime executes from there one
 * instruction at a time. Page permissions cannot change inside a block: only syscalls and the runtime
 * change them, and both are reached through exits. Conditional stores (store-conditional) stay checked on
 * their own: they may not run.
 *
 * A group that contains a store checks the write bits; the page map grants fast writes only to pages
 * that are also readable (runtime/memory), so the loads of a mixed group are covered too.
 */
import type { Block, Op, Temp } from "../ir/ir.ts";
import { PAGE_FAST_READ, PAGE_FAST_WRITE, PAGE_SIZE } from "../../runtime/memory/memory.ts";

/**
 * How one access of a group is lowered: the leader (`covered` false) checks the span
 * [addr + lo, addr + lo + span) for `bit`; the others (`covered` true) are not checked.
 */
export interface AccessPlan { covered: boolean; lo: number; span: number; bit: number }

interface Group { key: string; lo: number; hi: number; store: boolean; members: { op: Op; off: number }[] }

/** Plans the block's access groups; accesses absent from the result are checked on their own. */
export function planAccessGroups(block: Block): Map<Op, AccessPlan> {
  const plan = new Map<Op, AccessPlan>();
  const defs = new Map<Temp, Op>();
  const keys = new Map<Temp, string>();
  const version = new Map<number, number>();
  const groups: Group[] = [];
  // a temp's value identity: a state slot's value between two writes of the slot, or the temp itself
  const key = (t: Temp): string => keys.get(t) ?? `t${t}`;
  const constant = (t: Temp): number | undefined => {
    const d = defs.get(t);
    if (d?.op !== "const") return undefined;
    const v = typeof d.value === "bigint" ? Number(BigInt.asIntN(64, d.value)) : d.value;
    return Number.isSafeInteger(v) && Math.abs(v) < 1 << 30 ? v : undefined;
  };
  for (const op of block.ops) {
    if ("dst" in op && op.dst !== undefined) defs.set(op.dst, op);
    if (op.op === "get") keys.set(op.dst, `s${op.slot}.${version.get(op.slot) ?? 0}`);
    if (op.op === "set") version.set(op.slot, (version.get(op.slot) ?? 0) + 1);
    if (op.op !== "load" && (op.op !== "store" || op.cond !== undefined)) continue;
    // the address as base + constant offset
    let base = key(op.addr), off = 0;
    const d = defs.get(op.addr);
    if (d?.op === "bin" && d.bin === "add") {
      const cb = constant(d.b), ca = constant(d.a);
      if (cb !== undefined) { base = key(d.a); off = cb; } else if (ca !== undefined) { base = key(d.b); off = ca; }
    }
    const end = off + op.size;
    let g = groups.find((x) => x.key === base && Math.max(x.hi, end) - Math.min(x.lo, off) <= PAGE_SIZE);
    if (g === undefined) { g = { key: base, lo: off, hi: end, store: false, members: [] }; groups.push(g); }
    g.lo = Math.min(g.lo, off); g.hi = Math.max(g.hi, end);
    g.store ||= op.op === "store";
    g.members.push({ op, off });
  }
  for (const g of groups) {
    if (g.members.length < 2) continue;
    const [lead, ...rest] = g.members;
    const bit = g.store ? PAGE_FAST_WRITE : PAGE_FAST_READ;
    plan.set(lead!.op, { covered: false, lo: g.lo - lead!.off, span: g.hi - g.lo, bit });
    for (const r of rest) plan.set(r.op, { covered: true, lo: 0, span: 0, bit });
  }
  return plan;
}
