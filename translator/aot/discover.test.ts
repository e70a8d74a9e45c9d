/** Static discovery: functions and their regions, and jump-table recovery. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Block, Exit } from "../ir/ir.ts";
import { riscv64 } from "../guests/riscv64/index.ts";
import { addressConstants, discover, functionRegions, jumpTableTargets } from "./discover.ts";
import { loopHeads } from "../ir/region.ts";

const block = (pc: number, exit: Exit): Block => ({ pc, end: pc + 4, ops: [], exit, temps: [], ninsns: 1 });
const jump = (target: number): Exit => ({ kind: "jump", target });
const branch = (taken: number, fallthrough: number): Exit => ({ kind: "branch", cond: 0, taken, fallthrough });

test("function regions: the start and return sites start regions; a join stays with the region reaching it backwards, else starts one; other entries and loop heads are entries inside a region", () => {
  // 0x100 → 0x110 (loop head) ⇄ 0x120; loop exit 0x110 → 0x130 → ret; the return site 0x140 jumps back
  // to 0x130 (a join that 0x140 reaches backwards: it stays in 0x140's region); 0x150 (a code address from
  // data, reached only from outside) loops on itself → 0x154 → 0x160 ⇄ 0x170, a loop entered in its
  // middle from the pointer entry 0x170; the return sites 0x180 and 0x184 both jump forward to 0x190 (a
  // join: a region of its own)
  const blocks = [
    block(0x100, jump(0x110)),
    block(0x110, branch(0x130, 0x120)),
    block(0x120, jump(0x110)),
    block(0x130, { kind: "indirect", target: 0, hint: "return" }),
    block(0x140, jump(0x130)),
    block(0x150, branch(0x150, 0x154)),
    block(0x154, jump(0x160)),
    block(0x160, branch(0x170, 0x164)),
    block(0x164, { kind: "indirect", target: 0, hint: "return" }),
    block(0x170, jump(0x160)),
    block(0x180, jump(0x190)),
    block(0x184, jump(0x190)),
    block(0x190, { kind: "indirect", target: 0, hint: "return" }),
  ];
  const regions = functionRegions({ entry: 0x100, blocks, entries: [0x140, 0x150, 0x170, 0x180, 0x184], resumePoints: [0x140, 0x180, 0x184] });
  const shape = regions.map((r) => [r.entry, r.blocks.map((b) => b.pc), r.entries]);
  assert.equal(shape, [
    [0x100, [0x100, 0x110, 0x120], [0x110]],
    [0x140, [0x140, 0x130], [0x130]],
    [0x150, [0x150, 0x154, 0x160, 0x164, 0x170], [0x160, 0x170]],
    [0x180, [0x180], []],
    [0x184, [0x184], []],
    [0x190, [0x190], []],
  ]);
  // every loop head the lowering checks the budget at (and may leave at) is an entry
  for (const r of regions) {
    for (const h of loopHeads(r)) assert.ok(h === r.entry || r.entries!.includes(h), `loop head 0x${h.toString(16)}`);
  }
});

test("function regions grow through calls: the first to everything its start reaches, a loop head's whose body calls to everything it reaches; return sites off loops merge in", () => {
  // 0x100 → 0x108 (loop head) → 0x10c: call → 0x110: call → 0x114 → 0x108; the loop leaves to 0x120 (ret)
  const call = (target: number, ret: number): Exit => ({ kind: "call", target, ret });
  const blocks = [
    block(0x100, jump(0x108)),
    block(0x108, branch(0x120, 0x10c)),
    block(0x10c, call(0x200, 0x110)),
    block(0x110, call(0x300, 0x114)),
    block(0x114, jump(0x108)),
    block(0x120, { kind: "indirect", target: 0, hint: "return" }),
  ];
  const regions = functionRegions({ entry: 0x100, blocks, entries: [0x110, 0x114], resumePoints: [0x110, 0x114] });
  const shape = regions.map((r) => [r.entry, r.blocks.map((b) => b.pc), r.entries]);
  assert.equal(shape, [
    [0x100, [0x100, 0x108, 0x10c, 0x110, 0x114, 0x120], []],
    // the return sites' regions as before (calls leave them), except that the loop head is no longer an
    // entry of the one that holds it: the loop's own region is entered there
    [0x110, [0x110], []],
    [0x114, [0x114, 0x108, 0x10c, 0x120], []],
    [0x108, [0x108, 0x10c, 0x110, 0x114, 0x120], []],
  ]);
  // straight-line calls: the return sites' regions merge into the grown first region as its entries
  const line = [block(0x200, call(0x300, 0x204)), block(0x204, call(0x400, 0x208)), block(0x208, { kind: "indirect", target: 0, hint: "return" })];
  const merged = functionRegions({ entry: 0x200, blocks: line, entries: [0x204, 0x208], resumePoints: [0x204, 0x208] });
  assert.equal(merged.map((r) => [r.entry, r.blocks.map((b) => b.pc), r.entries]), [[0x200, [0x200, 0x204, 0x208], [0x204, 0x208]]]);
});

test("function regions: the known targets of an indirect jump (a switch) stay in the jump's region", () => {
  const blocks = [
    block(0x100, { kind: "indirect", target: 0, hint: "jump", targets: [0x110, 0x120] }),
    block(0x110, jump(0x130)),
    block(0x120, jump(0x130)),
    block(0x130, { kind: "indirect", target: 0, hint: "return" }),
  ];
  const regions = functionRegions({ entry: 0x100, blocks, entries: [], resumePoints: [] });
  assert.equal(regions.map((r) => [r.entry, r.blocks.map((b) => b.pc)]), [[0x100, [0x100, 0x110, 0x120, 0x130]]]);
});

test("address constants (auipc/addi); a jump table of offsets from an auipc/addi address feeding lw and jr is read up to its first implausible entry", () => {
  // 0x1000: auipc a4,0x1; addi a4,a4,-0x100 (T = 0x1f00); slli a5,a5,2; add a5,a5,a4; lw a5,0(a5); add a5,a5,a4; jr a5
  const code = [0x00001717, 0xf0070713, 0x00279793, 0x00e787b3, 0x0007a783, 0x00e787b3, 0x00078067];
  const mem = new Map<number, number>();
  code.forEach((w, i) => mem.set(0x1000 + 4 * i, w));
  const reader = { fetch16: (a: number) => (mem.get(a & ~3)! >>> (8 * (a & 2))) & 0xffff, fetch32: (a: number) => mem.get(a)! };
  const table = [0x1020 - 0x1f00, 0x1040 - 0x1f00, 0x1060 - 0x1f00, 0x7fff0000];
  const read32 = (a: number) => (a >= 0x1f00 && a < 0x1f00 + 4 * table.length ? table[(a - 0x1f00) / 4] : undefined);
  const b: Block = { pc: 0x1000, end: 0x101c, ops: [], exit: { kind: "indirect", target: 0, hint: "jump" }, temps: [], ninsns: 7 };
  const executable = (pc: number) => pc >= 0x1000 && pc < 0x2000;
  const c = addressConstants(riscv64, reader, b);
  assert.equal(c, { addresses: [0x1f00], loads32: true });
  assert.equal(jumpTableTargets(c.addresses, b, executable, read32), [0x1020, 0x1040, 0x1060]);
  // without the 32-bit load it is not a table dispatch
  mem.set(0x1010, 0x0007b783); // ld a5,0(a5)
  assert.is(addressConstants(riscv64, reader, b).loads32, false);
});

test("a call target first reached through a tail call (no symbol makes it a function) is an entry of the function that owns it", () => {
  // 1000 _start: jal ra,1020 (C); j 1010 (B, a tail call)   1010 B: ret   1020 C: jal ra,1010 (B); ret
  // (bench-sieve stripped: _IO_fflush tail-calls _IO_flush_all, which tail-calls _IO_flush_all_lockp, also
  // called by _IO_cleanup: the call ran in the interpreter)
  const words = new Map([[0x1000, 0x020000ef], [0x1004, 0x00c0006f], [0x1010, 0x00008067], [0x1020, 0xff1ff0ef], [0x1024, 0x00008067]]);
  const reader = { fetch16: (a: number) => (words.get(a & ~3)! >>> (8 * (a & 2))) & 0xffff, fetch32: (a: number) => words.get(a)! };
  const found = discover(riscv64, reader, [{ pc: 0x1000, kind: "entry" }], (pc) => words.has(pc & ~3));
  const shape = found.functions.map((f) => [f.entry, f.blocks.map((b) => b.pc), f.entries]);
  assert.equal(shape, [
    [0x1000, [0x1000, 0x1004, 0x1010], [0x1004, 0x1010]],
    [0x1020, [0x1020, 0x1024], [0x1024]],
  ]);
  // B is entered in the region of the return site that jumps to it, which merges into the start's region
  // grown through the call
  assert.equal(functionRegions(found.functions[0]!).map((r) => [r.entry, r.entries]), [[0x1000, [0x1004, 0x1010]]]);
});

test.run();
