/* A small C program that runs attnc libraries through the C API on odd shapes and checks them
 * against a CPU double-precision reference. It exists to run under compute-sanitizer (memcheck,
 * racecheck): every buffer is allocated at its exact size, so a read or write one element past a
 * tensor is caught; outputs are poisoned with NaN first, so an unwritten element is caught too.
 *
 *   attn-sanitize [--quick] lib1.so [lib2.so ...]
 *
 * --quick runs one small case per library (for racecheck, which is slow). Only attn.h and the
 * driver API: it makes the primary context current itself, as a framework would. Exit status 0
 * iff every case of every library passed (for a mask it has no C reference for, it checks only
 * that the run is clean and NaN-free; gpu/check.py checks those numbers). */
#include <cuda.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attn/attn.h"

#define CHECK_CU(call)                                                                             \
  do {                                                                                             \
    CUresult result_ = (call);                                                                     \
    if (result_ != CUDA_SUCCESS) {                                                                 \
      const char *name_ = "?";                                                                     \
      cuGetErrorName(result_, &name_);                                                             \
      fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__, #call, name_);                 \
      exit(2);                                                                                     \
    }                                                                                              \
  } while (0)

enum mask_kind { MASK_NONE, MASK_CAUSAL_BOTTOM_RIGHT, MASK_CAUSAL_TOP_LEFT, MASK_UNKNOWN };

typedef struct shape_case {
  int b, hq, hkv, sq, skv;
  int bshd; /* storage [B, S, H, D] instead of [B, H, S, D] */
} shape_case;

/* Odd sizes on purpose: partial tiles, Sq > Skv (fully masked causal rows), GQA, MQA. */
static const shape_case kCases[] = {
    {1, 1, 1, 1, 1, 0},     {1, 2, 1, 17, 33, 0},  {2, 4, 2, 130, 77, 1},
    {1, 2, 2, 65, 129, 0},  {1, 3, 1, 200, 200, 1}, {1, 1, 1, 129, 1, 0},
};
static const shape_case kQuickCase = {1, 2, 1, 64, 130, 0};

/* ---- element conversions (round to nearest even) ---- */

static uint16_t float_to_bf16(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  if ((u & 0x7fffffffu) > 0x7f800000u)
    return 0x7fc0;
  u += 0x7fffu + ((u >> 16) & 1u);
  return (uint16_t)(u >> 16);
}

static float bf16_to_float(uint16_t h) {
  uint32_t u = (uint32_t)h << 16;
  float f;
  memcpy(&f, &u, 4);
  return f;
}

static uint16_t float_to_f16(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  uint16_t sign = (uint16_t)((u >> 16) & 0x8000u);
  float a = fabsf(f);
  if (isnan(f))
    return 0x7e00;
  if (a >= 65520.0f) /* rounds to infinity */
    return (uint16_t)(sign | 0x7c00u);
  if (a < 6.103515625e-05f) { /* subnormal: a multiple of 2^-24, rounded to nearest even */
    float scaled = a * 16777216.0f;
    return (uint16_t)(sign | (uint16_t)nearbyintf(scaled));
  }
  uint32_t bits;
  memcpy(&bits, &a, 4);
  uint32_t exponent = ((bits >> 23) & 0xffu) - 127u + 15u;
  uint32_t mantissa = bits & 0x7fffffu;
  uint32_t half = (exponent << 10) | (mantissa >> 13);
  uint32_t rest = mantissa & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (half & 1u)))
    ++half; /* may carry into the exponent, which is still right */
  return (uint16_t)(sign | half);
}

static float f16_to_float(uint16_t h) {
  uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
  uint32_t exponent = (h >> 10) & 0x1fu;
  uint32_t mantissa = h & 0x3ffu;
  float magnitude;
  if (exponent == 0)
    magnitude = ldexpf((float)mantissa, -24);
  else if (exponent == 31)
    magnitude = mantissa ? NAN : INFINITY;
  else
    magnitude = ldexpf((float)(mantissa | 0x400u), (int)exponent - 25);
  uint32_t u;
  memcpy(&u, &magnitude, 4);
  u |= sign;
  float f;
  memcpy(&f, &u, 4);
  return f;
}

/* ---- inputs ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static double uniform01(void) { /* splitmix64 */
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}

static float normal(void) { /* Box-Muller */
  return (float)(sqrt(-2.0 * log(uniform01())) * cos(6.283185307179586 * uniform01()));
}

/* A host tensor in logical [B, H, S, D] order: element bits as stored, and their float values. */
typedef struct host_tensor {
  int b, h, s, d;
  uint16_t *bits;
  float *values;
} host_tensor;

