import { test } from "uvu";
import * as assert from "uvu/assert";
import { BlockBuilder } from "../ir/builder.ts";
import { makeStateLayout } from "../ir/ir.ts";
import { compileRegions, regionsToText, type CompiledModule } from "./module.ts";
import { AOT_ENTRIES_SECTION, AOT_TABLE_BASE, decodeEntryPcs } from "../aot/format.ts";
import { CALL_STACK_UNITS, CTRL, ExitKind, MAX_CALL_DEPTH } from "./exits.ts";
import { CONTROL_BASE, GuestMemory, PAGE_FAST_READ, PAGE_FAST_WRITE, PROT_READ, PROT_WRITE } from "../../runtime/memory/memory.ts";
import { planAccessGroups } from "./access.ts";
import { CpuState } from "../../runtime/state.ts";
import type { Region } from "./lower.ts";
import { translationImports } from "../../runtime/jit/imports.ts";

const layout = makeStateLayout([["x1", "i64"], ["x2", "i64"], ["x3", "i64"], ["w", "i32"]]);
const types = layout.slots.map((s) => s.ty);
const X1 = layout.slot("x1"), X2 = layout.slot("x2"), X3 = layout.slot("x3");

async function instantiate(region: Region, mem: GuestMemory, structure: "relooper" | "switch" = "relooper") {
  const compiled = compileRegions(layout, [region], { structure });
  assert.is(compiled.rejected.length, 0, JSON.stringify(compiled.rejected));
  const imports = translationImports(mem, new WebAssembly.Table({ element: "anyfunc", initial: 1 }), {});
  const { instance } = await WebAssembly.instantiate(compiled.binary as Uint8Array<ArrayBuffer>, imports);
  mem.dv.setBigInt64(CONTROL_BASE + CTRL.limit, 1n << 62n, true);
  return instance.exports[compiled.regions[0]!.name] as () => number;
}

/** The loop of the first test: x1 = sum(1..x2) in blocks 0x100 (init) and 0x104 (loop body). */
function sumLoop(): Region {
  const a = new BlockBuilder(0x100, types);
  a.insn(0x100, 4); a.set(X1, a.i64(0n));
  const blockA = a.finish({ kind: "jump", target: 0x104 });
  const b = new BlockBuilder(0x104, types);
  b.insn(0x104, 4); b.set(X1, b.bin("i64", "add", b.get(X1), b.get(X2)));
  b.insn(0x108, 4); const x2 = b.bin("i64", "sub", b.get(X2), b.i64(1n)); b.set(X2, x2);
  const cond = b.bin("i64", "ne", x2, b.i64(0n));
  const blockB = b.finish({ kind: "branch", cond, taken: 0x104, fallthrough: 0x10c });
  return { entry: 0x100, blocks: [blockA, blockB] };
}

test("a loop stays inside one region with registers in locals", async () => {
  const mem = new GuestMemory();
  const st = new CpuState(mem, layout);
  st.setI64(X2, 100000n);
  const fn = await instantiate(sumLoop(), mem);
  assert.is(fn(), 0x10c);
  assert.is(st.getI64(X1), 5000050000n);
  assert.is(st.getI64(X2), 0n);
  assert.is(mem.dv.getInt32(CONTROL_BASE + CTRL.kind, true), ExitKind.Jump);
  assert.is(mem.dv.getBigInt64(CONTROL_BASE + CTRL.icount, true), 1n + 2n * 100000n);
});

test("a loop leaves at its head when the instruction limit is reached, with state committed", async () => {
  const mem = new GuestMemory();
  const st = new CpuState(mem, layout);
  st.setI64(X2, 100000n);
  const fn = await instantiate(sumLoop(), mem);
  mem.dv.setBigInt64(CONTROL_BASE + CTRL.limit, 1001n, true);
  assert.is(fn(), 0x104);
  assert.is(mem.dv.getBigInt64(CONTROL_BASE + CTRL.icount, true), 1001n, "1 + 2 * 500 instructions");
  assert.is(st.getI64(X1), 100000n * 500n - 500n * 499n / 2n);
  assert.is(st.getI64(X2), 100000n - 500n);
});

test("a region with several entries: each entry pc has its own exported function", async () => {
  const mem = new GuestMemory();
  const st = new CpuState(mem, layout);
  const region = { ...sumLoop(), entries: [0x104] };
  const compiled = compileRegions(layout, [region]);
  assert.equal(compiled.regions.map((r) => r.entry), [0x100, 0x104]);
  const imports = translationImports(mem, new WebAssembly.Table({ element: "anyfunc", initial: 1 }), {});
  const { instance } = await WebAssembly.instantiate(compiled.binary as Uint8Array<ArrayBuffer>, imports);
  mem.dv.setBigInt64(CONTROL_BASE + CTRL.limit, 1n << 62n, true);
  st.setI64(X1, 1000n); st.setI64(X2, 10n);
  assert.is((instance.exports[compiled.regions[1]!.name] as () => number)(), 0x10c);
  assert.is(st.getI64(X1), 1055n, "entered at the loop: x1 was not reset");
  st.setI64(X1, 1000n); st.setI64(X2, 10n);
  assert.is((instance.exports[compiled.regions[0]!.name] as () => number)(), 0x10c);
  assert.is(st.getI64(X1), 55n, "entered at the start");
});

