"""Settings: secure by default, and a production configuration that ``check --deploy`` passes.

Each test starts a fresh Python with a clean environment, because settings are read once per
process and the test run itself uses ``pipeline.settings.test``.
"""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """Only what Python needs, a throwaway SQLite file, no .env file, and ``extra``."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DJANGO_ENV_FILE": "",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        **extra,
    }


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - fixed arguments
        args, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=300
    )


def python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return run([sys.executable, "-c", code], env)


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    settings = {
        "DJANGO_SETTINGS_MODULE": "pipeline.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "pipeline.example.org",
    }
    return clean_env(tmp_path, **{**settings, **extra})


def test_base_settings_refuse_to_load_without_a_secret_key(tmp_path):
    result = python(
        "from django.core.exceptions import ImproperlyConfigured\n"
        "try:\n"
        "    import pipeline.settings.base\n"
        "except ImproperlyConfigured as exc:\n"
        "    print('refused:', exc)\n"
        "else:\n"
        "    print('loaded')\n",
        clean_env(tmp_path),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("refused: Set DJANGO_SECRET_KEY")


def test_an_empty_secret_key_is_refused_too(tmp_path):
    result = python("import pipeline.settings.base", clean_env(tmp_path, DJANGO_SECRET_KEY=""))

    assert result.returncode != 0
    assert "ImproperlyConfigured: Set DJANGO_SECRET_KEY" in result.stderr


def test_production_settings_refuse_to_load_without_a_secret_key(tmp_path):
    result = python("import pipeline.settings.production", clean_env(tmp_path))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


def test_base_settings_are_secure_by_default(tmp_path):
    result = python(
        "import json, pipeline.settings.base as s\n"
        "print(json.dumps({'DEBUG': s.DEBUG, 'ALLOWED_HOSTS': s.ALLOWED_HOSTS,"
        " 'SESSION_COOKIE_HTTPONLY': s.SESSION_COOKIE_HTTPONLY}))",
        clean_env(tmp_path, DJANGO_SECRET_KEY="only-for-this-test"),
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "DEBUG": False,
        "ALLOWED_HOSTS": [],
        "SESSION_COOKIE_HTTPONLY": True,
    }


def test_the_wsgi_entry_point_defaults_to_production_settings(tmp_path):
    env = production_env(tmp_path)
    del env["DJANGO_SETTINGS_MODULE"]

    result = python(
        "import pipeline.wsgi\nfrom django.conf import settings\n"
        "print(settings.SETTINGS_MODULE, settings.DEBUG, settings.SESSION_COOKIE_SECURE)",
        env,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["pipeline.settings.production", "False", "True"]


def test_production_passes_check_deploy_with_no_warnings(tmp_path):
    result = run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        production_env(tmp_path),
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_the_demo_database_checks_clean_too(tmp_path):
    """`make run` migrates SQLite, whose indexes cannot hold extra columns: Django's warning
    about the pledge listing's index is silenced there, and only there."""
    env = clean_env(tmp_path, DJANGO_SECRET_KEY=secrets.token_urlsafe(64))
    check = [sys.executable, "manage.py", "check", "--database", "default"]

    result = run([*check, "--fail-level", "WARNING"], env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "W040" not in result.stdout + result.stderr
    silenced = python(
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'pipeline.settings.base'\n"
        "from django.conf import settings; print(settings.SILENCED_SYSTEM_CHECKS)",
        {**env, "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/unused"},
    )
    assert silenced.stdout.strip() == "[]", silenced.stderr


def test_check_deploy_fails_when_production_is_misconfigured(tmp_path):
    """The check above can fail: without allowed hosts Django warns, and the check fails."""
    env = production_env(tmp_path, DJANGO_SECRET_KEY="short")
    del env["DJANGO_ALLOWED_HOSTS"]

    result = run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)

    assert result.returncode != 0
    assert "security.W020" in result.stderr  # ALLOWED_HOSTS empty
    assert "security.W009" in result.stderr  # weak SECRET_KEY


