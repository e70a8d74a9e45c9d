/**
 * Static code discovery for ahead-of-time translation: recursive traversal of guest code from known entry
 * points, then partition of the blocks found into functions (the regions of the AOT module).
 *
 * Roots come from the caller (translate.ts): the ELF entry point, function symbols, init/fini arrays and
 * plausible code pointers found in data (jump tables are arrays of such pointers). From each root the
 * traversal follows direct jumps, branches and calls, the return site after every call, and the
 * continuation after every syscall. Code that is only reached through pointers the scan cannot see stays
 * with the runtime's interpreter fallback (and dynamic translation).
 */
import type { Block } from "../ir/ir.ts";
import type { CodeReader, Guest } from "../guests/guest.ts";
import { liftBlock } from "../../runtime/interp/lift.ts";

/** Why a pc is a root. */
export type RootKind = "entry" | "symbol" | "init" | "pointer";

/** A function of the AOT module: blocks reached from `entry` without calls, and the pcs where it can be entered. */
export interface DiscoveredFunction {
  entry: number;
  blocks: Block[];
  /** pcs inside the function where execution can enter from outside: return sites, syscall continuations, pointer targets, targets of other functions' jumps */
  entries: number[];
}

/** The result of {@link discover}. */
export interface Discovery {
  functions: DiscoveredFunction[];
  blocks: number;
  instructions: number;
  /** roots that could not be lifted (not executable, or the first instruction is illegal) */
  rejectedRoots: number;
}

/** Options of {@link discover}. */
export interface DiscoveryOptions {
  /** most instructions in one block (default 512) */
  maxBlockInsns?: number;
  /** called now and then with the number of blocks found so far (progress display) */
  progress?: (blocks: number) => void;
  /**
   * reads a signed 32-bit word of guest data (undefined where nothing is mapped): enables the recovery of
   * jump tables of table-relative entries (see {@link jumpTableTargets})
   */
  readData32?: (addr: number) => number | undefined;
}

/**
 * Discovers the code reachable from `roots`. `executable(pc)` says whether pc lies in executable guest
 * memory (the reader faults elsewhere). Deterministic: the same input gives the same functions in the same
 * order.
 */
export function discover(
  guest: Guest,
  reader: CodeReader,
  roots: Array<{ pc: number; kind: RootKind }>,
  executable: (pc: number) => boolean,
  opts: DiscoveryOptions = {},
): Discovery {
  const maxInsns = opts.maxBlockInsns ?? 512;
  // Phase 1: find every block start (leader) and every pc that can be entered from outside a function.
  const leaders = new Set<number>();
  const functionEntries = new Set<number>();
  const externalEntries = new Set<number>();
  const work: number[] = [];
  let rejectedRoots = 0;
  const push = (pc: number) => {
    if (!leaders.has(pc) && executable(pc)) { leaders.add(pc); work.push(pc); }
  };
  for (const r of [...roots].sort((a, b) => a.pc - b.pc)) {
    if (!executable(r.pc) || !liftable(guest, reader, r.pc)) { rejectedRoots++; continue; }
    if (r.kind !== "pointer") functionEntries.add(r.pc);
    externalEntries.add(r.pc);
    push(r.pc);
  }
  let lifted = 0;
  while (work.length > 0) {
    const pc = work.pop()!;
    const b = liftBlock(guest, reader, pc, maxInsns);
    if (++lifted % 2048 === 0) opts.progress?.(lifted);
    for (const s of successors(b)) {
      if (s.kind === "call") functionEntries.add(s.pc);
      if (s.kind === "resume") externalEntries.add(s.pc);
      push(s.pc);
    }
    const constants = addressConstants(guest, reader, b);
    for (const c of constants.addresses) {
      // a code address computed in code (`lla a0, main` in _start, function pointers, far calls)
      if (c % 2 === 0 && executable(c) && !leaders.has(c) && liftable(guest, reader, c)) { externalEntries.add(c); push(c); }
    }
    if (b.exit.kind === "indirect" && b.exit.ret === undefined && opts.readData32 && constants.loads32) {
      for (const t of jumpTableTargets(constants.addresses, b, executable, opts.readData32)) {
        if (!leaders.has(t) && liftable(guest, reader, t)) { externalEntries.add(t); push(t); }
      }
    }
  }
  // Phase 2: lift each leader as a block that ends before the next leader (no overlapping blocks).
  const isLeader = (pc: number) => leaders.has(pc);
  const blocks = new Map<number, Block>();
  for (const pc of [...leaders].sort((a, b) => a - b)) blocks.set(pc, liftBlock(guest, reader, pc, maxInsns, isLeader));
  // Phase 3: functions own the blocks reachable from their entry without calls (first owner wins).
  const owner = new Map<number, number>();
  const functions: DiscoveredFunction[] = [];
  const ordered = [...functionEntries].sort((a, b) => a - b);
  for (const entry of ordered) {
    if (owner.has(entry)) continue;
    const fn: DiscoveredFunction = { entry, blocks: [], entries: [] };
    const stack = [entry];
    owner.set(entry, entry);
    while (stack.length > 0) {
      const pc = stack.pop()!;
      const b = blocks.get(pc);
      if (!b) continue;
      fn.blocks.push(b);
      for (const s of successors(b)) {
        if (s.kind === "call" || owner.has(s.pc) || !blocks.has(s.pc)) continue;
        owner.set(s.pc, entry);
        stack.push(s.pc);
      }
    }
    functions.push(fn);
  }
  // Leaders not reached from any function entry (e.g. pointer targets) start functions of their own.
  for (const pc of [...blocks.keys()].sort((a, b) => a - b)) {
    if (owner.has(pc)) continue;
    const fn: DiscoveredFunction = { entry: pc, blocks: [], entries: [] };
    const stack = [pc];
    owner.set(pc, pc);
    while (stack.length > 0) {
      const at = stack.pop()!;
      const b = blocks.get(at)!;
      fn.blocks.push(b);
      for (const s of successors(b)) {
        if (s.kind === "call" || owner.has(s.pc) || !blocks.has(s.pc)) continue;
        owner.set(s.pc, pc);
        stack.push(s.pc);
      }
    }
    functions.push(fn);
  }
  // Entries: external entries, call targets inside another function (a function reached first through a
  // tail call: stripped programs have no symbol to make it a function of its own first), and blocks another
  // function jumps or branches to.
  const byEntry = new Map(functions.map((f) => [f.entry, f]));
  const addEntry = (pc: number) => {
    const f = byEntry.get(owner.get(pc)!);
    if (f && pc !== f.entry && !f.entries.includes(pc)) f.entries.push(pc);
  };
  for (const pc of externalEntries) if (owner.has(pc)) addEntry(pc);
  for (const pc of functionEntries) if (owner.has(pc)) addEntry(pc);
  for (const f of functions) {
    for (const b of f.blocks) for (const s of successors(b)) {
      if (s.kind !== "call" && owner.has(s.pc) && owner.get(s.pc) !== f.entry) addEntry(s.pc);
    }
  }
  let instructions = 0;
  for (const f of functions) {
    f.blocks.sort((a, b) => (a.pc === f.entry ? -1 : b.pc === f.entry ? 1 : a.pc - b.pc));
    f.entries.sort((a, b) => a - b);
    for (const b of f.blocks) instructions += b.ninsns;
  }
  return { functions, blocks: blocks.size, instructions, rejectedRoots };
}

