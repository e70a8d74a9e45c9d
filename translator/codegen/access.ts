/**
 * Grouping of memory accesses so that one page-map check covers several of them.
 *
 * Accesses through the same base value plus different constants — a guest register's value followed
 * through constant steps such as x1 = x1 + 8 — often fall within a few bytes of each other: a function's
 * register saves and restores off sp, a struct's fields, an unrolled loop over an array, a load and a
 * store of the same element. Such accesses form a group when the span from the lowest byte to the highest
 * is at most a page, within a block and the blocks only it leads to (planAccessGroups). The group's first
 * access (its leader, in the first block) checks the whole span at once (the page map's "this page and the
 * next" bits, or the span inside one page); the other members then access memory unchecked.
 *
 * Why this is exact: a span that passes the check holds only pages that allow the access, and every
 * member lies inside it (page permissions cannot change meanwhile: only syscalls and the runtime change
 * them, and both are reached through exits). A span that fails makes the leader leave for the slow path
 * before its own instruction, as a failing check of its own would; the runtime then executes from there
 * one instruction at a time, checking each access itself. Within a block every unconditional access runs
 * once the block starts (unless an earlier instruction leaves), so there a failing span means some member
 * would have failed its own check too — the span's first and last bytes belong to members, and a span of
 * at most a page lies in at most two pages; members in later blocks may not run, so for them a failing
 * span may cost a needless trip through the runtime, never a wrong result. Conditional stores
 * (store-conditional) stay checked on their own.
 *
 * A group that contains a store checks the write bits; the page map grants fast writes only to pages
 * that are also readable (runtime/memory), so the loads of a mixed group are covered too.
 */
import type { Block, Op, Temp } from "../ir/ir.ts";
import { regionEntries, regionSuccessors, type Region } from "../ir/region.ts";
import { PAGE_FAST_READ, PAGE_FAST_WRITE, PAGE_SIZE } from "../../runtime/memory/memory.ts";

/**
 * How one access of a group is lowered: the leader (`covered` false) checks the span
 * [addr + lo, addr + lo + span) for `bit`; the others (`covered` true) are not checked.
 */
export interface AccessPlan { covered: boolean; lo: number; span: number; bit: number }

interface Value { root: string; off: number }
interface Group { key: string; lo: number; hi: number; store: boolean; members: { op: Op; off: number }[] }

/**
 * Plans a region's access groups; accesses absent from the result are checked on their own.
 *
 * Groups extend from a block into the blocks that only it leads to (one predecessor, not an entry of the
 * region: reached only after it ran), so one check also covers, say, `p->next` after a branch on
 * `p->value`. Such a member may not run (the path may go elsewhere): then a failing span check leaves for
 * the slow path where no access would have failed, which costs time but stays exact (the runtime runs the
 * instructions one by one).
 */
export function planAccessGroups(region: Region): Map<Op, AccessPlan> {
  const byPc = new Map(region.blocks.map((b) => [b.pc, b]));
  const preds = new Map<Block, Set<Block>>();
  for (const b of region.blocks) {
    for (const pc of regionSuccessors(b)) {
      const s = byPc.get(pc);
      if (s === undefined) continue;
      const set = preds.get(s) ?? new Set();
      set.add(b); preds.set(s, set);
    }
  }
  const entries = new Set(regionEntries(region));
  // the blocks that continue b's groups: reached only from b
  const followers = (b: Block): Block[] => [...new Set(regionSuccessors(b))].map((pc) => byPc.get(pc)).filter((s): s is Block =>
    s !== undefined && s !== b && !entries.has(s.pc) && preds.get(s)!.size === 1);
  const groups: Group[] = [];
  const visited = new Set<Block>();
  const isStart = (b: Block) => entries.has(b.pc) || preds.get(b)?.size !== 1 || preds.get(b)!.has(b);
  // a stack: the chains from the starts first (a follower right after its predecessor), then the blocks on
  // a cycle of single-predecessor blocks (unreachable from an entry), on their own
  const work: { b: Block; slots: Map<number, Value>; open: Group[] }[] = [];
  for (const b of region.blocks) if (!isStart(b)) work.push({ b, slots: new Map(), open: [] });
  for (const b of [...region.blocks].reverse()) if (isStart(b)) work.push({ b, slots: new Map(), open: [] });
  while (work.length > 0) {
    const { b, slots, open } = work.pop()!;
    if (visited.has(b)) continue;
    visited.add(b);
    const mine = planBlock(b, slots, open);
    groups.push(...mine);
    for (const f of followers(b)) if (!visited.has(f)) work.push({ b: f, slots: new Map(slots), open: [...open, ...mine] });
  }
  const plan = new Map<Op, AccessPlan>();
  for (const g of groups) {
    if (g.members.length < 2) continue;
    const [lead, ...rest] = g.members;
    const bit = g.store ? PAGE_FAST_WRITE : PAGE_FAST_READ;
    plan.set(lead!.op, { covered: false, lo: g.lo - lead!.off, span: g.hi - g.lo, bit });
    for (const r of rest) plan.set(r.op, { covered: true, lo: 0, span: 0, bit });
  }
  return plan;
}

/**
 * Adds block b's accesses to the groups `open` from the blocks before it, or to new groups (returned);
 * `slots` holds the registers' values (root plus constant) on entry and is updated to the block's end.
 * A root is a register's value on entry to the first block of the chain, or a temp that is not a constant
 * add; register writes carry values along (x1 = x1 + 8 keeps x1's root).
 */
function planBlock(b: Block, slots: Map<number, Value>, open: Group[]): Group[] {
  const defs = new Map<Temp, Op>();
  const values = new Map<Temp, Value>();
  const value = (t: Temp): Value => values.get(t) ?? { root: `t${b.pc}.${t}`, off: 0 };
  const mine: Group[] = [];
  const constant = (t: Temp): number | undefined => {
    const d = defs.get(t);
    if (d?.op !== "const") return undefined;
    const v = typeof d.value === "bigint" ? Number(BigInt.asIntN(64, d.value)) : d.value;
    return Number.isSafeInteger(v) && Math.abs(v) < 1 << 30 ? v : undefined;
  };
  const offset = (base: Value, c: number): Value | undefined =>
    Math.abs(base.off + c) < 1 << 30 ? { root: base.root, off: base.off + c } : undefined;
  for (const op of b.ops) {
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
    const fits = (x: Group) => x.key === root && Math.max(x.hi, end) - Math.min(x.lo, off) <= PAGE_SIZE;
    let g = open.find(fits) ?? mine.find(fits);
    if (g === undefined) { g = { key: root, lo: off, hi: end, store: false, members: [] }; mine.push(g); }
    g.lo = Math.min(g.lo, off); g.hi = Math.max(g.hi, end);
    g.store ||= op.op === "store";
    g.members.push({ op, off });
  }
  return mine;
}
