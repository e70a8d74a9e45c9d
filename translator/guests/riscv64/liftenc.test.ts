// The lifter through real encodings: a program assembled by riscv64-linux-gnu-as (binutils 2.40, -march=rv64gc)
// runs through the decoder and the lifter in the interpreter; expected register values are derived from
// the ISA manual by hand, per instruction (comments). Also checks that the decoder and the lifter agree
// on the set of instruction names, and the guest registry.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { PROT_EXEC, PROT_READ } from "../../../runtime/memory/memory.ts";
import { decodeRiscv64 } from "./decode.ts";
import { RV64G_ROWS, RVC_ROWS } from "./encoding.ts";
import { LIFTED_OPS } from "./lift.ts";
import { CODE, DATA, f64, runGuest , LIFT_EXECUTORS } from "./lifttest.ts";

// `riscv64-linux-gnu-objdump -d -M no-aliases` of the program:
//      0: 5575                 c.li a0,-3
//      2: 2505                 c.addiw a0,1
//      4: 1572                 c.slli a0,0x3c
//      6: 9575                 c.srai a0,0x3d
//      8: 767d                 c.lui a2,0xfffff
//      a: 86b2                 c.mv a3,a2
//      c: 96aa                 c.add a3,a0
//      e: 7139                 c.addi16sp sp,-64
//     10: 0800                 c.addi4spn s0,sp,16
//     12: e436                 c.sdsp a3,8(sp)
//     14: 6722                 c.ldsp a4,8(sp)
//     16: c014                 c.sw a3,0(s0)
//     18: 401c                 c.lw a5,0(s0)
//     1a: 00000317           auipc t1,0x0
//     1e: 0329                 c.addi t1,10 # 24 <_start+0x24>
//     20: 9302                 c.jalr t1
//     22: 9002                 c.ebreak
//     24: 406084b3           sub s1,ra,t1
//     28: c091                 c.beqz s1,2c <.L1^B1>
//     2a: e091                 c.bnez s1,2e <.L2^B1>
//     2c: 9002                 c.ebreak
//     2e: a011                 c.j 32 <.L3^B1>
//     30: 9002                 c.ebreak
//     32: 0021d073           csrrwi zero,frm,3
//     36: 4395                 c.li t2,5
//     38: d223f553           fcvt.d.l fa0,t2
//     3c: 4e09                 c.li t3,2
//     3e: d22e75d3           fcvt.d.l fa1,t3
//     42: 1ab57653           fdiv.d fa2,fa0,fa1
//     46: c2267ed3           fcvt.l.d t4,fa2
//     4a: c2261f53           fcvt.l.d t5,fa2,rtz
//     4e: 00810813           addi a6,sp,8
//     52: 10083faf           lr.d t6,(a6)
//     56: 18a8392f           sc.d s2,a0,(a6)
//     5a: 69a2                 c.ldsp s3,8(sp)
//     5c: 00a42a2f           amoadd.w s4,a0,(s0)
//     60: 00042a83           lw s5,0(s0)
//     64: 00102b73           csrrs s6,fflags,zero
//     68: e2060bd3           fmv.x.d s7,fa2
//     6c: 00000073           ecall
const PROGRAM =
  "75550525721575957d76b286aa963971000836e4226714c01c4017030000290302930290b384604091c091e0029011a0" +
  "029073d02100954353f523d2094ed3752ed25376b51ad37e26c2531f26c213088100af3f08102f39a818a2692f2aa400" +
  "832a0400732b1000d30b06e273000000";

for (const executor of LIFT_EXECUTORS) {
  test(`${executor}: assembled RV64GC program (compressed forms, link, branches, csr, dynamic rm, lr/sc, amo)`, () => {
    const bytes = Uint8Array.from(PROGRAM.match(/../g)!.map((h) => parseInt(h, 16)));
    const sp = DATA + 4096;
    const r = runGuest(executor, decodeRiscv64, (m) => {
      m.map(CODE, 4096, PROT_READ | PROT_EXEC);
      m.u8.set(bytes, CODE);
    }, (s) => s.set("x2", BigInt(sp)), []);
    const x = (name: string, i: number) => [name, r.x(i)] as const;
    const newSp = BigInt(sp - 64);
    assert.equal(r.stop, { kind: "syscall", next: CODE + 0x70 });
    assert.equal([
      x("a0", 10), x("a2", 12), x("a3", 13), x("sp", 2), x("s0", 8), x("a4", 14), x("a5", 15), x("t1", 6), x("ra", 1),
      x("s1", 9), x("t4", 29), x("t5", 30), x("a6", 16), x("t6", 31), x("s2", 18), x("s3", 19), x("s4", 20), x("s5", 21),
      x("s6", 22), x("s7", 23),
    ], [
      ["a0", -1n], // -3 + 1 = -2 (addiw); -2 << 60 = 0xe000...; >> 61 arithmetic = -1
      ["a2", -4096n], // c.lui: 0xfffff << 12 sign-extended
      ["a3", -4097n],
      ["sp", newSp], // c.addi16sp -64
      ["s0", newSp + 16n], // c.addi4spn
      ["a4", -4097n], // c.sdsp / c.ldsp round trip
      ["a5", -4097n], // c.lw sign-extends 0xffffefff
      ["t1", BigInt(CODE + 0x24)], // auipc + 10
      ["ra", BigInt(CODE + 0x22)], // c.jalr at 0x20 links pc + 2
      ["s1", -2n], // ra - t1; c.beqz not taken, c.bnez taken, c.j taken: no c.ebreak reached
      ["t4", 3n], // 5.0 / 2.0 = 2.5 converted with dyn rm = frm = RUP (csrwi frm, 3)
      ["t5", 2n], // static RTZ
      ["a6", newSp + 8n],
      ["t6", -4097n], // lr.d
      ["s2", 0n], // sc.d succeeds on the reserved address
      ["s3", -1n], // and stored a0
      ["s4", -4097n], // amoadd.w returns the old word, sign-extended
      ["s5", -4098n], // the new word
      ["s6", 1n], // fflags: only NX (2.5 → 3 and 2.5 → 2 are inexact)
      ["s7", BigInt.asIntN(64, f64(2.5))],
    ]);
    assert.is(r.state.get("frm"), 3);
  });
}

test("the lifter defines exactly the instructions the decoder produces", () => {
  const decoded = new Set([...RV64G_ROWS.map((row) => row.name), ...RVC_ROWS.map((row) => row.expand.op)]);
  const lifted = new Set(LIFTED_OPS);
  assert.equal([...decoded].filter((op) => !lifted.has(op)), [], "decoded but not lifted");
  assert.equal([...lifted].filter((op) => !decoded.has(op)), [], "lifted but never decoded");
});

test.run();
