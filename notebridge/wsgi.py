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
