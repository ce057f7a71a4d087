/*
 * WebAssembly SIMD kernels for training on tfjs's wasm backend, compiled by
 * scripts/build-kernels.ts into simd-wasm.ts (clang --target=wasm32 -msimd128).
 *
 * The module imports the wasm backend's own memory, so every pointer below is a tensor's
 * offset in that heap: no copies in or out. It has no data segment and never touches the
 * shadow stack (only scalar and vector locals), so it owns no byte of that memory; outputs are
 * allocated by the backend before the call. All tensors are float32, NHWC where 4-D.
 *
 * Each kernel is checked against tfjs's cpu backend in kernels/simd-kernels.test.ts.
 */
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))

typedef float f32;
typedef int i32;

static inline void zero(f32 *p, i32 n) { __builtin_memset(p, 0, (unsigned long)n * sizeof(f32)); }

/*
 * dx of max pooling: each window sends dy to the first position (in row-major scan order) that
 * holds the window's maximum, as tfjs's cpu backend does; windows may overlap (stride < size),
 * so contributions add. Padding positions never win. Four channels at a time: the arg-max is a
 * lane-wise compare-and-select, and the scatter is a masked add at each window position.
 */
EXPORT(max_pool_grad)
void max_pool_grad(const f32 *x, const f32 *dy, f32 *dx, i32 n, i32 h, i32 w, i32 c, i32 oh, i32 ow,
                   i32 fh, i32 fw, i32 sh, i32 sw, i32 pad_top, i32 pad_left) {
  zero(dx, n * h * w * c);
  const i32 c4 = c & ~3;
  for (i32 b = 0; b < n; b++) {
    const f32 *xb = x + (long)b * h * w * c;
    f32 *dxb = dx + (long)b * h * w * c;
    for (i32 oy = 0; oy < oh; oy++) {
      const i32 y0 = oy * sh - pad_top;
      const i32 r0 = y0 < 0 ? -y0 : 0;
      const i32 r1 = y0 + fh > h ? h - y0 : fh;
      for (i32 ox = 0; ox < ow; ox++) {
        const i32 x0 = ox * sw - pad_left;
        const i32 s0 = x0 < 0 ? -x0 : 0;
        const i32 s1 = x0 + fw > w ? w - x0 : fw;
        const f32 *g = dy + (((long)b * oh + oy) * ow + ox) * c;
        for (i32 ch = 0; ch < c4; ch += 4) {
          v128_t best = wasm_f32x4_splat(-__builtin_inff());
          v128_t arg = wasm_i32x4_splat(-1);
          for (i32 r = r0; r < r1; r++) {
            for (i32 s = s0; s < s1; s++) {
              const v128_t v = wasm_v128_load(xb + ((long)(y0 + r) * w + (x0 + s)) * c + ch);
              const v128_t greater = wasm_f32x4_gt(v, best);
              best = wasm_v128_bitselect(v, best, greater);
              arg = wasm_v128_bitselect(wasm_i32x4_splat(r * fw + s), arg, greater);
            }
          }
          const v128_t grad = wasm_v128_load(g + ch);
          for (i32 r = r0; r < r1; r++) {
            for (i32 s = s0; s < s1; s++) {
              f32 *d = dxb + ((long)(y0 + r) * w + (x0 + s)) * c + ch;
              const v128_t hit = wasm_i32x4_eq(arg, wasm_i32x4_splat(r * fw + s));
              wasm_v128_store(d, wasm_f32x4_add(wasm_v128_load(d), wasm_v128_and(grad, hit)));
            }
          }
        }
        for (i32 ch = c4; ch < c; ch++) {
          f32 best = -__builtin_inff();
          i32 arg = -1;
          for (i32 r = r0; r < r1; r++)
            for (i32 s = s0; s < s1; s++) {
              const f32 v = xb[((long)(y0 + r) * w + (x0 + s)) * c + ch];
              if (v > best) { best = v; arg = r * fw + s; }
            }
          if (arg >= 0) dxb[((long)(y0 + arg / fw) * w + (x0 + arg % fw)) * c + ch] += g[ch];
        }
      }
    }
  }
}

/*
 * out = a ∘ b, ∘ = + (op 0), − (op 1), × (op 2), ÷ (op 3), over a [rows, cols] view of the
 * output: element (r, j) of an operand is at r·row_stride + j·col_stride, a stride of 0
 * broadcasting it (a scalar, a per-channel vector, a per-row column such as a softmax's sums).
 * wasm's own binary kernels run each call through XNNPACK's thread pool: for the small tensors
 * of a loss and an optimizer, waking the pool costs 10–100× the arithmetic; broadcasts of a
 * bias over a large activation it walks element by element.
 */
