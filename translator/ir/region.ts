/**
 * Regions: the unit of translation to one Wasm function. Shared by the code generator (codegen/lower.ts),
 * ahead-of-time discovery (aot/discover.ts) and the dynamic tier's region former, without binaryen.
 */
import type { Block } from "./ir.ts";

/**
 * A region to compile: its entry pc and blocks (blocks[0] is the entry). `entries` lists further pcs of
 * its blocks where execution may enter it (return sites, loop heads and other entries of a whole-function
 * region); each entry pc gets its own exported function.
 */
export interface Region { entry: number; blocks: Block[]; entries?: number[] }

/** The entry pcs of a region, the main entry first. */
export function regionEntries(region: Region): number[] {
  return [region.entry, ...(region.entries ?? []).filter((pc) => pc !== region.entry)];
}

/** Successors of block `b` inside a region (known indirect targets included). */
export function regionSuccessors(b: Block): number[] {
  const x = b.exit;
  return x.kind === "jump" || x.kind === "call" ? [x.target] : x.kind === "branch" ? [x.taken, x.fallthrough]
    : x.kind === "indirect" ? x.targets ?? [] : [];
}

/**
 * Where control goes from block `b` inside a region whose blocks `inRegion` tells: a call (direct or
 * indirect) whose return site is in the region continues there after the callee returns (codegen calls
 * the callee's region as a Wasm function); a direct call whose target is in the region too may instead
 * branch there (codegen does when the target is no region entry it can call), so both count; other exits
 * as {@link regionSuccessors}.
 */
export function flowSuccessors(b: Block, inRegion: (pc: number) => boolean): number[] {
  const x = b.exit;
  if ((x.kind === "call" || (x.kind === "indirect" && x.hint === "call")) && x.ret !== undefined && inRegion(x.ret)) {
    return x.kind === "call" && inRegion(x.target) ? [x.target, x.ret] : [x.ret];
  }
  return regionSuccessors(b);
}

/**
 * The blocks of a region that check the instruction budget when entered from inside the region, and so the
 * only pcs (besides real exits) where a region leaves before its work is done: the loop heads, i.e. the
 * targets of the back edges of a depth-first search from the region's entries (then from any block not
 * reached yet, in pc order). Every cycle of the region's graph holds a back edge, so every loop checks the
 * budget once per iteration. Ahead-of-time regions make every loop head an entry (aot/discover.ts
 * functionRegions), so translated code leaving at one is re-entered there.
 */
export function loopHeads(region: Region): number[] {
  const byPc = new Map(region.blocks.map((b) => [b.pc, b]));
  const inRegion = (pc: number) => byPc.has(pc);
  const succ = (b: Block): number[] => flowSuccessors(b, inRegion).filter(inRegion);
  const state = new Map<number, 1 | 2>();
  const heads = new Set<number>();
  const roots = [...regionEntries(region), ...region.blocks.map((b) => b.pc).sort((a, b) => a - b)];
  for (const root of roots) {
    if (state.has(root) || !inRegion(root)) continue;
    state.set(root, 1);
    const stack: Array<{ pc: number; next: number[] }> = [{ pc: root, next: succ(byPc.get(root)!).reverse() }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const s = top.next.pop();
      if (s === undefined) { state.set(top.pc, 2); stack.pop(); continue; }
      const st = state.get(s);
      if (st === 1) heads.add(s);
      else if (st === undefined) { state.set(s, 1); stack.push({ pc: s, next: succ(byPc.get(s)!).reverse() }); }
    }
  }
  return [...heads].sort((a, b) => a - b);
}

/**
 * Whether the graph of `blocks` reachable from `entry` (through {@link flowSuccessors}) is reducible: every
 * edge back to a block on the current search path goes to a block that dominates its source, i.e. every
 * loop is entered only at its head. binaryen's Relooper needs a label dispatch for other graphs (and
 * rejects some of those when blocks leave through a branch to an outer label, as exits do here).
 */
