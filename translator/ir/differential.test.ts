// Differential test: random IR programs run by the two independent block executors (generated JavaScript
// and the direct bigint evaluator) must leave identical stops, state, memory and instruction counts.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CODE_BASE, testMachine } from "../../runtime/interp/testguest.ts";
import { randomInitialState, randomProgram, snapshot } from "../../runtime/interp/randomir.ts";

test("random IR programs: compiled and evaluated executors agree exactly", () => {
  let stops = 0;
  for (let seed = 1; seed <= 150; seed++) {
    const program = randomProgram(seed, 12);
    const results = (["compile", "evaluate"] as const).map((executor) => {
      const m = testMachine(program, { executor, maxBlockInsns: 5 });
      randomInitialState(m, seed);
      const stop = m.interp.run(CODE_BASE, 1000);
      return { ...snapshot(m, stop), insns: m.interp.instructions };
    });
    const [a, b] = results as [typeof results[0], typeof results[0]];
    assert.is(a.stop, b.stop, `seed ${seed}: stop`);
    assert.is(a.insns, b.insns, `seed ${seed}: instruction count`);
    assert.is(a.state, b.state, `seed ${seed}: state`);
    assert.is(a.data, b.data, `seed ${seed}: memory`);
    if (!a.stop.includes("syscall")) stops++;
  }
  // the generator must exercise faults and traps as well as normal completion
  assert.ok(stops > 5 && stops < 140, `${stops} programs stopped early`);
});

test.run();