#define BINARY_LOOP(VEC_EXPR, SCALAR_EXPR)                                                \
  for (i32 r = 0; r < rows; r++) {                                                        \
    const f32 *ar = a + (long)r * a_rs, *br = b + (long)r * b_rs;                         \
    f32 *o = out + (long)r * cols;                                                        \
    i32 j = 0;                                                                            \
    if (a_cs == 1 && b_cs == 1) {                                                         \
      for (; j < c4; j += 4) {                                                            \
        const v128_t x = wasm_v128_load(ar + j), y = wasm_v128_load(br + j);              \
        wasm_v128_store(o + j, VEC_EXPR);                                                 \
      }                                                                                   \
    } else if (a_cs == 1) {                                                               \
      const v128_t y = wasm_f32x4_splat(br[0]);                                           \
      for (; j < c4; j += 4) {                                                            \
        const v128_t x = wasm_v128_load(ar + j);                                          \
        wasm_v128_store(o + j, VEC_EXPR);                                                 \
      }                                                                                   \
    } else if (b_cs == 1) {                                                               \
      const v128_t x = wasm_f32x4_splat(ar[0]);                                           \
      for (; j < c4; j += 4) {                                                            \
        const v128_t y = wasm_v128_load(br + j);                                          \
        wasm_v128_store(o + j, VEC_EXPR);                                                 \
      }                                                                                   \
    }                                                                                     \
    for (; j < cols; j++) {                                                               \
      const f32 x = ar[(long)j * a_cs], y = br[(long)j * b_cs];                           \
      o[j] = SCALAR_EXPR;                                                                 \
    }                                                                                     \
  }

EXPORT(binary_2d)
void binary_2d(i32 op, const f32 *a, const f32 *b, f32 *out, i32 rows, i32 cols, i32 a_rs, i32 a_cs, i32 b_rs,
               i32 b_cs) {
  const i32 c4 = cols & ~3;
  if (op == 0) {
    BINARY_LOOP(wasm_f32x4_add(x, y), x + y)
  } else if (op == 1) {
    BINARY_LOOP(wasm_f32x4_sub(x, y), x - y)
  } else if (op == 2) {
    BINARY_LOOP(wasm_f32x4_mul(x, y), x * y)
  } else {
    BINARY_LOOP(wasm_f32x4_div(x, y), x / y)
  }
}
#undef BINARY_LOOP

/*
 * out[j] = Σ_r x[r, j] (· scale): a reduction over the leading axes (bias gradients, batch-norm
 * moments). Sixteen columns at a time in registers, rows streamed, so x is read once per block.
 */
EXPORT(column_sum)
void column_sum(const f32 *x, f32 *out, i32 rows, i32 cols, f32 scale) {
  i32 j = 0;
  for (; j + 16 <= cols; j += 16) {
    v128_t a0 = wasm_f32x4_splat(0), a1 = a0, a2 = a0, a3 = a0;
    for (i32 r = 0; r < rows; r++) {
      const f32 *p = x + (long)r * cols + j;
      a0 = wasm_f32x4_add(a0, wasm_v128_load(p));
      a1 = wasm_f32x4_add(a1, wasm_v128_load(p + 4));
      a2 = wasm_f32x4_add(a2, wasm_v128_load(p + 8));
      a3 = wasm_f32x4_add(a3, wasm_v128_load(p + 12));
    }
    const v128_t k = wasm_f32x4_splat(scale);
    wasm_v128_store(out + j, wasm_f32x4_mul(a0, k));
    wasm_v128_store(out + j + 4, wasm_f32x4_mul(a1, k));
    wasm_v128_store(out + j + 8, wasm_f32x4_mul(a2, k));
    wasm_v128_store(out + j + 12, wasm_f32x4_mul(a3, k));
  }
  for (; j + 4 <= cols; j += 4) {
    v128_t a = wasm_f32x4_splat(0);
    for (i32 r = 0; r < rows; r++) a = wasm_f32x4_add(a, wasm_v128_load(x + (long)r * cols + j));
    wasm_v128_store(out + j, wasm_f32x4_mul(a, wasm_f32x4_splat(scale)));
  }
  for (; j < cols; j++) {
    f32 a = 0;
    for (i32 r = 0; r < rows; r++) a += x[(long)r * cols + j];
    out[j] = a * scale;
  }
}

/*
 * Filter gradient of a convolution with few input rows (KH·KW·Cin small, e.g. the first layer
 * on 1-channel images), where the GEMM is too thin for XNNPACK:
 *   dw[kh, kw, ci, co] = Σ_{b, oy, ox} x[b, oy·sh + kh − pt, ox·sw + kw − pl, ci] · dy[b, oy, ox, co].
 * dw (KH·KW·Cin × Cout floats) stays in cache as the accumulator; output pixels are taken four
 * at a time so each load/store of an accumulator vector carries four multiply-adds.
 */
