/**
 * `isa2wasm translate`: the module validates with wabt, carries its manifest, is byte-identical when made
 * twice, runs with `isa2wasm run` like the ELF file; bad input gives one line and exit 2.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fixturesDir } from "../../fixtures/fixtures.ts";
import { InputError } from "../errors.ts";
import { main } from "../main.ts";
import { buildElf } from "../../translator/elf/testelf.ts";
import { parseElf } from "../../translator/elf/elf.ts";
import { AOT_ENTRIES_SECTION, AOT_SECTION, AOT_TABLE_BASE, decodeEntryPcs, decodeManifest } from "../../translator/aot/format.ts";
import { memoryHost } from "../../runtime/host/memory.ts";
import { parseRunArgs, runProgram } from "./run.ts";
import { parseTranslateArgs } from "./translate.ts";

/** An in-memory CliIO: `files` are readable, written files land there too. */
function capture(files: Record<string, Uint8Array>) {
  const o = { out: "", err: "" };
  const io = {
    out: (t: string) => { o.out += t; },
    err: (t: string) => { o.err += t; },
    cwd: "/w",
    readFile: async (path: string) => {
      const f = files[path];
      if (!f) throw new InputError(`${path}: cannot read: no such file or directory`);
      return f;
    },
    writeFile: async (path: string, data: Uint8Array) => { files[path] = data.slice(); },
  };
  return { io, o };
}

const hello = new Uint8Array(readFileSync(join(fixturesDir(), "bin", "riscv64", "hello")));

test("options: -o, -O0..-O3, --progress, --exact-fp, --relaxed-simd-fma; defaults", () => {
  const off = { exactFp: false, relaxedSimdFma: false };
  assert.equal(parseTranslateArgs(["p"]), { program: "p", output: "p.wasm", optimize: 0, progress: undefined, stats: false, ...off });
  assert.equal(parseTranslateArgs(["-O3", "p", "-o", "x.wasm", "--progress"]), { program: "p", output: "x.wasm", optimize: 3, progress: true, stats: false, ...off });
  assert.equal(parseTranslateArgs(["--exact-fp", "--relaxed-simd-fma", "p"]), { program: "p", output: "p.wasm", optimize: 0, progress: undefined, stats: false, exactFp: true, relaxedSimdFma: true });
  assert.equal(parseTranslateArgs(["--output=y", "-O1", "--no-progress", "--stats", "p"]).optimize, 1);
  for (const bad of [[], ["-O4", "p"], ["p", "q"], ["-o"], ["--frobnicate", "p"]]) {
    assert.throws(() => parseTranslateArgs(bad), undefined, bad.join(" "));
  }
});

test("hello translated at -O0: valid Wasm (wabt), manifest, code map, deterministic, runs like the ELF file", async () => {
  const files: Record<string, Uint8Array> = { hello };
  const { io, o } = capture(files);
  assert.is(await main(["translate", "-O0", "hello", "-o", "a.wasm"], io), 0);
  assert.match(o.err, /^hello: \d+ instructions in \d+ regions \(\d+ blocks\) translated at -O0 in [\d.]+ s → a\.wasm \([\d.]+ MiB, from [\d.]+ KiB\)\n$/);
  assert.is(await main(["translate", "-O0", "hello", "-o", "b.wasm", "--no-progress"], io), 0);
  const a = files["a.wasm"]!, b = files["b.wasm"]!;
  assert.ok(a.length === b.length && a.every((x, i) => x === b[i]), "same input and options: byte-identical modules");

  const wabt = await (await import("wabt")).default();
  const mod = wabt.readWasm(a, { tail_call: true, bulk_memory: true, sign_extension: true, sat_float_to_int: true, mutable_globals: true });
  try {
    mod.validate();
  } finally {
    mod.destroy();
  }

  const module = await WebAssembly.compile(a as Uint8Array<ArrayBuffer>);
  const sections = WebAssembly.Module.customSections(module, AOT_SECTION);
  assert.is(sections.length, 1);
  const manifest = decodeManifest(sections[0]!);
  const elf = parseElf(hello);
  assert.is(manifest.guest, "riscv64");
  assert.is(manifest.image.entry, elf.entry);
  assert.equal(manifest.source, { name: "hello", size: hello.length });
  const imports = WebAssembly.Module.imports(module);
  assert.ok(imports.every((i) => i.module === "env"));
  assert.ok(imports.some((i) => i.name === "memory" && i.kind === "memory") && imports.some((i) => i.name === "table" && i.kind === "table"));
  // the code map: the entries' guest pcs, in the order the module writes their functions into the table
  assert.ok(imports.some((i) => i.name === AOT_TABLE_BASE && i.kind === "global"));
  assert.is(WebAssembly.Module.exports(module).filter((e) => e.kind === "function").length, 0, "no entry is exported");
  const entries = decodeEntryPcs(WebAssembly.Module.customSections(module, AOT_ENTRIES_SECTION)[0]!);
  assert.ok(entries.includes(elf.entry), "the entry point is in the code map");
  assert.is(entries.length, manifest.translation.entries);
  assert.is(new Set(entries).size, entries.length);

  // `isa2wasm run` recognises the module and runs it without the ELF file
  const out: number[] = [];
  const host = memoryHost({ output: (_fd, d) => out.push(...d) });
  host.fs.mkdir("/w", 0o755);
  const run = capture({ "a.wasm": a });
  assert.is(await runProgram(parseRunArgs(["--no-jit", "--stats", "a.wasm"], "/w", []), run.io, host), 0);
  assert.is(new TextDecoder().decode(Uint8Array.from(out)), "Hello, world!\n");
  const stats = JSON.parse(run.o.err.trim().split("\n").pop()!) as { tier: string; instructions: Record<string, number> };
  assert.is(stats.tier, "aot");
  const { aot, interp, dynamic } = stats.instructions as { aot: number; interp: number; dynamic: number };
  assert.is(dynamic, 0, "--no-jit: no translation at run time");
  assert.ok(aot / (aot + interp) > 0.99, JSON.stringify(stats.instructions));
});

test("bad input: one line on stderr, exit 2", async () => {
  const interp = new TextEncoder().encode("/lib/ld-linux-riscv64-lp64d.so.1\0");
  const dynamic = buildElf({
    class: 64, endian: "le", machine: 243, entry: 0x10000, payload: interp,
    segments: [
      { type: 3, flags: 4, offset: 64 + 2 * 56, filesz: interp.length, memsz: interp.length, align: 1 },
      { type: 1, flags: 5, offset: 0, vaddr: 0x10000, filesz: 0x100, memsz: 0x100, align: 0x1000 },
    ],
  }).bytes;
  const x86 = buildElf({ class: 64, endian: "le", machine: 62 }).bytes;
  const files = { text: new TextEncoder().encode("#!/bin/sh\necho hi\n"), dynamic, x86 };
  const cases: Array<[string, RegExp]> = [
    ["text", /^isa2wasm translate: text: (malformed ELF|not an ELF file)[^\n]*\n$/],
    ["dynamic", /^isa2wasm translate: dynamic: dynamically linked executables are not supported yet[^\n]*\n$/],
    ["x86", /^isa2wasm translate: x86: [^\n]*\n$/],
    ["missing", /^isa2wasm translate: missing: cannot read: no such file or directory\n$/],
  ];
  for (const [name, re] of cases) {
    const { io, o } = capture({ ...files });
    assert.is(await main(["translate", name], io), 2, name);
    assert.match(o.err, re, name);
  }
});

test.run();
