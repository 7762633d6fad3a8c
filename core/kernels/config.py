"""Numeric policy of every kernel, in one place (stumpy's config.py idea).

error_model="numpy": numba's default ("python") puts a division-by-zero check inside every loop
that divides, which keeps LLVM from vectorising it (the Adam update ran 10× slower). The engine
checks for non-finite losses and weights itself, so IEEE semantics (inf/NaN) are what we want.
"""
JIT = dict(cache=True, nogil=True, error_model="numpy")
JIT_INLINE = dict(JIT, inline="always")
