/*
 * Reference FP results from PowerPC instructions (run under qemu-ppc): reads the lines of riscv-ref.c
 *   <op> <fmt> <rm> <a> <b> <c>
 * for op add sub mul div madd (fmt d: fadd fsub fmul fdiv, fmadd FRT = a·b + c) and conv (fmt s: frsp
 * of the f64 a), rm 0-3 in the IR's numbering (RNE RTZ RDN RUP; PowerPC has no RMM), and prints
 * "<result hex> <flags hex>" with the FPSCR exception bits mapped to the IR flags (XX→NX=1, UX→UF=2,
 * OX→OF=4, ZX→DZ=8, VX→NV=16). This is the reference for the `propagate` NaN policy and for tininess
 * detected before rounding.
 *
 * Build: powerpc-linux-gnu-gcc -O1 -static -o ppc-ref ppc-ref.c
 */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

static double d_of(uint64_t x) { double d; memcpy(&d, &x, 8); return d; }
static uint64_t bits_d(double d) { uint64_t x; memcpy(&x, &d, 8); return x; }

/* IR rounding mode -> FPSCR RN (0 nearest, 1 toward zero, 2 toward +inf, 3 toward -inf) */
static const unsigned RN[4] = { 0, 1, 3, 2 };

int main(void) {
  char op[16], fmt[4];
  unsigned rm;
  unsigned long long a, b, c;
  while (scanf("%15s %3s %u %llx %llx %llx", op, fmt, &rm, &a, &b, &c) == 6) {
    if (rm > 3) { fprintf(stderr, "no RMM on PowerPC\n"); return 1; }
    double fa = d_of(a), fb = d_of(b), fc = d_of(c), r = 0, fpscr;
    double init = d_of(RN[rm]);
    uint64_t result;
    __asm__ volatile("mtfsf 0xff, %0" : : "f"(init));
    if (!strcmp(op, "add")) __asm__ volatile("fadd %0, %1, %2" : "=f"(r) : "f"(fa), "f"(fb));
    else if (!strcmp(op, "sub")) __asm__ volatile("fsub %0, %1, %2" : "=f"(r) : "f"(fa), "f"(fb));
    else if (!strcmp(op, "mul")) __asm__ volatile("fmul %0, %1, %2" : "=f"(r) : "f"(fa), "f"(fb));
    else if (!strcmp(op, "div")) __asm__ volatile("fdiv %0, %1, %2" : "=f"(r) : "f"(fa), "f"(fb));
    else if (!strcmp(op, "madd")) __asm__ volatile("fmadd %0, %1, %2, %3" : "=f"(r) : "f"(fa), "f"(fb), "f"(fc));
    else if (!strcmp(op, "conv")) __asm__ volatile("frsp %0, %1" : "=f"(r) : "f"(fa));
    else { fprintf(stderr, "unknown op %s\n", op); return 1; }
    __asm__ volatile("mffs %0" : "=f"(fpscr));
    if (!strcmp(op, "conv")) { float s = (float)0; __asm__ volatile("stfs %1, %0" : "=m"(s) : "f"(r)); uint32_t w; memcpy(&w, &s, 4); result = w; }
    else result = bits_d(r);
    uint32_t f = (uint32_t)bits_d(fpscr);
    unsigned flags = (f & 0x02000000 ? 1 : 0) | (f & 0x08000000 ? 2 : 0) | (f & 0x10000000 ? 4 : 0)
                   | (f & 0x04000000 ? 8 : 0) | (f & 0x20000000 ? 16 : 0);
    printf("%llx %x\n", (unsigned long long)result, flags);
  }
  return 0;
}
