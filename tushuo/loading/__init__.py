"""The loader's parts, one concern each: located reading (tree), ``extends``, ``{{slots}}``,
validation messages and the limits. :mod:`tushuo.loader` puts them together."""