export function isReducible(blocks: Block[], entry: number): boolean {
  const byPc = new Map(blocks.map((b) => [b.pc, b]));
  const has = (pc: number) => byPc.has(pc);
  const succ = (pc: number) => flowSuccessors(byPc.get(pc)!, has).filter(has);
  // depth-first search: reverse postorder, and the edges to blocks on the search path
  const order: number[] = [];
  const state = new Map<number, 1 | 2>([[entry, 1]]);
  const retreating: Array<[number, number]> = [];
  const stack: Array<{ pc: number; next: number[] }> = [{ pc: entry, next: succ(entry).reverse() }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const s = top.next.pop();
    if (s === undefined) { state.set(top.pc, 2); order.push(top.pc); stack.pop(); continue; }
    const st = state.get(s);
    if (st === 1) retreating.push([top.pc, s]);
    else if (st === undefined) { state.set(s, 1); stack.push({ pc: s, next: succ(s).reverse() }); }
  }
  if (retreating.length === 0) return true;
  order.reverse();
  const rpo = new Map(order.map((pc, i) => [pc, i]));
  const preds = new Map<number, number[]>();
  for (const pc of order) for (const t of succ(pc)) preds.set(t, [...(preds.get(t) ?? []), pc]);
  // immediate dominators (Cooper, Harvey and Kennedy's iteration over reverse postorder)
  const idom = new Map<number, number>([[entry, entry]]);
  const intersect = (a: number, b: number): number => {
    while (a !== b) {
      while (rpo.get(a)! > rpo.get(b)!) a = idom.get(a)!;
      while (rpo.get(b)! > rpo.get(a)!) b = idom.get(b)!;
    }
    return a;
  };
  for (let changed = true; changed;) {
    changed = false;
    for (const pc of order.slice(1)) {
      let d: number | undefined;
      for (const p of preds.get(pc) ?? []) if (idom.has(p)) d = d === undefined ? p : intersect(p, d);
      if (d !== undefined && idom.get(pc) !== d) { idom.set(pc, d); changed = true; }
    }
  }
  const dominates = (a: number, b: number): boolean => {
    for (let x = b; ; x = idom.get(x)!) { if (x === a) return true; if (x === entry) return false; }
  };
  return retreating.every(([from, head]) => dominates(head, from));
}

/**
 * The blocks of `blocks` reachable from `entry` through jumps, branches, known indirect targets and calls
 * returning into `blocks` ({@link flowSuccessors}), `entry` first.
 */
export function reachableBlocks(blocks: Block[], entry: number): Block[] {
  const byPc = new Map(blocks.map((b) => [b.pc, b]));
  const has = (pc: number) => byPc.has(pc);
  const out: Block[] = [];
  const seen = new Set<number>([entry]);
  const work = [entry];
  for (let i = 0; i < work.length; i++) {
    const b = byPc.get(work[i]!);
    if (!b) continue;
    out.push(b);
    for (const s of flowSuccessors(b, has)) if (!seen.has(s) && byPc.has(s)) { seen.add(s); work.push(s); }
  }
  return out;
}

/** Limits of {@link separateNestedEntries}: blocks one copy may hold, and copied blocks per block of the region. */
const NESTED_COPY_MAX_BLOCKS = 600;
const NESTED_COPY_MAX_FACTOR = 3;

/**
 * A region whose loop is entered at two of its entries (an inner loop head or a return site inside an outer
 * loop, both entries of an ahead-of-time region) makes the Relooper dispatch on a label inside that loop, on
 * every iteration. This splits such entries off: of the entries on a common cycle, the one the search from
 * the main entry meets first (the outer loop head) stays; each other one becomes a single-entry region of its
 * own, a copy of the blocks reachable from it (its loops are then natural loops again). Copies are limited in
 * size (NESTED_COPY_MAX_BLOCKS, NESTED_COPY_MAX_FACTOR times the region in total); an entry past the limits
 * stays an entry of the region.
 */
export function separateNestedEntries(region: Region): Region[] {
  const entries = regionEntries(region);
  if (entries.length < 2) return [region];
  const reach = new Map(entries.map((e) => [e, reachableBlocks(region.blocks, e)]));
  const reachSet = new Map([...reach].map(([e, bs]) => [e, new Set(bs.map((b) => b.pc))]));
  // preorder of a search from the main entry, then from the other entries in order
  const order = new Map<number, number>();
  for (const e of entries) for (const b of reach.get(e)!) if (!order.has(b.pc)) order.set(b.pc, order.size);
  const split: Region[] = [];
  const kept: number[] = [];
  let budget = NESTED_COPY_MAX_FACTOR * region.blocks.length;
  for (const e of entries.slice(1)) {
    const nested = entries.some((f) => f !== e && order.get(f)! < order.get(e)! && reachSet.get(f)!.has(e) && reachSet.get(e)!.has(f));
    const blocks = reach.get(e)!;
    if (nested && blocks.length <= NESTED_COPY_MAX_BLOCKS && blocks.length <= budget) {
      budget -= blocks.length;
      split.push({ entry: e, blocks });
    } else kept.push(e);
  }
  if (split.length === 0) return [region];
  return [{ ...region, entries: kept }, ...split];
}
