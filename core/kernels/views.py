"""A 2-D view of an arena slice, built directly.

``arena[off:off + n*w].reshape(n, w)`` costs about 16 ns in numba (reshape checks sizes and
strides through a helper); a playground step builds some sixty views, which was a quarter of the
step. The engine's plan guarantees every slice lies inside its arena, so the view is filled in
directly (about 3 ns, like a plain slice)."""
from llvmlite import ir
from numba import types
from numba.core.errors import TypingError
from numba.core.imputils import impl_ret_borrowed
from numba.extending import intrinsic


@intrinsic
def view2d(typingctx, arena, off, n, w):
    """arena[off:off + n·w] as a C-contiguous [n, w] array sharing arena's memory."""
    if not (isinstance(arena, types.Array) and arena.ndim == 1 and arena.layout == "C"):
        raise TypingError("view2d needs a 1-D C-contiguous array")
    ret = types.Array(arena.dtype, 2, "C")
    sig = ret(arena, off, n, w)

    def codegen(context, builder, signature, args):
        src = context.make_array(signature.args[0])(context, builder, args[0])
        off_, n_, w_ = (context.cast(builder, args[i], signature.args[i], types.intp) for i in (1, 2, 3))
        itemsize = context.get_abi_sizeof(context.get_data_type(signature.args[0].dtype))
        isz = ir.Constant(n_.type, itemsize)
        dst = context.make_array(signature.return_type)(context, builder)
        context.populate_array(dst, data=builder.gep(src.data, [off_]), shape=[n_, w_],
                               strides=[builder.mul(w_, isz), isz], itemsize=isz,
                               meminfo=src.meminfo, parent=src.parent)
        return impl_ret_borrowed(context, builder, signature.return_type, dst._getvalue())

    return sig, codegen
