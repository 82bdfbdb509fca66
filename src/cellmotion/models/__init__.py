"""Models: the report's classifier networks, the mixture density network (head and loss) and
likelihood baselines. Training loops and evaluation live one layer up
(:mod:`cellmotion.classification`, :mod:`cellmotion.generation`)."""
