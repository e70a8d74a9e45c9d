/**
 * The execution tiers the conformance suite runs in. Adding a tier is implementing {@link ConformanceTier}:
 * given a guest, a memory holding the code and a CPU state, return something that runs guest code
 * until a syscall, fence.i, trap or budget stop (the interface every tier of the runtime already has).
 */
import type { Guest } from "../translator/guests/guest.ts";
import type { GuestMemory } from "../runtime/memory/memory.ts";
import type { CpuState } from "../runtime/state.ts";
import { Interpreter, type InterpreterOptions, type Stop } from "../runtime/interp/interpreter.ts";
import { InterpreterTier, type ExecutionTier, type ProgramLoader, type TierParts } from "../runtime/process/process.ts";
import { aotProcessParts, compileAotModule } from "../runtime/aot/load.ts";
import { translateCached } from "../translator/aot/testcache.ts";
import { liftBlock, memoryCodeReader } from "../runtime/interp/lift.ts";
import { DynamicExecutor } from "../runtime/jit/dynamic.ts";
import { DynamicTier } from "../runtime/jit/tier.ts";
import { compileRegions } from "../translator/codegen/module.ts";
import type { Region } from "../translator/codegen/lower.ts";
import type { Block } from "../translator/ir/ir.ts";

/** Runs guest code from `pc` for at most about `budget` instructions. */
export interface TierMachine {
  run(pc: number, budget: number): Stop;
  /** Re-establishes what a fence.i dropped (an ahead-of-time tier reinstalls its module); optional. */
  restore?(): Promise<void>;
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
  /**
   * How a whole program runs in a tier that first translates it (ahead of time): resolves to the
   * GuestProcess loader, tier builder and the step that installs the translated code once the process
   * exists (runtime/aot/load.ts aotProcessParts). Used instead of `process` when present.
   */
  readonly translatedProcess?: (binary: Uint8Array, name: string) => Promise<{
    load: ProgramLoader; tier: (p: TierParts) => ExecutionTier; install: () => Promise<void>;
  }>;
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

/**
 * Dynamic translation with threshold 0: every block is translated to Wasm the first time it is entered.
 * `optimize`: the binaryen optimisation level of the translations (compileRegions' default: 2).
 */
const dynamicTier = (optimize?: number): ConformanceTier => ({
  name: "dynamic",
  create: (guest, mem, state) => {
    const interp = new Interpreter(guest, mem, state);
    const dyn = new DynamicExecutor(guest, mem, state, interp, (regions) => compileRegions(guest.state, regions, { optimize }), { threshold: 0 });
    return Promise.resolve(dyn);
  },
  // programs run with the default threshold: hot code is translated, cold code interpreted
  process: {
    interpreter: {},
    tier: (parts) => new DynamicTier(parts, (layout, regions) => compileRegions(layout, regions, { optimize })),
  },
});

/**
 * Ahead-of-time translation: the code at every entry is lifted and compiled into one module before any
 * run, installed as translated programs are (DynamicExecutor.installModule); nothing is translated at
 * run time, so a case the module does not cover would run in the interpreter and is reported as such.
 */
const aotTier = (optimize?: number): ConformanceTier => ({
  name: "aot",
  // programs: the whole ELF translated as `isa2wasm translate` does (at -O0, cached: the level does not
  // change behaviour), run without a run-time compiler (missed code in the interpreter)
  translatedProcess: async (binary, name) => aotProcessParts(await compileAotModule(translateCached(binary, name))),
  create: async (guest, mem, state, entries) => {
    const reader = memoryCodeReader(mem, guest.endian);
    const lift = (pc: number): Block => liftBlock(guest, reader, pc, 64);
    // a region per entry, and per other reachable pc (landing pads, targets of indirect jumps), each with the
    // blocks its direct jumps and branches reach between the entry and the last landing pad
    const regions = new Map<number, Region>();
    for (const e of entries) {
      const end = Math.max(e.pc, ...e.reachable);
      for (const start of [e.pc, ...e.reachable]) {
        if (regions.has(start)) continue;
        const blocks = new Map<number, Block>();
        const work = [start];
        while (work.length > 0) {
          const pc = work.pop()!;
          if (blocks.has(pc) || pc < e.pc && !e.reachable.includes(pc) || pc > end) continue;
          const b = lift(pc);
          blocks.set(pc, b);
          const x = b.exit;
          work.push(...(x.kind === "jump" || x.kind === "call" ? [x.target] : x.kind === "branch" ? [x.taken, x.fallthrough] : []));
        }
        regions.set(start, { entry: start, blocks: [...blocks.values()] });
      }
    }
    const batch = compileRegions(guest.state, [...regions.values()], { optimize });
    if (batch.rejected.length > 0) {
      throw new Error(`aot: ${batch.rejected.length} regions rejected, first at 0x${batch.rejected[0]!.entry.toString(16)}: ${batch.rejected[0]!.reason}`);
    }
    const interp = new Interpreter(guest, mem, state);
    const dyn = new DynamicExecutor(guest, mem, state, interp, undefined);
    const module = await WebAssembly.compile(batch.binary as Uint8Array<ArrayBuffer>);
    const code = [...regions.values()].flatMap((r) => r.blocks.map((b) => ({ start: b.pc, end: b.end })));
    await dyn.installModule(module, batch.regions, code);
    // fence.i drops all translations (as it must): code after it legitimately runs in the interpreter until
    // the module is installed again (restore, before the next case)
    let afterFence = false;
    return {
      run(pc: number, budget: number): Stop {
        const before = interp.instructions;
        const stop = dyn.run(pc, budget);
        if (interp.instructions !== before && !afterFence) throw new Error(`aot: code at 0x${pc.toString(16)} ran in the interpreter`);
        if (stop.kind === "fence.i") afterFence = true;
        return stop;
      },
      async restore(): Promise<void> {
        await dyn.installModule(module, batch.regions, code);
        afterFence = false;
      },
    };
  },
});

/** Every tier, by name (translating tiers at compileRegions' default optimisation level). */
export const TIERS: Record<string, ConformanceTier> = {
  "interp-compile": interpreterTier("compile"),
  "interp-evaluate": interpreterTier("evaluate"),
  dynamic: dynamicTier(),
  aot: aotTier(),
};

/**
 * Tiers selected by a command-line tier choice: interp (both executors), dynamic, aot, all, or a
 * comma-separated list of these. `optimize`: binaryen optimisation level of the translating tiers.
 */
export function tiersFor(choice: string, optimize?: number): ConformanceTier[] {
  const tiers: Record<string, ConformanceTier> = optimize === undefined ? TIERS : { ...TIERS, dynamic: dynamicTier(optimize), aot: aotTier(optimize) };
  const out: ConformanceTier[] = [];
  for (const c of choice.split(",")) {
    if (c === "interp") out.push(tiers["interp-compile"]!, tiers["interp-evaluate"]!);
    else if (c === "all") out.push(...Object.values(tiers));
    else {
      const t = tiers[c];
      if (t === undefined) throw new Error(`unknown tier '${c}' (interp, interp-compile, interp-evaluate, dynamic, aot, all)`);
      out.push(t);
    }
  }
  return [...new Set(out)];
}
