/**
 * Agreement with objdump on real programs: for every riscv64 fixture with an objdump capture
 * (fixtures/expected/riscv64/NAME.objdump.gz, lines `addr<TAB>hex<TAB>text` from `objdump -d -M no-aliases
 * -j .text`), decodes each listed instruction from the binary's .text and compares the text. objdump's
 * ` # value` annotations (its tracking of gp/tp and lui/auipc pairs) are not part of an instruction's text
 * and are left out of the comparison. Every fixture binary (stripped copies too) must decode as a whole.
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { listFixtures } from "../../../fixtures/fixtures.ts";
import { parseElf } from "../../elf/elf.ts";
import type { CodeReader } from "../guest.ts";
import { decodeRiscv64 } from "./decode.ts";
import { disassembleRiscv64, disassembleUndecodable } from "./disasm.ts";

const fixtures = listFixtures("riscv64");

/** Reads code from one section of an ELF file's bytes. */
function sectionReader(bytes: Uint8Array, addr: number, offset: number, size: number): CodeReader {
  const byteAt = (a: number) => {
    if (a < addr || a >= addr + size) throw new RangeError(`fetch outside .text at 0x${a.toString(16)}`);
    return bytes[offset + a - addr]!;
  };
  const fetch16 = (a: number) => byteAt(a) | byteAt(a + 1) << 8;
  return { fetch16, fetch32: (a) => (fetch16(a) | fetch16(a + 2) << 16) >>> 0 };
}

/** The .text of a fixture binary and a reader over it. */
function textOf(binary: string) {
  const bytes = new Uint8Array(readFileSync(binary));
  const text = parseElf(bytes).sections.find((s) => s.name === ".text");
  if (!text) throw new Error(`${binary}: no .text section`);
  return { text, code: sectionReader(bytes, text.addr, text.offset, text.size), bytes };
}

test("there are riscv64 fixtures with objdump captures to compare with", () => {
  assert.ok(fixtures.length >= 20, `${fixtures.length} riscv64 fixtures`);
  assert.ok(fixtures.some((f) => f.objdump), "no fixtures/expected/riscv64/*.objdump.gz");
});

for (const fixture of fixtures.filter((f) => f.objdump)) {
  test(`${fixture.name}: disassembly agrees with objdump on ≥ 99.9% of .text`, () => {
    const { code } = textOf(fixture.binary);
    const lines = gunzipSync(readFileSync(fixture.objdump!)).toString().split("\n");
    let total = 0, agree = 0;
    const byMnemonic = new Map<string, number>();
    const examples: string[] = [];
    for (const line of lines) {
      if (line === "") continue;
      const [addrHex, hex, ...rest] = line.split("\t") as [string, string, ...string[]];
      const expected = rest.join("\t").replace(/ # .*$/, "");
      const addr = parseInt(addrHex, 16);
      const d = decodeRiscv64(code, addr);
      const raw = d ? d.raw : parseInt(hex, 16);
      const got = d ? disassembleRiscv64(d, addr) : disassembleUndecodable(raw, hex.length / 2);
      const gotHex = raw.toString(16).padStart(d?.size === 2 || hex.length === 4 ? 4 : 8, "0");
      total++;
      if (got === expected && gotHex === hex) { agree++; continue; }
      const mnemonic = expected.split("\t")[0]!;
      byMnemonic.set(mnemonic, (byMnemonic.get(mnemonic) ?? 0) + 1);
      if (examples.length < 20) examples.push(`  ${addrHex} ${hex}: objdump "${expected}", got ${gotHex} "${got}"`);
    }
    const percent = (100 * agree) / total;
    console.log(`  riscv64 ${fixture.name}: ${agree}/${total} instructions agree with objdump (${percent.toFixed(3)}%)`);
    if (agree < total) {
      console.log(`  disagreements by objdump mnemonic: ${[...byMnemonic].map(([m, n]) => `${m} ${n}`).join(", ")}`);
      console.log(examples.join("\n"));
    }
    assert.ok(total > 1000, `only ${total} instructions in the capture`);
    assert.ok(percent >= 99.9, `${percent.toFixed(3)}% agreement`);
  });
}

test("every fixture's .text decodes (linear sweep; zero padding aside) on ≥ 99.99% of its instructions", () => {
  for (const fixture of fixtures) {
    for (const binary of [fixture.binary, ...(fixture.stripped ? [fixture.stripped] : [])]) {
      const { text, code } = textOf(binary);
      let total = 0, undecodable = 0;
      for (let pc = text.addr; pc + 2 <= text.addr + text.size;) {
        const parcel = code.fetch16(pc);
        if (parcel === 0) { pc += 2; continue; }
        const d = pc + 4 <= text.addr + text.size || (parcel & 3) !== 3 ? decodeRiscv64(code, pc) : undefined;
        total++;
        if (!d) undecodable++;
        pc += d ? d.size : (parcel & 3) === 3 ? 4 : 2;
      }
      assert.ok(total > 50000, `${binary}: ${total} instructions`);
      assert.ok(undecodable <= total / 10000, `${binary}: ${undecodable} of ${total} undecodable`);
    }
  }
});

test.run();
