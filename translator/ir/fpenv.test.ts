// The FP environment analysis (fpenv.ts) on hand-encoded RV64 code and on the built fixtures: a flags read
// whose value only goes back into the flags or dies is not a use; any other consumer is; a rounding-mode
// write makes the mode dynamic; and the run-time check catches code the analysis did not see.
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { analyzeFpEnvironment, fpAssumptionViolation, type FpAssumptions } from "./fpenv.ts";
import { riscv64 } from "../guests/riscv64/index.ts";
import { GuestMemory, PROT_EXEC, PROT_READ } from "../../runtime/memory/memory.ts";
import { liftBlock, memoryCodeReader } from "../../runtime/interp/lift.ts";
import { parseElf } from "../elf/elf.ts";
import { programFromElf } from "../aot/elfimage.ts";
import { fixturesDir } from "../../fixtures/fixtures.ts";

// RV64 encodings (checked against riscv64-linux-gnu-objdump)
const I = {
  frflags_a4: 0x00102773, fsflags_a4: 0x00171073, // csrrs a4, fflags, x0 / csrrw x0, fflags, a4
  frflags_a2: 0x00102673, fsflags_a2: 0x00161073,
  frflags_a0: 0x00102573,
  flt_a5_fa4_fa5: 0xa2f717d3,
  fsrm_a0: 0x00251073, // csrrw x0, frm, a0
  frrm_a0: 0x00202573, // csrrs a0, frm, x0
  li_a4_0: 0x00000713, // addi a4, x0, 0
  li_a2_1: 0x00100613, // addi a2, x0, 1
  sd_a4_sp: 0x00e13023, // sd a4, 0(sp)
  sd_a2_sp: 0x00c13023, // sd a2, 0(sp)
  bnez_a4_8: 0x00071463, // bne a4, x0, +8
  beqz_a5_8: 0x00078463, // beq a5, x0, +8
  ret: 0x00008067, // jalr x0, 0(ra)
  jalr_a5: 0x000780e7, // jalr ra, 0(a5): an indirect call
  ecall: 0x00000073,
};
/** jal ra, off */
const jal = (off: number) => (((off >> 20) & 1) << 31) | (((off >> 1) & 0x3ff) << 21) | (((off >> 11) & 1) << 20) | (((off >> 12) & 0xff) << 12) | (1 << 7) | 0x6f;

const BASE = 0x10000;
/** Code at BASE (executable), and the analysis of it. */
function analyse(words: number[]): { a: FpAssumptions; mem: GuestMemory } {
  const mem = new GuestMemory();
  mem.map(BASE, 0x1000, PROT_READ | PROT_EXEC);
  words.forEach((w, i) => mem.dv.setUint32(BASE + 4 * i, w >>> 0, true));
  return { a: analyzeFpEnvironment(riscv64, memoryCodeReader(mem, "le"), [{ start: BASE, end: BASE + 4 * words.length }]), mem };
}

test("the save/restore idiom around a quiet comparison is not a use of the flags", () => {
  const { a } = analyse([I.frflags_a4, I.flt_a5_fa4_fa5, I.fsflags_a4, I.li_a4_0, I.ret]);
  assert.ok(a.flagsUnobserved, a.reasons.join("; "));
  assert.ok(a.roundingStatic);
  assert.ok(a.proof.has(BASE) && a.proof.has(BASE + 8), "the proof lists the read and the restore");
  assert.is(a.proof.get(BASE), I.frflags_a4);
});

test("a copy left in a scratch register dies at a return, or at a call after the restore", () => {
  assert.ok(analyse([I.frflags_a2, I.flt_a5_fa4_fa5, I.fsflags_a2, I.ret]).a.flagsUnobserved, "a2 is not preserved across calls");
  assert.ok(analyse([I.frflags_a2, I.fsflags_a2, jal(8), I.ret, I.sd_a2_sp, I.ret]).a.flagsUnobserved, "restored: the callee is not passed it");
  assert.ok(analyse([I.frflags_a2, I.fsflags_a2, I.jalr_a5, I.ret]).a.flagsUnobserved, "restored: an indirect call neither");
});