static inline f32 tap(const f32 *xb, i32 h, i32 w, i32 cin, i32 y, i32 xx, i32 ci) {
  return (y >= 0 && y < h && xx >= 0 && xx < w) ? xb[((long)y * w + xx) * cin + ci] : 0.0f;
}

EXPORT(conv_filter_grad_small)
void conv_filter_grad_small(const f32 *x, const f32 *dy, f32 *dw, i32 n, i32 h, i32 w, i32 cin, i32 oh, i32 ow,
                            i32 cout, i32 fh, i32 fw, i32 sh, i32 sw, i32 pad_top, i32 pad_left) {
  zero(dw, fh * fw * cin * cout);
  const i32 co4 = cout & ~3;
  const i32 pixels = oh * ow;
  for (i32 b = 0; b < n; b++) {
    const f32 *xb = x + (long)b * h * w * cin;
    const f32 *gb = dy + (long)b * pixels * cout;
    for (i32 p = 0; p < pixels; p += 4) {
      const i32 count = pixels - p < 4 ? pixels - p : 4;
      i32 ys[4], xs[4];
      for (i32 k = 0; k < 4; k++) {
        const i32 q = p + (k < count ? k : 0);
        ys[k] = (q / ow) * sh - pad_top;
        xs[k] = (q % ow) * sw - pad_left;
      }
      const f32 *g0 = gb + (long)p * cout;
      const f32 *g1 = count > 1 ? g0 + cout : g0;
      const f32 *g2 = count > 2 ? g0 + 2 * cout : g0;
      const f32 *g3 = count > 3 ? g0 + 3 * cout : g0;
      for (i32 kh = 0; kh < fh; kh++)
        for (i32 kw = 0; kw < fw; kw++)
          for (i32 ci = 0; ci < cin; ci++) {
            const f32 t0 = tap(xb, h, w, cin, ys[0] + kh, xs[0] + kw, ci);
            const f32 t1 = count > 1 ? tap(xb, h, w, cin, ys[1] + kh, xs[1] + kw, ci) : 0.0f;
            const f32 t2 = count > 2 ? tap(xb, h, w, cin, ys[2] + kh, xs[2] + kw, ci) : 0.0f;
            const f32 t3 = count > 3 ? tap(xb, h, w, cin, ys[3] + kh, xs[3] + kw, ci) : 0.0f;
            f32 *acc = dw + ((long)(kh * fw + kw) * cin + ci) * cout;
            const v128_t v0 = wasm_f32x4_splat(t0), v1 = wasm_f32x4_splat(t1);
            const v128_t v2 = wasm_f32x4_splat(t2), v3 = wasm_f32x4_splat(t3);
            for (i32 co = 0; co < co4; co += 4) {
              v128_t a = wasm_v128_load(acc + co);
              a = wasm_f32x4_add(a, wasm_f32x4_mul(v0, wasm_v128_load(g0 + co)));
              a = wasm_f32x4_add(a, wasm_f32x4_mul(v1, wasm_v128_load(g1 + co)));
              a = wasm_f32x4_add(a, wasm_f32x4_mul(v2, wasm_v128_load(g2 + co)));
              a = wasm_f32x4_add(a, wasm_f32x4_mul(v3, wasm_v128_load(g3 + co)));
              wasm_v128_store(acc + co, a);
            }
            for (i32 co = co4; co < cout; co++) acc[co] += t0 * g0[co] + t1 * g1[co] + t2 * g2[co] + t3 * g3[co];
          }
    }
  }
}

/*
 * out[k, j, i] = x[i, j, k] for x of shape [a, b, c]: swaps the first and last of three axes
 * (NHWC ↔ CHWN with b = H·W). Four-by-four blocks are transposed in registers.
 */
EXPORT(transpose_outer)
void transpose_outer(const f32 *x, f32 *out, i32 a, i32 b, i32 c) {
  const i32 a4 = a & ~3, c4 = c & ~3;
  for (i32 j = 0; j < b; j++) {
    for (i32 i = 0; i < a4; i += 4) {
      for (i32 k = 0; k < c4; k += 4) {
        const v128_t r0 = wasm_v128_load(x + ((long)(i + 0) * b + j) * c + k);
        const v128_t r1 = wasm_v128_load(x + ((long)(i + 1) * b + j) * c + k);
        const v128_t r2 = wasm_v128_load(x + ((long)(i + 2) * b + j) * c + k);
        const v128_t r3 = wasm_v128_load(x + ((long)(i + 3) * b + j) * c + k);
        const v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5);
        const v128_t t1 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5);
        const v128_t t2 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);
        const v128_t t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
        wasm_v128_store(out + ((long)(k + 0) * b + j) * a + i, wasm_i32x4_shuffle(t0, t1, 0, 1, 4, 5));
        wasm_v128_store(out + ((long)(k + 1) * b + j) * a + i, wasm_i32x4_shuffle(t0, t1, 2, 3, 6, 7));
        wasm_v128_store(out + ((long)(k + 2) * b + j) * a + i, wasm_i32x4_shuffle(t2, t3, 0, 1, 4, 5));
        wasm_v128_store(out + ((long)(k + 3) * b + j) * a + i, wasm_i32x4_shuffle(t2, t3, 2, 3, 6, 7));
      }
      for (i32 k = c4; k < c; k++)
        for (i32 q = i; q < i + 4; q++) out[((long)k * b + j) * a + q] = x[((long)q * b + j) * c + k];
    }
    for (i32 i = a4; i < a; i++)
      for (i32 k = 0; k < c; k++) out[((long)k * b + j) * a + i] = x[((long)i * b + j) * c + k];
  }
}

