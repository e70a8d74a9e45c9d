/**
 * Malformed-input robustness: seeded mutants of the committed fixture binaries and of hand-made files of all
 * four class/byte-order combinations (byte flips in the headers and tables, truncations, random values in
 * header and table fields, random bytes). Each must end in an ElfError or in a parse whose facts are in
 * bounds, quickly, and `info` and the load checks must then work on it; any other exception fails.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { ElfError, loadProblems, parseElf, SHT_NOBITS, SHT_NULL } from "./elf.ts";
import type { ElfFile } from "./elf.ts";
import { buildElf, EHDR, patchInt, PHDR, SHDR } from "./testelf.ts";
import { describeElf, formatInfo } from "../../cli/commands/info.ts";

/** mulberry32: a small deterministic PRNG, so every run tests the same mutants. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]! };
}
type Rng = ReturnType<typeof prng>;

interface Base { name: string; bytes: Uint8Array; cls: 32 | 64; endian: "le" | "be"; elf: ElfFile }

function base(name: string, bytes: Uint8Array): Base {
  const elf = parseElf(bytes);
  return { name, bytes, cls: elf.class, endian: elf.endian, elf };
}

const fixture = (path: string) => new Uint8Array(readFileSync(`fixtures/bin/${path}`));
const BASES: Base[] = [
  base("riscv64/hello", fixture("riscv64/hello")),
  base("ppc32/hello", fixture("ppc32/hello")),
  base("riscv64/hello.stripped", fixture("riscv64/hello.stripped")),
  base("ppc32/hello.stripped", fixture("ppc32/hello.stripped")),
  ...([[32, "le"], [64, "be"]] as const).map(([cls, endian]) => base(`built ELF${cls} ${endian}`, buildElf({
    class: cls, endian, machine: 243, entry: 0x10000,
    segments: [{ type: 1, flags: 5, offset: 0, vaddr: 0x10000, filesz: 0x100, memsz: 0x100, align: 0x1000 }],
    payload: new Uint8Array(0x100),
    sections: [{ name: ".text", type: 1, flags: 6, addr: 0x10000, data: new Uint8Array(32), addralign: 4 }],
    symbols: [{ name: "_start", value: 0x10000, size: 4, type: 2, bind: 1, shndx: 1 }, { name: "x", value: 1, size: 0, type: 0, bind: 0, shndx: 0xfff1 }],
  }).bytes)),
];

/** Values likely to hit edge cases in a field of `size` bytes. */
function interesting(rng: Rng, size: 1 | 2 | 4 | 8, fileSize: number): number | bigint {
  const max = 2n ** BigInt(size * 8) - 1n;
  const choices: (number | bigint)[] = [0, 1, 2, 0x7f, 0x80, 0xff, 0xffff, 0x10000, fileSize, fileSize - 1, fileSize + 1,
    fileSize - 8, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffff0, 2 ** 32, 2 ** 53 - 1, 2n ** 53n, 2n ** 63n, max, max - 15n];
  const v = rng.next() < 0.7 ? rng.pick(choices) : BigInt(rng.int(2 ** 32)) * (size === 8 && rng.next() < 0.3 ? 2n ** BigInt(rng.int(33)) : 1n);
  return BigInt.asUintN(size * 8, BigInt(v));
}