test("reading the flags into a value that is used is a use", () => {
  const uses: Array<[string, number[]]> = [
    ["returned in a0", [I.frflags_a0, I.ret]],
    ["stored", [I.frflags_a4, I.fsflags_a4, I.sd_a4_sp, I.ret]],
    ["branched on", [I.frflags_a4, I.bnez_a4_8, I.ret, I.ret]],
    ["live at a system call", [I.frflags_a2, I.fsflags_a2, I.ecall, I.ret]],
    ["passed to a callee that reads it (before the restore)", [I.frflags_a2, jal(8), I.ret, I.sd_a2_sp, I.ret]],
    ["live at an indirect call before the restore", [I.frflags_a2, I.jalr_a5, I.ret]],
    ["stored on one path of a branch", [I.frflags_a4, I.fsflags_a4, I.beqz_a5_8, I.sd_a4_sp, I.li_a4_0, I.ret]],
  ];
  for (const [what, code] of uses) {
    const { a } = analyse(code);
    assert.not.ok(a.flagsUnobserved, `${what}: should be a use`);
    assert.ok(a.reasons.length > 0 && /flags read/.test(a.reasons[0]!), `${what}: a reason is given (${a.reasons.join("; ")})`);
    assert.is(a.proof.size, 0);
  }
  // overwriting the copy on every path before anything reads it is not a use
  assert.ok(analyse([I.frflags_a4, I.fsflags_a4, I.beqz_a5_8, I.li_a4_0, I.li_a4_0, I.sd_a4_sp, I.ret]).a.flagsUnobserved);
});

test("writing the rounding mode makes it dynamic; reading it does not", () => {
  const w = analyse([I.fsrm_a0, I.ret]).a;
  assert.not.ok(w.roundingStatic);
  assert.ok(w.flagsUnobserved, "fsrm does not read the flags");
  assert.match(w.reasons.join(), /rounding mode written at 0x10000/);
  assert.ok(analyse([I.frrm_a0, I.ret]).a.roundingStatic);
});

test("code lifted at run time is checked against the assumptions", () => {
  const { a, mem } = analyse([I.frflags_a4, I.flt_a5_fa4_fa5, I.fsflags_a4, I.li_a4_0, I.ret]);
  const code = memoryCodeReader(mem, "le");
  const raw = (pc: number, size: number) => (size === 2 ? code.fetch16(pc) : code.fetch32(pc));
  const lift = (pc: number) => liftBlock(riscv64, code, pc, 16);
  assert.is(fpAssumptionViolation(riscv64, a, lift(BASE), raw), undefined, "the analysed code passes");
  // new code (not analysed) that reads the flags
  mem.dv.setUint32(BASE + 0x100, I.frflags_a0, true);
  mem.dv.setUint32(BASE + 0x104, I.ret, true);
  assert.match(fpAssumptionViolation(riscv64, a, lift(BASE + 0x100), raw) ?? "", /at 0x10100 reads the FP exception flags/);
  // the analysed idiom changed after the analysis: its restore became a store
  mem.dv.setUint32(BASE + 8, I.sd_a4_sp, true);
  assert.match(fpAssumptionViolation(riscv64, a, lift(BASE), raw) ?? "", /at 0x10008 changed/);
  // a rounding-mode write where it was assumed static
  mem.dv.setUint32(BASE + 0x200, I.fsrm_a0, true);
  mem.dv.setUint32(BASE + 0x204, I.ret, true);
  assert.match(fpAssumptionViolation(riscv64, a, lift(BASE + 0x200), raw) ?? "", /sets the FP rounding mode/);
});

const fixture = (name: string) => {
  const elf = parseElf(new Uint8Array(fs.readFileSync(path.join(fixturesDir(), "bin", "riscv64", name))));
  const p = programFromElf(elf, riscv64);
  return analyzeFpEnvironment(riscv64, memoryCodeReader(p.mem, "le"), p.image.code!);
};

test("the benchmarks never read the flags (printf's and libm's save/restore idioms aside) nor set the mode", () => {
  for (const name of ["bench-nbody", "bench-matmul", "hello", "printf"]) {
    const a = fixture(name);
    assert.ok(a.flagsUnobserved && a.roundingStatic, `${name}: ${a.reasons.join("; ")}`);
    assert.ok(a.proof.size > 0, `${name}: its printf holds save/restore idioms`);
  }
});

test("fmath, which tests exception flags and sets rounding modes, gets no assumption", () => {
  const a = fixture("fmath");
  assert.not.ok(a.flagsUnobserved);
  assert.not.ok(a.roundingStatic);
});

test.run();
