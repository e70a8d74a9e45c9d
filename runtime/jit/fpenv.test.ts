// The FP assumptions in a running process (translator/ir/fpenv.ts): the dynamic tier analyses the image,
// and code that appears at run time reading the flags stops the process with a clear message instead of
// running on with flags that translated code did not keep; with --exact-fp (fpEnvironment "exact") the
// same program runs to its end.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { GuestProcess } from "../process/process.ts";
import type { ProcessImage } from "../process/loader.ts";
import { GuestMemory, PROT_EXEC, PROT_READ, PROT_WRITE } from "../memory/memory.ts";
import { memoryHost } from "../host/memory.ts";
import { riscv64 } from "../../translator/guests/riscv64/index.ts";
import { dynamicTier, type DynamicTier } from "./tier.ts";

const CODE = 0x10000, DATA = 0x20000;
// code: mprotect(DATA, 4096, RWX), then jump to DATA
const PROGRAM = [
  0x00020537, // lui a0, 0x20
  0x000015b7, // lui a1, 0x1
  0x00700613, // li a2, 7
  0x0e200893, // li a7, 226 (mprotect)
  0x00000073, // ecall
  0x000202b7, // lui t0, 0x20
  0x00028067, // jr t0
];
// data, made executable at run time: exit(fflags)
const MADE_AT_RUN_TIME = [
  0x00102573, // frflags a0
  0x05d00893, // li a7, 93 (exit)
  0x00000073, // ecall
];

function load(mem: GuestMemory): ProcessImage {
  mem.map(CODE, 0x1000, PROT_READ | PROT_EXEC);
  mem.map(DATA, 0x1000, PROT_READ | PROT_WRITE);
  PROGRAM.forEach((w, i) => mem.dv.setUint32(CODE + 4 * i, w, true));
  MADE_AT_RUN_TIME.forEach((w, i) => mem.dv.setUint32(DATA + 4 * i, w, true));
  return {
    entry: CODE, loadBias: 0, phdr: 0, phent: 56, phnum: 0, brk: 0x30000, executableStack: false,
    segments: [{ vaddr: CODE, memsz: 0x1000, filesz: 0x1000, prot: PROT_READ | PROT_EXEC }, { vaddr: DATA, memsz: 0x1000, filesz: 0x1000, prot: PROT_READ | PROT_WRITE }],
  };
}

function run(fpEnvironment: "analyse" | "exact", before: (p: GuestProcess) => void = () => {}) {
  let tier: DynamicTier | undefined;
  const make = dynamicTier(undefined, { fpEnvironment });
  const proc = new GuestProcess({
    guest: riscv64, elf: load, argv: ["t"], env: [], host: memoryHost(), mounts: [], cwd: "/",
    tier: (p) => (tier = make(p)),
  });
  before(proc);
  return { end: proc.run(), tier: tier! };
}

test("code made at run time that reads the flags stops a process whose translated code skips them", () => {
  const { end, tier } = run("analyse");
  assert.ok(tier.fpAssumptions.flagsUnobserved, "the image itself never reads the flags");
  assert.equal(tier.stats().fpFlagsSkipped, true);
  assert.is(end.kind, "killed");
  if (end.kind !== "killed") return;
  assert.is(end.signal, 4);
  assert.match(end.message, /guest code at 0x20000 reads the FP exception flags/);
  assert.match(end.message, /--exact-fp/);
});

test("with exact FP the same program runs to its end", () => {
  const { end, tier } = run("exact");
  assert.not.ok(tier.fpAssumptions.flagsUnobserved);
  assert.equal(end, { kind: "exit", status: 0 });
});

test("a rounding mode changed behind translated code's back (a signal frame's fcsr) stops the process", () => {
  // as rt_sigreturn restoring a handler-modified fcsr would leave it
  const { end } = run("analyse", (p) => p.state.set("frm", 1));
  assert.is(end.kind, "killed");
  if (end.kind === "killed") assert.match(end.message, /rounding mode was changed/);
  assert.equal(run("exact", (p) => p.state.set("frm", 1)).end.kind, "exit");
});

test.run();
