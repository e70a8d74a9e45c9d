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
  const succ = (b: Block): number[] => regionSuccessors(b).filter(inRegion);
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

/** The blocks of `blocks` reachable from `entry` through jumps, branches and known indirect targets, `entry` first. */
export function reachableBlocks(blocks: Block[], entry: number): Block[] {
  const byPc = new Map(blocks.map((b) => [b.pc, b]));
  const out: Block[] = [];
  const seen = new Set<number>([entry]);
  const work = [entry];
  for (let i = 0; i < work.length; i++) {
    const b = byPc.get(work[i]!);
    if (!b) continue;
    out.push(b);
    for (const s of regionSuccessors(b)) if (!seen.has(s) && byPc.has(s)) { seen.add(s); work.push(s); }
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
