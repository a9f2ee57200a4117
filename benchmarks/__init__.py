"""Speed and memory benchmarks: ``python -m benchmarks.bench`` (see ``docs/performance.md``).

* ``simplified``      the simplified needs-and-providers model both references
                      implement: its rules, its parameters (read from the
                      register) and its initial state;
* ``mesa_reference``  that model written idiomatically in Mesa, one agent per resident;
* ``numpy_reference`` the same model as numpy struct-of-arrays;
* ``docking``         not a speed benchmark: the resident-side submodel
                      re-implemented in plain Mesa agents from the ODD text and
                      compared with the array version (``python -m benchmarks.docking``);
* ``bench``           the benchmark driver (full model at 100k, 1M and city
                      scale; the side-by-side comparison; ``--profile``).
"""