test("the dispatch-loop structuring (the Relooper's fallback) runs loops, budget exits and several entries alike", async () => {
  const mem = new GuestMemory();
  const st = new CpuState(mem, layout);
  st.setI64(X2, 100000n);
  const fn = await instantiate(sumLoop(), mem, "switch");
  assert.is(fn(), 0x10c);
  assert.is(st.getI64(X1), 5000050000n);
  assert.is(mem.dv.getBigInt64(CONTROL_BASE + CTRL.icount, true), 1n + 2n * 100000n);
  mem.dv.setBigInt64(CONTROL_BASE + CTRL.icount, 0n, true);
  st.setI64(X2, 100000n);
  mem.dv.setBigInt64(CONTROL_BASE + CTRL.limit, 1001n, true);
  assert.is(fn(), 0x104, "left at the loop head at the limit");
  assert.is(st.getI64(X1), 100000n * 500n - 500n * 499n / 2n);
  // two entries: the entry ordinal selects the first block
  const loop = sumLoop();
  const compiled = compileRegions(layout, [{ entry: 0x100, blocks: loop.blocks, entries: [0x104] }], { structure: "switch" });
  const imports = translationImports(mem, new WebAssembly.Table({ element: "anyfunc", initial: 1 }), {});
  const { instance } = await WebAssembly.instantiate(compiled.binary as Uint8Array<ArrayBuffer>, imports);
  mem.dv.setBigInt64(CONTROL_BASE + CTRL.limit, 1n << 62n, true);
  st.setI64(X1, 1000n); st.setI64(X2, 10n);
  assert.is((instance.exports[compiled.regions[1]!.name] as () => number)(), 0x10c);
  assert.is(st.getI64(X1), 1055n, "entered at the loop");
  st.setI64(X1, 1000n); st.setI64(X2, 10n);
  assert.is((instance.exports[compiled.regions[0]!.name] as () => number)(), 0x10c);
  assert.is(st.getI64(X1), 55n, "entered at the start");
});

test("a branch whose target is its fall-through compiles (one edge for the Relooper) and runs on", async () => {
  // found by the random conformance kind: `bgeu a5,s10,.+4` aborted binaryen's Relooper (two branches
  // between the same pair of blocks)
  const a = new BlockBuilder(0x300, types);
  a.insn(0x300, 4);
  const cond = a.bin("i64", "ltu", a.get(X1), a.get(X2));
  const blockA = a.finish({ kind: "branch", cond, taken: 0x304, fallthrough: 0x304 });
  const b = new BlockBuilder(0x304, types);
  b.insn(0x304, 4); b.set(X3, b.bin("i64", "add", b.get(X1), b.get(X2)));
  const blockB = b.finish({ kind: "jump", target: 0x308 });
  for (const [x1, x2] of [[1n, 2n], [2n, 1n]] as const) {
    const mem = new GuestMemory();
    const st = new CpuState(mem, layout);
    st.setI64(X1, x1); st.setI64(X2, x2);
    const fn = await instantiate({ entry: 0x300, blocks: [blockA, blockB] }, mem);
    assert.is(fn(), 0x308);
    assert.is(st.getI64(X3), 3n);
  }
});

test("an indirect exit of a block that is not the last lowered one reads its own block's temps", async () => {
  // found by the random conformance kind: `auipc s2,0; addi s2,s2,26; c.jalr s2` in a multi-block region
  // jumped to the value of a local of another block (0)
  const a = new BlockBuilder(0x400, types);
  a.insn(0x400, 4);
  const cond = a.bin("i64", "eq", a.get(X1), a.i64(0n));
  const blockA = a.finish({ kind: "branch", cond, taken: 0x410, fallthrough: 0x404 });
  const b = new BlockBuilder(0x404, types);
  b.insn(0x404, 4);
  const target = b.bin("i64", "add", b.get(X2), b.i64(0x10n));
  b.set(X3, target);
  const blockB = b.finish({ kind: "indirect", target, hint: "jump" });
  const c = new BlockBuilder(0x410, types);
  c.insn(0x410, 4); c.set(X1, c.i64(7n)); c.set(X3, c.i64(9n));
  const blockC = c.finish({ kind: "jump", target: 0x414 });
  const mem = new GuestMemory();
  const st = new CpuState(mem, layout);
  st.setI64(X1, 1n); st.setI64(X2, 0x1000n);
  const fn = await instantiate({ entry: 0x400, blocks: [blockA, blockB, blockC] }, mem);
  assert.is(fn(), 0x1010);
  assert.is(st.getI64(X3), 0x1010n);
});

test("accesses the page map does not allow leave before their instruction (ExitKind.Slow), with state committed", async () => {
  const b = new BlockBuilder(0x200, types);
  b.insn(0x200, 4); b.set(X3, b.i64(7n));
  b.insn(0x204, 4); const v = b.load("i64", b.get(X1), 4, true, "be"); b.set(X2, v);
  // (an address that is not a register plus a constant: checked on its own, not grouped with the load; see access.ts)
  b.insn(0x208, 4); b.store(b.bin("i64", "or", b.get(X1), b.i64(0n)), b.bin("i64", "add", v, b.i64(1n)), 2, "le");
  const blk = b.finish({ kind: "jump", target: 0x300 });
  const mem = new GuestMemory();
  mem.map(0x20000, 0x10000, PROT_READ | PROT_WRITE);
  mem.u8.set([0xff, 0xff, 0xff, 0xfe], 0x20010);
  const st = new CpuState(mem, layout);
  const fn = await instantiate({ entry: 0x200, blocks: [blk] }, mem);
  const icount = () => mem.dv.getBigInt64(CONTROL_BASE + CTRL.icount, true);
  const kind = () => mem.dv.getInt32(CONTROL_BASE + CTRL.kind, true);
  st.setI64(X1, 0x20010n);
  assert.is(fn(), 0x300);
  assert.is(kind(), ExitKind.Jump);
  assert.is(st.getI64(X2), -2n, "big-endian signed 32-bit load");
  assert.equal([...mem.u8.subarray(0x20010, 0x20012)], [0xff, 0xff], "little-endian 16-bit store of -1");
  /** Runs the block with x1 = addr; expects a Slow exit at `pc` with one instruction per completed one. */
  const slowAt = (addr: bigint, pc: number, completed: bigint) => {
    st.setI64(X1, addr); st.setI64(X2, 99n); st.setI64(X3, 0n);
    const before = icount();
    assert.is(fn(), pc, `0x${addr.toString(16)}`);
    assert.is(kind(), ExitKind.Slow);
    assert.is(icount() - before, completed, "instructions completed");
    assert.is(st.getI64(X3), 7n, "the first instruction committed");
  };
  // unmapped page: leaves before the load, x2 untouched
  slowAt(0x50000n, 0x204, 1n);
  assert.is(st.getI64(X2), 99n);
  // an address >= 2^32 (whose low half is mapped) leaves too
  slowAt(0x1_0002_0010n, 0x204, 1n);
  // an access across a page boundary into a page that does not allow it leaves
  mem.map(0x70000, 0x1000, PROT_READ | PROT_WRITE);
  slowAt(0x70ffen, 0x204, 1n);
  // between two pages that allow it, it runs inline
  mem.map(0x71000, 0x1000, PROT_READ | PROT_WRITE);
  mem.u8.set([0x12, 0x34, 0x56, 0x78], 0x70fff);
  st.setI64(X1, 0x70fffn);
  assert.is(fn(), 0x300, "across two readable and writable pages");
  assert.is(st.getI64(X2), 0x12345678n);
  assert.equal([...mem.u8.subarray(0x70fff, 0x71001)], [0x79, 0x56], "store across the boundary");
  // into a read-only next page: the load runs, the store across the boundary leaves
  mem.protect(0x71000, 0x1000, PROT_READ);
  slowAt(0x70fffn, 0x208, 2n);
  assert.equal([...mem.u8.subarray(0x70fff, 0x71001)], [0x79, 0x56], "not written");
  mem.protect(0x71000, 0x1000, PROT_READ | PROT_WRITE);
  // a read-only page: the load runs, the store leaves with the load's result committed
  mem.protect(0x70000, 0x1000, PROT_READ);
  mem.u8.set([0x80, 0, 0, 0], 0x70010);
  slowAt(0x70010n, 0x208, 2n);
  assert.is(st.getI64(X2), -0x80000000n);
  // a page holding translated code: loads run inline, stores leave
  mem.protect(0x70000, 0x1000, PROT_READ | PROT_WRITE);
  mem.addCodeRange(0x70000, 0x70100);
  slowAt(0x70010n, 0x208, 2n);
  assert.equal([...mem.u8.subarray(0x70010, 0x70012)], [0x80, 0], "not written");
  // the same page without translated code: the block runs to its end
  mem.clearCodeRanges();
  st.setI64(X1, 0x70010n);
  assert.is(fn(), 0x300);
  assert.equal([...mem.u8.subarray(0x70010, 0x70012)], [0x01, 0], "the low half of -0x7fffffff, little-endian");
});

