"""NetDesigner's desktop designer (Qt). Importing this package loads no Qt; see launch.py."""
