import gc
import os

from django.core.wsgi import get_wsgi_application

# A web process serves several requests at once on a few cores, so numpy's BLAS threads only fight the
# request threads: on the loaded 2-core machine a 3,000 x 512 matrix-vector product of For you's
# ranking took 20 ms of wall time with OpenBLAS's own threads and 0.7 ms with one (docs/benchmarks.md,
# "For you serving cost"). Read when numpy loads, which is below; the environment can still say otherwise.
for _var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notebridge.settings")
application = get_wsgi_application()

# What importing the application left alive stays alive for the process's life: ~330,000 objects that
# the garbage collector can track, 200,000 of them pypinyin's phrase lists. Every full collection walked
# them all, 100-200 ms of CPU on the loaded 2-core box, holding the GIL, so each stalled the worker's
# other request threads: the slowest For-you pages of a run (docs/benchmarks.md, 2026-12-05). Frozen, a
# full collection walks only what requests allocated since; with gunicorn's preload_app this runs in
# the arbiter, before the fork.
gc.freeze()