test("accesses off one register within a page share one check at the first; if any would leave, the first leaves", async () => {
  // 0x200: x3 = 7; 0x204: x2 = u8 [x1 + 8]; 0x208: x2 += u64 [x1 + 0]; 0x20c: u32 [x1 + 16] = x2
  const b = new BlockBuilder(0x200, types);
  b.insn(0x200, 4); b.set(X3, b.i64(7n));
  b.insn(0x204, 4); b.set(X2, b.load("i64", b.bin("i64", "add", b.get(X1), b.i64(8n)), 1, false, "le"));
  b.insn(0x208, 4); b.set(X2, b.bin("i64", "add", b.get(X2), b.load("i64", b.bin("i64", "add", b.get(X1), b.i64(0n)), 8, false, "le")));
  b.insn(0x20c, 4); b.store(b.bin("i64", "add", b.get(X1), b.i64(16n)), b.get(X2), 4, "le");
  const blk = b.finish({ kind: "jump", target: 0x300 });
  const mem = new GuestMemory();
  const st = new CpuState(mem, layout);
  const fn = await instantiate({ entry: 0x200, blocks: [blk] }, mem);
  const icount = () => mem.dv.getBigInt64(CONTROL_BASE + CTRL.icount, true);
  const kind = () => mem.dv.getInt32(CONTROL_BASE + CTRL.kind, true);
  const runs = (addr: number) => {
    mem.u8.fill(0, addr, addr + 20);
    mem.u8[addr + 8] = 5; mem.u8[addr] = 0x30;
    st.setI64(X1, BigInt(addr)); st.setI64(X2, 99n);
    assert.is(fn(), 0x300, `0x${addr.toString(16)}`);
    assert.is(st.getI64(X2), 0x35n);
    assert.is(mem.dv.getUint32(addr + 16, true), 0x35);
  };
  const leavesFirst = (addr: number) => {
    st.setI64(X1, BigInt(addr)); st.setI64(X2, 99n);
    const before = icount();
    assert.is(fn(), 0x204, `0x${addr.toString(16)}`);
    assert.is(kind(), ExitKind.Slow);
    assert.is(icount() - before, 1n, "only the first instruction completed");
    assert.is(st.getI64(X2), 99n);
  };
  mem.map(0x70000, 0x1000, PROT_READ | PROT_WRITE);
  runs(0x70100);
  // the group's span (20 bytes) at the end of the last page of a mapping: inside the page it runs
  runs(0x70fec);
  // the store alone would reach the unmapped next page: the group leaves at its first access
  leavesFirst(0x70ff0);
  // across into a mapped page it runs
  mem.map(0x71000, 0x1000, PROT_READ | PROT_WRITE);
  runs(0x70ff8);
  // a read-only page: the loads would run, the store would not, so the group leaves before the loads
  mem.protect(0x70000, 0x1000, PROT_READ);
  leavesFirst(0x70100);
  // a page with translated code, likewise; an address >= 2^32 leaves too
  mem.protect(0x70000, 0x1000, PROT_READ | PROT_WRITE);
  mem.addCodeRange(0x70000, 0x70010);
  leavesFirst(0x70100);
  leavesFirst(0x1_0007_0100 as number);
  mem.clearCodeRanges();
  runs(0x70100);
});

test("access groups: one register value plus constants within a page; a far offset, another value or a conditional store start anew", () => {
  const b = new BlockBuilder(0x200, types);
  b.insn(0x200, 4);
  const at = (off: bigint) => b.bin("i64", "add", b.get(X1), b.i64(off));
  b.load("i64", at(-8n), 8, false, "le");
  b.load("i64", at(4080n), 8, false, "le");
  b.load("i64", at(4090n), 8, false, "le"); // span -8 .. 4098 > 4096: a group of its own
  b.set(X1, b.bin("i64", "add", b.get(X1), b.i64(16n)));
  b.insn(0x204, 4);
  b.load("i64", at(0n), 8, false, "le"); // x1 + 16 after the step: in the first group
  b.store(at(8n), b.get(X2), 8, "le", b.i32(1));
  b.set(X1, b.get(X2));
  b.insn(0x208, 4);
  b.load("i64", at(0n), 8, false, "le"); // x1 is x2 now: a new group
  b.store(at(4n), b.get(X2), 4, "le");
  const blk = b.finish({ kind: "jump", target: 0x300 });
  const plan = planAccessGroups({ entry: 0x200, blocks: [blk] });
  const mems = blk.ops.filter((o) => o.op === "load" || o.op === "store");
  const got = mems.map((o) => plan.get(o));
  assert.equal(got[0], { covered: false, lo: 0, span: 4096, bit: PAGE_FAST_READ });
  assert.equal(got[1], { covered: true, lo: 0, span: 0, bit: PAGE_FAST_READ });
  assert.is(got[2], undefined, "alone: checked by itself");
  assert.equal(got[3], { covered: true, lo: 0, span: 0, bit: PAGE_FAST_READ }, "through x1 = x1 + 16");
  assert.is(got[4], undefined, "a conditional store is checked by itself");
  assert.equal(got[5], { covered: false, lo: 0, span: 8, bit: PAGE_FAST_WRITE }, "with the later store: the write bits");
  assert.equal(got[6], { covered: true, lo: 0, span: 0, bit: PAGE_FAST_WRITE });
});

