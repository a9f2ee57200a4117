"""Docking: the resident-side submodel implemented twice and compared over many seeds.

``python -m benchmarks.docking --seeds 100`` (see docs/validation.md, "Docking").
Not imported by the model.

* ``world``        the fixed inputs both implementations read (sizes, register
                   parameters, a fixed supply per cell and month) and the outcomes;
* ``mesa_agents``  the submodel re-implemented from the ODD text in plain Mesa 3.5
                   agents (residents, committees, organizations);
* ``arrays``       the model's own array version (``ResidentArrays``,
                   ``committees.eligible_needs``, ``services.match``) driven by the
                   same fixed supply;
* ``compare``      equivalence tests (TOST) with stated margins, Welch and KS checks;
* ``__main__``     the command.
"""
