/**
 * Agreement with objdump on real programs: for every riscv64 fixture with an objdump capture
 * (fixtures/expected/riscv64/NAME.objdump.gz, lines `addr<TAB>hex<TAB>text` from `objdump -d -M no-aliases
 * -j .text`), decodes each listed instruction from the binary's .text and compares the text. objdump's
 * ` # value` annotations (its tracking of gp/tp and lui/auipc pairs) are not part of an instruction's text
 * and are left out of the comparison.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseElf } from "../../elf/elf.ts";
import type { CodeReader } from "../guest.ts";
import { decodeRiscv64 } from "./decode.ts";
import { disassembleRiscv64, disassembleUndecodable } from "./disasm.ts";

/** fixtures are read from the repository root (the tests run there, from the sources or from dist/) */
const expectedDir = "fixtures/expected/riscv64/";
const captures = existsSync(expectedDir)
  ? readdirSync(expectedDir).filter((f) => f.endsWith(".objdump.gz")).map((f) => f.slice(0, -".objdump.gz".length))
  : [];

/** Reads code from one section of an ELF file's bytes. */
function sectionReader(bytes: Uint8Array, addr: number, offset: number, size: number): CodeReader {
  const byteAt = (a: number) => {
    if (a < addr || a >= addr + size) throw new RangeError(`fetch outside .text at 0x${a.toString(16)}`);
    return bytes[offset + a - addr]!;
  };
  const fetch16 = (a: number) => byteAt(a) | byteAt(a + 1) << 8;
  return { fetch16, fetch32: (a) => (fetch16(a) | fetch16(a + 2) << 16) >>> 0 };
}

test("there are riscv64 objdump captures to compare with", () => {
  assert.ok(captures.length > 0, "no fixtures/expected/riscv64/*.objdump.gz");
});

for (const name of captures) {
  test(`${name}: disassembly agrees with objdump on ≥ 99.9% of .text`, () => {
    const bytes = new Uint8Array(readFileSync(`fixtures/bin/riscv64/${name}`));
    const text = parseElf(bytes).sections.find((s) => s.name === ".text");
    assert.ok(text, "no .text section");
    const code = sectionReader(bytes, text.addr, text.offset, text.size);
    const lines = gunzipSync(readFileSync(`${expectedDir}${name}.objdump.gz`)).toString().split("\n");
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
    console.log(`  riscv64 ${name}: ${agree}/${total} instructions agree with objdump (${percent.toFixed(3)}%)`);
    if (agree < total) {
      console.log(`  disagreements by objdump mnemonic: ${[...byMnemonic].map(([m, n]) => `${m} ${n}`).join(", ")}`);
      console.log(examples.join("\n"));
    }
    assert.ok(total > 1000, `only ${total} instructions in the capture`);
    assert.ok(percent >= 99.9, `${percent.toFixed(3)}% agreement`);
  });
}

test.run();