static host_tensor make_input(int b, int h, int s, int d, attn_dtype dtype) {
  host_tensor t = {b, h, s, d, NULL, NULL};
  size_t n = (size_t)b * h * s * d;
  t.bits = malloc(n * 2);
  t.values = malloc(n * sizeof(float));
  for (size_t i = 0; i < n; ++i) {
    float x = normal();
    t.bits[i] = dtype == ATTN_DTYPE_BF16 ? float_to_bf16(x) : float_to_f16(x);
    t.values[i] = dtype == ATTN_DTYPE_BF16 ? bf16_to_float(t.bits[i]) : f16_to_float(t.bits[i]);
  }
  return t;
}

static void free_host(host_tensor *t) {
  free(t->bits);
  free(t->values);
}

/* Offset in elements of logical (b, h, s, 0) in [B,H,S,D] or [B,S,H,D] storage. */
static size_t offset(const host_tensor *t, int bshd, int b, int h, int s) {
  if (bshd)
    return (((size_t)b * t->s + s) * t->h + h) * t->d;
  return (((size_t)b * t->h + h) * t->s + s) * t->d;
}

/* Element bits rearranged into the storage order. */
static uint16_t *storage(const host_tensor *t, int bshd) {
  uint16_t *out = malloc((size_t)t->b * t->h * t->s * t->d * 2);
  for (int b = 0; b < t->b; ++b)
    for (int h = 0; h < t->h; ++h)
      for (int s = 0; s < t->s; ++s)
        memcpy(out + offset(t, bshd, b, h, s), t->bits + offset(t, 0, b, h, s), (size_t)t->d * 2);
  return out;
}

static attn_tensor describe(CUdeviceptr data, attn_dtype dtype, const host_tensor *t, int bshd) {
  attn_tensor a;
  memset(&a, 0, sizeof a);
  a.data = (void *)(uintptr_t)data;
  a.dtype = dtype;
  a.rank = 4;
  a.shape[0] = t->b, a.shape[1] = t->h, a.shape[2] = t->s, a.shape[3] = t->d;
  a.strides[3] = 1;
  if (bshd) {
    a.strides[1] = t->d, a.strides[2] = (int64_t)t->h * t->d, a.strides[0] = (int64_t)t->s * t->h * t->d;
  } else {
    a.strides[2] = t->d, a.strides[1] = (int64_t)t->s * t->d, a.strides[0] = (int64_t)t->h * t->s * t->d;
  }
  return a;
}

static int kept(enum mask_kind mask, int q, int k, int sq, int skv) {
  if (mask == MASK_CAUSAL_BOTTOM_RIGHT)
    return k <= q + (skv - sq);
  if (mask == MASK_CAUSAL_TOP_LEFT)
    return k <= q;
  return 1;
}

static CUdeviceptr upload(const void *host, size_t bytes) {
  CUdeviceptr device;
  CHECK_CU(cuMemAlloc(&device, bytes));
  CHECK_CU(cuMemcpyHtoD(device, host, bytes));
  return device;
}

