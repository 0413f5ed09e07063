"""Problem-setter tools that use the judge: `validate` (references AC, known-wrong
solutions get their tags with margin, nested tiers, deterministic generators) and the
builder of the bundled benchmark. They sit above the judge; `problems` (the data and its
formats) sits below it and never imports it.
"""