def test_production_redirects_to_https_except_the_health_check(tmp_path):
    result = python(
        "import django\ndjango.setup()\n"
        "from django.test import Client\n"
        "c = Client(HTTP_HOST='pipeline.example.org')\n"
        "page = c.get('/councils/')\n"
        "health = c.get('/healthz/live')\n"
        "ready = c.get('/healthz/ready')\n"
        "secure = c.get('/healthz/live', headers={'X-Forwarded-Proto': 'https'})\n"
        "print(page.status_code, page['Location'], health.status_code,"
        " ready.has_header('Location'),"
        " secure.headers.get('X-Frame-Options'), secure.headers.get('Strict-Transport-Security'))",
        production_env(tmp_path),
    )

    assert result.returncode == 0, result.stderr
    status, location, health, ready_redirected, frames, hsts = result.stdout.strip().split(" ", 5)
    assert (status, location) == ("301", "https://pipeline.example.org/councils/")
    # Load balancers probe over plain HTTP: neither check is redirected. (Readiness itself
    # depends on a database and collected static files, which this bare process lacks.)
    assert health == "200"
    assert ready_redirected == "False"
    assert frames == "DENY"
    assert hsts == "max-age=31536000; includeSubDomains; preload"


def test_the_published_api_schema_leaves_out_the_wagtail_admin_api(tmp_path):
    result = python(
        "import django, json\ndjango.setup()\n"
        "from drf_spectacular.generators import SchemaGenerator\n"
        "schema = SchemaGenerator().get_schema(request=None, public=True)\n"
        "print(json.dumps(sorted(schema.get('paths', {}))))",
        production_env(tmp_path),
    )

    assert result.returncode == 0, result.stderr
    paths = json.loads(result.stdout.strip().splitlines()[-1])
    assert not [p for p in paths if not p.startswith("/api/")]


def test_the_page_cache_is_on_only_with_a_shared_cache_and_says_nothing_by_default(tmp_path):
    code = (
        "import json, pipeline.settings.base as s\n"
        "print(json.dumps({'seconds': s.PAGE_CACHE_SECONDS, 'header': s.PAGE_CACHE_HEADER,"
        " 'pages': s.CACHES['pages']['BACKEND'].rsplit('.', 1)[-1],"
        " 'at': s.CACHES['pages'].get('LOCATION')}))"
    )
    alone = python(code, clean_env(tmp_path, DJANGO_SECRET_KEY="only-for-this-test"))
    shared = python(
        code,
        clean_env(
            tmp_path,
            DJANGO_SECRET_KEY="only-for-this-test",
            REDIS_URL="redis://cache.internal:6379/0",
            PAGE_CACHE_URL="redis://pages.internal:6379/0",
        ),
    )

    assert alone.returncode == 0 and shared.returncode == 0, alone.stderr + shared.stderr
    assert json.loads(alone.stdout) == {
        "seconds": 0,
        "header": False,
        "pages": "LocMemCache",
        "at": "pages",
    }
    assert json.loads(shared.stdout) == {
        "seconds": 60,
        "header": False,
        "pages": "ResilientRedisCache",
        "at": "redis://pages.internal:6379/0",
    }


def test_with_a_shared_cache_every_shared_thing_is_in_redis_and_sessions_also_in_the_database(
    tmp_path,
):
    """An app server holds no state: counters, lockouts, pages and sessions are in Redis."""
    code = (
        "import json\nfrom django.conf import settings as s\n"
        "print(json.dumps({'session': s.SESSION_ENGINE,"
        " 'session_cache': s.SESSION_CACHE_ALIAS,"
        " 'caches': {k: [v['BACKEND'], v['LOCATION']] for k, v in s.CACHES.items()}}))"
    )
    alone = python(code, production_env(tmp_path))
    shared = python(code, production_env(tmp_path, REDIS_URL="redis://cache.internal:6379/7"))

    assert alone.returncode == 0 and shared.returncode == 0, alone.stderr + shared.stderr
    assert json.loads(alone.stdout)["session"] == "django.contrib.sessions.backends.db"
    redis = ["core.cache.ResilientRedisCache", "redis://cache.internal:6379/7"]
    assert json.loads(shared.stdout) == {
        "session": "django.contrib.sessions.backends.cached_db",
        "session_cache": "default",
        "caches": {"default": redis, "pages": redis},
    }


# --- .env -----------------------------------------------------------------------------------

SHOW_SETTINGS = (
    "from django.conf import settings; "
    "print(settings.SETTINGS_MODULE, settings.ALLOWED_HOSTS[0], settings.PAGE_CACHE_SECONDS)"
)


def env_file(tmp_path: Path) -> Path:
    path = tmp_path / ".env"
    path.write_text(
        "# as .env.example says: copy it to .env\n"
        "DJANGO_SETTINGS_MODULE=pipeline.settings.production\n"
        f"DJANGO_SECRET_KEY={secrets.token_urlsafe(50)}\n"
        "DJANGO_ALLOWED_HOSTS=from-the-file.example.org\n"
        "PAGE_CACHE_SECONDS=7\n"
    )
    return path


