/**
 * Initial stack tests. The reference layouts were recorded with qemu-user 7.2 (whose linux-user loader
 * follows Linux's create_elf_tables) running a static test program that prints where argv, envp, auxv,
 * the AT_RANDOM bytes and the strings are relative to its initial stack pointer:
 *
 *     env -i A=1 BB=22 qemu-riscv64 ./dump-rv x yy      (qemu hands the environment over as BB=22, A=1)
 *     env -i A=1 BB=22 qemu-ppc ./dump-ppc x yy
 *
 * Our auxv has the same number of entries as qemu's for both guests (Linux's order differs from qemu's),
 * so every offset from sp must agree.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { GuestMemory, PROT_READ, PROT_WRITE } from "../memory/memory.ts";
import type { ProcessImage } from "./loader.ts";
import { STACK_SIZE, STACK_TOP } from "./layout.ts";
import {
  AT_DCACHEBSIZE, AT_ENTRY, AT_EXECFN, AT_HWCAP, AT_NULL, AT_PHDR, AT_RANDOM, buildInitialStack, STACK_ABIS,
  ArgumentsTooLong,
} from "./stack.ts";

interface QemuLayout {
  argv: string[]; envp: string[];
  /** offsets from sp */
  argvStrings: number[]; envStrings: number[]; envpAt: number; auxvAt: number; random: number; execfn: number;
  /** auxv as qemu printed it (pointer-valued entries excluded from value comparison) */
  aux: Array<[number, number]>;
}

const QEMU: Record<"riscv64" | "ppc32", QemuLayout & { execName: string }> = {
  riscv64: {
    execName: "./dump-rv", argv: ["./dump-rv", "x", "yy"], envp: ["BB=22", "A=1"],
    argvStrings: [357, 367, 369], envStrings: [372, 378], envpAt: 40, auxvAt: 64, random: 336, execfn: 382,
    aux: [[3, 0x10040], [4, 0x38], [5, 7], [6, 0x1000], [7, 0], [8, 0], [9, 0x10554], [11, 0], [12, 0], [13, 0], [14, 0],
      [16, 0x112d], [17, 0x64], [25, -1], [23, 0], [31, -1], [0, 0]],
  },
  ppc32: {
    execName: "./dump-ppc", argv: ["./dump-ppc", "x", "yy"], envp: ["BB=22", "A=1"],
    argvStrings: [243, 254, 256], envStrings: [259, 265], envpAt: 20, auxvAt: 32, random: 224, execfn: 269,
    aux: [[22, 0x16], [22, 0x16], [19, 0x20], [20, 0x20], [21, 0], [3, 0x10000034], [4, 0x20], [5, 6], [6, 0x1000], [7, 0],
      [8, 0], [9, 0x10000394], [11, 0], [12, 0], [13, 0], [14, 0], [16, 0x8000000], [17, 0x64], [25, -1], [23, 0], [31, -1],
      [26, 0], [0, 0]],
  },
};

function stackMemory(): GuestMemory {
  const mem = new GuestMemory();
  mem.map(STACK_TOP - STACK_SIZE, STACK_SIZE, PROT_READ | PROT_WRITE);
  return mem;
}

/** Reads the stack back the way a C library's start code does. */
function walk(mem: GuestMemory, sp: number, n: 4 | 8, be: boolean) {
  const word = (a: number) => (n === 8 ? Number(mem.read64(a, be)) : mem.read32(a, be));
  const str = (a: number) => new TextDecoder().decode(mem.readCString(a));
  const argc = word(sp);
  const argv: number[] = [];
  for (let i = 0; i < argc; i++) argv.push(word(sp + n * (1 + i)));
  assert.is(word(sp + n * (1 + argc)), 0, "argv NULL");
  const envp: number[] = [];
  let a = sp + n * (2 + argc);
  const envpAt = a;
  for (; word(a) !== 0; a += n) envp.push(word(a));
  a += n;
  const auxvAt = a;
  const aux: Array<[number, number]> = [];
  for (;; a += 2 * n) {
    aux.push([word(a), word(a + n)]);
    if (word(a) === AT_NULL) break;
  }
  return { argc, argv, envp, envpAt, auxvAt, aux, str };
}

