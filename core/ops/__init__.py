"""Ops: the steps a compiled plan is made of, one module per op (how to add one:
docs/adding_a_block.md). ``registry.ops()`` finds them; ``schema`` says what a step is."""
from .registry import n_float_cols, n_int_cols, op, op_by_code, ops
from .schema import OpSchema, OpView

__all__ = ["OpSchema", "OpView", "op", "op_by_code", "ops", "n_int_cols", "n_float_cols"]
