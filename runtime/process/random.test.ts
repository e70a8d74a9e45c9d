import { test } from "uvu";
import * as assert from "uvu/assert";
import { seededRandomBytes } from "./random.ts";

test("SplitMix64 reference outputs for seed 1234567 (Vigna's splitmix64.c next(), compiled with gcc)", () => {
  // first two outputs of splitmix64.c's next() for x = 1234567
  const buf = new Uint8Array(16);
  seededRandomBytes(1234567n)(buf);
  const dv = new DataView(buf.buffer);
  assert.is(dv.getBigUint64(0, true), 6457827717110365317n);
  assert.is(dv.getBigUint64(8, true), 3203168211198807973n);
});

test("same seed, same bytes, however the requests are split; other seeds differ", () => {
  const a = new Uint8Array(40), b = new Uint8Array(40), c = new Uint8Array(40);
  seededRandomBytes(7n)(a);
  const g = seededRandomBytes(7n);
  g(b.subarray(0, 3)); g(b.subarray(3, 21)); g(b.subarray(21));
  seededRandomBytes(8n)(c);
  assert.equal(a, b);
  assert.not.equal(a, c);
});

test.run();
