import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { main, COMMANDS } from "./main.ts";
import { InputError } from "./errors.ts";
import { buildElf } from "../translator/elf/testelf.ts";

/** An in-memory CliIO: `files` are the only readable files; output is collected. */
function capture(files: Record<string, Uint8Array> = {}) {
  const o = { out: "", err: "" };
  const io = {
    out: (t: string) => { o.out += t; },
    err: (t: string) => { o.err += t; },
    cwd: ".",
    readFile: async (path: string) => {
      const f = files[path];
      if (!f) throw new InputError(`${path}: cannot read: no such file or directory`);
      return f;
    },
  };
  return { io, o };
}

const fixture = (guest: string, name: string) =>
  new Uint8Array(readFileSync(`fixtures/bin/${guest}/${name}`));

test("--help lists every command", async () => {
  const { io, o } = capture();
  assert.is(await main(["--help"], io), 0);
  for (const c of COMMANDS) assert.ok(o.out.includes(c.name), c.name);
});

test("every command has --help", async () => {
  for (const c of COMMANDS) {
    const { io, o } = capture();
    assert.is(await main([c.name, "--help"], io), 0);
    assert.ok(o.out.startsWith(`isa2wasm ${c.name}`), o.out);
  }
});

test("unknown command exits 2 with one line", async () => {
  const { io, o } = capture();
  assert.is(await main(["frobnicate"], io), 2);
  assert.is(o.err.trim().split("\n").length, 1);
});

test("info on a malformed ELF: exit 2, exactly one stderr line naming the file", async () => {
  const good = fixture("riscv64", "hello");
  const broken: Record<string, Uint8Array> = {
    "truncated": good.subarray(0, 200),
    "badmagic": Uint8Array.from([0x7f, 0x45, 0x4c, 0x47, ...good.subarray(4, 64)]),
    "empty": new Uint8Array(0),
    "shnum": (() => { const b = good.slice(); b[60] = 0xff; b[61] = 0x7f; return b; })(), // e_shnum = 0x7fff
  };
  for (const name of Object.keys(broken)) {
    const { io, o } = capture(broken);
    assert.is(await main(["info", name], io), 2, name);
    assert.is(o.out, "", name);
    assert.ok(o.err.endsWith("\n"), name);
    const lines = o.err.slice(0, -1).split("\n");
    assert.is(lines.length, 1, o.err);
    assert.ok(lines[0]!.startsWith(`isa2wasm info: ${name}: malformed ELF: `), lines[0]);
  }
});

test("info on a missing file and with bad arguments: exit 2, one line", async () => {
  for (const argv of [["info", "nope"], ["info"], ["info", "a", "b"], ["info", "--frob", "x"]]) {
    const { io, o } = capture();
    assert.is(await main(argv, io), 2, argv.join(" "));
    assert.is(o.err.trim().split("\n").length, 1, o.err);
    assert.ok(o.err.startsWith("isa2wasm info: "), o.err);
  }
});

test("info on a fixture: exit 0, text and --json agree with the file header", async () => {
  const files = { rv: fixture("riscv64", "hello"), ppc: fixture("ppc32", "hello") };
  const { io, o } = capture(files);
  assert.is(await main(["info", "rv"], io), 0);
  assert.match(o.out, /^Class: +ELF64$/m);
  assert.match(o.out, /^Machine: +riscv64 /m);
  assert.match(o.out, /^Loadable: +yes/m);
  const j = capture(files);
  assert.is(await main(["info", "--json", "ppc"], j.io), 0);
  const info = JSON.parse(j.o.out);
  assert.is(info.class, 32);
  assert.is(info.endian, "be");
  assert.is(info.guest, "ppc32");
  assert.equal(info.loadProblems, []);
});

test("info on a dynamically linked or foreign file: exit 0, says why it cannot run", async () => {
  const interp = new TextEncoder().encode("/lib/ld-linux-riscv64-lp64d.so.1\0");
  const dynamic = buildElf({
    class: 64, endian: "le", machine: 243, entry: 0x10000, payload: interp,
    segments: [
      { type: 3, flags: 4, offset: 64 + 2 * 56, filesz: interp.length, memsz: interp.length, align: 1 },
      { type: 1, flags: 5, offset: 0, vaddr: 0x10000, filesz: 0x100, memsz: 0x100, align: 0x1000 },
    ],
  }).bytes;
  const x86 = buildElf({ class: 64, endian: "le", machine: 62 }).bytes;
  const { io, o } = capture({ dynamic, x86 });
  assert.is(await main(["info", "dynamic"], io), 0);
  assert.match(o.out, /^Interpreter: +\/lib\/ld-linux-riscv64-lp64d\.so\.1 /m);
  assert.match(o.out, /^Loadable: +no\n  - dynamically linked executables are not supported yet \(PT_INTERP \/lib\/ld-linux-riscv64-lp64d\.so\.1\): build with -static$/m);
  o.out = "";
  assert.is(await main(["info", "--json", "x86"], io), 0);
  const info = JSON.parse(o.out);
  assert.is(info.guest, null);
  assert.match(info.loadProblems[0], /^unsupported machine 62 /);
});

test("error messages with control characters stay on one line", async () => {
  const { io, o } = capture();
  assert.is(await main(["info", "a\nb"], io), 2);
  assert.is(o.err.trim().split("\n").length, 1, o.err);
});

test.run();