for (const guest of ["riscv64", "ppc32"] as const) {
  test(`${guest}: layout matches qemu's, and the stack reads back`, () => {
    const q = QEMU[guest];
    const abi = STACK_ABIS[guest];
    const mem = stackMemory();
    const entry = q.aux.find(([t]) => t === AT_ENTRY)![1], phdr = q.aux.find(([t]) => t === AT_PHDR)![1];
    const image: ProcessImage = {
      entry, loadBias: 0, segments: [], phdr, phent: q.aux.find(([t]) => t === 4)![1], phnum: q.aux.find(([t]) => t === 5)![1],
      brk: 0, executableStack: false,
    };
    const random = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
    const { sp, auxv } = buildInitialStack(mem, abi, {
      argv: q.argv, envp: q.envp, execfn: q.execName, image, random, top: STACK_TOP, bottom: STACK_TOP - STACK_SIZE,
    });
    assert.is(sp % 16, 0);
    const w = walk(mem, sp, abi.pointerBytes, abi.endian === "be");
    assert.is(w.argc, q.argv.length);
    assert.equal(w.argv.map((p) => p - sp), q.argvStrings);
    assert.equal(w.envp.map((p) => p - sp), q.envStrings);
    assert.equal(w.argv.map(w.str), q.argv);
    assert.equal(w.envp.map(w.str), q.envp);
    assert.is(w.envpAt - sp, q.envpAt);
    assert.is(w.auxvAt - sp, q.auxvAt);
    assert.equal(w.aux, auxv);
    // same entries as qemu (as a multiset; Linux orders them differently), same values where not pointers
    const key = ([t, v]: [number, number]) => `${t}:${t === AT_RANDOM || t === AT_EXECFN ? "ptr" : v}`;
    assert.equal(w.aux.map(key).sort(), q.aux.map(key).sort());
    const get = (t: number) => w.aux.find(([x]) => x === t)![1];
    assert.is(get(AT_RANDOM) - sp, q.random);
    assert.equal(mem.readBytes(get(AT_RANDOM), 16), random);
    assert.is(get(AT_EXECFN) - sp, q.execfn);
    assert.is(w.str(get(AT_EXECFN)), q.execName);
    // the strings end 8 zero bytes below the top
    assert.is(get(AT_EXECFN) + q.execName.length + 1, STACK_TOP - 8);
    assert.is(mem.read8(STACK_TOP - 1), 0);
  });
}

test("riscv64 AT_HWCAP has a bit per extension letter (IMAFDC); ppc32 reports 32-byte cache blocks", () => {
  const bits = [..."imafdc"].reduce((b, c) => b | (1 << (c.charCodeAt(0) - 97)), 0);
  assert.is(STACK_ABIS.riscv64.hwcap, bits);
  assert.ok(STACK_ABIS.ppc32.archAux.some(([t, v]) => t === AT_DCACHEBSIZE && v === 32));
  assert.is(STACK_ABIS.riscv64.archAux.some(([t]) => t === AT_HWCAP), false);
});

test("arguments that do not fit the stack are refused", () => {
  const mem = stackMemory();
  const image: ProcessImage = { entry: 0x10000, loadBias: 0, segments: [], phdr: 0, phent: 56, phnum: 0, brk: 0, executableStack: false };
  assert.throws(() => buildInitialStack(mem, STACK_ABIS.riscv64, {
    argv: ["a".repeat(5000)], envp: [], execfn: "a", image, random: new Uint8Array(16), top: STACK_TOP, bottom: STACK_TOP - 4096,
  }), (e: unknown) => e instanceof ArgumentsTooLong);
});

test.run();
