"""The WSGI application as gunicorn loads it: views imported and start-up's heap set aside.

A full garbage collection walks every object the collector tracks. Left with what start-up
built, it paused a worker for 100-150 ms several times a minute under the bench's mixed load,
and the request it held waited (README, "Tenth round"). Each test loads the application in a
fresh Python, as a worker does.
"""

import json

from .test_settings import production_env, python

LOAD = (
    "import gc, json, sys\n"
    "import pipeline.wsgi\n"
    "print(json.dumps({\n"
    "    'frozen': gc.get_freeze_count(),\n"
    "    'tracked': len(gc.get_objects()),\n"
    "    'views_loaded': 'projects.views' in sys.modules and 'projects.api.views' in sys.modules,\n"
    "}))\n"
)


def test_a_worker_sets_start_up_aside_from_the_garbage_collector(tmp_path):
    result = python(LOAD, production_env(tmp_path))

    assert result.returncode == 0, result.stderr
    heap = json.loads(result.stdout)
    # Django, Wagtail, the REST framework and every view: far more than a collection should
    # walk, all of it kept for the worker's life.
    assert heap["frozen"] > 100_000
    assert heap["tracked"] < heap["frozen"] // 100
    assert heap["views_loaded"], "a reader's first request would import the views"