/** A single-entry region of a function: `blocks[0]` is the block at `entry`. */
export interface SingleEntryRegion { entry: number; blocks: Block[] }

/**
 * Splits a function into single-entry regions. Every pc where the function can be entered (its start and
 * {@link DiscoveredFunction.entries}) starts a region holding the blocks reachable from it through jumps and
 * branches without passing another entry; a block reachable from two regions (a join after a return site)
 * becomes an entry itself, until every block has one owner; so does the head of every loop that is not
 * its region's entry, so that each loop is entered at its region's entry. Loops without calls stay inside one region;
 * each region is one Wasm function, which keeps structuring (the Relooper) linear in practice and the code
 * free of duplicated blocks.
 */
export function singleEntryRegions(fn: DiscoveredFunction): SingleEntryRegion[] {
  const byPc = new Map(fn.blocks.map((b) => [b.pc, b]));
  const entries = new Set([fn.entry, ...fn.entries].filter((pc) => byPc.has(pc)));
  const local = (b: Block): number[] => {
    const x = b.exit;
    return x.kind === "jump" ? [x.target] : x.kind === "branch" ? [x.taken, x.fallthrough] : [];
  };
  for (;;) {
    const owner = new Map<number, number>();
    const joins = new Set<number>();
    for (const e of [...entries].sort((a, b) => a - b)) {
      owner.set(e, e);
      const stack = [e];
      while (stack.length > 0) {
        for (const s of local(byPc.get(stack.pop()!)!)) {
          if (!byPc.has(s) || entries.has(s)) continue;
          const o = owner.get(s);
          if (o === undefined) { owner.set(s, e); stack.push(s); } else if (o !== e) joins.add(s);
        }
      }
    }
    if (joins.size > 0) { for (const j of joins) entries.add(j); continue; }
    // Loop heads become entries too: translated code leaves a loop at its head when its instruction budget
    // runs out, and the runtime can resume translated code only at an entry (elsewhere the interpreter
    // would run the rest of the loop). Once every loop of a region passes through its entry, the lowering
    // checks the budget only there (translator/codegen/lower.ts loopHeads; resume.test.ts).
    const heads = new Set<number>();
    for (const e of entries) {
      const state = new Map<number, 1 | 2>([[e, 1]]);
      const stack: Array<{ pc: number; next: number[] }> = [{ pc: e, next: local(byPc.get(e)!) }];
      while (stack.length > 0) {
        const top = stack[stack.length - 1]!;
        const s = top.next.pop();
        if (s === undefined) { state.set(top.pc, 2); stack.pop(); continue; }
        if (owner.get(s) !== e || entries.has(s) && s !== e) continue;
        const st = state.get(s);
        if (st === 1) { if (s !== e) heads.add(s); continue; }
        if (st === 2) continue;
        state.set(s, 1);
        stack.push({ pc: s, next: local(byPc.get(s)!) });
      }
    }
    if (heads.size > 0) { for (const h of heads) entries.add(h); continue; }
    const regions = new Map<number, SingleEntryRegion>();
    for (const e of [...entries].sort((a, b) => a - b)) regions.set(e, { entry: e, blocks: [byPc.get(e)!] });
    for (const b of [...fn.blocks].sort((a, b) => a.pc - b.pc)) {
      const o = owner.get(b.pc);
      if (o !== undefined && o !== b.pc) regions.get(o)!.blocks.push(b);
    }
    return [...regions.values()];
  }
}