/**
 * A list step across blocks: 0x200: x2 = u64 [x1 + 8]; branch x2 != 0 to 0x208, else 0x20c.
 * 0x208: x1 = u64 [x1 + 0] (only 0x200 leads here); jump 0x300. 0x20c: x3 = 5; jump 0x300.
 */
function listStep(extraPred: boolean): Region {
  const a = new BlockBuilder(0x200, types);
  a.insn(0x200, 4); const v = a.load("i64", a.bin("i64", "add", a.get(X1), a.i64(8n)), 8, false, "le"); a.set(X2, v);
  a.insn(0x204, 4);
  const head = a.finish({ kind: "branch", cond: a.bin("i64", "ne", v, a.i64(0n)), taken: 0x208, fallthrough: 0x20c });
  const b = new BlockBuilder(0x208, types);
  b.insn(0x208, 4); b.set(X1, b.load("i64", b.bin("i64", "add", b.get(X1), b.i64(0n)), 8, false, "le"));
  const next = b.finish({ kind: "jump", target: 0x300 });
  const c = new BlockBuilder(0x20c, types);
  c.insn(0x20c, 4); c.set(X3, c.i64(5n));
  const other = c.finish({ kind: "jump", target: extraPred ? 0x208 : 0x300 });
  return { entry: 0x200, blocks: [head, next, other] };
}

test("access groups reach into blocks only one block leads to; a failing span there leaves at the leader", async () => {
  const region = listStep(false);
  const plan = planAccessGroups(region);
  const [lead, member] = [region.blocks[0]!, region.blocks[1]!].map((b) => plan.get(b.ops.find((o) => o.op === "load")!));
  assert.equal(lead, { covered: false, lo: -8, span: 16, bit: PAGE_FAST_READ });
  assert.equal(member, { covered: true, lo: 0, span: 0, bit: PAGE_FAST_READ });
  // a block with another predecessor, or an entry of the region, starts its own groups
  assert.is(planAccessGroups(listStep(true)).size, 0);
  assert.is(planAccessGroups({ ...region, entries: [0x208] }).size, 0);
  const mem = new GuestMemory();
  const st = new CpuState(mem, layout);
  const fn = await instantiate(region, mem);
  mem.map(0x70000, 0x2000, PROT_READ | PROT_WRITE);
  mem.dv.setBigUint64(0x70100, 0x70200n, true); mem.dv.setBigUint64(0x70108, 1n, true);
  st.setI64(X1, 0x70100n);
  assert.is(fn(), 0x300);
  assert.is(st.getI64(X1), 0x70200n, "followed next");
  // x1 + 8 readable, x1 + 0 on the unmapped page before: the branch would not reach 0x208, yet the span
  // check leaves at the leader (exact: the runtime runs on from 0x200 one instruction at a time)
  mem.dv.setBigUint64(0x70000, 0n, true);
  st.setI64(X1, 0x6fff8n); st.setI64(X3, 0n);
  assert.is(fn(), 0x200);
  assert.is(mem.dv.getInt32(CONTROL_BASE + CTRL.kind, true), ExitKind.Slow);
  assert.is(st.getI64(X3), 0n);
});

/**
 * A bytecode-interpreter shape: block 0x500 dispatches through an indirect jump to x1; handlers 0x600
 * (x2 += 1) and 0x700 (x2 += 100) jump back to 0x500 after x3 -= 1 reaches ... until x3 = 0 (exit 0x800).
 * The indirect jump lists the handlers as known targets; x1 alternates between them through x4.
 */
function dispatchLoop(targets: number[] | undefined): Region {
  const d = new BlockBuilder(0x500, types);
  d.insn(0x500, 4);
  const x3 = d.bin("i64", "sub", d.get(X3), d.i64(1n)); d.set(X3, x3);
  d.insn(0x504, 4);
  const target = d.get(X1);
  const dispatch = d.finish({ kind: "indirect", target, hint: "jump", ...(targets ? { targets } : {}) });
  const handler = (pc: number, add: bigint, other: number) => {
    const h = new BlockBuilder(pc, types);
    h.insn(pc, 4); h.set(X2, h.bin("i64", "add", h.get(X2), h.i64(add)));
    h.insn(pc + 4, 4); h.set(X1, h.i64(BigInt(other)));
    const done = h.bin("i64", "eq", h.get(X3), h.i64(0n));
    return h.finish({ kind: "branch", cond: done, taken: 0x800, fallthrough: 0x500 });
  };
  return { entry: 0x500, blocks: [dispatch, handler(0x600, 1n, 0x700), handler(0x700, 100n, 0x600)] };
}

