/**
 * Region formation for the dynamic tier: starting from a hot block, collect the blocks reachable through
 * direct jumps and branches (not calls: a callee is its own region), so that loops close inside one Wasm
 * function. Bounded in blocks and instructions so compile time stays small.
 */
import type { Block } from "../../translator/ir/ir.ts";

/** Limits of one region. */
export interface RegionLimits { maxBlocks: number; maxInsns: number }

export const DEFAULT_REGION_LIMITS: RegionLimits = { maxBlocks: 64, maxInsns: 2000 };

/**
 * Collects the region entered at `entry`. `lift(pc)` returns the block at pc (or undefined when the pc
 * cannot be lifted, e.g. unmapped); `seen(pc)` says whether that block ever ran: cold successors that never
 * ran are left out, so rarely taken paths exit to the dispatcher instead of growing the region.
 * `observed(pc)` lists where the indirect jump ending the block at pc was seen to go (a switch through a
 * jump table, a computed goto): those targets join the region like branch successors, and the block's
 * exit (a copy) lists the ones inside it, so the backend can branch there without leaving.
 */
export function formRegion(
  entry: number,
  lift: (pc: number) => Block | undefined,
  seen: (pc: number) => boolean,
  limits: RegionLimits = DEFAULT_REGION_LIMITS,
  observed: (pc: number) => Iterable<number> | undefined = () => undefined,
): Block[] {
  const first = lift(entry);
  if (!first) return [];
  const blocks: Block[] = [first];
  const inRegion = new Set<number>([entry]);
  let insns = first.ninsns;
  for (let i = 0; i < blocks.length; i++) {
    const exit = blocks[i]!.exit;
    const succ = exit.kind === "jump" ? [exit.target]
      : exit.kind === "branch" ? [exit.taken, exit.fallthrough]
      : exit.kind === "indirect" && exit.hint === "jump" ? [...(observed(blocks[i]!.pc) ?? [])]
      : [];
    for (const pc of succ) {
      if (inRegion.has(pc) || !seen(pc) || blocks.length >= limits.maxBlocks) continue;
      const b = lift(pc);
      if (!b || insns + b.ninsns > limits.maxInsns) continue;
      inRegion.add(pc);
      blocks.push(b);
      insns += b.ninsns;
    }
  }
  return blocks.map((b) => {
    const x = b.exit;
    if (x.kind !== "indirect" || x.hint !== "jump") return b;
    const targets = [...(observed(b.pc) ?? [])].filter((pc) => inRegion.has(pc)).sort((p, q) => p - q);
    return targets.length === 0 ? b : { ...b, exit: { ...x, targets } };
  });
}