/** One mutation of `b`, with a description for failure messages. */
function mutate(b: Base, rng: Rng): { bytes: Uint8Array; what: string } {
  const eh = EHDR[b.cls], ph = PHDR[b.cls], sh = SHDR[b.cls];
  const put = (bytes: Uint8Array, off: number, size: 1 | 2 | 4 | 8, v: number | bigint) => {
    if (off + size <= bytes.length) patchInt(bytes, off, size, v, b.endian);
  };
  const phoff = Number(readField(b, eh.phoff, eh.word)), shoff = Number(readField(b, eh.shoff, eh.word));
  const bytes = b.bytes.slice();
  switch (rng.int(7)) {
    case 0: { // byte flips in the ELF header and program header table
      const n = 1 + rng.int(4), end = phoff + b.elf.programHeaders.length * ph.size;
      const at = Array.from({ length: n }, () => rng.int(end));
      for (const i of at) bytes[i] = rng.int(256);
      return { bytes, what: `header byte flips at ${at.join(",")}` };
    }
    case 1: { // byte flips in the section header table
      if (b.elf.sections.length === 0) return { bytes: bytes.subarray(0, rng.int(bytes.length)), what: "truncation" };
      const n = 1 + rng.int(4), at = Array.from({ length: n }, () => shoff + rng.int(b.elf.sections.length * sh.size));
      for (const i of at) bytes[i] = rng.int(256);
      return { bytes, what: `section header byte flips at ${at.join(",")}` };
    }
    case 2: { // truncation: near the start, near a table boundary, or anywhere
      const edges = [eh.size, phoff + b.elf.programHeaders.length * ph.size, shoff, bytes.length, ...b.elf.sections.map((s) => s.offset + s.size)];
      const len = Math.max(0, Math.min(bytes.length - 1, rng.next() < 0.3 ? rng.int(256) : rng.next() < 0.5 ? rng.pick(edges) - rng.int(8) : rng.int(bytes.length)));
      return { bytes: bytes.subarray(0, len), what: `truncated to ${len} bytes` };
    }
    case 3: { // a random value in an ELF header field
      const fields = ["type", "machine", "entry", "phoff", "shoff", "flags", "phentsize", "phnum", "shentsize", "shnum", "shstrndx"] as const;
      const f = rng.pick(fields);
      const size = f === "entry" || f === "phoff" || f === "shoff" ? eh.word : f === "flags" ? 4 : 2;
      const v = interesting(rng, size, bytes.length);
      put(bytes, eh[f], size, v);
      return { bytes, what: `e_${f} = ${v}` };
    }
    case 4: { // a random value in a program header field
      if (b.elf.programHeaders.length === 0) return { bytes: new Uint8Array(0), what: "empty" };
      const i = rng.int(b.elf.programHeaders.length);
      const f = rng.pick(["type", "flags", "offset", "vaddr", "paddr", "filesz", "memsz", "align"] as const);
      const size = f === "type" || f === "flags" ? 4 : eh.word;
      const v = interesting(rng, size, bytes.length);
      put(bytes, phoff + i * ph.size + ph[f], size, v);
      return { bytes, what: `program header ${i} p_${f} = ${v}` };
    }
    case 5: { // a random value in a section header field
      if (b.elf.sections.length === 0) return { bytes: bytes.subarray(0, 64), what: "first 64 bytes" };
      const i = rng.int(b.elf.sections.length);
      const f = rng.pick(["name", "type", "flags", "addr", "offset", "size_", "link", "info", "addralign", "entsize"] as const);
      const size = f === "name" || f === "type" || f === "link" || f === "info" ? 4 : eh.word;
      const v = interesting(rng, size, bytes.length);
      put(bytes, shoff + i * sh.size + sh[f], size, v);
      return { bytes, what: `section ${i} sh_${f} = ${v}` };
    }
    default: { // random bytes, with or without a plausible identification
      const r = Uint8Array.from({ length: rng.int(600) }, () => rng.int(256));
      if (rng.next() < 0.7 && r.length >= 6) r.set([0x7f, 0x45, 0x4c, 0x46, 1 + rng.int(2), 1 + rng.int(2)]);
      return { bytes: r, what: `${r.length} random bytes` };
    }
  }
}

function readField(b: Base, off: number, size: 4 | 8): bigint {
  const dv = new DataView(b.bytes.buffer, b.bytes.byteOffset);
  return size === 8 ? dv.getBigUint64(off, b.endian === "le") : BigInt(dv.getUint32(off, b.endian === "le"));
}

