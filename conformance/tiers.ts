/**
 * The execution tiers the conformance suite runs in. Adding a tier is implementing {@link ConformanceTier}:
 * given a guest, a memory holding the code and a CPU state, return something that runs guest code
 * until a syscall, fence.i, trap or budget stop (the interface every tier of the runtime already has).
 */
import type { Guest } from "../translator/guests/guest.ts";
import type { GuestMemory } from "../runtime/memory/memory.ts";
import type { CpuState } from "../runtime/state.ts";
import { Interpreter, type InterpreterOptions, type Stop } from "../runtime/interp/interpreter.ts";
import { InterpreterTier, type ExecutionTier, type TierParts } from "../runtime/process/process.ts";
import { liftBlock, memoryCodeReader } from "../runtime/interp/lift.ts";
import { DynamicExecutor } from "../runtime/jit/dynamic.ts";
import { DynamicTier } from "../runtime/jit/tier.ts";
import { compileRegions } from "../translator/codegen/module.ts";
import type { Region } from "../translator/codegen/lower.ts";
import type { Block } from "../translator/ir/ir.ts";

/** Runs guest code from `pc` for at most about `budget` instructions. */
export interface TierMachine {
  run(pc: number, budget: number): Stop;
}

/** Where runs start, and the other blocks they may reach. */
export interface TierEntry { pc: number; reachable: number[] }

/** An execution tier under test. */
export interface ConformanceTier {
  /** name in reports: interp-compile, interp-evaluate, dynamic, aot */
  readonly name: string;
  /**
   * A machine over `mem`/`state`, which already hold the code. `entries` are the pcs runs will start at,
   * each with the pcs of the other blocks a run from it may reach (an ahead-of-time tier translates them
   * before the first run).
   */
  create(guest: Guest, mem: GuestMemory, state: CpuState, entries: TierEntry[]): Promise<TierMachine>;
  /**
   * How a whole process runs in this tier (runtime/process GuestProcess options); undefined when the tier
   * cannot run whole programs yet.
   */
  readonly process?: { interpreter: InterpreterOptions; tier: (p: TierParts) => ExecutionTier };
}

export type { TierParts };

/** The interpreter with one block executor; "compile" compiles every block before its first run. */
function interpreterTier(executor: "compile" | "evaluate"): ConformanceTier {
  return {
    name: `interp-${executor}`,
    create: (guest, mem, state) => {
      const interp = new Interpreter(guest, mem, state, { executor, compileThreshold: executor === "compile" ? 0 : undefined });
      return Promise.resolve(interp);
    },
    // programs run with the production compile threshold: blocks start evaluated, hot ones are compiled
    process: { interpreter: { executor }, tier: ({ interp }) => new InterpreterTier(interp) },
  };
}

/** Dynamic translation with threshold 0: every block is translated to Wasm the first time it is entered. */
const dynamicTier: ConformanceTier = {
  name: "dynamic",
  create: (guest, mem, state) => {
    const interp = new Interpreter(guest, mem, state);
    const dyn = new DynamicExecutor(guest, mem, state, interp, (regions) => compileRegions(guest.state, regions), { threshold: 0 });
    return Promise.resolve(dyn);
  },
  // programs run with the default threshold: hot code is translated, cold code interpreted
  process: {
    interpreter: {},
    tier: (parts) => new DynamicTier(parts, compileRegions),
  },
};

/**
 * Ahead-of-time translation: the code at every entry is lifted and compiled into one module before any
 * run, installed as translated programs are (DynamicExecutor.installModule); nothing is translated at
 * run time, so a case the module does not cover would run in the interpreter and is reported as such.
 */
const aotTier: ConformanceTier = {
  name: "aot",
  create: async (guest, mem, state, entries) => {
    const reader = memoryCodeReader(mem, guest.endian);
    const lift = (pc: number): Block => liftBlock(guest, reader, pc, 64);
    // a region per entry with the blocks its direct branches reach; every other reachable block (targets of
    // indirect jumps) is an entry of its own
    const regions = new Map<number, Region>();
    for (const e of entries) {
      // blocks reached by direct jumps and branches between the entry and the last landing pad
      const end = Math.max(e.pc, ...e.reachable);
      const blocks = new Map<number, Block>();
      const work = [e.pc];
      while (work.length > 0) {
        const pc = work.pop()!;
        if (blocks.has(pc) || pc < e.pc && !e.reachable.includes(pc) || pc > end) continue;
        const b = lift(pc);
        blocks.set(pc, b);
        const x = b.exit;
        work.push(...(x.kind === "jump" || x.kind === "call" ? [x.target] : x.kind === "branch" ? [x.taken, x.fallthrough] : []));
      }
      regions.set(e.pc, { entry: e.pc, blocks: [...blocks.values()] });
      for (const pc of e.reachable) if (!regions.has(pc)) regions.set(pc, { entry: pc, blocks: [lift(pc)] });
    }
    const batch = compileRegions(guest.state, [...regions.values()]);
    if (batch.rejected.length > 0) {
      throw new Error(`aot: ${batch.rejected.length} regions rejected, first at 0x${batch.rejected[0]!.entry.toString(16)}: ${batch.rejected[0]!.reason}`);
    }
    const interp = new Interpreter(guest, mem, state);
    const dyn = new DynamicExecutor(guest, mem, state, interp, undefined);
    const module = await WebAssembly.compile(batch.binary as Uint8Array<ArrayBuffer>);
    const code = [...regions.values()].flatMap((r) => r.blocks.map((b) => ({ start: b.pc, end: b.end })));
    await dyn.installModule(module, batch.regions, code);
    // fence.i drops all translations (as it must): code after it legitimately runs in the interpreter
    let afterFence = false;
    return {
      run(pc: number, budget: number): Stop {
        const before = interp.instructions;
        const stop = dyn.run(pc, budget);
        if (interp.instructions !== before && !afterFence) throw new Error(`aot: code at 0x${pc.toString(16)} ran in the interpreter`);
        afterFence = stop.kind === "fence.i";
        return stop;
      },
    };
  },
};

/** Every tier, by name. */
export const TIERS: Record<string, ConformanceTier> = {
  "interp-compile": interpreterTier("compile"),
  "interp-evaluate": interpreterTier("evaluate"),
  dynamic: dynamicTier,
  aot: aotTier,
};

/** Tier names selected by a command-line tier choice: interp (both executors), dynamic, aot, all. */
export function tiersFor(choice: string): ConformanceTier[] {
  switch (choice) {
    case "interp": return [TIERS["interp-compile"]!, TIERS["interp-evaluate"]!];
    case "all": return Object.values(TIERS);
    default: {
      const t = TIERS[choice];
      if (t === undefined) throw new Error(`unknown tier '${choice}' (interp, interp-compile, interp-evaluate, dynamic, aot, all)`);
      return [t];
    }
  }
}