/* Runs one case; returns 1 if it passed. */
static int run_case(attn_library *lib, attn_dtype dtype, int d, enum mask_kind mask,
                    const shape_case *c) {
  host_tensor q = make_input(c->b, c->hq, c->sq, d, dtype);
  host_tensor k = make_input(c->b, c->hkv, c->skv, d, dtype);
  host_tensor v = make_input(c->b, c->hkv, c->skv, d, dtype);
  host_tensor o = {c->b, c->hq, c->sq, d, NULL, NULL};
  size_t o_elems = (size_t)c->b * c->hq * c->sq * d;
  size_t lse_elems = (size_t)c->b * c->hq * c->sq;
  uint16_t *qs = storage(&q, c->bshd), *ks = storage(&k, c->bshd), *vs = storage(&v, c->bshd);
  CUdeviceptr dq = upload(qs, o_elems * 2);
  CUdeviceptr dk = upload(ks, (size_t)c->b * c->hkv * c->skv * d * 2);
  CUdeviceptr dv = upload(vs, (size_t)c->b * c->hkv * c->skv * d * 2);
  CUdeviceptr dout, dlse;
  CHECK_CU(cuMemAlloc(&dout, o_elems * 2));
  CHECK_CU(cuMemAlloc(&dlse, lse_elems * 4));
  /* Poison: 0xffff is a NaN in bf16 and f16, 0xffffffff in f32. */
  CHECK_CU(cuMemsetD8(dout, 0xff, o_elems * 2));
  CHECK_CU(cuMemsetD8(dlse, 0xff, lse_elems * 4));

  attn_tensor tq = describe(dq, dtype, &q, c->bshd), tk = describe(dk, dtype, &k, c->bshd);
  attn_tensor tv = describe(dv, dtype, &v, c->bshd), to = describe(dout, dtype, &o, c->bshd);
  attn_tensor tlse;
  memset(&tlse, 0, sizeof tlse);
  tlse.data = (void *)(uintptr_t)dlse;
  tlse.dtype = ATTN_DTYPE_F32;
  tlse.rank = 3;
  tlse.shape[0] = c->b, tlse.shape[1] = c->hq, tlse.shape[2] = c->sq;
  tlse.strides[0] = (int64_t)c->hq * c->sq, tlse.strides[1] = c->sq, tlse.strides[2] = 1;

  int ok = 1;
  attn_status status = attn_forward(lib, &tq, &tk, &tv, &to, &tlse, 0.0f, NULL);
  if (status != ATTN_OK) {
    printf("    attn_forward: %s: %s\n", attn_status_name(status), attn_last_error());
    ok = 0;
  }
  CUresult sync = cuCtxSynchronize();
  if (sync != CUDA_SUCCESS) {
    const char *name = "?";
    cuGetErrorName(sync, &name);
    printf("    kernel failed: %s\n", name);
    exit(3); /* the context is unusable now */
  }

  uint16_t *out_bits = malloc(o_elems * 2);
  float *lse = malloc(lse_elems * 4);
  CHECK_CU(cuMemcpyDtoH(out_bits, dout, o_elems * 2));
  CHECK_CU(cuMemcpyDtoH(lse, dlse, lse_elems * 4));

  if (mask == MASK_UNKNOWN) {
    /* No C reference for this mask: the run is for the sanitizer (out-of-bounds accesses, races);
     * gpu/check.py checks its numbers. Any NaN still fails it. */
    int nan_count = 0;
    for (size_t e = 0; e < o_elems; ++e) {
      float got = dtype == ATTN_DTYPE_BF16 ? bf16_to_float(out_bits[e]) : f16_to_float(out_bits[e]);
      nan_count += isnan(got);
    }
    for (size_t e = 0; e < lse_elems; ++e)
      nan_count += isnan(lse[e]);
    ok = ok && nan_count == 0;
    printf("  %s B%d H%d/%d sq=%d skv=%d %s: ran (numerics: gpu/check.py), %d NaN\n",
           ok ? "ok  " : "FAIL", c->b, c->hq, c->hkv, c->sq, c->skv, c->bshd ? "bshd" : "bhsd",
           nan_count);
  } else {
    /* Same tolerance rule as gpu/check.py (see the reasoning there). */
    const double tol_abs = dtype == ATTN_DTYPE_BF16 ? 1e-2 : 4e-3;
    const double tol_rel = tol_abs;
    const double scale = 1.0 / sqrt((double)d);
    const int group = c->hq / c->hkv;
    double *p = malloc((size_t)c->skv * sizeof(double));
    double *ref = malloc((size_t)d * sizeof(double));
    double max_err = 0, max_ref = 0, max_lse_err = 0;
    int nan_count = 0, masked_bad = 0;
    for (int b = 0; b < c->b && ok; ++b)
      for (int h = 0; h < c->hq; ++h)
        for (int i = 0; i < c->sq; ++i) {
          const float *qi = q.values + offset(&q, 0, b, h, i);
          int hk = h / group;
          double m = -INFINITY;
          for (int j = 0; j < c->skv; ++j) {
            p[j] = -INFINITY;
            if (!kept(mask, i, j, c->sq, c->skv))
              continue;
            const float *kj = k.values + offset(&k, 0, b, hk, j);
            double dot = 0;
            for (int e = 0; e < d; ++e)
              dot += (double)qi[e] * kj[e];
            p[j] = dot * scale;
            if (p[j] > m)
              m = p[j];
          }
          double l = 0;
          for (int e = 0; e < d; ++e)
            ref[e] = 0;
          if (m != -INFINITY) {
            for (int j = 0; j < c->skv; ++j) {
              if (p[j] == -INFINITY)
                continue;
              double w = exp(p[j] - m);
              l += w;
              const float *vj = v.values + offset(&v, 0, b, hk, j);
              for (int e = 0; e < d; ++e)
                ref[e] += w * vj[e];
            }
            for (int e = 0; e < d; ++e)
              ref[e] /= l;
          }
          size_t at = offset(&o, c->bshd, b, h, i);
          float got_lse = lse[((size_t)b * c->hq + h) * c->sq + i];
          for (int e = 0; e < d; ++e) {
            float got = dtype == ATTN_DTYPE_BF16 ? bf16_to_float(out_bits[at + e])
                                                 : f16_to_float(out_bits[at + e]);
            if (isnan(got)) {
              ++nan_count;
              continue;
            }
            if (m == -INFINITY && got != 0.0f)
              ++masked_bad;
            double err = fabs(got - ref[e]);
            if (err > max_err)
              max_err = err;
            if (fabs(ref[e]) > max_ref)
              max_ref = fabs(ref[e]);
          }
          if (isnan(got_lse)) {
            ++nan_count;
          } else if (m == -INFINITY) {
            if (!(isinf(got_lse) && got_lse < 0))
              ++masked_bad;
          } else {
            double ref_lse = m + log(l);
            double err = fabs(got_lse - ref_lse) / fmax(1.0, fabs(ref_lse));
            if (err > max_lse_err)
              max_lse_err = err;
          }
        }
    double tol = tol_abs + tol_rel * max_ref;
    if (ok && (nan_count || masked_bad || max_err > tol || max_lse_err > 1e-3))
      ok = 0;
    printf("  %s B%d H%d/%d sq=%d skv=%d %s: O err %.3g (tol %.3g), LSE rel err %.2g, %d NaN, "
           "%d bad masked\n",
           ok ? "ok  " : "FAIL", c->b, c->hq, c->hkv, c->sq, c->skv, c->bshd ? "bshd" : "bhsd",
           max_err, tol, max_lse_err, nan_count, masked_bad);

    free(p), free(ref);
  }

  free(out_bits), free(lse), free(qs), free(ks), free(vs);
  free_host(&q), free_host(&k), free_host(&v);
  CHECK_CU(cuMemFree(dq));
  CHECK_CU(cuMemFree(dk));
  CHECK_CU(cuMemFree(dv));
  CHECK_CU(cuMemFree(dout));
  CHECK_CU(cuMemFree(dlse));
  return ok;
}