/* out[j, i, k] = x[i, j, k] for x of shape [a, b, c]: swaps the first two of three axes, moving
 * whole rows of c floats (e.g. [N, OH·OW, C] → [OH·OW, N, C]). */
EXPORT(transpose_rows)
void transpose_rows(const f32 *x, f32 *out, i32 a, i32 b, i32 c) {
  for (i32 i = 0; i < a; i++)
    for (i32 j = 0; j < b; j++)
      __builtin_memcpy(out + ((long)j * a + i) * c, x + ((long)i * b + j) * c, (unsigned long)c * sizeof(f32));
}

/* dx = dy where x > 0, else 0: ReLU's gradient in one pass (tfjs composes step, cast and mul). */
EXPORT(relu_grad)
void relu_grad(const f32 *x, const f32 *dy, f32 *dx, i32 n) {
  const i32 n4 = n & ~3;
  const v128_t zero4 = wasm_f32x4_splat(0);
  for (i32 i = 0; i < n4; i += 4)
    wasm_v128_store(dx + i, wasm_v128_and(wasm_v128_load(dy + i), wasm_f32x4_gt(wasm_v128_load(x + i), zero4)));
  for (i32 i = n4; i < n; i++) dx[i] = x[i] > 0 ? dy[i] : 0.0f;
}

/*
 * out[a, b, o, i] = w[kh − 1 − a, kw − 1 − b, i, o]: a filter rotated 180° with its channels
 * swapped, the filter of the input gradient as a convolution (tfjs's Reverse and Transpose of
 * it are scalar loops).
 */
EXPORT(flip_filter)
void flip_filter(const f32 *w, f32 *out, i32 kh, i32 kw, i32 cin, i32 cout) {
  for (i32 a = 0; a < kh; a++)
    for (i32 b = 0; b < kw; b++) {
      const f32 *src = w + ((long)(kh - 1 - a) * kw + (kw - 1 - b)) * cin * cout;
      f32 *dst = out + ((long)a * kw + b) * cout * cin;
      for (i32 i = 0; i < cin; i++)
        for (i32 o = 0; o < cout; o++) dst[(long)o * cin + i] = src[(long)i * cout + o];
    }
}

/*
 * The transposed im2col of a convolution's input: out[(kh·KW + kw)·Cin + ci, p] =
 * x[b, oy·sh + kh − pt, ox·sw + kw − pl, ci] for output pixel p = (b, oy, ox), 0 in the padding.
 * Times dy as [P, Cout] it gives the filter gradient in one GEMM, [KH·KW·Cin, Cout] in the
 * filter's own layout. Four pixels by four channels are transposed in registers per step.
 */
static inline const f32 *source_pixel(const f32 *x, i32 b, i32 oy, i32 ox, i32 h, i32 w, i32 cin, i32 kh, i32 kw,
                                      i32 sh, i32 sw, i32 pad_top, i32 pad_left) {
  const i32 y = oy * sh + kh - pad_top, xx = ox * sw + kw - pad_left;
  return (y >= 0 && y < h && xx >= 0 && xx < w) ? x + (((long)b * h + y) * w + xx) * cin : 0;
}

/* The next output pixel in (b, oy, ox) order: counters, not p / (OH·OW) and p % OW (integer
 * divisions were half of im2col's time). */
#define NEXT_PIXEL(B, OY, OX) \
  do {                        \
    if (++(OX) == ow) {       \
      (OX) = 0;               \
      if (++(OY) == oh) {     \
        (OY) = 0;             \
        (B)++;                \
      }                       \
    }                         \
  } while (0)
#define SOURCE(B, OY, OX) source_pixel(x, B, OY, OX, h, w, cin, kh, kw, sh, sw, pad_top, pad_left)

