/**
 * Translated code leaves a loop when its instruction budget runs out, and the runtime can re-enter an
 * ahead-of-time module only at its entries (its code map): the loop must be left at an entry, or the rest
 * of the run stays in the interpreter. (Found at bench-sieve's default size: 39% of its instructions ran
 * in the interpreter because its counting loop, entered in its middle as GCC lays out `for` loops, was
 * left at a block that was no entry.)
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildElf } from "../elf/testelf.ts";
import { parseElf } from "../elf/elf.ts";
import { riscv64 } from "../guests/riscv64/index.ts";
import { loopHeads } from "../codegen/lower.ts";
import { fixturesDir } from "../../fixtures/fixtures.ts";
import { memoryHost } from "../../runtime/host/memory.ts";
import { GuestProcess } from "../../runtime/process/process.ts";
import { aotProcessParts, compileAotModule } from "../../runtime/aot/load.ts";
import { programFromElf } from "./elfimage.ts";
import { discoverRegions, translateProgram } from "./translate.ts";

/**
 * A static riscv64 program (riscv64-linux-gnu-as -march=rv64g, ld -Ttext=0x10000; placed at 0x10078 here)
 * whose loop is entered in its middle and whose back edge goes to a block that falls through into the loop's first block:
 *
 *   10000 li a0,0; lui a1,0x31; addiw a1,a1,-704 (200000); li a5,0; j body
 *   10014 top:  mv a5,a4
 *   10018 body: add a0,a0,a5; andi a3,a5,1; beqz a3,skip; addi a0,a0,1
 *   10028 skip: addi a4,a5,1; bne a5,a1,top
 *   10030 andi a0,a0,255; li a7,94; ecall            (exit_group: sum of 0..200000 plus the odd ones, mod 256)
 *
 * The region of the loop is entered at `body`; left at `top` or `skip`, the interpreter (whose blocks do
 * not stop at `body`) would run the loop to its end. qemu-riscv64 exits with 64.
 */
const LOOP_CODE = [
  0x00000513, 0x000315b7, 0xd405859b, 0x00000793, 0x0080006f, 0x00070793, 0x00f50533, 0x0017f693,
  0x00068463, 0x00150513, 0x00178713, 0xfeb794e3, 0x0ff57513, 0x05e00893, 0x00000073,
];

function loopElf(): Uint8Array {
  const code = new Uint8Array(4 * LOOP_CODE.length);
  LOOP_CODE.forEach((w, i) => new DataView(code.buffer).setUint32(4 * i, w, true));
  // one segment maps the file from its start: the code (position-independent) follows the headers
  const headers = 64 + 56;
  return buildElf({
    class: 64, endian: "le", machine: 243, type: 2, entry: 0x10000 + headers, payload: code,
    segments: [{ type: 1, flags: 5, offset: 0, vaddr: 0x10000, filesz: headers + code.length, memsz: headers + code.length, align: 0x1000 }],
  }).bytes;
}

test("a loop entered in its middle and left at its instruction budget resumes in translated code", async () => {
  const elf = parseElf(loopElf());
  const { binary, stats } = translateProgram(programFromElf(elf, riscv64), { optimize: 0, source: { name: "loop", size: 0 } });
  assert.equal(stats.rejected, []);
  const program = await compileAotModule(binary);
  // a small budget: the process loop stops translated code some 200 times on the way
  for (const budget of [10_000, 7_777]) {
    const parts = aotProcessParts(program);
    const proc = new GuestProcess({
      guest: riscv64, elf: parts.load, tier: parts.tier, argv: ["loop"], env: [], host: memoryHost(),
      mounts: [], cwd: "/", seed: 1n, budget,
    });
    await parts.install();
    const end = proc.run();
    assert.equal(end, { kind: "exit", status: 64 });
    const n = proc.stats().instructions;
    assert.ok(n.aot! > 1_000_000, JSON.stringify(n));
    assert.is(n.interp, 0, `budget ${budget}: instructions in the interpreter: ${JSON.stringify(n)}`);
  }
});

test("every loop head of an ahead-of-time region (where its code checks the budget and may leave) is an entry of a region", () => {
  const programs = [
    programFromElf(parseElf(loopElf()), riscv64),
    programFromElf(parseElf(new Uint8Array(readFileSync(join(fixturesDir(), "bin", "riscv64", "hello")))), riscv64),
  ];
  for (const p of programs) {
    const { regions } = discoverRegions(p);
    // (a region grown through calls holds loops of other regions too, entered there)
    const entered = new Set(regions.flatMap((r) => [r.entry, ...(r.entries ?? [])]));
    let loops = 0;
    for (const r of regions) {
      const heads = loopHeads(r);
      if (heads.length > 0) loops++;
      assert.ok(heads.every((h) => entered.has(h)), `region 0x${r.entry.toString(16)}: loop heads ${heads.map((h) => h.toString(16))}`);
    }
    assert.ok(loops > 0, "some regions hold loops");
  }
});

test.run();