test("an indirect jump with known targets in the region branches there; an unknown target leaves", async () => {
  for (const structure of ["relooper", "switch"] as const) {
    const mem = new GuestMemory();
    const st = new CpuState(mem, layout);
    const fn = await instantiate(dispatchLoop([0x600, 0x700]), mem, structure);
    st.setI64(X1, 0x600n); st.setI64(X2, 0n); st.setI64(X3, 1000n);
    assert.is(fn(), 0x800, structure);
    assert.is(st.getI64(X2), 500n * 101n, `${structure}: 1000 dispatches inside the region`);
    assert.is(mem.dv.getBigInt64(CONTROL_BASE + CTRL.icount, true), 4000n);
    // the loop through the indirect jump checks the instruction budget
    mem.dv.setBigInt64(CONTROL_BASE + CTRL.limit, mem.dv.getBigInt64(CONTROL_BASE + CTRL.icount, true) + 41n, true);
    st.setI64(X1, 0x600n); st.setI64(X3, 1000n);
    const at = fn();
    assert.ok([0x500, 0x600, 0x700].includes(at), `${structure}: left at a loop head (0x${at.toString(16)})`);
    assert.ok(st.getI64(X3) > 900n && st.getI64(X3) < 1000n, `${structure}: after about 10 dispatches`);
    mem.dv.setBigInt64(CONTROL_BASE + CTRL.limit, 1n << 62n, true);
    // a target the region does not know: leaves with that pc after the dispatch block
    st.setI64(X1, 0x900n); st.setI64(X3, 5n);
    assert.is(fn(), 0x900, `${structure}: unknown target`);
    assert.is(st.getI64(X3), 4n, "the dispatch block ran");
    // without targets every dispatch leaves
    const mem2 = new GuestMemory();
    const st2 = new CpuState(mem2, layout);
    const plain = await instantiate(dispatchLoop(undefined), mem2, structure);
    st2.setI64(X1, 0x600n); st2.setI64(X3, 1000n);
    assert.is(plain(), 0x600, `${structure}: leaves at the indirect jump`);
  }
});

/** A dispatch loop over `n` handlers at 0x600 + 0x10i (x2 += i + 1, next handler i + 1 mod n), as dispatchLoop. */
function switchLoop(n: number): Region {
  const d = new BlockBuilder(0x500, types);
  d.insn(0x500, 4);
  d.set(X3, d.bin("i64", "sub", d.get(X3), d.i64(1n)));
  d.insn(0x504, 4);
  const handlers = Array.from({ length: n }, (_, i) => 0x600 + 0x10 * i);
  const dispatch = d.finish({ kind: "indirect", target: d.get(X1), hint: "jump", targets: handlers });
  const blocks = handlers.map((pc, i) => {
    const h = new BlockBuilder(pc, types);
    h.insn(pc, 4); h.set(X2, h.bin("i64", "add", h.get(X2), h.i64(BigInt(i + 1))));
    h.insn(pc + 4, 4); h.set(X1, h.i64(BigInt(handlers[(i + 1) % n]!)));
    return h.finish({ kind: "branch", cond: h.bin("i64", "eq", h.get(X3), h.i64(0n)), taken: 0x800, fallthrough: 0x500 });
  });
  return { entry: 0x500, blocks: [dispatch, ...blocks] };
}

test("an indirect jump with many known targets switches on the target (br_table); other addresses leave", async () => {
  const compiled = compileRegions(layout, [switchLoop(6)], {});
  assert.ok(regionsToText(layout, [switchLoop(6)]).includes("br_table"), "a br_table on the target");
  assert.is(compiled.rejected.length, 0);
  const mem = new GuestMemory();
  const st = new CpuState(mem, layout);
  const fn = await instantiate(switchLoop(6), mem);
  st.setI64(X1, 0x600n); st.setI64(X2, 0n); st.setI64(X3, 600n);
  assert.is(fn(), 0x800);
  assert.is(st.getI64(X2), 100n * 21n, "600 dispatches inside the region, each to the right handler");
  // addresses that are no known target: between two targets, odd (inside a target's range of the table),
  // below the lowest and above the highest
  for (const pc of [0x608, 0x611, 0x5f0, 0x660, 0x100600]) {
    st.setI64(X1, BigInt(pc)); st.setI64(X3, 5n);
    assert.is(fn(), pc, `0x${pc.toString(16)} leaves`);
    assert.is(st.getI64(X3), 4n);
  }
});

test("total division and high multiplies follow the IR definition", async () => {
  const b = new BlockBuilder(0x400, types);
  b.insn(0x400, 4);
  const x1 = b.get(X1), x2 = b.get(X2);
  b.set(X3, b.bin("i64", "divs", x1, x2));
  b.set(X1, b.bin("i64", "rems", x1, x2));
  b.set(X2, b.bin("i64", "mulhu", x2, x2));
  const mem = new GuestMemory();
  const st = new CpuState(mem, layout);
  const run = await instantiate({ entry: 0x400, blocks: [b.finish({ kind: "jump", target: 0 })] }, mem);
  const cases: Array<[bigint, bigint]> = [[7n, 0n], [-(1n << 63n), -1n], [-7n, 2n], [5n, -1n]];
  for (const [a, d] of cases) {
    st.setI64(X1, a); st.setI64(X2, d);
    run();
    const q = d === 0n ? -1n : a === -(1n << 63n) && d === -1n ? a : a / d;
    const r = d === 0n ? a : a === -(1n << 63n) && d === -1n ? 0n : a % d;
    const u = BigInt.asUintN(64, d);
    assert.is(st.getI64(X3), q, `divs ${a} ${d}`);
    assert.is(st.getI64(X1), r, `rems ${a} ${d}`);
    assert.is(st.getI64(X2), BigInt.asIntN(64, (u * u) >> 64n), `mulhu ${d}`);
  }
});

test("an indirect jump reads its target from its own block's temps, wherever the block is in the region", async () => {
  // 0x500: x3 = 1; if x1 != 0 goto 0x510 else 0x520. 0x510: jump to x2 (temps differ from 0x520's).
  // 0x520: several temps, then jump 0x600. The region lists 0x510 before 0x520 (lowered before it).
  const a = new BlockBuilder(0x500, types);
  a.insn(0x500, 4); a.set(X3, a.i64(1n));
  const blockA = a.finish({ kind: "branch", cond: a.bin("i64", "ne", a.get(X1), a.i64(0n)), taken: 0x510, fallthrough: 0x520 });
  const b = new BlockBuilder(0x510, types);
  b.insn(0x510, 4);
  const target = b.bin("i64", "and", b.get(X2), b.i64(-2n));
  const blockB = b.finish({ kind: "indirect", target, hint: "jump" });
  const c = new BlockBuilder(0x520, types);
  c.insn(0x520, 4);
  let v = c.i64(0n);
  for (let i = 0; i < 8; i++) v = c.bin("i64", "add", v, c.i64(BigInt(i)));
  c.set(X3, v);
  const blockC = c.finish({ kind: "jump", target: 0x600 });
  const mem = new GuestMemory();
  const st = new CpuState(mem, layout);
  const fn = await instantiate({ entry: 0x500, blocks: [blockA, blockB, blockC] }, mem);
  st.setI64(X1, 1n); st.setI64(X2, 0x12345n);
  assert.is(fn(), 0x12344);
  st.setI64(X1, 0n);
  assert.is(fn(), 0x600);
  assert.is(st.getI64(X3), 28n);
});