EXPORT(im2col_transposed)
void im2col_transposed(const f32 *x, f32 *out, i32 n, i32 h, i32 w, i32 cin, i32 oh, i32 ow, i32 fh, i32 fw,
                       i32 sh, i32 sw, i32 pad_top, i32 pad_left) {
  const i32 pixels = n * oh * ow;
  const i32 p4 = pixels & ~3, c4 = cin & ~3;
  const v128_t zero4 = wasm_f32x4_splat(0);
  for (i32 kh = 0; kh < fh; kh++)
    for (i32 kw = 0; kw < fw; kw++) {
      f32 *rows = out + (long)(kh * fw + kw) * cin * pixels;
      i32 b = 0, oy = 0, ox = 0;
      for (i32 p = 0; p < p4; p += 4) {
        const f32 *s0 = SOURCE(b, oy, ox);
        NEXT_PIXEL(b, oy, ox);
        const f32 *s1 = SOURCE(b, oy, ox);
        NEXT_PIXEL(b, oy, ox);
        const f32 *s2 = SOURCE(b, oy, ox);
        NEXT_PIXEL(b, oy, ox);
        const f32 *s3 = SOURCE(b, oy, ox);
        NEXT_PIXEL(b, oy, ox);
        for (i32 ci = 0; ci < c4; ci += 4) {
          const v128_t r0 = s0 ? wasm_v128_load(s0 + ci) : zero4, r1 = s1 ? wasm_v128_load(s1 + ci) : zero4;
          const v128_t r2 = s2 ? wasm_v128_load(s2 + ci) : zero4, r3 = s3 ? wasm_v128_load(s3 + ci) : zero4;
          const v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5);
          const v128_t t2 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7), t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
          wasm_v128_store(rows + (long)(ci + 0) * pixels + p, wasm_i32x4_shuffle(t0, t1, 0, 1, 4, 5));
          wasm_v128_store(rows + (long)(ci + 1) * pixels + p, wasm_i32x4_shuffle(t0, t1, 2, 3, 6, 7));
          wasm_v128_store(rows + (long)(ci + 2) * pixels + p, wasm_i32x4_shuffle(t2, t3, 0, 1, 4, 5));
          wasm_v128_store(rows + (long)(ci + 3) * pixels + p, wasm_i32x4_shuffle(t2, t3, 2, 3, 6, 7));
        }
        for (i32 ci = c4; ci < cin; ci++) {
          f32 *row = rows + (long)ci * pixels + p;
          row[0] = s0 ? s0[ci] : 0.0f;
          row[1] = s1 ? s1[ci] : 0.0f;
          row[2] = s2 ? s2[ci] : 0.0f;
          row[3] = s3 ? s3[ci] : 0.0f;
        }
      }
      for (i32 p = p4; p < pixels; p++) {
        const f32 *s = SOURCE(b, oy, ox);
        NEXT_PIXEL(b, oy, ox);
        for (i32 ci = 0; ci < cin; ci++) rows[(long)ci * pixels + p] = s ? s[ci] : 0.0f;
      }
    }
}
#undef SOURCE
#undef NEXT_PIXEL

/*
 * col2im: the input gradient from the gradient of the im2col matrix. cols is [P, KH·KW·Cin] for
 * output pixels p = (b, oy, ox) (dy as [P, Cout] times the filter as [KH·KW·Cin, Cout],
 * transposed); each row is added back onto the input pixels its window read:
 * dx[b, oy·sh + kh − pt, ox·sw + kw − pl, :] += cols[p, (kh·KW + kw)·Cin : +Cin]; the padding's
 * share is dropped. A 'valid' convolution whose output is much smaller than its input (13×13 →
 * 11×11, 5×5 → 3×3) needs fewer multiplies this way than as a full correlation over padded dy.
 */
EXPORT(col2im_add)
void col2im_add(const f32 *cols, f32 *dx, i32 n, i32 h, i32 w, i32 cin, i32 oh, i32 ow, i32 fh, i32 fw,
                i32 sh, i32 sw, i32 pad_top, i32 pad_left) {
  zero(dx, n * h * w * cin);
  const i32 c4 = cin & ~3, window = fh * fw * cin;
  for (i32 b = 0; b < n; b++)
    for (i32 oy = 0; oy < oh; oy++)
      for (i32 ox = 0; ox < ow; ox++) {
        const f32 *row = cols + (((long)b * oh + oy) * ow + ox) * window;
        for (i32 kh = 0; kh < fh; kh++) {
          const i32 y = oy * sh + kh - pad_top;
          if (y < 0 || y >= h) continue;
          for (i32 kw = 0; kw < fw; kw++) {
            const i32 xx = ox * sw + kw - pad_left;
            if (xx < 0 || xx >= w) continue;
            const f32 *src = row + (kh * fw + kw) * cin;
            f32 *dst = dx + (((long)b * h + y) * w + xx) * cin;
            for (i32 ci = 0; ci < c4; ci += 4)
              wasm_v128_store(dst + ci, wasm_f32x4_add(wasm_v128_load(dst + ci), wasm_v128_load(src + ci)));
            for (i32 ci = c4; ci < cin; ci++) dst[ci] += src[ci];
          }
        }
      }
}

