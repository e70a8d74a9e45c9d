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
