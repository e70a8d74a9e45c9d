/*
 * Reference FP results from RISC-V instructions (run under qemu-riscv64): reads lines
 *   <op> <fmt> <rm> <a> <b> <c>      (fmt s|d, rm 0-4, operands as hex bit patterns)
 * and prints, per line, "<result hex> <fflags hex>" where fflags uses the RISC-V bit order
 * (NX=1 UF=2 OF=4 DZ=8 NV=16). The rounding mode is written to frm and every instruction uses the
 * dynamic mode, so all five modes (RMM included) are covered.
 * Ops: add sub mul div sqrt madd min max eq lt le class
 *      tow towu tol tolu (FP -> int, result sign-extended to 64 bits)
 *      fromw fromwu froml fromlu (int in a -> FP), conv (to the other format: s->d or d->s)
 *
 * Build: riscv64-linux-gnu-gcc -O1 -static -o riscv-ref riscv-ref.c
 */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

typedef uint64_t u64;

static inline void set_rm(unsigned rm) { __asm__ volatile("fsrm %0" : : "r"(rm)); }
static inline void clear_flags(void) { __asm__ volatile("fsflags zero"); }
static inline unsigned get_flags(void) { unsigned f; __asm__ volatile("frflags %0" : "=r"(f)); return f; }

/* one instruction with f-register operands given as bit patterns (fmv.{w,d}.x boxes f32 correctly) */
#define BIN_D(insn) __asm__ volatile("fmv.d.x ft0, %1\n fmv.d.x ft1, %2\n" insn " ft2, ft0, ft1\n fmv.x.d %0, ft2" : "=r"(r) : "r"(a), "r"(b) : "ft0", "ft1", "ft2")
#define BIN_S(insn) __asm__ volatile("fmv.w.x ft0, %1\n fmv.w.x ft1, %2\n" insn " ft2, ft0, ft1\n fmv.x.w %0, ft2" : "=r"(r) : "r"(a), "r"(b) : "ft0", "ft1", "ft2")
#define CMP_D(insn) __asm__ volatile("fmv.d.x ft0, %1\n fmv.d.x ft1, %2\n" insn " %0, ft0, ft1" : "=r"(r) : "r"(a), "r"(b) : "ft0", "ft1")
#define CMP_S(insn) __asm__ volatile("fmv.w.x ft0, %1\n fmv.w.x ft1, %2\n" insn " %0, ft0, ft1" : "=r"(r) : "r"(a), "r"(b) : "ft0", "ft1")
#define UN_D(insn) __asm__ volatile("fmv.d.x ft0, %1\n" insn " ft2, ft0\n fmv.x.d %0, ft2" : "=r"(r) : "r"(a) : "ft0", "ft2")
#define UN_S(insn) __asm__ volatile("fmv.w.x ft0, %1\n" insn " ft2, ft0\n fmv.x.w %0, ft2" : "=r"(r) : "r"(a) : "ft0", "ft2")
#define TOI_D(insn) __asm__ volatile("fmv.d.x ft0, %1\n" insn " %0, ft0" : "=r"(r) : "r"(a) : "ft0")
#define TOI_S(insn) __asm__ volatile("fmv.w.x ft0, %1\n" insn " %0, ft0" : "=r"(r) : "r"(a) : "ft0")
#define FROMI_D(insn) __asm__ volatile(insn " ft2, %1\n fmv.x.d %0, ft2" : "=r"(r) : "r"(a) : "ft2")
#define FROMI_S(insn) __asm__ volatile(insn " ft2, %1\n fmv.x.w %0, ft2" : "=r"(r) : "r"(a) : "ft2")
#define FMA_D __asm__ volatile("fmv.d.x ft0, %1\n fmv.d.x ft1, %2\n fmv.d.x ft3, %3\n fmadd.d ft2, ft0, ft1, ft3\n fmv.x.d %0, ft2" : "=r"(r) : "r"(a), "r"(b), "r"(c) : "ft0", "ft1", "ft2", "ft3")
#define FMA_S __asm__ volatile("fmv.w.x ft0, %1\n fmv.w.x ft1, %2\n fmv.w.x ft3, %3\n fmadd.s ft2, ft0, ft1, ft3\n fmv.x.w %0, ft2" : "=r"(r) : "r"(a), "r"(b), "r"(c) : "ft0", "ft1", "ft2", "ft3")

#define OP(name, dcode, scode) else if (!strcmp(op, name)) { if (d) { dcode; } else { scode; } }

int main(void) {
  char op[16], fmt[4];
  unsigned rm;
  u64 a, b, c;
  while (scanf("%15s %3s %u %lx %lx %lx", op, fmt, &rm, &a, &b, &c) == 6) {
    int d = fmt[0] == 'd';
    u64 r = 0;
    set_rm(rm);
    clear_flags();
    if (0) {}
    OP("add", BIN_D("fadd.d"), BIN_S("fadd.s"))
    OP("sub", BIN_D("fsub.d"), BIN_S("fsub.s"))
    OP("mul", BIN_D("fmul.d"), BIN_S("fmul.s"))
    OP("div", BIN_D("fdiv.d"), BIN_S("fdiv.s"))
    OP("min", BIN_D("fmin.d"), BIN_S("fmin.s"))
    OP("max", BIN_D("fmax.d"), BIN_S("fmax.s"))
    OP("sqrt", UN_D("fsqrt.d"), UN_S("fsqrt.s"))
    OP("madd", FMA_D, FMA_S)
    OP("eq", CMP_D("feq.d"), CMP_S("feq.s"))
    OP("lt", CMP_D("flt.d"), CMP_S("flt.s"))
    OP("le", CMP_D("fle.d"), CMP_S("fle.s"))
    OP("class", TOI_D("fclass.d"), TOI_S("fclass.s"))
    OP("tow", TOI_D("fcvt.w.d"), TOI_S("fcvt.w.s"))
    OP("towu", TOI_D("fcvt.wu.d"), TOI_S("fcvt.wu.s"))
    OP("tol", TOI_D("fcvt.l.d"), TOI_S("fcvt.l.s"))
    OP("tolu", TOI_D("fcvt.lu.d"), TOI_S("fcvt.lu.s"))
    OP("fromw", FROMI_D("fcvt.d.w"), FROMI_S("fcvt.s.w"))
    OP("fromwu", FROMI_D("fcvt.d.wu"), FROMI_S("fcvt.s.wu"))
    OP("froml", FROMI_D("fcvt.d.l"), FROMI_S("fcvt.s.l"))
    OP("fromlu", FROMI_D("fcvt.d.lu"), FROMI_S("fcvt.s.lu"))
    /* conv: fmt names the destination */
    OP("conv", __asm__ volatile("fmv.w.x ft0, %1\n fcvt.d.s ft2, ft0\n fmv.x.d %0, ft2" : "=r"(r) : "r"(a) : "ft0", "ft2"),
               __asm__ volatile("fmv.d.x ft0, %1\n fcvt.s.d ft2, ft0\n fmv.x.w %0, ft2" : "=r"(r) : "r"(a) : "ft0", "ft2"))
    else { fprintf(stderr, "unknown op %s\n", op); return 1; }
    unsigned f = get_flags();
    /* f32 results come back sign-extended by fmv.x.w; integer conversions are kept as 64-bit values */
    if (!d && strncmp(op, "to", 2) && strcmp(op, "eq") && strcmp(op, "lt") && strcmp(op, "le") && strcmp(op, "class")) r &= 0xffffffffu;
    printf("%lx %x\n", r, f);
  }
  return 0;
}