/*
 * 2×2 max pooling with stride 2 (an odd last row/column dropped) that also records which of
 * the window's four positions (0–3 in scan order: (0,0), (0,1), (1,0), (1,1)) held the first
 * maximum: what conv_relu_pool_grad needs of the forward pass, instead of the whole map.
 * Channels a multiple of 4.
 */
EXPORT(max_pool2_argmax)
void max_pool2_argmax(const f32 *x, f32 *pooled, i32 *argmax, i32 n, i32 h, i32 w, i32 c, i32 ph, i32 pw) {
  const long row = (long)w * c;
  for (i32 b = 0; b < n; b++)
    for (i32 py = 0; py < ph; py++)
      for (i32 px = 0; px < pw; px++) {
        const f32 *p = x + (((long)b * h + 2 * py) * w + 2 * px) * c;
        const long out = (((long)b * ph + py) * pw + px) * c;
        for (i32 ch = 0; ch < c; ch += 4) {
          const v128_t a0 = wasm_v128_load(p + ch), a1 = wasm_v128_load(p + c + ch);
          const v128_t a2 = wasm_v128_load(p + row + ch), a3 = wasm_v128_load(p + row + c + ch);
          v128_t best = a0, arg = wasm_i32x4_splat(0);
          v128_t greater = wasm_f32x4_gt(a1, best);
          best = wasm_v128_bitselect(a1, best, greater), arg = wasm_v128_bitselect(wasm_i32x4_splat(1), arg, greater);
          greater = wasm_f32x4_gt(a2, best);
          best = wasm_v128_bitselect(a2, best, greater), arg = wasm_v128_bitselect(wasm_i32x4_splat(2), arg, greater);
          greater = wasm_f32x4_gt(a3, best);
          best = wasm_v128_bitselect(a3, best, greater), arg = wasm_v128_bitselect(wasm_i32x4_splat(3), arg, greater);
          wasm_v128_store(pooled + out + ch, best);
          wasm_v128_store(argmax + out + ch, arg);
        }
      }
}

/*
 * The gradient at a convolution's ReLU output from the gradient of its 2×2 max pooling:
 * g[b, 2py + qy, 2px + qx, ch] = dy[b, py, px, ch] where q = argmax (the window position that
 * won) and pooled > 0 (the ReLU was open), else 0. g covers the 2·PH × 2·PW part pooling read;
 * an odd last row/column of the convolution's output gets no gradient, and the convolution's
 * own gradients are computed on that part only. Channels a multiple of 4.
 */
EXPORT(unpool2_relu_grad)
void unpool2_relu_grad(const f32 *pooled, const i32 *argmax, const f32 *dy, f32 *g, i32 n, i32 ph, i32 pw, i32 c) {
  const v128_t zero4 = wasm_f32x4_splat(0);
  const long row = (long)2 * pw * c;
  for (i32 b = 0; b < n; b++)
    for (i32 py = 0; py < ph; py++)
      for (i32 px = 0; px < pw; px++) {
        const long at = (((long)b * ph + py) * pw + px) * c;
        f32 *q0 = g + ((long)b * 2 * ph + 2 * py) * row + (long)2 * px * c;
        for (i32 ch = 0; ch < c; ch += 4) {
          const v128_t open = wasm_f32x4_gt(wasm_v128_load(pooled + at + ch), zero4);
          const v128_t d = wasm_v128_and(wasm_v128_load(dy + at + ch), open);
          const v128_t arg = wasm_v128_load(argmax + at + ch);
          wasm_v128_store(q0 + ch, wasm_v128_and(d, wasm_i32x4_eq(arg, wasm_i32x4_splat(0))));
          wasm_v128_store(q0 + c + ch, wasm_v128_and(d, wasm_i32x4_eq(arg, wasm_i32x4_splat(1))));
          wasm_v128_store(q0 + row + ch, wasm_v128_and(d, wasm_i32x4_eq(arg, wasm_i32x4_splat(2))));
          wasm_v128_store(q0 + row + c + ch, wasm_v128_and(d, wasm_i32x4_eq(arg, wasm_i32x4_splat(3))));
        }
      }
}

/*
 * The filter gradient of a first stage conv (stride 1, few input channels) + bias + ReLU + 2×2
 * max pooling, from the pooled output, max_pool2_argmax's positions and the pooled map's
 * gradient dy: it reaches only the window position that won, and only where the ReLU was open
 * (pooled > 0):
 *   dw[kh, kw, ci, co] = Σ dy[b, py, px, co] · x[b, 2py + qy + kh − pt, 2px + qx + kw − pl, ci]
 * over the pooled pixels with pooled > 0, q = (qy, qx) = argmax. For each of the four positions
 * the channels that picked it get dy (the others 0), so the sums stay four-channel vectors; a
 * quarter of the separate kernels' multiply-adds reach a non-zero, and no 26×26 map is read.
 */
