"""NetDesigner's engine: graph model, block catalogue, Numba kernels, trainer, files. No Qt, ever.

The public entry points live in their modules (``core.graph.Graph``, ``core.designfile.load_design``,
``core.model.Model``, ``core.trainer.Trainer``, ...); importing ``core`` itself stays cheap (no numba).
"""
__version__ = "0.1.0"
