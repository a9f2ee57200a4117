"""Documentation and calibration tools: they read the model and the register and write
``docs/``; the simulation never imports them.

* ``docs``: the parameter register and the outcomes as tables (``docs/ODD.md``, ``run.py params``);
* ``lever_docs``: the generated blocks and figures of ``docs/levers.md``;
* ``calibration``: the 2015 calibration table (``run.py calibrate``, ``docs/calibration.md``);
* ``economy``: checks of the organizations' economy over a long run (``docs/calibration.md``);
* ``rule_catalogue``: the behavioural rules (``run.py rules``, ``docs/rules.md``);
* ``markers``: the generated blocks between BEGIN and END markers, one way for every tool.
"""
