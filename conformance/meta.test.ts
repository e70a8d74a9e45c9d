/**
 * Meta-test: the vector suite must catch broken semantics. A guest whose lifter turns one instruction
 * into another (sub lifted as add, fsgnjn.d as fsgnj.d) must fail exactly the cases of that instruction
 * (including the compressed forms that expand to it), in every tier.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Guest } from "../translator/guests/guest.ts";
import { riscv64 } from "../translator/guests/riscv64/index.ts";
import { join } from "node:path";
import { conformanceDir, loadVectorGroup, readVectorFile, runVectorGroup, type VectorCase, type VectorFile } from "./vectors.ts";
import { TIERS, tiersFor } from "./tiers.ts";

/** riscv64 with the lifter rule of `victim` replaced by the one of `impostor`. */
function patched(victim: string, impostor: string): Guest {
  return {
    ...riscv64,
    lift: (d, pc, b) => riscv64.lift(d.op === victim ? { ...d, op: impostor } : d, pc, b),
  };
}

/** The cases of a group whose ids start with one of `ops` (kept small so every tier runs quickly). */
function only(file: VectorFile, ops: string[]): VectorFile {
  return { ...file, cases: file.cases.filter((c) => ops.includes(c.id.slice(0, c.id.indexOf("#")))) };
}

const mutations = [
  { victim: "sub", impostor: "add", group: "rv64i", ops: ["sub", "add", "subw"] },
  { victim: "sub", impostor: "add", group: "rvc", ops: ["c.sub", "c.add", "c.subw"] },
  { victim: "fsgnjn.d", impostor: "fsgnj.d", group: "rv64d", ops: ["fsgnjn.d", "fsgnj.d", "fsgnjx.d"] },
];

for (const m of mutations) {
  const file = only(loadVectorGroup("riscv64", m.group), m.ops);
  const victimCases = file.cases.filter((c) => c.id.startsWith(`${m.victim}#`) || c.id.startsWith(`c.${m.victim}#`));
  for (const tier of Object.values(TIERS)) {
    test(`${m.victim} lifted as ${m.impostor} is caught in ${m.group} (${tier.name})`, async () => {
      // unpatched: everything passes
      const clean = await runVectorGroup(riscv64, file, tier);
      assert.is(clean.failed, 0);
      const r = await runVectorGroup(patched(m.victim, m.impostor), file, tier);
      const failedIds = new Set(r.failures.map((f) => f.id));
      // every failure is a case of the victim; the suite finds most of them (those where a-b = a+b, i.e. b = 0
      // or b = 2^63, cannot tell the two apart)
      for (const id of failedIds) assert.ok(victimCases.some((c) => c.id === id), `unexpected failure ${id}`);
      assert.ok(victimCases.length > 0);
      assert.ok(r.failed >= victimCases.length / 2, `only ${r.failed} of ${victimCases.length} ${m.victim} cases failed`);
    });
  }
}

// the random kind fails too: sequences using the victim fail, and no other sequence does
{
  const file = readVectorFile(join(conformanceDir(), "riscv64", "random", "seed-1.json"));
  const uses = (c: VectorCase, names: string[]): boolean => c.dis.some((d) => names.includes(d.slice(0, d.indexOf(" "))));
  const victims = file.cases.filter((c) => uses(c, ["sub", "c.sub"]));
  for (const tier of tiersFor("all", 1)) {
    test(`sub lifted as add is caught by the random sequences (${tier.name})`, async () => {
      const r = await runVectorGroup(patched("sub", "add"), file, tier);
      assert.ok(victims.length > 0);
      assert.ok(r.failed > 0, "no random sequence failed");
      for (const f of r.failures) assert.ok(victims.some((c) => c.id === f.id), `unexpected failure ${f.id}`);
    });
  }
}

test.run();