test("a loop entered at two blocks, with exits out of it, is structured by the Relooper (and by the dispatch loop alike)", async () => {
  // binaryen's Relooper renames its labels when it used one twice (a loop with two entries) and then throws
  // at a branch to a label outside its code: the branches to $exit are made after rendering (structureRelooper)
  // block i: x2 = x2 * 8 + i + 1; x1 -= 1; then its exit (-1: leave the region at 0x9000 + 16 i)
  //   0: x1 & 4 ? 1 : 2    1: goto 3    2: x1 <s -3 ? leave : 4    3: x1 >s 0 ? 1 : 2    4: x1 & 2 ? leave : 1
  const shape: Array<number | [number, number, (x1: bigint) => boolean, (b: BlockBuilder, x1: number) => number]> = [
    [1, 2, (x) => (x & 4n) !== 0n, (b, x) => b.bin("i64", "ne", b.bin("i64", "and", x, b.i64(4n)), b.i64(0n))],
    3,
    [-1, 4, (x) => x < -3n, (b, x) => b.bin("i64", "lts", x, b.i64(-3n))],
    [1, 2, (x) => x > 0n, (b, x) => b.bin("i64", "gts", x, b.i64(0n))],
    [-1, 1, (x) => (x & 2n) !== 0n, (b, x) => b.bin("i64", "ne", b.bin("i64", "and", x, b.i64(2n)), b.i64(0n))],
  ];
  const pcOf = (i: number) => (i < 0 ? -1 : 0x1000 + 16 * i);
  const blocks = shape.map((e, i) => {
    const b = new BlockBuilder(pcOf(i), types);
    b.insn(pcOf(i), 4); b.set(X2, b.bin("i64", "add", b.bin("i64", "mul", b.get(X2), b.i64(8n)), b.i64(BigInt(i + 1))));
    b.insn(pcOf(i) + 4, 4); const x1 = b.bin("i64", "sub", b.get(X1), b.i64(1n)); b.set(X1, x1);
    if (typeof e === "number") return b.finish({ kind: "jump", target: pcOf(e) });
    return b.finish({ kind: "branch", cond: e[3](b, x1), taken: e[0] < 0 ? 0x9000 + 16 * i : pcOf(e[0]), fallthrough: pcOf(e[1]) });
  });
  const region = { entry: 0x1000, blocks };
  const text = regionsToText(layout, [region]);
  assert.not.ok(text.includes("$dispatch"), "the Relooper structures this graph");
  assert.ok(/\(loop /.test(text) && /\(br \$exit/.test(text), "a Wasm loop, left by branches to $exit");
  for (const structure of ["relooper", "switch"] as const) {
    const mem = new GuestMemory();
    const st = new CpuState(mem, layout);
    const fn = await instantiate(region, mem, structure);
    for (const start of [0n, 1n, 5n, 6n, 13n, 100n, -7n]) {
      // the reference: the same graph in JavaScript
      let x1 = start, x2 = 0n, i = 0, exit = -1;
      while (exit < 0) {
        x2 = BigInt.asIntN(64, x2 * 8n + BigInt(i + 1)); x1 -= 1n;
        const e = shape[i]!;
        const next = typeof e === "number" ? e : e[2](x1) ? e[0] : e[1];
        if (next < 0) exit = 0x9000 + 16 * i; else i = next;
      }
      st.setI64(X1, start); st.setI64(X2, 0n);
      assert.is(fn(), exit, `${structure}, x1 = ${start}: exit`);
      assert.is(st.getI64(X1), x1, `${structure}, x1 = ${start}: x1`);
      assert.is(st.getI64(X2), x2, `${structure}, x1 = ${start}: x2`);
    }
  }
});


test("an exit writes back the registers written on any path to it, loops included, and only those", async () => {
  const wide = makeStateLayout(Array.from({ length: 10 }, (_, i) => [`x${i + 1}`, "i64"] as [string, "i64"]));
  const ty = wide.slots.map((s) => s.ty);
  const x = (n: number) => wide.slot(`x${n}`);
  // 0x100: x6 += 1; x6 == 1 ? 0x10c : 0x104
  const e = new BlockBuilder(0x100, ty);
  e.insn(0x100, 4); const x6 = e.bin("i64", "add", e.get(x(6)), e.i64(1n)); e.set(x(6), x6);
  const first = e.finish({ kind: "branch", cond: e.bin("i64", "eq", x6, e.i64(1n)), taken: 0x10c, fallthrough: 0x104 });
  // 0x104: x1 -= 1; x1 == 0 ? leave to 0x500 : 0x108
  const a = new BlockBuilder(0x104, ty);
  a.insn(0x104, 4); const x1 = a.bin("i64", "sub", a.get(x(1)), a.i64(1n)); a.set(x(1), x1);
  const head = a.finish({ kind: "branch", cond: a.bin("i64", "eq", x1, a.i64(0n)), taken: 0x500, fallthrough: 0x108 });
  // 0x108: x2 += 1; back to 0x104 (the exit at 0x104 must also store x2, written on the way round the loop)
  const b = new BlockBuilder(0x108, ty);
  b.insn(0x108, 4); b.set(x(2), b.bin("i64", "add", b.get(x(2)), b.i64(1n)));
  const body = b.finish({ kind: "jump", target: 0x104 });
  // 0x10c: x7..x10 = 7..10; leave to 0x400
  const c = new BlockBuilder(0x10c, ty);
  c.insn(0x10c, 4); for (let n = 7; n <= 10; n++) c.set(x(n), c.i64(BigInt(n)));
  const other = c.finish({ kind: "jump", target: 0x400 });
  const compiled = compileRegions(wide, [{ entry: 0x100, blocks: [first, head, body, other] }]);
  const run = async (init: Record<number, bigint>) => {
    const mem = new GuestMemory();
    const st = new CpuState(mem, wide);
    for (const [n, v] of Object.entries(init)) st.setI64(x(Number(n)), v);
    const imports = translationImports(mem, new WebAssembly.Table({ element: "anyfunc", initial: 1 }), {});
    const { instance } = await WebAssembly.instantiate(compiled.binary as Uint8Array<ArrayBuffer>, imports);
    mem.dv.setBigInt64(CONTROL_BASE + CTRL.limit, 1n << 62n, true);
    const pc = (instance.exports[compiled.regions[0]!.name] as () => number)();
    return { pc, regs: Array.from({ length: 10 }, (_, i) => st.getI64(x(i + 1))) };
  };
  const looped = await run({ 1: 3n, 6: 5n, 7: 70n });
  assert.is(looped.pc, 0x500);
  assert.equal(looped.regs, [0n, 2n, 0n, 0n, 0n, 6n, 70n, 0n, 0n, 0n]);
  const straight = await run({ 1: 3n, 6: 0n, 7: 70n });
  assert.is(straight.pc, 0x400);
  assert.equal(straight.regs, [3n, 0n, 0n, 0n, 0n, 1n, 7n, 8n, 9n, 10n]);
});

test("in an ahead-of-time module a direct exit tail-calls the target's region, unless over the limit or after a translation was dropped", async () => {
  const a = new BlockBuilder(0x100, types);
  a.insn(0x100, 4); a.set(X1, a.i64(1n));
  const first = a.finish({ kind: "jump", target: 0x200 });
  const b = new BlockBuilder(0x200, types);
  b.insn(0x200, 4); b.set(X2, b.i64(2n));
  const second = b.finish({ kind: "jump", target: 0x300 });
  const compiled = compileRegions(layout, [{ entry: 0x100, blocks: [first] }, { entry: 0x200, blocks: [second] }], { aot: true });
  const mem = new GuestMemory();
  const st = new CpuState(mem, layout);
  const fn = (await instantiateAot(compiled, mem))(0x100);
  const run = (limit: bigint, noDirect: number) => {
    st.setI64(X1, 0n); st.setI64(X2, 0n);
    mem.dv.setBigInt64(CONTROL_BASE + CTRL.icount, 0n, true);
    mem.dv.setBigInt64(CONTROL_BASE + CTRL.limit, limit, true);
    mem.dv.setInt32(CONTROL_BASE + CTRL.noDirect, noDirect, true);
    return { pc: fn(), x1: st.getI64(X1), x2: st.getI64(X2), icount: mem.dv.getBigInt64(CONTROL_BASE + CTRL.icount, true) };
  };
  // the jump cache is empty: only the direct tail call reaches 0x200's region
  assert.equal(run(100n, 0), { pc: 0x300, x1: 1n, x2: 2n, icount: 2n });
  assert.equal(run(1n, 0), { pc: 0x200, x1: 1n, x2: 0n, icount: 1n }, "at the instruction limit");
  assert.equal(run(100n, 1), { pc: 0x200, x1: 1n, x2: 0n, icount: 1n }, "after a translation was dropped");
});

/**
 * Instantiates an ahead-of-time module as the runtime does (DynamicExecutor.installModule): its entries are
 * not exported but written into the shared table from the imported table_base on, in the order of
 * `compiled.regions` (the module's AOT_ENTRIES_SECTION); returns the function of an entry pc.
 */
async function instantiateAot(compiled: CompiledModule, mem: GuestMemory): Promise<(pc: number) => () => number> {
  const table = new WebAssembly.Table({ element: "anyfunc", initial: 1 });
  const base = table.grow(compiled.regions.length);
  const imports = translationImports(mem, table, {});
  const { instance } = await WebAssembly.instantiate(compiled.binary as Uint8Array<ArrayBuffer>, { ...imports, env: { ...imports.env, [AOT_TABLE_BASE]: base } });
  assert.ok(compiled.regions.every((r) => !(r.name in instance.exports)), "no entry is exported");
  const listed = decodeEntryPcs(WebAssembly.Module.customSections(new WebAssembly.Module(compiled.binary as Uint8Array<ArrayBuffer>), AOT_ENTRIES_SECTION)[0]!);
  assert.equal(listed, compiled.regions.map((r) => r.entry));
  return (pc) => table.get(base + listed.indexOf(pc)) as () => number;
}

/**
 * A caller region (0x100: x3 = 0x104, the link; call 0x200 returning to 0x104; 0x104: x1 += x2, jump 0x300)
 * and a callee region (0x200: x2 = 5, x1 = 10; return to x3 + `skew`).
 */
function callerAndCallee(skew = 0n): Region[] {
  const a = new BlockBuilder(0x100, types);
  a.insn(0x100, 4); a.set(X3, a.i64(0x104n));
  const call = a.finish({ kind: "call", target: 0x200, ret: 0x104 });
  const r = new BlockBuilder(0x104, types);
  r.insn(0x104, 4); r.set(X1, r.bin("i64", "add", r.get(X1), r.get(X2)));
  const after = r.finish({ kind: "jump", target: 0x300 });
  const c = new BlockBuilder(0x200, types);
  c.insn(0x200, 4); c.set(X2, c.i64(5n));
  c.insn(0x204, 4); c.set(X1, c.i64(10n));
  c.insn(0x208, 4);
  const callee = c.finish({ kind: "indirect", target: c.bin("i64", "add", c.get(X3), c.i64(skew)), hint: "return" });
  return [{ entry: 0x100, blocks: [call, after] }, { entry: 0x200, blocks: [callee] }];
}

test("a call whose return site is in its region calls the callee's region as a Wasm function and continues there", async () => {
  for (const structure of ["relooper", "switch"] as const) {
    const compiled = compileRegions(layout, callerAndCallee(), { aot: true, structure });
    const mem = new GuestMemory();
    const st = new CpuState(mem, layout);
    const fn = (await instantiateAot(compiled, mem))(0x100);
    const run = (limit: bigint, depth = 0) => {
      st.setI64(X1, 1n); st.setI64(X2, 0n); st.setI64(X3, 0n);
      mem.dv.setBigInt64(CONTROL_BASE + CTRL.icount, 0n, true);
      mem.dv.setBigInt64(CONTROL_BASE + CTRL.limit, limit, true);
      mem.dv.setInt32(CONTROL_BASE + CTRL.depth, depth, true);
      for (let i = 0; i < 6; i++) mem.dv.setBigInt64(CONTROL_BASE + CTRL.chain + 8 * i, 0n, true);
      const pc = fn();
      // jump-cache lookups of returns (exit class 2: misses, hits)
      const lookups = mem.dv.getBigInt64(CONTROL_BASE + CTRL.chain + 32, true) + mem.dv.getBigInt64(CONTROL_BASE + CTRL.chain + 40, true);
      return { pc, x1: st.getI64(X1), x2: st.getI64(X2), icount: mem.dv.getBigInt64(CONTROL_BASE + CTRL.icount, true),
        depth: mem.dv.getInt32(CONTROL_BASE + CTRL.depth, true), lookups };
    };
    // the callee returns into the caller's function: x1 = 10 + 5 after the return site, no jump-cache lookup
    // for the return
    assert.equal(run(100n), { pc: 0x300, x1: 15n, x2: 5n, icount: 5n, depth: 0, lookups: 0n }, structure);
    // at the depth limit the call leaves (a direct tail call); the callee's return then finds no caller
    // waiting for it and leaves through the jump cache (empty: a miss, returned to the runtime)
    assert.equal(run(100n, MAX_CALL_DEPTH), { pc: 0x104, x1: 10n, x2: 5n, icount: 4n, depth: MAX_CALL_DEPTH, lookups: 1n }, `${structure}: depth limit`);
    // so it does when the waiting callers' frames fill the stack allowance
    assert.equal(run(100n, CALL_STACK_UNITS << 8), { pc: 0x104, x1: 10n, x2: 5n, icount: 4n, depth: CALL_STACK_UNITS << 8, lookups: 1n }, `${structure}: stack limit`);
    assert.equal(run(100n, (CALL_STACK_UNITS - 100) << 8), { pc: 0x300, x1: 15n, x2: 5n, icount: 5n, depth: (CALL_STACK_UNITS - 100) << 8, lookups: 0n }, `${structure}: a small frame fits`);
    // at the instruction limit it leaves before the call
    assert.equal(run(1n), { pc: 0x200, x1: 1n, x2: 0n, icount: 1n, depth: 0, lookups: 0n }, `${structure}: instruction limit`);
  }
  // a callee that returns elsewhere (not the site its caller waits for) continues there, not in the caller
  const compiled = compileRegions(layout, callerAndCallee(8n), { aot: true });
  const mem = new GuestMemory();
  const st = new CpuState(mem, layout);
  const entry = await instantiateAot(compiled, mem);
  mem.dv.setBigInt64(CONTROL_BASE + CTRL.limit, 100n, true);
  st.setI64(X1, 1n);
  assert.is(entry(0x100)(), 0x10c);
  assert.is(st.getI64(X1), 10n, "the return site's block did not run");
  assert.is(mem.dv.getInt32(CONTROL_BASE + CTRL.depth, true), 0);
});

test("and/or/xor of sign-extended 32-bit values run in i32 (also through registers); other operands stay 64-bit", async () => {
  // x1 = sext(w1 >>> 7) | sext(w1 << 25)   (a rotate as RV64 writes it: srliw, slliw, or)
  // x2 = (x1 ^ -1) & sext(w2)              (not, and: a constant that fits 32 bits sign-extended)
  // x3 = (x1 | 0x100000000) ^ x3           (a constant above 32 bits and a plain 64-bit register: no narrowing)
  const b = new BlockBuilder(0x100, types);
  const W = layout.slot("w");
  b.insn(0x100, 4); b.set(X1, b.conv("sext", b.bin("i32", "shru", b.get(W), b.i32(7))));
  b.insn(0x104, 4); b.set(X2, b.conv("sext", b.bin("i32", "shl", b.get(W), b.i32(25))));
  b.insn(0x108, 4); b.set(X1, b.bin("i64", "or", b.get(X1), b.get(X2)));
  b.insn(0x10c, 4); b.set(X2, b.bin("i64", "and", b.bin("i64", "xor", b.get(X1), b.i64(-1n)), b.conv("sext", b.bin("i32", "add", b.get(W), b.i32(1)))));
  b.insn(0x110, 4); b.set(X3, b.bin("i64", "xor", b.bin("i64", "or", b.get(X1), b.i64(0x100000000n)), b.get(X3)));
  // overlapping bits (or is not xor), and a zero-extended operand (not a sign extension: stays 64-bit)
  b.insn(0x114, 4); b.set(X1, b.bin("i64", "or", b.get(X1), b.conv("sext", b.get(W))));
  b.insn(0x118, 4); b.set(X3, b.bin("i64", "xor", b.get(X3), b.bin("i64", "or", b.get(X2), b.conv("zext", b.get(W)))));
  const region: Region = { entry: 0x100, blocks: [b.finish({ kind: "jump", target: 0x11c })] };
  const text = regionsToText(layout, [region]);
  assert.ok(/i32\.or/.test(text) && /i32\.and/.test(text) && /i32\.xor/.test(text), "narrowed to i32");
  assert.ok(/i64\.or/.test(text) && /i64\.xor/.test(text), "the others stay 64-bit");
  const mem = new GuestMemory();
  const st = new CpuState(mem, layout);
  const fn = await instantiate(region, mem);
  const sext = (v: bigint) => BigInt.asIntN(64, BigInt.asIntN(32, v));
  for (const w of [0, 1, -1, 0x7fffffff, -0x80000000, 0x12345678, -0x1234567, 0x40000001]) {
    const x3 = 0x0123456789abcdefn;
    st.setI32(W, w); st.setI64(X3, x3);
    assert.is(fn(), 0x11c);
    const u = BigInt(w >>> 0);
    const r1 = sext(u >> 7n) | sext((u << 25n) & 0xffffffffn);
    const x2 = (r1 ^ -1n) & sext(u + 1n);
    const r3 = (r1 | 0x100000000n) ^ x3;
    assert.is(st.getI64(X1), BigInt.asIntN(64, r1 | sext(u)), `x1 for ${w}`);
    assert.is(st.getI64(X2), BigInt.asIntN(64, x2), `x2 for ${w}`);
    assert.is(st.getI64(X3), BigInt.asIntN(64, r3 ^ (x2 | u)), `x3 for ${w}`);
  }
});

test.run();