/** The facts of a successful parse that must hold for any input: everything read lies inside the file. */
function checkInBounds(elf: ElfFile, size: number, what: string) {
  const safe = (n: number, field: string) => assert.ok(Number.isSafeInteger(n) && n >= 0, `${what}: ${field} = ${n}`);
  for (const n of [elf.entry, elf.flags, elf.type, elf.machine]) safe(n, "header field");
  for (const p of elf.programHeaders) {
    for (const [k, v] of Object.entries(p)) safe(v, `p_${k}`);
  }
  assert.ok(elf.programHeaders.length * (elf.class === 64 ? 56 : 32) <= size, `${what}: too many program headers`);
  assert.ok(elf.sections.length * (elf.class === 64 ? 64 : 40) <= size, `${what}: too many sections`);
  for (const s of elf.sections.slice(1)) {
    for (const [k, v] of Object.entries(s)) if (k !== "name") safe(v as number, `sh_${k}`);
    if (s.type !== SHT_NOBITS && s.type !== SHT_NULL) assert.ok(s.offset + s.size <= size, `${what}: section ${s.name} past end of file`);
  }
  assert.ok((elf.symbols.length + elf.dynamicSymbols.length) * (elf.class === 64 ? 24 : 16) <= size, `${what}: too many symbols`);
  for (const s of [...elf.symbols, ...elf.dynamicSymbols]) { safe(s.value, "st_value"); safe(s.size, "st_size"); }
  assert.ok((elf.interpreter?.length ?? 0) <= size, `${what}: interpreter longer than the file`);
  for (const n of elf.notes) assert.ok(n.desc.length <= size, `${what}: note longer than the file`);
}

/** Parses one input: an ElfError (one line, "malformed ELF: ...") or an in-bounds result; anything else fails. */
function check(bytes: Uint8Array, what: string): "error" | "parsed" {
  const t0 = performance.now();
  let result: "error" | "parsed";
  try {
    const elf = parseElf(bytes);
    checkInBounds(elf, bytes.length, what);
    const problems = loadProblems(elf);
    assert.ok(problems.every((p) => typeof p === "string" && !p.includes("\n")), `${what}: load problems`);
    assert.type(formatInfo(describeElf("mutant", elf)), "string");
    result = "parsed";
  } catch (e) {
    if (e instanceof assert.Assertion) throw e;
    if (!(e instanceof ElfError)) {
      assert.unreachable(`${what}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
      throw e;
    }
    assert.ok(e.message.startsWith("malformed ELF: ") && !e.message.includes("\n"), `${what}: message ${JSON.stringify(e.message)}`);
    result = "error";
  }
  const ms = performance.now() - t0;
  assert.ok(ms < 1000, `${what}: took ${ms.toFixed(0)} ms`);
  return result;
}

test("seeded mutants of fixture and hand-made binaries end in ElfError or an in-bounds parse", () => {
  const counts = { error: 0, parsed: 0 };
  for (const [k, b] of BASES.entries()) {
    const rng = prng(0x5eed + k);
    const n = b.bytes.length > 100000 ? 150 : 300;
    for (let i = 0; i < n; i++) {
      const m = mutate(b, rng);
      counts[check(m.bytes, `${b.name} mutant ${i} (${m.what})`)]++;
    }
  }
  // both outcomes must occur: mutants that break the file and mutants of fields the reader does not need
  assert.ok(counts.error >= 300, `only ${counts.error} mutants were rejected`);
  assert.ok(counts.parsed >= 100, `only ${counts.parsed} mutants parsed`);
});

test("every truncation of the first 4 KiB of each fixture, and of its last section header", () => {
  for (const b of BASES.slice(0, 2)) {
    for (let len = 0; len <= 4096; len++) check(b.bytes.subarray(0, len), `${b.name} truncated to ${len}`);
    for (let len = b.bytes.length - SHDR[b.cls].size; len < b.bytes.length; len++) {
      assert.is(check(b.bytes.subarray(0, len), `${b.name} truncated to ${len}`), "error", `${b.name} truncated to ${len}`);
    }
  }
});

test("random bytes behind a valid identification", () => {
  const rng = prng(42);
  for (let i = 0; i < 300; i++) {
    const cls = 1 + rng.int(2), data = 1 + rng.int(2);
    const r = Uint8Array.from({ length: 16 + rng.int(300) }, () => rng.int(256));
    r.set([0x7f, 0x45, 0x4c, 0x46, cls, data]);
    check(r, `random ${i}`);
  }
});

test.run();
