"""NetDesigner's data files: example designs, style sheets, the examples' translations and the
README's screenshots.

A package only so that a wheel ships them (``[tool.setuptools.package-data]`` in pyproject.toml);
``designer.paths`` finds them. Nothing here is imported for its code.
"""
