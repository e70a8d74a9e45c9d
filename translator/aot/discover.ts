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
import { flowSuccessors, isReducible, loopHeads, regionEntries, regionSuccessors, type Region } from "../ir/region.ts";
import type { CodeReader, Guest } from "../guests/guest.ts";
import { liftBlock } from "../../runtime/interp/lift.ts";

/** Most code addresses taken inside one function that its computed gotos may jump to (more: none known). */
const MAX_LABELS = 256;

/** Why a pc is a root. */
export type RootKind = "entry" | "symbol" | "init" | "pointer";

/** A function of the AOT module: blocks reached from `entry` without calls, and the pcs where it can be entered. */
export interface DiscoveredFunction {
  entry: number;
  blocks: Block[];
  /** pcs inside the function where execution can enter from outside: return sites, syscall continuations, pointer targets, targets of other functions' jumps */
  entries: number[];
  /** the entries where translated code resumes after a call returns or a syscall (return sites, continuations) */
  resumePoints: number[];
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
  /** code addresses found as values (in data, computed in code, in jump tables): possible indirect-jump targets */
  const addressTaken = new Set<number>();
  /** recovered jump-table targets of the indirect jump ending at each pc */
  const tableTargets = new Map<number, number[]>();
  /** return sites and syscall continuations */
  const resumes = new Set<number>();
  const work: number[] = [];
  let rejectedRoots = 0;
  const push = (pc: number) => {
    if (!leaders.has(pc) && executable(pc)) { leaders.add(pc); work.push(pc); }
  };
  const sorted = [...roots].sort((a, b) => a.pc - b.pc);
  for (const r of sorted) {
    if (r.kind === "pointer") continue;
    if (!executable(r.pc) || !liftable(guest, reader, r.pc)) { rejectedRoots++; continue; }
    functionEntries.add(r.pc);
    externalEntries.add(r.pc);
    push(r.pc);
  }
  let lifted = 0;
  /** [start, end) of every block lifted from the non-pointer roots */
  const known: Array<[number, number]> = [];
  traverse();
  // Then the code pointers found in data: a word that points inside straight-line code found from the
  // other roots is data that happens to look like an address (real targets of indirect jumps start code
  // that nothing falls into: functions, labels after a jump); taken, it would split a block and make an
  // entry in the middle of a loop.
  known.sort((a, b) => a[0] - b[0]);
  const insideKnown = (pc: number): boolean => {
    let lo = 0, hi = known.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (known[mid]![0] < pc) lo = mid + 1; else hi = mid; }
    // blocks starting before pc: those near the insertion point (blocks are at most maxInsns long)
    for (let i = lo - 1; i >= 0 && pc - known[i]![0] <= 4 * maxInsns; i--) if (pc < known[i]![1]) return true;
    return false;
  };
  for (const r of sorted) {
    if (r.kind !== "pointer") continue;
    if (!executable(r.pc) || !liftable(guest, reader, r.pc)) { rejectedRoots++; continue; }
    if (leaders.has(r.pc) ? false : insideKnown(r.pc)) continue;
    addressTaken.add(r.pc);
    externalEntries.add(r.pc);
    push(r.pc);
  }
  traverse();
  function traverse(): void {
  while (work.length > 0) {
    const pc = work.pop()!;
    const b = liftBlock(guest, reader, pc, maxInsns);
    known.push([b.pc, b.end]);
    if (++lifted % 2048 === 0) opts.progress?.(lifted);
    for (const s of successors(b)) {
      if (s.kind === "call") functionEntries.add(s.pc);
      if (s.kind === "resume") { externalEntries.add(s.pc); resumes.add(s.pc); }
      push(s.pc);
    }
    const constants = addressConstants(guest, reader, b);
    for (const c of constants.addresses) {
      // a code address computed in code (`lla a0, main` in _start, function pointers, far calls)
      if (c % 2 === 0 && executable(c) && liftable(guest, reader, c)) {
        addressTaken.add(c);
        if (!leaders.has(c)) { externalEntries.add(c); push(c); }
      }
    }
    if (b.exit.kind === "indirect" && b.exit.ret === undefined && opts.readData32 && constants.loads32) {
      const targets = jumpTableTargets(constants.addresses, b, executable, opts.readData32).filter((t) => liftable(guest, reader, t));
      if (targets.length > 0) tableTargets.set(b.end, targets);
      for (const t of targets) {
        addressTaken.add(t);
        if (!leaders.has(t)) { externalEntries.add(t); push(t); }
      }
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
    const fn: DiscoveredFunction = { entry, blocks: [], entries: [], resumePoints: [] };
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
    const fn: DiscoveredFunction = { entry: pc, blocks: [], entries: [], resumePoints: [] };
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
  // Phase 4: indirect jumps whose targets are known statically stay inside their function. A jump-table
  // dispatch (a switch) goes to its table's targets; any other indirect jump that is not a call or return
  // (a computed goto) to the code addresses taken inside the function's address range (its labels). Targets
  // that discovery could reach only through the table start functions of their own above: they join the
  // function of the jump. The lowering compares the jump's address with the known targets and branches
  // inside the region; any other address leaves it as before.
  const byEntryAll = new Map(functions.map((f) => [f.entry, f]));
  /** jump-table targets reached inside their function: no entries (unless also entered otherwise) */
  const switchCases = new Set<number>();
  const merged = new Set<number>();
  for (const f of functions) {
    if (merged.has(f.entry)) continue;
    const jumps = f.blocks.filter((b) => b.exit.kind === "indirect" && b.exit.ret === undefined && b.exit.hint === "jump");
    if (jumps.length === 0) continue;
    let lo = Infinity, hi = 0;
    for (const b of f.blocks) { lo = Math.min(lo, b.pc); hi = Math.max(hi, b.end); }
    let labels = [...addressTaken].filter((pc) => pc >= lo && pc < hi).sort((a, b) => a - b);
    if (labels.length > MAX_LABELS) labels = [];
    const wanted = new Set([...labels, ...jumps.flatMap((b) => tableTargets.get(b.end) ?? [])]);
    for (const pc of wanted) {
      const o = owner.get(pc);
      if (o === undefined || o === f.entry || o !== pc || functionEntries.has(pc) || merged.has(pc)) continue;
      // a function of its own only because nothing else reached it: its blocks move to f
      const other = byEntryAll.get(pc)!;
      for (const b of other.blocks) { owner.set(b.pc, f.entry); f.blocks.push(b); }
      other.blocks = [];
      merged.add(pc);
    }
    for (const b of f.blocks) {
      if (!(b.exit.kind === "indirect" && b.exit.ret === undefined && b.exit.hint === "jump")) continue;
      const known = (tableTargets.get(b.end) ?? labels).filter((t) => owner.get(t) === f.entry);
      if (known.length > 0) b.exit = { ...b.exit, targets: [...new Set(known)] } as Block["exit"];
      for (const t of tableTargets.get(b.end) ?? []) if (owner.get(t) === f.entry) switchCases.add(t);
    }
  }
  if (merged.size > 0) functions.splice(0, functions.length, ...functions.filter((f) => !merged.has(f.entry)));
  // Entries: external entries, call targets inside another function (a function reached first through a
  // tail call: stripped programs have no symbol to make it a function of its own first), and blocks another
  // function jumps or branches to.
  const byEntry = new Map(functions.map((f) => [f.entry, f]));
  const addEntry = (pc: number) => {
    const f = byEntry.get(owner.get(pc)!);
    if (f && pc !== f.entry && !f.entries.includes(pc)) {
      f.entries.push(pc);
      if (resumes.has(pc)) f.resumePoints.push(pc);
    }
  };
  const rootPcs = new Set(roots.map((r) => r.pc));
  for (const pc of externalEntries) {
    if (owner.has(pc) && !(switchCases.has(pc) && !resumes.has(pc) && !rootPcs.has(pc))) addEntry(pc);
  }
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
    f.resumePoints.sort((a, b) => a - b);
    for (const b of f.blocks) instructions += b.ninsns;
  }
  return { functions, blocks: blocks.size, instructions, rejectedRoots };
}

/**
 * Splits a function into regions, each one Wasm function. The function's start and every resume point
 * (return site, syscall continuation) start a region holding the blocks reachable from there through jumps,
 * branches and known indirect-jump targets without passing another region start; a block reachable from
 * two regions (a join after a return site) stays in the one that reaches it through a backward jump, if
 * just one does (the head of a loop whose body calls stays with the loop's latch, and the loop leaves its
 * region only for the call), else it starts a region itself, until every block has one owner. In this
 * partition a call leaves its region and its return enters the next one; every region entry loads the
 * registers its code uses and every exit stores the ones it wrote. Loops (nested and irreducible ones too)
 * stay inside their region, with registers in locals. Then the regions where calls matter grow through
 * them ({@link growThroughCalls}): the function's start, its other entries and the heads of loops whose
 * bodies call, so that such calls are Wasm calls and their returns continue in the caller's function; the
 * partition's regions stay for resuming at return sites inside loops.
 *
 * A region is also entered at the function's other entries it holds (code addresses found in data or
 * computed in code, which may be indirect-jump targets or just data that looks like an address, and
 * targets of other functions' jumps) and at every loop head: translated code leaves a loop at its head
 * when its instruction budget runs out, and the runtime resumes translated code only at an entry
 * (elsewhere the interpreter would run the rest of the loop).
 */
export function functionRegions(fn: DiscoveredFunction): Region[] {
  const byPc = new Map(fn.blocks.map((b) => [b.pc, b]));
  const starts = new Set([fn.entry, ...fn.resumePoints].filter((pc) => byPc.has(pc)));
  // a call's target is another function: only its return site (a region start) continues here
  const local = (b: Block): number[] => (b.exit.kind === "call" ? [] : regionSuccessors(b));
  /** blocks two regions reach that belong to the one reaching them through a back edge */
  const preferred = new Map<number, number>();
  let owner: Map<number, number>;
  for (;;) {
    owner = new Map<number, number>();
    /** per contested block: the regions reaching it, and those of them reaching it through a backward jump */
    const claims = new Map<number, { by: Set<number>; back: Set<number> }>();
    const claim = (s: number, e: number, from: number) => {
      let c = claims.get(s);
      if (!c) { c = { by: new Set(), back: new Set() }; claims.set(s, c); }
      c.by.add(e);
      if (from >= s) c.back.add(e);
    };
    for (const e of [...starts].sort((a, b) => a - b)) {
      owner.set(e, e);
      const stack = [e];
      while (stack.length > 0) {
        const from = stack.pop()!;
        for (const s of local(byPc.get(from)!)) {
          if (!byPc.has(s) || starts.has(s)) continue;
          const p = preferred.get(s);
          if (p !== undefined && p !== e) continue;
          claim(s, e, from);
          if (!owner.has(s)) { owner.set(s, e); stack.push(s); }
        }
      }
    }
    // A block reached from two regions (a join, e.g. the head of a loop whose body calls): when just one
    // of them reaches it through a backward jump (the loop's own back edge), it stays in that region, an
    // entry the others jump to; else it starts a region of its own.
    let changed = false;
    for (const [s, c] of claims) {
      if (c.by.size < 2 || preferred.has(s)) continue;
      changed = true;
      if (c.back.size === 1) preferred.set(s, [...c.back][0]!);
      else starts.add(s);
    }
    if (changed) continue;
    // blocks no start reaches (entered only from outside): the first of them starts a region
    const unowned = fn.blocks.map((b) => b.pc).filter((pc) => !owner.has(pc)).sort((a, b) => a - b);
    if (unowned.length === 0) break;
    starts.add(unowned[0]!);
  }
  const regions = new Map<number, Region>();
  for (const e of [...starts].sort((a, b) => a - b)) regions.set(e, { entry: e, blocks: [byPc.get(e)!], entries: [] });
  for (const b of [...fn.blocks].sort((a, b) => a.pc - b.pc)) {
    const o = owner.get(b.pc)!;
    if (o !== b.pc) regions.get(o)!.blocks.push(b);
  }
  for (const r of regions.values()) {
    const entries = new Set([...fn.entries, ...preferred.keys()].filter((pc) => pc !== r.entry && owner.get(pc) === r.entry));
    // loop heads depend (for irreducible loops) on the entries the search starts from: repeat until stable
    for (;;) {
      r.entries = [...entries].sort((a, b) => a - b);
      const before = entries.size;
      for (const h of loopHeads(r)) if (h !== r.entry) entries.add(h);
      if (entries.size === before) break;
    }
  }
  return growThroughCalls(fn, [...regions.values()]);
}

/** Blocks grown regions ({@link growThroughCalls}) may add, per block of the function. */
const GROWTH_FACTOR = 2;
/**
 * Guest instructions a grown region may hold: a big function grown whole (glibc's _int_free: 78,000 Wasm
 * instructions, 434 locals) ran bench-bintrees 3.5 times slower than its small regions did, where the
 * small functions whose calls matter (recursion, loops over a callback) fit well inside.
 */
const GROWN_MAX_INSNS = 512;

/**
 * Regions grown through the calls they make, so that a call whose return site is in the region runs as a
 * Wasm call and continues in the same Wasm function (codegen callThrough) instead of leaving and being
 * re-entered at its return site through the jump cache. Two kinds grow to every block reachable from their
 * entry through jumps, branches and calls returning into the function (translator/ir/region.ts
 * flowSuccessors): a region entered at the function's start or at another entry that is not a return site,
 * and a region entered at the head of a loop whose body calls (a new region when the head was only an entry of another one, which then no longer exports it),
 * so that such a loop is one Wasm loop again after the runtime resumed translated code (a syscall or the
 * instruction budget unwinds the Wasm stack; the loop's next iteration enters at its head). Both are
 * rooted where the function's own control flow is (the Relooper needs a dispatch loop for the irreducible
 * graphs a region rooted at a return site inside a loop can have). A region grows only where that makes
 * some call return inside it, where the grown graph is reducible (a function whose calls return into a
 * loop at two places, like __libc_start_call_main, keeps its regions), up to GROWN_MAX_INSNS instructions and GROWTH_FACTOR times the function's
 * blocks in total; the other regions stay as they are, entered where a call returns after leaving its
 * region. A loop head of a grown region that no region enters becomes one of its entries (the budget
 * leaves there).
 */
function growThroughCalls(fn: DiscoveredFunction, partition: Region[]): Region[] {
  const byPc = new Map(fn.blocks.map((b) => [b.pc, b]));
  const has = (pc: number) => byPc.has(pc);
  const succ = (pc: number) => flowSuccessors(byPc.get(pc)!, has);
  const preds = new Map<number, number[]>();
  for (const b of fn.blocks) {
    for (const s of succ(b.pc)) {
      if (!has(s)) continue;
      const list = preds.get(s);
      if (list) list.push(b.pc); else preds.set(s, [b.pc]);
    }
  }
  const search = (from: number, next: (pc: number) => number[]): Set<number> => {
    const seen = new Set([from]);
    const work = [from];
    while (work.length > 0) for (const s of next(work.pop()!)) if (has(s) && !seen.has(s)) { seen.add(s); work.push(s); }
    return seen;
  };
  const callsThrough = (set: Set<number>) => [...set].filter((pc) => {
    const x = byPc.get(pc)!.exit;
    return (x.kind === "call" || x.kind === "indirect") && x.ret !== undefined && set.has(x.ret);
  }).length;
  let budget = GROWTH_FACTOR * fn.blocks.length;
  const grown = new Set<Region>();
  const grow = (entry: number, base: Region | undefined): Region | undefined => {
    const pcs = search(entry, succ);
    const own = new Set(base?.blocks.map((b) => b.pc) ?? []);
    if (callsThrough(pcs) <= callsThrough(own)) return undefined;
    const added = pcs.size - own.size;
    let insns = 0;
    for (const pc of pcs) insns += byPc.get(pc)!.ninsns;
    if (added > budget || insns > GROWN_MAX_INSNS) return undefined;
    const blocks = [...pcs].map((pc) => byPc.get(pc)!).sort((a, b) => (a.pc === entry ? -1 : b.pc === entry ? 1 : a.pc - b.pc));
    if (!isReducible(blocks, entry)) return undefined;
    budget -= added;
    const r: Region = { entry, blocks, entries: [...(base?.entries ?? [])] };
    grown.add(r);
    return r;
  };
  const out: Region[] = partition.map((r) => ({ ...r, entries: [...(r.entries ?? [])] }));
  // the regions entered at the function's start and at its other entries that are not return sites of
  // its own calls (code other functions call or jump to: glibc's free, owned by the function that
  // tail-calls it, and also the return site of the call to a noreturn function just before it)
  const returnSites = new Set(fn.blocks.flatMap((b) => (b.exit.kind === "call" || b.exit.kind === "indirect") && b.exit.ret !== undefined ? [b.exit.ret] : []));
  out.forEach((r, i) => { if (r.entry === fn.entry || (fn.entries.includes(r.entry) && !returnSites.has(r.entry))) out[i] = grow(r.entry, r) ?? r; });
  // heads of the loops of the whole function (calls returning included) whose bodies call
  for (const h of loopHeads({ entry: fn.entry, blocks: fn.blocks, entries: fn.entries.filter(has) })) {
    if (h === fn.entry) continue;
    const back = search(h, (pc) => preds.get(pc) ?? []);
    if (callsThrough(new Set([...search(h, succ)].filter((pc) => back.has(pc)))) === 0) continue;
    const i = out.findIndex((r) => r.entry === h);
    const g = grow(h, i >= 0 ? out[i] : undefined);
    if (!g) continue;
    if (i >= 0) { out[i] = g; continue; }
    for (const r of out) r.entries = r.entries!.filter((e) => e !== h);
    out.push(g);
  }
  // A region whose entries a grown region holds off its loops is entered there instead (the grown region
  // reaches all of its blocks): one copy of the function's straight-line code, not two, and a function
  // resumed at a return site runs on with its calls inside Wasm. Entries on a loop keep their regions
  // (as entries of the grown region they would need copies of the loop: separateNestedEntries).
  let merged: Region[] = [...out];
  for (const g of grown) {
    if (!out.includes(g)) continue;
    const inG = new Set(g.blocks.map((b) => b.pc));
    const gSucc = (pc: number) => succ(pc).filter((t) => inG.has(t));
    const onCycle = (pc: number) => gSucc(pc).some((t) => search(t, gSucc).has(pc));
    merged = merged.filter((r) => {
      if (r === g || grown.has(r) || !inG.has(r.entry)) return true;
      const ents = regionEntries(r);
      if (ents.some(onCycle)) return true;
      g.entries = [...new Set([...g.entries!, ...ents])].filter((e) => e !== g.entry).sort((a, b) => a - b);
      return false;
    });
  }
  out.length = 0;
  out.push(...merged);
  const exported = new Set(out.flatMap((r) => regionEntries(r)));
  for (const r of grown) {
    for (;;) {
      const more = loopHeads(r).filter((h) => h !== r.entry && !exported.has(h));
      if (more.length === 0) break;
      for (const h of more) exported.add(h);
      r.entries = [...r.entries!, ...more].sort((a, b) => a - b);
    }
  }
  return out;
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