/*
 * conv_relu_pool_grad's inner step for the common first layer (one input channel, 3×3 filter,
 * the 4×4 patch under the window inside the image): each channel's dy goes to one window
 * position only, so the patch value each lane needs is picked per lane — a byte swizzle along
 * the patch's row, a select between two rows — and every tap is one multiply-add per four
 * channels instead of four.
 */
#define ONE_TAP(ROW_TOP, ROW_BOTTOM, KW, TAP)                                                       \
  do {                                                                                              \
    const v128_t idx = wasm_i32x4_add(base, wasm_i32x4_splat((KW) * 0x04040404));                  \
    const v128_t v = wasm_v128_bitselect(wasm_i8x16_swizzle(ROW_BOTTOM, idx), wasm_i8x16_swizzle(ROW_TOP, idx), down); \
    f32 *a = dw + (long)(TAP) * cout + co;                                                          \
    wasm_v128_store(a, wasm_f32x4_add(wasm_v128_load(a), wasm_f32x4_mul(v, g)));                    \
  } while (0)

static inline void grad_taps_3x3_one_channel(const f32 *p, i32 wd, v128_t g, v128_t arg, f32 *dw, i32 cout, i32 co) {
  const v128_t r0 = wasm_v128_load(p), r1 = wasm_v128_load(p + wd), r2 = wasm_v128_load(p + 2 * wd), r3 = wasm_v128_load(p + 3 * wd);
  // Lane i reads column qx + kw of its row: bytes 4·(qx + kw) … + 3.
  const v128_t qx = wasm_v128_and(arg, wasm_i32x4_splat(1));
  const v128_t base = wasm_i32x4_add(wasm_i32x4_mul(qx, wasm_i32x4_splat(0x04040404)), wasm_i32x4_splat(0x03020100));
  const v128_t down = wasm_i32x4_gt(arg, wasm_i32x4_splat(1)); // positions 2, 3: the window's lower row
  ONE_TAP(r0, r1, 0, 0); ONE_TAP(r0, r1, 1, 1); ONE_TAP(r0, r1, 2, 2);
  ONE_TAP(r1, r2, 0, 3); ONE_TAP(r1, r2, 1, 4); ONE_TAP(r1, r2, 2, 5);
  ONE_TAP(r2, r3, 0, 6); ONE_TAP(r2, r3, 1, 7); ONE_TAP(r2, r3, 2, 8);
}
#undef ONE_TAP

EXPORT(conv_relu_pool_grad)
void conv_relu_pool_grad(const f32 *x, const f32 *pooled, const i32 *argmax, const f32 *dy, f32 *dw, i32 n, i32 h,
                         i32 wd, i32 cin, i32 cout, i32 fh, i32 fw, i32 pad_top, i32 pad_left, i32 ph, i32 pw) {
  zero(dw, fh * fw * cin * cout);
  const v128_t zero4 = wasm_f32x4_splat(0);
  const long row = (long)wd * cin;
  for (i32 b = 0; b < n; b++) {
    const f32 *xb = x + (long)b * h * wd * cin;
    for (i32 py = 0; py < ph; py++)
      for (i32 px = 0; px < pw; px++) {
        const i32 y0 = 2 * py - pad_top, x0 = 2 * px - pad_left;
        const i32 inside = y0 >= 0 && x0 >= 0 && y0 + fh <= h - 1 && x0 + fw <= wd - 1;
        const i32 fast = inside && cin == 1 && fh == 3 && fw == 3;
        const long at = (((long)b * ph + py) * pw + px) * cout;
        for (i32 co = 0; co < cout; co += 4) {
          const v128_t open = wasm_f32x4_gt(wasm_v128_load(pooled + at + co), zero4);
          const v128_t g = wasm_v128_and(wasm_v128_load(dy + at + co), open);
          if (!wasm_v128_any_true(g)) continue;
          const v128_t arg = wasm_v128_load(argmax + at + co);
          if (fast) {
            grad_taps_3x3_one_channel(xb + (long)y0 * wd + x0, wd, g, arg, dw, cout, co);
            continue;
          }
          // dy split by the window position each channel's maximum came from.
          const v128_t g0 = wasm_v128_and(g, wasm_i32x4_eq(arg, wasm_i32x4_splat(0)));
          const v128_t g1 = wasm_v128_and(g, wasm_i32x4_eq(arg, wasm_i32x4_splat(1)));
          const v128_t g2 = wasm_v128_and(g, wasm_i32x4_eq(arg, wasm_i32x4_splat(2)));
          const v128_t g3 = wasm_v128_and(g, wasm_i32x4_eq(arg, wasm_i32x4_splat(3)));
          for (i32 kh = 0; kh < fh; kh++)
            for (i32 kw = 0; kw < fw; kw++) {
              f32 *acc = dw + (long)(kh * fw + kw) * cin * cout + co;
              const f32 *p = xb + (y0 + kh) * row + (long)(x0 + kw) * cin;
              for (i32 ci = 0; ci < cin; ci++) {
                f32 t0, t1, t2, t3;
                if (inside) {
                  t0 = p[ci], t1 = p[cin + ci], t2 = p[row + ci], t3 = p[row + cin + ci];
                } else {
                  t0 = tap(xb, h, wd, cin, y0 + kh, x0 + kw, ci);
                  t1 = tap(xb, h, wd, cin, y0 + kh, x0 + kw + 1, ci);
                  t2 = tap(xb, h, wd, cin, y0 + kh + 1, x0 + kw, ci);
                  t3 = tap(xb, h, wd, cin, y0 + kh + 1, x0 + kw + 1, ci);
                }
                v128_t sum = wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_splat(t0), g0), wasm_f32x4_mul(wasm_f32x4_splat(t1), g1));
                sum = wasm_f32x4_add(sum, wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_splat(t2), g2), wasm_f32x4_mul(wasm_f32x4_splat(t3), g3)));
                f32 *a = acc + (long)ci * cout;
                wasm_v128_store(a, wasm_f32x4_add(wasm_v128_load(a), sum));
              }
            }
        }
      }
  }
}

