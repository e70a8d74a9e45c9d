import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Block, Exit } from "../../translator/ir/ir.ts";
import { formRegion } from "./regions.ts";

const block = (pc: number, exit: Exit): Block => ({ pc, end: pc + 4, ops: [], exit, temps: ["i64"], ninsns: 1 });

test("an indirect jump's observed targets join the region and are listed on (a copy of) its exit", () => {
  const code = new Map<number, Block>([
    [0x100, block(0x100, { kind: "indirect", target: 0, hint: "jump" })],
    [0x200, block(0x200, { kind: "jump", target: 0x100 })],
    [0x300, block(0x300, { kind: "jump", target: 0x100 })],
    [0x400, block(0x400, { kind: "jump", target: 0x100 })],
  ]);
  const observed = new Map([[0x100, new Set([0x300, 0x200, 0x400])]]);
  const seen = (pc: number) => pc !== 0x400; // 0x400 never ran: left out
  const blocks = formRegion(0x100, (pc) => code.get(pc), seen, undefined, (pc) => observed.get(pc));
  assert.equal(blocks.map((b) => b.pc), [0x100, 0x300, 0x200]);
  assert.equal(blocks[0]!.exit, { kind: "indirect", target: 0, hint: "jump", targets: [0x200, 0x300] });
  const original = code.get(0x100)!.exit;
  assert.is(original.kind === "indirect" ? original.targets : "not indirect", undefined, "the lifted block is not modified");
  // returns and calls through registers do not pull their targets in
  code.set(0x100, block(0x100, { kind: "indirect", target: 0, hint: "return" }));
  assert.equal(formRegion(0x100, (pc) => code.get(pc), seen, undefined, (pc) => observed.get(pc)).map((b) => b.pc), [0x100]);
});

test.run();
