/**
 * `isa2wasm disasm` against objdump: the instruction lines of functions must be those of the fixtures'
 * objdump captures (fixtures/expected/riscv64/NAME.objdump.gz, `addr<TAB>hex<TAB>text`, objdump's
 * ` # value` annotations removed); errors exit 2 with one line.
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { InputError } from "../errors.ts";
import { main } from "../main.ts";
import { type Fixture, listFixtures } from "../../fixtures/fixtures.ts";
import { parseElf, STT_FUNC } from "../../translator/elf/elf.ts";

/** the riscv64 fixtures that come with an objdump capture */
const captured = listFixtures("riscv64").filter((f) => f.objdump);
const program = (guest: "riscv64" | "ppc32", name: string) => new Uint8Array(readFileSync(listFixtures(guest, name)[0]!.binary));

async function run(args: string[], files: Record<string, Uint8Array>) {
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
  return { code: await main(["disasm", ...args], io), ...o };
}

/** objdump's lines for [start, end) from a fixture's capture, as `addr<TAB>hex<TAB>text`. */
function capturedLines(fixture: Fixture, start: number, end: number): string[] {
  const capture = gunzipSync(readFileSync(fixture.objdump!)).toString();
  return capture.split("\n").filter((l) => {
    const addr = parseInt(l.split("\t")[0]!, 16);
    return l !== "" && addr >= start && addr < end;
  }).map((l) => l.replace(/ # .*$/, ""));
}

/** Our instruction lines (`   addr:\thex   \ttext`) in the capture's form. */
function instructionLines(out: string): string[] {
  return out.split("\n").map((l) => /^ *([0-9a-f]+):\t([0-9a-f]+) *\t(.*)$/.exec(l))
    .filter((m) => m !== null).map((m) => `${m[1]}\t${m[2]}\t${m[3]}`);
}

test("there are riscv64 fixtures with objdump captures", () => {
  assert.ok(captured.length > 0);
});

for (const fixture of captured) {
  for (const symbol of ["main", "__libc_start_main"]) {
    test(`disasm ${fixture.name} --symbol ${symbol} prints objdump's lines`, async () => {
      const bytes = new Uint8Array(readFileSync(fixture.binary));
      const sym = parseElf(bytes).symbols.find((s) => s.name === symbol && s.size > 0)!;
      const r = await run([fixture.name, "--symbol", symbol], { [fixture.name]: bytes });
      assert.is(r.code, 0, r.err);
      assert.ok(r.out.includes(`\n${sym.value.toString(16).padStart(16, "0")} <`), r.out.slice(0, 300));
      const expected = capturedLines(fixture, sym.value, sym.value + sym.size);
      assert.ok(expected.length > 10);
      assert.equal(instructionLines(r.out), expected);
    });
  }
}

test("a symbol without size is shown up to the next symbol", async () => {
  const fixture = captured[0]!;
  const bytes = new Uint8Array(readFileSync(fixture.binary));
  const elf = parseElf(bytes);
  const text = elf.sections.findIndex((s) => s.name === ".text");
  const named = (name: string) => elf.symbols.filter((s) => s.name === name).length === 1;
  const sym = elf.symbols.find((s) => s.shndx === text && s.size === 0 && s.type === STT_FUNC && named(s.name))!;
  assert.ok(sym, "no function symbol without size");
  const next = Math.min(...elf.symbols.filter((s) => s.shndx === text && s.value > sym.value && !s.name.startsWith("$"))
    .map((s) => s.value));
  const r = await run(["p", "--symbol", sym.name], { p: bytes });
  assert.is(r.code, 0, r.err);
  const expected = capturedLines(fixture, sym.value, next);
  assert.ok(expected.length >= 3, sym.name);
  assert.equal(instructionLines(r.out), expected);
});

test("--start/--end select an address range and label it from the symbol before it", async () => {
  const fixture = captured[0]!;
  const bytes = new Uint8Array(readFileSync(fixture.binary));
  const sym = parseElf(bytes).symbols.find((s) => s.name === "main")!;
  // from main's third instruction to its thirteenth
  const addresses = capturedLines(fixture, sym.value, sym.value + sym.size).map((l) => parseInt(l, 16));
  const start = addresses[2]!, end = addresses[12]!;
  const r = await run(["p", "--start", `0x${start.toString(16)}`, "--end", String(end)], { p: bytes });
  assert.is(r.code, 0, r.err);
  assert.ok(r.out.includes(`<main+0x${(start - sym.value).toString(16)}>:`), r.out);
  assert.equal(instructionLines(r.out), capturedLines(fixture, start, end));
});

test("whole-program disassembly covers the capture's .text", async () => {
  const fixture = captured[captured.length - 1]!;
  const r = await run(["p"], { p: new Uint8Array(readFileSync(fixture.binary)) });
  assert.is(r.code, 0, r.err);
  const ours = new Set(instructionLines(r.out));
  const missing = capturedLines(fixture, 0, 2 ** 53).filter((l) => !ours.has(l));
  assert.equal(missing.slice(0, 10), []);
});

test("ppc32 programs, unknown symbols, bad ranges and bad options exit 2 with one line", async () => {
  const files = { ppc: program("ppc32", "hello"), rv: program("riscv64", "hello"), junk: new Uint8Array(64) };
  const cases: [string[], RegExp][] = [
    [["ppc"], /PowerPC \(ppc32\) disassembly is not supported yet/],
    [["rv", "--symbol", "no_such_symbol"], /no symbol 'no_such_symbol'/],
    [["rv", "--start", "0x10"], /not in an executable section/],
    [["rv", "--start", "twelve"], /not an address/],
    [["rv", "--frobnicate"], /unknown option --frobnicate/],
    [["rv", "--symbol"], /needs a value/],
    [[], /expected one PROGRAM/],
    [["junk"], /junk: /],
    [["missing"], /cannot read/],
  ];
  for (const [args, message] of cases) {
    const r = await run(args, files);
    assert.is(r.code, 2, `${args.join(" ")}: ${r.err}`);
    assert.is(r.out, "");
    assert.is(r.err.trim().split("\n").length, 1, r.err);
    assert.match(r.err, message);
  }
});

test.run();
