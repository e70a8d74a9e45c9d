/**
 * Grouping of a block's memory accesses so that one page-map check covers several of them.
 *
 * Within a lifted block (straight-line code), accesses through the same base value plus different
 * constants — a guest register's value on entry to the block, followed through constant steps such as
 * x1 = x1 + 8 — often fall within a few bytes of each other: a function's register saves and restores off
 * sp, a struct's fields, an unrolled loop over an array, a load and a store of the same element. Such accesses form a group when the span from the lowest byte to the highest is at most a page.
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

interface Value { root: string; off: number }
interface Group { key: string; lo: number; hi: number; store: boolean; members: { op: Op; off: number }[] }

/** Plans the block's access groups; accesses absent from the result are checked on their own. */
export function planAccessGroups(block: Block): Map<Op, AccessPlan> {
  const plan = new Map<Op, AccessPlan>();
  const defs = new Map<Temp, Op>();
  // each temp's value as a root value plus a constant: a root is a state slot's value on entry to the block
  // or a temp that is not a constant add; register writes carry values along (x1 = x1 + 8 keeps x1's root)
  const values = new Map<Temp, Value>();
  const slots = new Map<number, Value>();
  const value = (t: Temp): Value => values.get(t) ?? { root: `t${t}`, off: 0 };
  const groups: Group[] = [];
  const constant = (t: Temp): number | undefined => {
    const d = defs.get(t);
    if (d?.op !== "const") return undefined;
    const v = typeof d.value === "bigint" ? Number(BigInt.asIntN(64, d.value)) : d.value;
    return Number.isSafeInteger(v) && Math.abs(v) < 1 << 30 ? v : undefined;
  };
  const offset = (base: Value, c: number): Value | undefined =>
    Math.abs(base.off + c) < 1 << 30 ? { root: base.root, off: base.off + c } : undefined;
  for (const op of block.ops) {
    if ("dst" in op && op.dst !== undefined) defs.set(op.dst, op);
    if (op.op === "get") values.set(op.dst, slots.get(op.slot) ?? { root: `s${op.slot}`, off: 0 });
    if (op.op === "set") slots.set(op.slot, value(op.value));
    if (op.op === "bin" && (op.bin === "add" || op.bin === "sub")) {
      const cb = constant(op.b), ca = op.bin === "add" ? constant(op.a) : undefined;
      const v = cb !== undefined ? offset(value(op.a), op.bin === "add" ? cb : -cb) : ca !== undefined ? offset(value(op.b), ca) : undefined;
      if (v !== undefined) values.set(op.dst, v);
    }
    if (op.op !== "load" && (op.op !== "store" || op.cond !== undefined)) continue;
    const { root, off } = value(op.addr);
    const end = off + op.size;
    let g = groups.find((x) => x.key === root && Math.max(x.hi, end) - Math.min(x.lo, off) <= PAGE_SIZE);
    if (g === undefined) { g = { key: root, lo: off, hi: end, store: false, members: [] }; groups.push(g); }
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
