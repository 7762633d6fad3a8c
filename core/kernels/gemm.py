"""Register-tiled matrix products written as LLVM vector code (numba intrinsics).

Why not BLAS: at the shapes a teaching net has (batch 10–512, widths 2–1024) a BLAS call pays a
fixed cost and packs its operands, and the OpenBLAS kernels a machine is configured with may not
use its widest vectors. These micro-kernels keep an MR×(NV·VW) block of the output in vector
registers while walking the shared dimension once — the BLIS micro-kernel, without packing — and
reach 2–3× the configured BLAS on the benchmark machine (``bench/``, GEMM rows). Column tails use
masked loads and stores, so any width works and nothing outside the operands is touched.

Two shapes cover a Dense layer:
- ``gemm_nn``: C (+)= A·B with B row-major (forward y = x·W; dW = xᵀ·dy through A's strides).
- ``gemm_nt``: C (+)= A·Bᵀ with both operands' rows contiguous (dx = dy·Wᵀ), a dot product per
  output, summed in vector lanes and reduced once at the end.

At large widths the tiles read their operands in place badly: when B's rows are ≥ 4 KB apart, a
strip of B is a page per step of the shared dimension and A's rows alias in the cache, and a
784-2048-2048 layer ran at a third of the FMA peak. ``gemm_packed`` then copies blocks of both
operands into the tiles' order first (BLIS's packing) and runs the same tiles on the copies; it
also takes B transposed, so dx = dy·Wᵀ at large batches runs on these tiles too.

Operands are any C-contiguous float32/float64 arrays (an arena slice or a 2-D view): offsets and
strides are in elements, from the array's first element. Tile sizes follow the host's vector
width (numba compiles for the host, and its cache is keyed on the host CPU).
"""
import llvmlite.binding as llvm
from llvmlite import ir
import numpy as np
from numba import njit, prange, types
from numba.core import cgutils
from numba.core.errors import TypingError
from numba.extending import intrinsic

from .config import JIT


def host_has_avx512() -> bool:
    """Whether the host CPU has AVX-512F, as LLVM reads it. LLVM cannot read the features on some
    platforms and raises RuntimeError (numba itself catches it): then assume no AVX-512 and use
    the 32-byte tiles, which run everywhere (LLVM splits the vectors where they are wider than
    the machine's)."""
    try:
        features = llvm.get_host_cpu_features().flatten()
    except RuntimeError:
        return False
    return "+avx512f" in features.split(",")


_AVX512 = host_has_avx512()
VECTOR_BYTES = 64 if _AVX512 else 32
MR = 8 if _AVX512 else 4        # rows of the NN tile; NV vectors of columns each
NV = 2
MT, NT = 4, 4                   # the NT tile: MT rows of A × NT rows of B

_I32 = ir.IntType(32)
_I64 = ir.IntType(64)


def _splat(builder, value, vty):
    v = builder.insert_element(ir.Constant(vty, ir.Undefined), value, ir.Constant(_I32, 0))
    return builder.shuffle_vector(v, v, ir.Constant(ir.VectorType(_I32, vty.count), [0] * vty.count))


