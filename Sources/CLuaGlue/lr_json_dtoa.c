/* Number text for the json codec.
 *
 * Integers: the full int64 range, two digits per step.
 * Doubles: the shortest decimal text that reads back (strtod) to the same double, e.g. 0.1 and
 * not 0.10000000000000001, 5e-324 and not 4.94065645841247e-324. Two exact ways:
 *   1. fast path for "decimal-looking" values (prices, coordinates, 0.1, 1e20): for k = 0, 1,
 *      ... take m = rint(|d| x 10^k) and keep it if m < 2^53 and m / 10^k == |d| (k <= 22 so 10^k
 *      is exact; then that one division is correctly rounded, i.e. exactly what strtod makes of
 *      the text "m with k decimals"). Huge values do the same with m = rint(|d| / 10^k).
 *   2. otherwise printf "%.Ng" with N = 15, then 16, then 17 (17 always reads back); when 15
 *      works, a binary search finds the smallest N (reading back is monotonic in N).
 * Plain notation for decimal exponents in [-6, 21) as in JavaScript, else "1e+300".
 * A double whose text has no '.' or exponent gets ".0" (1.0 -> "1.0", -0.0 -> "-0.0") so that
 * decoding gives a float again: the number kind survives a round trip. */
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include "lr_json_internal.h"

static const char lr_json_digits2[] =
  "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
  "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
  "8081828384858687888990919293949596979899";

static size_t lr_json_fmt_u64(char *out, uint64_t v) {
  char tmp[24];
  char *q = tmp + sizeof tmp;
  while (v >= 100) {
    unsigned r = (unsigned)(v % 100);
    v /= 100;
    q -= 2; memcpy(q, lr_json_digits2 + 2 * r, 2);
  }
  if (v >= 10) { q -= 2; memcpy(q, lr_json_digits2 + 2 * v, 2); }
  else *--q = (char)('0' + v);
  size_t n = (size_t)(tmp + sizeof tmp - q);
  memcpy(out, q, n);
  return n;
}

size_t lr_json_fmt_int(char *out, lua_Integer v) {
  if (v < 0) {
    out[0] = '-';
    return 1 + lr_json_fmt_u64(out + 1, (uint64_t)0 - (uint64_t)v);
  }
  return lr_json_fmt_u64(out, (uint64_t)v);
}

static const double lr_json_pow10[] = {
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

#define LR_JSON_TWO53 9007199254740992.0

/* Writes digs[0..nd) x 10^e: plain notation when the decimal exponent is in [-6, 21) (as in
 * JavaScript), else scientific ("1e+300", "2.5e-30"); plain integral values get ".0". */
static size_t lr_json_fmt_digits(char *out, int neg, const char *digs, int nd, int e) {
  char *q = out;
  int x = nd - 1 + e;
  if (neg) *q++ = '-';
  if (x >= -6 && x < 21) {
    if (e >= 0) {
      memcpy(q, digs, (size_t)nd); q += nd;
      memset(q, '0', (size_t)e); q += e;
      memcpy(q, ".0", 2); q += 2;
    } else if (nd + e > 0) {
      memcpy(q, digs, (size_t)(nd + e)); q += nd + e;
      *q++ = '.';
      memcpy(q, digs + nd + e, (size_t)-e); q += -e;
    } else {
      *q++ = '0'; *q++ = '.';
      memset(q, '0', (size_t)(-e - nd)); q += -e - nd;
      memcpy(q, digs, (size_t)nd); q += nd;
    }
  } else {
    *q++ = digs[0];
    if (nd > 1) { *q++ = '.'; memcpy(q, digs + 1, (size_t)(nd - 1)); q += nd - 1; }
    *q++ = 'e'; *q++ = x < 0 ? '-' : '+';
    q += lr_json_fmt_u64(q, (uint64_t)(x < 0 ? -x : x));
  }
  return (size_t)(q - out);
}

/* Fast path: |d| = m x 10^e exactly as strtod sees it, with m < 2^53 integral and |e| <= 22
 * (one correctly rounded multiplication or division); the first hit has the fewest digits.
 * Returns the length, or 0 when it does not apply. */
static size_t lr_json_fmt_decimal(char *out, double a, int neg) {
  char digs[24];
  if (a >= 1e-22 && a < LR_JSON_TWO53) {
    for (int k = 0; k <= 22; k++) {
      double m = rint(a * lr_json_pow10[k]);
      if (m >= LR_JSON_TWO53) return 0;
      if (m / lr_json_pow10[k] != a) continue;
      int nd = (int)lr_json_fmt_u64(digs, (uint64_t)m), e = -k;
      while (nd > 1 && digs[nd - 1] == '0') { nd--; e++; }
      return lr_json_fmt_digits(out, neg, digs, nd, e);
    }
  } else if (a >= LR_JSON_TWO53 && a < 1e37) {
    for (int k = 22; k >= 1; k--) {
      double m = rint(a / lr_json_pow10[k]);
      if (m < 1 || m >= LR_JSON_TWO53 || m * lr_json_pow10[k] != a) continue;
      int nd = (int)lr_json_fmt_u64(digs, (uint64_t)m), e = k;
      while (nd > 1 && digs[nd - 1] == '0') { nd--; e++; }
      return lr_json_fmt_digits(out, neg, digs, nd, e);
    }
  }
  return 0;
}

/* 1 if printing d with prec significant digits reads back as d. */
static int lr_json_try_prec(char *out, double d, int prec, int *len) {
  *len = snprintf(out, 32, "%.*g", prec, d);
  return strtod(out, NULL) == d;
}

/* printf output -> JSON: '.' as decimal point whatever the locale, ".0" if it looks integral. */
static size_t lr_json_fmt_clean(char *out, int len) {
  int plain = 1;
  for (int i = 0; i < len; i++) {
    char c = out[i];
    if (c == ',') out[i] = '.';  /* a locale with a decimal comma */
    if (c == '.' || c == ',' || c == 'e') plain = 0;
  }
  if (plain) { memcpy(out + len, ".0", 2); len += 2; }
  char *e = memchr(out, 'e', (size_t)len);   /* "1e-07" -> "1e-7", as the fast path writes */
  if (e && e + 2 < out + len && e[2] == '0') {
    memmove(e + 2, e + 3, (size_t)(out + len - (e + 3)));
    len--;
  }
  return (size_t)len;
}

size_t lr_json_fmt_double(char *out, double d) {
  if (d == 0) {
    if (signbit(d)) { memcpy(out, "-0.0", 4); return 4; }
    memcpy(out, "0.0", 3); return 3;
  }
  size_t n = lr_json_fmt_decimal(out, fabs(d), d < 0);
  if (n > 0) return n;
  int len, lo, hi;   /* round-tripping is monotonic in the precision: search 1..17 */
  if (lr_json_try_prec(out, d, 15, &len)) { lo = 1; hi = 15; }
  else if (lr_json_try_prec(out, d, 16, &len)) return lr_json_fmt_clean(out, len);
  else { lr_json_try_prec(out, d, 17, &len); return lr_json_fmt_clean(out, len); }
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    if (lr_json_try_prec(out, d, mid, &len)) hi = mid; else lo = mid + 1;
  }
  lr_json_try_prec(out, d, lo, &len);
  return lr_json_fmt_clean(out, len);
}