def test_manage_py_reads_the_env_file_settings_module_included(tmp_path):
    env = clean_env(tmp_path, DJANGO_ENV_FILE=str(env_file(tmp_path)))

    result = run([sys.executable, "manage.py", "shell", "--no-imports", "-c", SHOW_SETTINGS], env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "pipeline.settings.production",
        "from-the-file.example.org",
        "7",
    ]


def test_the_wsgi_entry_point_reads_it_and_the_environment_wins(tmp_path):
    env = clean_env(
        tmp_path,
        DJANGO_ENV_FILE=str(env_file(tmp_path)),
        DJANGO_ALLOWED_HOSTS="from-the-environment.example.org",
    )

    result = python(f"import pipeline.wsgi\n{SHOW_SETTINGS}", env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "pipeline.settings.production",
        "from-the-environment.example.org",
        "7",
    ]


def test_an_env_file_named_but_missing_stops_the_start(tmp_path):
    env = clean_env(tmp_path, DJANGO_ENV_FILE=str(tmp_path / "no-such.env"))

    result = run([sys.executable, "manage.py", "check"], env)

    assert result.returncode != 0
    assert "DJANGO_ENV_FILE names" in result.stderr


# --- every variable documented ----------------------------------------------------------------

SETTINGS_DIR = PROJECT_DIR / "pipeline" / "settings"
READERS = {"env", "env_bool", "env_list", "getenv", "get", "setdefault", "config"}


def variables_read_by_the_settings() -> set[str]:
    """Every environment variable named in pipeline/settings: the first argument of env(),
    env_bool(), env_list(), os.environ.get/setdefault() and os.getenv(), ``env=`` of
    dj_database_url.config(), and os.environ[...]."""
    import ast

    names = set()
    for path in SETTINGS_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if called not in READERS:
                    continue
                # dict.get/setdefault read the environment only when called on os.environ.
                if called in {"get", "setdefault"} and "environ" not in ast.unparse(func.value):
                    continue
                candidates = [kw.value for kw in node.keywords if kw.arg == "env"]
                if called != "config":
                    candidates += node.args[:1]
                names |= {
                    c.value for c in candidates if isinstance(c, ast.Constant) and c.value.isupper()
                }
            elif (
                isinstance(node, ast.Subscript)
                and "environ" in ast.unparse(node.value)
                and isinstance(node.slice, ast.Constant)
            ):
                names.add(node.slice.value)
    return names


def readme_settings_table() -> set[str]:
    readme = (PROJECT_DIR / "README.md").read_text()
    section = readme[readme.index("\n## Settings\n") :]
    section = section[: section.index("\n## ", 1)]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])}


def env_example() -> set[str]:
    text = (PROJECT_DIR / ".env.example").read_text()
    return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))


def test_the_scan_finds_what_the_settings_read():
    """Guard the guard: it sees each way the settings read a variable."""
    found = variables_read_by_the_settings()
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "EMAIL_USE_TLS", "DJANGO_ALLOWED_HOSTS"} <= found
    assert {"TASKS_BACKEND", "API_THROTTLE_ANON", "LOG_LEVEL", "DJANGO_ENV_FILE"} <= found


def test_every_variable_the_settings_read_is_in_the_readme_and_env_example():
    read = variables_read_by_the_settings()

    assert sorted(read - readme_settings_table()) == [], "missing from README.md, Settings"
    assert sorted(read - env_example()) == [], "missing from .env.example"


def test_email_links_default_to_where_the_site_is_served(tmp_path):
    """`make run PORT=8810` passes PORT on; production takes its first allowed host."""
    code = (
        "import importlib, os\n"
        "print(importlib.import_module(os.environ['DJANGO_SETTINGS_MODULE']).PIPELINE_BASE_URL)"
    )
    dev = python(
        code, clean_env(tmp_path, PORT="8810", DJANGO_SETTINGS_MODULE="pipeline.settings.dev")
    )
    production = python(code, production_env(tmp_path))
    chosen = python(code, production_env(tmp_path, PIPELINE_BASE_URL="https://p.example.gov.uk/"))

    assert dev.stdout.strip() == "http://127.0.0.1:8810", dev.stderr
    assert production.stdout.strip() == "https://pipeline.example.org", production.stderr
    assert chosen.stdout.strip() == "https://p.example.gov.uk", chosen.stderr
