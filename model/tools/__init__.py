"""Documentation and calibration tools: they read the model and the register and write
``docs/``; the simulation never imports them.

* ``docs``: the parameter register and the outcomes as tables (``docs/ODD.md``, ``run.py params``);
* ``lever_docs``: the generated blocks and figures of ``docs/levers.md``;
* ``calibration``: the 2015 calibration table (``run.py calibrate``, ``docs/calibration.md``).
"""
