// The guest registry: ELF e_machine/class/byte order → guest, and names; ppc32 is recognised but not implemented.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { guestByName, guestForElf, whyNoGuest } from "./index.ts";

test("an RV64 little-endian ELF (EM_RISCV = 243, per the RISC-V ELF psABI) runs on the riscv64 guest", () => {
  const g = guestForElf(243, 64, "le");
  assert.is(g?.name, "riscv64");
  assert.is(g?.addressBits, 64);
  assert.is(g?.endian, "le");
  assert.is(g?.state.slot("x0"), 0);
  assert.is(guestByName("riscv64"), g);
});

test("RV32, big-endian RISC-V, PowerPC and other machines have no guest, and say why", () => {
  assert.is(guestForElf(243, 32, "le"), undefined);
  assert.match(whyNoGuest(243, 32, "le"), /32-bit little-endian RISC-V is not supported/);
  assert.is(guestForElf(20, 32, "be"), undefined); // EM_PPC
  assert.is(guestByName("ppc32"), undefined);
  assert.match(whyNoGuest(20, 32, "be"), /32-bit PowerPC is not implemented yet/);
  assert.match(whyNoGuest(20, 32, "le"), /little-endian PowerPC is not supported/);
  assert.is(guestForElf(62, 64, "le"), undefined); // EM_X86_64
  assert.match(whyNoGuest(62, 64, "le"), /unsupported ELF machine 62/);
  assert.is(guestByName("x86"), undefined);
});

test.run();