class _Vec:
    """LLVM vector helpers for one element type, inside one codegen call."""

    def __init__(self, context, builder, dtype):
        self.b = builder
        self.fty = context.get_value_type(dtype)
        self.lanes = VECTOR_BYTES // (dtype.bitwidth // 8)
        self.vty = ir.VectorType(self.fty, self.lanes)
        self.zero = ir.Constant(self.vty, [0.0] * self.lanes)
        suffix = f"v{self.lanes}{'f32' if dtype.bitwidth == 32 else 'f64'}"
        mod = builder.module
        pty = self.vty.as_pointer()
        mty = ir.VectorType(ir.IntType(1), self.lanes)
        self.fma_fn = cgutils.get_or_insert_function(mod, ir.FunctionType(self.vty, [self.vty] * 3), f"llvm.fma.{suffix}")
        self.mload_fn = cgutils.get_or_insert_function(
            mod, ir.FunctionType(self.vty, [pty, _I32, mty, self.vty]), f"llvm.masked.load.{suffix}.p0")
        self.mstore_fn = cgutils.get_or_insert_function(
            mod, ir.FunctionType(ir.VoidType(), [self.vty, pty, _I32, mty]), f"llvm.masked.store.{suffix}.p0")
        self.align = ir.Constant(_I32, dtype.bitwidth // 8)

    def mask(self, count):
        """Lanes [0, count) on."""
        lanes = ir.Constant(ir.VectorType(_I64, self.lanes), list(range(self.lanes)))
        return self.b.icmp_signed("<", lanes, _splat(self.b, count, ir.VectorType(_I64, self.lanes)))

    def ptr(self, base, off):
        return self.b.bitcast(self.b.gep(base, [off]), self.vty.as_pointer())

    def load(self, base, off, mask=None):
        if mask is None:
            return self.b.load(self.ptr(base, off), align=self.align.constant)
        return self.b.call(self.mload_fn, [self.ptr(base, off), self.align, mask, self.zero])

    def store(self, v, base, off, mask=None):
        if mask is None:
            self.b.store(v, self.ptr(base, off), align=self.align.constant)
        else:
            self.b.call(self.mstore_fn, [v, self.ptr(base, off), self.align, mask])

    def fma(self, a, b, c):
        return self.b.call(self.fma_fn, [a, b, c])

    def hsum(self, v):
        """Sum of the lanes, by halving (a fixed order: results do not depend on the data)."""
        n = self.lanes
        while n > 1:
            h = n // 2
            lo = self.b.shuffle_vector(v, v, ir.Constant(ir.VectorType(_I32, h), list(range(h))))
            hi = self.b.shuffle_vector(v, v, ir.Constant(ir.VectorType(_I32, h), list(range(h, n))))
            v = self.b.fadd(lo, hi)
            n = h
        return self.b.extract_element(v, ir.Constant(_I32, 0))


def _check_operands(arrays):
    dts = {a.dtype for a in arrays}
    if len(dts) != 1 or not all(isinstance(a, types.Array) for a in arrays) \
            or next(iter(dts)) not in (types.float32, types.float64):
        raise TypingError("gemm tiles need float32 or float64 arrays of one dtype")


def _ints(context, builder, sig, args, idx):
    return [context.cast(builder, args[i], sig.args[i], types.intp) for i in idx]


def _data(context, builder, ty, val):
    return context.make_array(ty)(context, builder, val).data


def _nn_tile(rows, nvec, masked):
    """C[r, :cols] (+)= Σ_p A[r·a_rs + p·a_cs] · B[p·ldb + :cols] for r < rows; cols = nvec
    vectors, or `ncols` < one vector when masked."""

    @intrinsic
    def tile(typingctx, A, a_off, a_rs, a_cs, B, b_off, ldb, C, c_off, ldc, k, ncols, accumulate):
        _check_operands((A, B, C))
        sig = types.void(A, a_off, a_rs, a_cs, B, b_off, ldb, C, c_off, ldc, k, ncols, accumulate)

        def codegen(context, builder, signature, args):
            a_off_, a_rs_, a_cs_, b_off_, ldb_, c_off_, ldc_, k_, ncols_ = _ints(
                context, builder, signature, args, (1, 2, 3, 5, 6, 8, 9, 10, 11))
            acc_in = context.cast(builder, args[12], signature.args[12], types.boolean)
            ap = _data(context, builder, signature.args[0], args[0])
            bp = _data(context, builder, signature.args[4], args[4])
            cp = _data(context, builder, signature.args[7], args[7])
            V = _Vec(context, builder, signature.args[0].dtype)
            mask = V.mask(ncols_) if masked else None
            c = lambda n: ir.Constant(_I64, n)   # noqa: E731
            slots = []
            for r in range(rows):
                row = []
                for v in range(nvec):
                    off = builder.add(c_off_, builder.add(builder.mul(c(r), ldc_), c(v * V.lanes)))
                    slot = cgutils.alloca_once(builder, V.vty)
                    with builder.if_else(acc_in) as (then, otherwise):
                        with then:
                            builder.store(V.load(cp, off, mask), slot)
                        with otherwise:
                            builder.store(V.zero, slot)
                    row.append(slot)
                slots.append(row)
            with cgutils.for_range(builder, k_) as loop:
                p = loop.index
                brow = builder.add(b_off_, builder.mul(p, ldb_))
                bv = [V.load(bp, builder.add(brow, c(v * V.lanes)), mask) for v in range(nvec)]
                acol = builder.add(a_off_, builder.mul(p, a_cs_))
                for r in range(rows):
                    a = builder.load(builder.gep(ap, [builder.add(acol, builder.mul(c(r), a_rs_))]))
                    s = _splat(builder, a, V.vty)
                    for v in range(nvec):
                        builder.store(V.fma(s, bv[v], builder.load(slots[r][v])), slots[r][v])
            for r in range(rows):
                for v in range(nvec):
                    off = builder.add(c_off_, builder.add(builder.mul(c(r), ldc_), c(v * V.lanes)))
                    V.store(builder.load(slots[r][v]), cp, off, mask)
            return context.get_dummy_value()

        return sig, codegen

    return tile


def _nt_tile(rows, cols):
    """C[r·ldc + q] (+)= Σ_j A[r·lda + j] · B[q·ldb + j] for r < rows, q < cols, j < k."""

    @intrinsic
    def tile(typingctx, A, a_off, lda, B, b_off, ldb, C, c_off, ldc, k, accumulate):
        _check_operands((A, B, C))
        sig = types.void(A, a_off, lda, B, b_off, ldb, C, c_off, ldc, k, accumulate)

        def codegen(context, builder, signature, args):
            a_off_, lda_, b_off_, ldb_, c_off_, ldc_, k_ = _ints(context, builder, signature, args,
                                                                 (1, 2, 4, 5, 7, 8, 9))
            acc_in = context.cast(builder, args[10], signature.args[10], types.boolean)
            ap = _data(context, builder, signature.args[0], args[0])
            bp = _data(context, builder, signature.args[3], args[3])
            cp = _data(context, builder, signature.args[6], args[6])
            V = _Vec(context, builder, signature.args[0].dtype)
            c = lambda n: ir.Constant(_I64, n)   # noqa: E731
            slots = [[cgutils.alloca_once_value(builder, V.zero) for _ in range(cols)] for _ in range(rows)]
            a_rows = [builder.add(a_off_, builder.mul(c(r), lda_)) for r in range(rows)]
            b_rows = [builder.add(b_off_, builder.mul(c(q), ldb_)) for q in range(cols)]
            full = builder.sdiv(k_, c(V.lanes))

            def step(j, mask):
                av = [V.load(ap, builder.add(a_rows[r], j), mask) for r in range(rows)]
                bv = [V.load(bp, builder.add(b_rows[q], j), mask) for q in range(cols)]
                for r in range(rows):
                    for q in range(cols):
                        builder.store(V.fma(av[r], bv[q], builder.load(slots[r][q])), slots[r][q])

            with cgutils.for_range(builder, full) as loop:
                step(builder.mul(loop.index, c(V.lanes)), None)
            tail = builder.sub(k_, builder.mul(full, c(V.lanes)))
            with builder.if_then(builder.icmp_signed(">", tail, c(0))):
                step(builder.mul(full, c(V.lanes)), V.mask(tail))
            for r in range(rows):
                for q in range(cols):
                    ptr = builder.gep(cp, [builder.add(c_off_, builder.add(builder.mul(c(r), ldc_), c(q)))])
                    total = V.hsum(builder.load(slots[r][q]))
                    with builder.if_else(acc_in) as (then, otherwise):
                        with then:
                            builder.store(builder.fadd(builder.load(ptr), total), ptr)
                        with otherwise:
                            builder.store(total, ptr)
            return context.get_dummy_value()

        return sig, codegen

    return tile


@intrinsic
def _copy_strip(typingctx, S, s_off, D, d_off, count):
    """D[d_off + c] = S[s_off + c] for c < count ≤ NV·lanes, zero up to NV·lanes: one row of a
    packed B micro-panel, in vector loads and stores (a plain loop here ran 6× slower: LLVM could
    not prove S and D apart)."""
    _check_operands((S, D))
    sig = types.void(S, s_off, D, d_off, count)

    def codegen(context, builder, signature, args):
        s_off_, d_off_, count_ = _ints(context, builder, signature, args, (1, 3, 4))
        sp = _data(context, builder, signature.args[0], args[0])
        dp = _data(context, builder, signature.args[2], args[2])
        V = _Vec(context, builder, signature.args[0].dtype)
        for v in range(NV):
            at = ir.Constant(_I64, v * V.lanes)
            x = V.load(sp, builder.add(s_off_, at), V.mask(builder.sub(count_, at)))
            V.store(x, dp, builder.add(d_off_, at))
        return context.get_dummy_value()

    return sig, codegen


@intrinsic
def _lanes(typingctx, A):
    """Vector lanes for A's dtype (a compile-time constant)."""
    if not isinstance(A, types.Array):
        raise TypingError("_lanes needs an array")
    sig = types.intp(A)

    def codegen(context, builder, signature, args):
        return ir.Constant(_I64, VECTOR_BYTES // (signature.args[0].dtype.bitwidth // 8))

    return sig, codegen


_ROW_SIZES = sorted({MR, 4, 2, 1}, reverse=True)
_NN_FULL = {r: _nn_tile(r, NV, False) for r in _ROW_SIZES}
_NN_ONE = {r: _nn_tile(r, 1, False) for r in _ROW_SIZES}
_NN_MASKED = {r: _nn_tile(r, 1, True) for r in _ROW_SIZES}
_NT_TILES = {(r, q): _nt_tile(r, q) for r in {MT, 1} for q in {NT, 1}}

_nn_full_big, _nn_one_big, _nn_mask_big = _NN_FULL[MR], _NN_ONE[MR], _NN_MASKED[MR]
_nn_full_4, _nn_one_4, _nn_mask_4 = _NN_FULL[4], _NN_ONE[4], _NN_MASKED[4]
_nn_full_2, _nn_one_2, _nn_mask_2 = _NN_FULL[2], _NN_ONE[2], _NN_MASKED[2]
_nn_full_1, _nn_one_1, _nn_mask_1 = _NN_FULL[1], _NN_ONE[1], _NN_MASKED[1]
_nt_big, _nt_rows1, _nt_cols1, _nt_one = (_NT_TILES[(MT, NT)], _NT_TILES[(1, NT)], _NT_TILES[(MT, 1)],
                                          _NT_TILES[(1, 1)])


@njit(**JIT)
def gemm_nn(A, a_off, a_rs, a_cs, B, b_off, ldb, C, c_off, ldc, n, k, m, accumulate):
    """C[n, m] (+)= A[n, k] · B[k, m]; A[i, p] = A[a_off + i·a_rs + p·a_cs], B and C row-major
    with leading dimensions ldb, ldc. Column strips outermost so a strip of B stays in cache.

    The four row-block branches are spelled out on purpose: tiles are compile-time shapes, and a
    factored inline helper choosing among them made a playground step 25% slower (measured)."""
    vw = _lanes(A)
    strip = NV * vw
    j = 0
    while j < m:
        left = m - j
        i = 0
        while i < n:
            rows = n - i
            ao, co = a_off + i * a_rs, c_off + i * ldc + j
            if rows >= MR:
                if left >= strip:
                    _nn_full_big(A, ao, a_rs, a_cs, B, b_off + j, ldb, C, co, ldc, k, strip, accumulate)
                elif left >= vw:
                    _nn_one_big(A, ao, a_rs, a_cs, B, b_off + j, ldb, C, co, ldc, k, vw, accumulate)
                else:
                    _nn_mask_big(A, ao, a_rs, a_cs, B, b_off + j, ldb, C, co, ldc, k, left, accumulate)
                i += MR
            elif rows >= 4:
                if left >= strip:
                    _nn_full_4(A, ao, a_rs, a_cs, B, b_off + j, ldb, C, co, ldc, k, strip, accumulate)
                elif left >= vw:
                    _nn_one_4(A, ao, a_rs, a_cs, B, b_off + j, ldb, C, co, ldc, k, vw, accumulate)
                else:
                    _nn_mask_4(A, ao, a_rs, a_cs, B, b_off + j, ldb, C, co, ldc, k, left, accumulate)
                i += 4
            elif rows >= 2:
                if left >= strip:
                    _nn_full_2(A, ao, a_rs, a_cs, B, b_off + j, ldb, C, co, ldc, k, strip, accumulate)
                elif left >= vw:
                    _nn_one_2(A, ao, a_rs, a_cs, B, b_off + j, ldb, C, co, ldc, k, vw, accumulate)
                else:
                    _nn_mask_2(A, ao, a_rs, a_cs, B, b_off + j, ldb, C, co, ldc, k, left, accumulate)
                i += 2
            else:
                if left >= strip:
                    _nn_full_1(A, ao, a_rs, a_cs, B, b_off + j, ldb, C, co, ldc, k, strip, accumulate)
                elif left >= vw:
                    _nn_one_1(A, ao, a_rs, a_cs, B, b_off + j, ldb, C, co, ldc, k, vw, accumulate)
                else:
                    _nn_mask_1(A, ao, a_rs, a_cs, B, b_off + j, ldb, C, co, ldc, k, left, accumulate)
                i += 1
        j += strip if left >= strip else (vw if left >= vw else left)


@njit(**JIT)
def gemm_nt(A, a_off, lda, B, b_off, ldb, C, c_off, ldc, n, k, m, accumulate):
    """C[n, m] (+)= A[n, k] · B[m, k]ᵀ, all row-major (leading dimensions lda, ldb, ldc)."""
    i = 0
    while i < n:
        r = MT if n - i >= MT else 1
        q = 0
        while q < m:
            ao, bo, co = a_off + i * lda, b_off + q * ldb, c_off + i * ldc + q
            if m - q >= NT:
                if r == MT:
                    _nt_big(A, ao, lda, B, bo, ldb, C, co, ldc, k, accumulate)
                else:
                    _nt_rows1(A, ao, lda, B, bo, ldb, C, co, ldc, k, accumulate)
                q += NT
            else:
                if r == MT:
                    _nt_cols1(A, ao, lda, B, bo, ldb, C, co, ldc, k, accumulate)
                else:
                    _nt_one(A, ao, lda, B, bo, ldb, C, co, ldc, k, accumulate)
                q += 1
        i += r


# ----------------------------------------------------------------------------- parallel panels
#
# The parallel products split C into `panels` independent panels — column panels (whole strips of
# NV vectors) when the B operand is the larger one, else row panels (whole MR-row tiles) — and
# run the serial kernel above on each panel in its own thread (prange). Every output element is
# still one FMA chain over the shared dimension in the same order, so the result is bitwise the
# serial one whatever the thread count (tests/test_parallel.py). They are separate functions
# (not `parallel=` on the serial ones): numba's cache key ignores `parallel=` (NOTES.md).
# When to use them at all is the caller's decision (kernels/dense.py, PARALLEL_MIN_MACS).


@njit(parallel=True, **JIT)
def gemm_nn_par(A, a_off, a_rs, a_cs, B, b_off, ldb, C, c_off, ldc, n, k, m, accumulate, panels):
    """gemm_nn split over `panels` threads (the calling thread's numba thread count runs them)."""
    vw = _lanes(A)
    strip = NV * vw
    if m * k >= n * k and m > strip:        # B (k×m) is the bigger operand: split its columns
        nstrips = (m + strip - 1) // strip
        per = (nstrips + panels - 1) // panels
        for t in prange(panels):
            j0 = t * per * strip
            j1 = min(m, j0 + per * strip)
            if j0 < j1:
                gemm_nn(A, a_off, a_rs, a_cs, B, b_off + j0, ldb, C, c_off + j0, ldc, n, k, j1 - j0,
                        accumulate)
    else:
        ntiles = (n + MR - 1) // MR
        per = (ntiles + panels - 1) // panels
        for t in prange(panels):
            i0 = t * per * MR
            i1 = min(n, i0 + per * MR)
            if i0 < i1:
                gemm_nn(A, a_off + i0 * a_rs, a_rs, a_cs, B, b_off, ldb, C, c_off + i0 * ldc, ldc,
                        i1 - i0, k, m, accumulate)


@njit(parallel=True, **JIT)
def gemm_nt_par(A, a_off, lda, B, b_off, ldb, C, c_off, ldc, n, k, m, accumulate, panels):
    """gemm_nt split over `panels` threads: row panels of A when A is the bigger operand, else
    panels of B's rows (C's columns), whole MT/NT tiles each."""
    if n >= m and n > MT:
        ntiles = (n + MT - 1) // MT
        per = (ntiles + panels - 1) // panels
        for t in prange(panels):
            i0 = t * per * MT
            i1 = min(n, i0 + per * MT)
            if i0 < i1:
                gemm_nt(A, a_off + i0 * lda, lda, B, b_off, ldb, C, c_off + i0 * ldc, ldc, i1 - i0, k, m,
                        accumulate)
    else:
        ntiles = (m + NT - 1) // NT
        per = (ntiles + panels - 1) // panels
        for t in prange(panels):
            q0 = t * per * NT
            q1 = min(m, q0 + per * NT)
            if q0 < q1:
                gemm_nt(A, a_off, lda, B, b_off + q0 * ldb, ldb, C, c_off + q0, ldc, n, k, q1 - q0,
                        accumulate)


# ----------------------------------------------------------------------------- packed products
#
# Blocks chosen for this machine's caches (bench/gemm_packing.py sweeps them): a packed B
# micro-panel (KC rows × one strip) is 32 KB and stays in L1 while every MR-row micro-panel of the
# packed A block (MC × KC, 256 KB, in L2) passes it; the packed B block (KC × NC, 2 MB) is in L3.
# Each output element is still one FMA chain over the shared dimension in order — a KC block
# resumes from the partial sums the last one stored — so the result is bitwise gemm_nn's.

KC = 256
MC = 256
NC = 2048


@njit(**JIT)
def _pack_b(B, b_off, b_rs, b_cs, kc, nc, Bp, strip):
    """Bp[s·kc·strip + p·strip + c] = B[p, s·strip + c] (zero past nc), B[p, j] at
    b_off + p·b_rs + j·b_cs: row-major B (b_cs = 1) or a transposed one (b_rs = 1)."""
    for s in range((nc + strip - 1) // strip):
        j = s * strip
        w = min(strip, nc - j)
        base = s * kc * strip
        if b_cs == 1:
            for p in range(kc):
                _copy_strip(B, b_off + p * b_rs + j, Bp, base + p * strip, w)
        else:
            for c in range(strip):
                if c < w:
                    src = b_off + (j + c) * b_cs
                    for p in range(kc):
                        Bp[base + p * strip + c] = B[src + p * b_rs]
                else:
                    for p in range(kc):
                        Bp[base + p * strip + c] = 0.0


@njit(**JIT)
def _pack_a(A, a_off, a_rs, a_cs, mc, kc, Ap):
    """Ap[t·kc·MR + p·MR + r] = A[t·MR + r, p] (zero past mc): MR-row micro-panels, a step's
    MR values side by side."""
    for t in range((mc + MR - 1) // MR):
        base = t * kc * MR
        rows = min(MR, mc - t * MR)
        if a_cs == 1:
            for r in range(rows):
                src = a_off + (t * MR + r) * a_rs
                for p in range(kc):
                    Ap[base + p * MR + r] = A[src + p]
        else:
            for p in range(kc):
                src = a_off + t * MR * a_rs + p * a_cs
                for r in range(rows):
                    Ap[base + p * MR + r] = A[src + r * a_rs]
        for r in range(rows, MR):
            for p in range(kc):
                Ap[base + p * MR + r] = 0.0


@njit(**JIT)
def gemm_packed(A, a_off, a_rs, a_cs, B, b_off, b_rs, b_cs, C, c_off, ldc, n, k, m, accumulate):
    """C[n, m] (+)= A[n, k] · B[k, m] through packed copies; A[i, p] = A[a_off + i·a_rs + p·a_cs],
    B[p, j] = B[b_off + p·b_rs + j·b_cs] (b_cs = 1: row-major; b_rs = 1: C = A·Wᵀ with W = B
    row-major m×k). The copies are allocated per call (≤ 2.3 MB: a few µs next to ≥ 2²² FMAs)."""
    strip = NV * _lanes(A)
    a, b = A.reshape(A.size), B.reshape(B.size)   # the copies index flat; C goes to the tiles as is
    kc_max = min(KC, k)
    Bp = np.empty(kc_max * ((min(NC, m) + strip - 1) // strip) * strip, A.dtype)
    Ap = np.empty(kc_max * ((min(MC, n) + MR - 1) // MR) * MR, A.dtype)
    for j0 in range(0, m, NC):
        nc = min(NC, m - j0)
        for p0 in range(0, k, KC):
            kc = min(KC, k - p0)
            _pack_b(b, b_off + p0 * b_rs + j0 * b_cs, b_rs, b_cs, kc, nc, Bp, strip)
            acc = accumulate or p0 > 0
            for i0 in range(0, n, MC):
                mc = min(MC, n - i0)
                _pack_a(a, a_off + i0 * a_rs + p0 * a_cs, a_rs, a_cs, mc, kc, Ap)
                for s in range((nc + strip - 1) // strip):
                    co = c_off + i0 * ldc + j0 + s * strip
                    for t in range((mc + MR - 1) // MR):
                        gemm_nn(Ap, t * kc * MR, 1, MR, Bp, s * kc * strip, strip, C, co + t * MR * ldc, ldc,
                                min(MR, mc - t * MR), kc, min(strip, nc - s * strip), acc)


@njit(parallel=True, **JIT)
def gemm_packed_par(A, a_off, a_rs, a_cs, B, b_off, b_rs, b_cs, C, c_off, ldc, n, k, m, accumulate, panels):
    """gemm_packed split over `panels` threads, as gemm_nn_par splits: column panels (each thread
    packs only its columns of B) when B is the bigger operand, else row panels."""
    strip = NV * _lanes(A)
    if m >= n and m > strip:
        nstrips = (m + strip - 1) // strip
        per = (nstrips + panels - 1) // panels
        for t in prange(panels):
            j0 = t * per * strip
            j1 = min(m, j0 + per * strip)
            if j0 < j1:
                gemm_packed(A, a_off, a_rs, a_cs, B, b_off + j0 * b_cs, b_rs, b_cs, C, c_off + j0, ldc, n, k,
                            j1 - j0, accumulate)
    else:
        ntiles = (n + MR - 1) // MR
        per = (ntiles + panels - 1) // panels
        for t in prange(panels):
            i0 = t * per * MR
            i1 = min(n, i0 + per * MR)
            if i0 < i1:
                gemm_packed(A, a_off + i0 * a_rs, a_rs, a_cs, B, b_off, b_rs, b_cs, C, c_off + i0 * ldc, ldc,
                            i1 - i0, k, m, accumulate)
