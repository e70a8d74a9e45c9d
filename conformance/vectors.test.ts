/** Every per-instruction vector group of every guest, in every tier: 100% must pass. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { riscv64 } from "../translator/guests/riscv64/index.ts";
import { formatFailures, listVectorGroups, loadVectorGroup, runVectorGroup } from "./vectors.ts";
import { TIERS } from "./tiers.ts";

for (const group of listVectorGroups("riscv64")) {
  const file = loadVectorGroup("riscv64", group);
  for (const tier of Object.values(TIERS)) {
    test(`riscv64 ${group} vectors in ${tier.name}`, async () => {
      const r = await runVectorGroup(riscv64, file, tier);
      assert.ok(r.passed + r.failed === file.cases.length && file.cases.length > 0);
      assert.is(r.failed, 0, `${r.failed} of ${file.cases.length} failed:\n${formatFailures(r)}`);
    });
  }
}

test.run();
