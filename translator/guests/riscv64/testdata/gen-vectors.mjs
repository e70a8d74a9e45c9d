#!/usr/bin/env node
// Regenerates the decoder test vectors from binutils (riscv64-linux-gnu-as, -objcopy, -objdump 2.40):
//   node translator/guests/riscv64/testdata/gen-vectors.mjs
// rv64gc.vectors.txt.gz: `addr<TAB>hex<TAB>objdump text` for every instruction of rv64gc.S, csrrs with each of
//   the 4096 CSR numbers, and seeded random encodings (legal and illegal), disassembled with -M no-aliases
//   (objdump's ` <symbol>` and ` # value` annotations removed).
// rvc-expansion.txt: `rvc hex<TAB>rvc text<TAB>base addr<TAB>base hex<TAB>base text` pairing each line of rvc-expansion.S
//   assembled with RVC (one compressed encoding) and without (the 32-bit base instruction).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const here = new URL(".", import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), "rv64gc-vectors-"));

/**
 * Assembles `source` after a label (objdump prints targets as `addr <label+off>` then, as in linked
 * programs), strips the mapping symbols (so objdump disassembles `.word`/`.2byte` as instructions) and
 * returns objdump's lines.
 */
function objdump(source, name) {
  const s = join(tmp, `${name}.S`), o = join(tmp, `${name}.o`), stripped = join(tmp, `${name}.stripped.o`);
  writeFileSync(s, "vectors:\n" + source);
  execFileSync("riscv64-linux-gnu-as", ["-march=rv64gc", s, "-o", o]);
  execFileSync("riscv64-linux-gnu-objcopy", ["--wildcard", "--strip-symbol=$*", o, stripped]);
  const out = execFileSync("riscv64-linux-gnu-objdump", ["-d", "-M", "no-aliases", stripped], { maxBuffer: 1 << 28 });
  const lines = [];
  for (const line of out.toString().split("\n")) {
    const m = /^\s*([0-9a-f]+):\t([0-9a-f]+)\s+\t(.*)$/.exec(line);
    if (m) lines.push({ addr: m[1], hex: m[2], text: m[3].replace(/ <[^>]*>$/, "").replace(/ # .*$/, "") });
  }
  return lines;
}

// xorshift32, fixed seed: the vectors are reproducible
let seed = 0x2545f491;
function random32() {
  seed ^= seed << 13; seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5; seed >>>= 0;
  return seed;
}

const majors = [0x03, 0x07, 0x0f, 0x13, 0x17, 0x1b, 0x23, 0x27, 0x2f, 0x33, 0x37, 0x3b, 0x43, 0x47, 0x4b, 0x4f,
  0x53, 0x63, 0x67, 0x6f, 0x73];
const random = [];
for (let i = 0; i < 2000; i++) {
  const parcel = random32() & 0xffff;
  if ((parcel & 3) !== 3) random.push(`\t.2byte\t0x${parcel.toString(16)}`);
}
for (let i = 0; i < 6000; i++) {
  // a major opcode, random other bits; for OP/OP-32/OP-IMM(-32) often a defined funct7 so that legal words appear
  const major = majors[random32() % majors.length];
  let word = ((random32() & ~0x7f) | major) >>> 0;
  if ([0x13, 0x1b, 0x33, 0x3b].includes(major) && random32() % 2) {
    word = ((word & 0x01ffffff) | ([0, 1, 0x20][random32() % 3] << 25)) >>> 0;
  }
  random.push(`\t.word\t0x${word.toString(16)}`);
}
for (let i = 0; i < 1000; i++) {
  const word = (random32() | 3) >>> 0;
  if ((word & 0x1c) !== 0x1c) random.push(`\t.word\t0x${word.toString(16)}`);
}

const source = readFileSync(join(here, "rv64gc.S"), "utf8") +
  "\t.set\tcsr,0\n\t.rept\t4096\n\tcsrrs\ta0,csr,zero\n\t.set\tcsr,csr+1\n\t.endr\n" + random.join("\n") + "\n";
const vectors = objdump(source, "rv64gc");
writeFileSync(join(here, "rv64gc.vectors.txt.gz"),
  gzipSync(vectors.map((v) => `${v.addr}\t${v.hex}\t${v.text}\n`).join(""), { level: 9 }));

const expansionSource = readFileSync(join(here, "rvc-expansion.S"), "utf8");
const compressed = objdump("\t.option rvc\n" + expansionSource, "rvc");
const base = objdump("\t.option norvc\n" + expansionSource, "base");
if (compressed.length !== base.length) throw new Error("rvc-expansion.S: line counts differ with and without RVC");
const pairs = compressed.map((c, i) => {
  if (c.hex.length !== 4) throw new Error(`rvc-expansion.S: ${base[i].text} was not compressed`);
  return `${c.hex}\t${c.text}\t${base[i].addr}\t${base[i].hex}\t${base[i].text}\n`;
});
writeFileSync(join(here, "rvc-expansion.txt"), pairs.join(""));
console.log(`${vectors.length} vectors, ${pairs.length} RVC expansions`);
