"""Speed and memory benchmarks: ``python -m benchmarks.bench`` (see ``docs/performance.md``).

* ``simplified``      the simplified needs-and-providers model both references
                      implement: its rules, its parameters (read from the
                      register) and its initial state;
* ``mesa_reference``  that model written idiomatically in Mesa, one agent per resident;
* ``numpy_reference`` the same model as numpy struct-of-arrays;
* ``bench``           the benchmark driver (full model at 100k, 1M and city
                      scale; the side-by-side comparison; ``--profile``).
"""
