/*
 * Second, independent reference (the host's x86-64 SSE/FMA hardware through C99 <fenv.h>): reads the same
 * lines as riscv-ref.c and prints "<result hex> <flags hex>" in the RISC-V flag order, or "- -" for ops
 * and rounding modes C cannot express (RMM, min/max, compares, class, conversions to integers, whose
 * x86 out-of-range behaviour differs from RISC-V). Used by generate.mjs to cross-check the RISC-V results.
 *
 * Build: gcc -O0 -frounding-math -fsignaling-nans -o x86-ref x86-ref.c -lm
 */
#include <fenv.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#pragma STDC FENV_ACCESS ON

static double d_of(uint64_t x) { double d; memcpy(&d, &x, 8); return d; }
static float s_of(uint64_t x) { uint32_t w = (uint32_t)x; float f; memcpy(&f, &w, 4); return f; }
static uint64_t bits_d(double d) { uint64_t x; memcpy(&x, &d, 8); return x; }
static uint64_t bits_s(float f) { uint32_t w; memcpy(&w, &f, 4); return w; }

static const int MODES[4] = { FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD };

int main(void) {
  char op[16], fmt[4];
  unsigned rm;
  uint64_t a, b, c;
  while (scanf("%15s %3s %u %lx %lx %lx", op, fmt, &rm, &a, &b, &c) == 6) {
    int d = fmt[0] == 'd';
    if (rm > 3) { puts("- -"); continue; }
    volatile double da = d_of(a), db = d_of(b), dc = d_of(c);
    volatile float sa = s_of(a), sb = s_of(b), sc = s_of(c);
    uint64_t r;
    fesetround(MODES[rm]);
    feclearexcept(FE_ALL_EXCEPT);
    if (!strcmp(op, "add")) r = d ? bits_d(da + db) : bits_s(sa + sb);
    else if (!strcmp(op, "sub")) r = d ? bits_d(da - db) : bits_s(sa - sb);
    else if (!strcmp(op, "mul")) r = d ? bits_d(da * db) : bits_s(sa * sb);
    else if (!strcmp(op, "div")) r = d ? bits_d(da / db) : bits_s(sa / sb);
    else if (!strcmp(op, "sqrt")) r = d ? bits_d(sqrt(da)) : bits_s(sqrtf(sa));
    else if (!strcmp(op, "madd")) r = d ? bits_d(fma(da, db, dc)) : bits_s(fmaf(sa, sb, sc));
    else if (!strcmp(op, "conv")) r = d ? bits_d((double)sa) : bits_s((float)da);
    else if (!strcmp(op, "fromw")) { volatile int32_t v = (int32_t)a; r = d ? bits_d((double)v) : bits_s((float)v); }
    else if (!strcmp(op, "fromwu")) { volatile uint32_t v = (uint32_t)a; r = d ? bits_d((double)v) : bits_s((float)v); }
    else if (!strcmp(op, "froml")) { volatile int64_t v = (int64_t)a; r = d ? bits_d((double)v) : bits_s((float)v); }
    else if (!strcmp(op, "fromlu")) { volatile uint64_t v = a; r = d ? bits_d((double)v) : bits_s((float)v); }
    else { puts("- -"); continue; }
    int e = fetestexcept(FE_ALL_EXCEPT);
    unsigned f = (e & FE_INEXACT ? 1 : 0) | (e & FE_UNDERFLOW ? 2 : 0) | (e & FE_OVERFLOW ? 4 : 0)
               | (e & FE_DIVBYZERO ? 8 : 0) | (e & FE_INVALID ? 16 : 0);
    printf("%lx %x\n", r, f);
  }
  return 0;
}
