/**
 * The random kind without qemu: 50 random sequences of seed 1 with their qemu results, committed in
 * conformance/riscv64/random/seed-1.json (regenerate with the command at the top of conformance/main.ts),
 * run in every tier; the generator still produces those sequences; prefixes cut sequences where the
 * minimiser needs them to.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { riscv64 } from "../translator/guests/riscv64/index.ts";
import { conformanceDir, formatFailures, readVectorFile, runVectorGroup } from "./vectors.ts";
import { tiersFor } from "./tiers.ts";
import { instructionCount, prefix, programSource, randomSequence, referenceMissing } from "./riscv64/random.ts";
import { runRandom } from "./random.ts";
import type { Guest } from "../translator/guests/guest.ts";

const file = readVectorFile(join(conformanceDir(), "riscv64", "random", "seed-1.json"));
const meta = file as typeof file & { seed: string; length: number };

test("the committed sequences are what the generator makes for seed 1", () => {
  assert.is(file.cases.length, 50);
  file.cases.forEach((c, k) => {
    const s = randomSequence(BigInt(meta.seed), k, meta.length);
    assert.is(c.id, s.id);
    assert.is(c.enc.length, instructionCount(s), `${c.id}: instruction count`);
    assert.is(c.in.x28, file.cases[0]!.in.x28, "x28 is the scratch pointer");
    for (let r = 1; r < 28; r++) assert.is(BigInt(c.in[`x${r}`] ?? 0), s.x[r], `${c.id} x${r}`);
    for (let r = 0; r < 32; r++) assert.is(BigInt(c.in[`f${r}`] ?? 0), s.f[r], `${c.id} f${r}`);
    assert.is(((c.in.frm as number) << 5) | (c.in.fflags as number), s.fcsr);
  });
});

test("the sequences cover the instruction classes the generator promises", () => {
  // (objdump and the disassembler leave out a dynamic rounding mode)
  const all = file.cases.flatMap((c) => c.dis).join("\n");
  for (const re of [/^c\./m, /^amo/m, /^lr\./m, /^sc\./m, /^f(add|sub|mul|div)\.[sd] f\w+,f\w+,f\w+$/m, /^fn?m(add|sub)\./m, /^fcvt\./m, /^b(eq|ne|lt|ge)/m,
    /^jalr? /m, /^fs[wd] /m, /^l[bhwd]u? /m, /^csrr/m, /^mulh?/m, /^div|^rem/m]) {
    assert.ok(re.test(all), `no instruction matching ${re} in 50 sequences`);
  }
});

// the translating tiers at binaryen level 1 (as the CI and full runs; the vector tests cover level 2)
for (const tier of tiersFor("all", 1)) {
  test(`50 random sequences (seed 1) in ${tier.name} match qemu`, async () => {
    const r = await runVectorGroup(riscv64, file, tier);
    assert.is(r.passed + r.failed, 50);
    assert.is(r.failed, 0, formatFailures(r));
  });
}

test("prefixes: the first p instructions, branch targets past the cut at the end", () => {
  const s = randomSequence(1n, 0, 16);
  const n = instructionCount(s);
  for (let p = 1; p <= n; p++) {
    const q = prefix(s, p);
    assert.is(instructionCount(q), p);
    assert.is(q.items.length, s.items.length, "every label still exists");
    // every `.option rvc` is closed
    const lines = q.items.flatMap((it) => it.lines);
    assert.is(lines.filter((l) => l === ".option rvc").length, lines.filter((l) => l === ".option norvc").length);
  }
  assert.equal(prefix(s, n).items, s.items);
  const src = programSource([prefix(s, 3)]);
  assert.match(src, /^L_0:$/m);
  assert.match(src, /^E_0:$/m);
});

// end to end with the reference (skipped where qemu-riscv64 or the cross gcc is not installed): a lifter
// rule patched (sub as add) makes sequences fail, and each failure is minimised to a sub
const missing = referenceMissing();
test(`a patched lifter rule is minimised to the first wrong instruction${missing ? ` (skipped: ${missing})` : ""}`, async () => {
  if (missing) return;
  const patched: Guest = { ...riscv64, lift: (d, pc, b) => riscv64.lift(d.op === "sub" ? { ...d, op: "add" } : d, pc, b) };
  const r = await runRandom(tiersFor("interp-evaluate"), { count: 40, seed: 1n, length: 16, batch: 40, minimise: 3, guest: patched });
  const t = r.tiers[0]!;
  assert.ok(t.failed > 0, "no sequence failed");
  const minimised = t.failures.filter((f) => f.first !== undefined);
  assert.is(minimised.length, Math.min(3, t.failed));
  for (const f of minimised) assert.match(f.first!.dis, /^(c\.)?sub /, `${f.id}: first difference at ${f.first!.dis}`);
});

test.run();