/*
 * One Adam step over a flat vector of n weights (tfjs's AdamOptimizer, all of a model's weights
 * at once: kernels/flat-adam.ts), in tfjs's order of float32 operations, so the numbers are
 * those of its thirteen composed kernels, bit for bit:
 *   m' = m·β1 + g·(1 − β1),  v' = v·β2 + g²·(1 − β2),
 *   w' = (m' / (1 − β1ᵗ)) / (√(v' / (1 − β2ᵗ)) + ε) · (−lr) + w.
 * acc1 and acc2 point at β1ᵗ and β2ᵗ (the optimizer's scalars); wasm has no fused multiply-add
 * in this instruction set, so nothing is contracted.
 */
EXPORT(adam_step)
void adam_step(const f32 *g, const f32 *w, const f32 *m, const f32 *v, const f32 *acc1, const f32 *acc2, f32 *w_out,
               f32 *m_out, f32 *v_out, i32 n, f32 beta1, f32 one_minus_beta1, f32 beta2, f32 one_minus_beta2,
               f32 epsilon, f32 neg_lr) {
  const f32 d1 = 1.0f - acc1[0], d2 = 1.0f - acc2[0];
  const v128_t b1 = wasm_f32x4_splat(beta1), ob1 = wasm_f32x4_splat(one_minus_beta1);
  const v128_t b2 = wasm_f32x4_splat(beta2), ob2 = wasm_f32x4_splat(one_minus_beta2);
  const v128_t dd1 = wasm_f32x4_splat(d1), dd2 = wasm_f32x4_splat(d2);
  const v128_t eps = wasm_f32x4_splat(epsilon), step = wasm_f32x4_splat(neg_lr);
  const i32 n4 = n & ~3;
  for (i32 i = 0; i < n4; i += 4) {
    const v128_t gi = wasm_v128_load(g + i);
    const v128_t m1 = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(m + i), b1), wasm_f32x4_mul(gi, ob1));
    const v128_t v1 = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(v + i), b2), wasm_f32x4_mul(wasm_f32x4_mul(gi, gi), ob2));
    const v128_t cf = wasm_f32x4_div(m1, dd1), cs = wasm_f32x4_div(v1, dd2);
    const v128_t update = wasm_f32x4_mul(wasm_f32x4_div(cf, wasm_f32x4_add(wasm_f32x4_sqrt(cs), eps)), step);
    wasm_v128_store(w_out + i, wasm_f32x4_add(update, wasm_v128_load(w + i)));
    wasm_v128_store(m_out + i, m1);
    wasm_v128_store(v_out + i, v1);
  }
  for (i32 i = n4; i < n; i++) {
    const f32 m1 = m[i] * beta1 + g[i] * one_minus_beta1;
    const f32 v1 = v[i] * beta2 + (g[i] * g[i]) * one_minus_beta2;
    const f32 cf = m1 / d1, cs = v1 / d2;
    w_out[i] = (cf / (__builtin_sqrtf(cs) + epsilon)) * neg_lr + w[i];
    m_out[i] = m1;
    v_out[i] = v1;
  }
}