/**
 * Addresses a block computes from constants: RISC-V `auipc rd, hi` or `lui rd, hi` followed (not
 * necessarily at once) by `addi rd2, rd, lo` or `jalr rd2, lo(rd)`; and whether it loads a 32-bit word.
 */
export function addressConstants(guest: Guest, reader: CodeReader, b: Block): { addresses: number[]; loads32: boolean } {
  const addresses = new Set<number>();
  const hi = new Map<number, number>();
  let loads32 = false;
  for (let pc = b.pc; pc < b.end;) {
    let d;
    try { d = guest.decode(reader, pc); } catch { break; }
    if (!d) break;
    const f = d.f;
    if (d.op === "lw") loads32 = true;
    if (d.op === "auipc") hi.set(f.rd!, pc + f.imm!);
    else if (d.op === "lui") hi.set(f.rd!, f.imm!);
    else if ((d.op === "addi" || d.op === "jalr") && hi.has(f.rs1!)) {
      addresses.add(hi.get(f.rs1!)! + f.imm!);
      if (f.rd !== f.rs1) { if (f.rd !== undefined) hi.delete(f.rd); } else hi.delete(f.rs1!);
    } else if (f.rd !== undefined) hi.delete(f.rd);
    pc += d.size;
  }
  hi.delete(0);
  return { addresses: [...addresses].filter((a) => a > 0), loads32 };
}

/**
 * Targets of a jump table used by a block that ends in an indirect jump after loading a 32-bit word: a
 * table address T the block computed ({@link addressConstants}; GCC's switch tables and glibc's computed
 * gotos) holds 32-bit offsets from T (rodata often shares the executable segment, so T's permissions say
 * nothing). Entries are read while T + entry is executable code near the jump (within 64 KiB) and at most
 * 1024; a guess that reads past the table's end yields a few extra roots that are still code, which costs
 * only their translation.
 */
export function jumpTableTargets(
  tables: number[], b: Block, executable: (pc: number) => boolean, read32: (addr: number) => number | undefined,
): number[] {
  const out: number[] = [];
  for (const t of tables) {
    for (let i = 0; i < 1024; i++) {
      const e = read32(t + 4 * i);
      if (e === undefined) break;
      const target = t + e;
      if (target % 2 !== 0 || !executable(target) || Math.abs(target - b.pc) > 0x10000) break;
      out.push(target);
    }
  }
  return out;
}

/** True when the instruction at pc decodes (a root that is garbage is not worth translating). */
function liftable(guest: Guest, reader: CodeReader, pc: number): boolean {
  try { return guest.decode(reader, pc) !== undefined; } catch { return false; }
}

/**
 * Successors of a block: `intra` edges stay in the function, `call` targets start functions, `resume`
 * pcs are where the runtime resumes translated code (after a call returns, after a syscall).
 */
function successors(b: Block): Array<{ pc: number; kind: "intra" | "call" | "resume" }> {
  const x = b.exit;
  switch (x.kind) {
    case "jump": return [{ pc: x.target, kind: "intra" }];
    case "branch": return [{ pc: x.taken, kind: "intra" }, { pc: x.fallthrough, kind: "intra" }];
    case "call": return [{ pc: x.target, kind: "call" }, { pc: x.ret, kind: "resume" }, { pc: x.ret, kind: "intra" }];
    case "indirect": return x.ret !== undefined ? [{ pc: x.ret, kind: "resume" }, { pc: x.ret, kind: "intra" }] : [];
    case "runtime": return [{ pc: x.next, kind: "resume" }, { pc: x.next, kind: "intra" }];
    case "trap": return [];
  }
}

/**
 * Plausible code pointers in a data image: every aligned `wordBytes`-wide word (guest byte order) whose
 * value lies in executable memory at an instruction-aligned address (`align`).
 */
export function scanCodePointers(
  data: Uint8Array,
  wordBytes: 4 | 8,
  endian: "le" | "be",
  align: number,
  executable: (pc: number) => boolean,
): number[] {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const found = new Set<number>();
  for (let off = 0; off + wordBytes <= data.length; off += wordBytes) {
    const v = wordBytes === 8 ? Number(dv.getBigUint64(off, endian === "le")) : dv.getUint32(off, endian === "le");
    if (v % align === 0 && executable(v)) found.add(v);
  }
  // 32-bit entries inside 64-bit data (RISC-V jump tables hold .word entries)
  if (wordBytes === 8) for (const v of scanCodePointers(data, 4, endian, align, executable)) found.add(v);
  return [...found].sort((a, b) => a - b);
}