static enum mask_kind parse_mask(const char *mask) {
  if (strcmp(mask, "none") == 0 || mask[0] == '\0')
    return MASK_NONE;
  if (strcmp(mask, "causal") == 0 || strcmp(mask, "causal_bottom_right") == 0)
    return MASK_CAUSAL_BOTTOM_RIGHT;
  if (strcmp(mask, "causal_top_left") == 0)
    return MASK_CAUSAL_TOP_LEFT;
  return MASK_UNKNOWN;
}

int main(int argc, char **argv) {
  int quick = 0, first = 1;
  if (argc > 1 && strcmp(argv[1], "--quick") == 0)
    quick = 1, first = 2;
  if (first >= argc) {
    fprintf(stderr, "usage: %s [--quick] lib.so...\n", argv[0]);
    return 2;
  }
  CUdevice device;
  CUcontext context;
  CHECK_CU(cuInit(0));
  CHECK_CU(cuDeviceGet(&device, 0));
  CHECK_CU(cuDevicePrimaryCtxRetain(&context, device));
  CHECK_CU(cuCtxSetCurrent(context));

  int failures = 0;
  for (int a = first; a < argc; ++a) {
    attn_library *lib = NULL;
    attn_status status = attn_library_open(argv[a], &lib);
    if (status != ATTN_OK) {
      printf("FAIL %s: %s: %s\n", argv[a], attn_status_name(status), attn_last_error());
      ++failures;
      continue;
    }
    attn_library_info info;
    attn_library_get_info(lib, &info);
    /* A score modification is outside this program's reference: memory checks only. */
    enum mask_kind mask = strcmp(info.score, "s") == 0 ? parse_mask(info.mask) : MASK_UNKNOWN;
    printf("%s (%s, d%d, mask %s, score %s)\n", argv[a],
           info.dtype == ATTN_DTYPE_BF16 ? "bf16" : "f16", info.head_dim, info.mask, info.score);
    if (quick) {
      failures += !run_case(lib, info.dtype, info.head_dim, mask, &kQuickCase);
    } else {
      for (size_t i = 0; i < sizeof kCases / sizeof kCases[0]; ++i)
        failures += !run_case(lib, info.dtype, info.head_dim, mask, &kCases[i]);
    }
    attn_library_close(lib);
  }
  CHECK_CU(cuDevicePrimaryCtxRelease(device));
  printf("%s: %d failure(s)\n", failures ? "FAILED" : "PASSED", failures);
  return failures ? 1 : 0;
}
