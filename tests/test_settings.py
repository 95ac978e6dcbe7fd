"""Settings from the environment: production refuses to start half-configured, and every setting is documented."""

import json
import os
import re
import runpy
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


# What settings.py reads that a test process must not inherit from the test run's environment.
INHERITED = (
    "DATABASE_URL",
    "REDIS_URL",
    "CACHE_DIR",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "EMAIL_URL",
    "ADMINS",
    "SENTRY_DSN",
    "MEDIA_STORAGE",
    "CELERY_BROKER_URL",
    "CELERY_VISIBILITY_TIMEOUT",
    "REPORT_DRAFT_TEST_DELAY",
)


def production_env(**extra: str) -> dict[str, str]:
    """The environment of a production process: every required setting set (stand-ins that are never
    contacted, as `make deploy-check` uses), nothing inherited from the tests."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "KETENPORTAAL_", "AWS_"))}
    for name in INHERITED:
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE="ketenportaal.settings",
        KETENPORTAAL_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL="postgres://ketenportaal@db.invalid:5432/ketenportaal",
        REDIS_URL="redis://redis.invalid:6379/0",
        EMAIL_URL="smtp+tls://mailer@smtp.invalid:587",
        ALLOWED_HOSTS="portal.example.nl",
        ADMINS="ops@example.nl",
        TWO_FACTOR_REQUIRED="true",
        LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_it_refuses_to_start_in_production_without_a_secret_key():
    env = production_env()
    del env["SECRET_KEY"]
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_it_refuses_an_unknown_environment_name():
    result = manage("check", env=production_env(KETENPORTAAL_ENV="prod"))
    assert result.returncode != 0
    assert "KETENPORTAAL_ENV must be 'development' or 'production'" in result.stderr


def test_it_passes_the_deploy_check_under_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_fails_the_deploy_check_with_a_weak_secret_key():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(SECRET_KEY="short"))
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_it_documents_every_setting_in_env_example():
    settings_source = (ROOT / "ketenportaal" / "settings.py").read_text()
    read = set(re.findall(r"\benv(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"", settings_source))
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "EMAIL_URL"} <= read  # the pattern still finds them
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    assert read - documented == set(), "add these settings to .env.example, with a comment"


def test_it_runs_every_service_with_a_health_check_in_docker_compose():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"web", "worker", "beat", "db", "redis", "migrate"} <= set(services)
    assert services["db"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    assert "/health/" in " ".join(services["web"]["healthcheck"]["test"])
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert services["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert services[name]["env_file"] == ".env"
    assert "media:/app/media" in services["web"]["volumes"]
    assert any(v.endswith(":/var/lib/postgresql/data") for v in services["db"]["volumes"])


# --- Production refuses to start half-configured ---------------------------------------------

START = "import django; django.setup()"


def test_it_refuses_to_start_in_production_with_only_a_secret_key_and_hosts_naming_all_that_is_missing():
    # What used to start on SQLite, a filesystem broker, a per-process cache and console mail.
    env = production_env()
    for name in ("DATABASE_URL", "REDIS_URL", "EMAIL_URL"):
        del env[name]
    result = python(START, env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "KETENPORTAAL_ENV=production needs DATABASE_URL, REDIS_URL, EMAIL_URL in the environment" in result.stderr


@pytest.mark.parametrize("name", ["DATABASE_URL", "REDIS_URL", "EMAIL_URL", "ALLOWED_HOSTS", "SECRET_KEY"])
def test_it_names_each_missing_production_setting(name):
    result = manage("check", env=production_env(**{name: ""}))
    assert result.returncode != 0
    assert f"KETENPORTAAL_ENV=production needs {name} in the environment" in result.stderr


def test_it_starts_in_production_with_every_required_setting():
    result = python(START + "; from django.conf import settings; print(settings.REDIS_URL)", production_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "redis://redis.invalid:6379/0"


def test_it_still_starts_in_development_without_any_of_them():
    env = production_env(KETENPORTAAL_ENV="development")
    for name in ("DATABASE_URL", "REDIS_URL", "EMAIL_URL", "SECRET_KEY", "ALLOWED_HOSTS"):
        del env[name]
    result = python(START + "; from django.conf import settings; print(settings.CELERY_BROKER_URL)", env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "filesystem://"


def test_without_redis_the_demos_processes_share_one_cache_on_disk(tmp_path):
    """`make demo` (scripts/run-demo) runs the development server and a Celery worker with CACHE_DIR:
    a revision token one process renews (the worker, writing an import's figures) is the one the
    other's next page reads, so nothing kept under the old token is served. Without CACHE_DIR each
    process has its own memory, and the other never learns of it."""
    env = production_env(KETENPORTAAL_ENV="development", DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    for name in ("REDIS_URL", "EMAIL_URL", "SECRET_KEY", "ALLOWED_HOSTS"):
        del env[name]
    renew = START + "; from ambitions.services import data_revision as d; d.bump([7]); print(d.current(7))"
    read = START + "; from ambitions.services import data_revision as d; print(d.current(7))"
    backend = START + "; from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"

    shared = {**env, "CACHE_DIR": str(tmp_path / "cache")}
    assert python(backend, shared).stdout.strip().endswith("FileBasedCache")
    worker = python(renew, shared)
    assert worker.returncode == 0, worker.stderr
    assert python(read, shared).stdout.strip() == worker.stdout.strip()
    assert python(renew, shared).stdout.strip() != worker.stdout.strip()  # and renewed again, seen again

    assert python(backend, env).stdout.strip().endswith("LocMemCache")
    alone = python(renew, env)
    assert alone.returncode == 0, alone.stderr
    assert python(read, env).stdout.strip() != alone.stdout.strip()
    assert 'export CACHE_DIR="${CACHE_DIR:-$PWD/var/cache}"' in (ROOT / "scripts" / "run-demo").read_text()


def test_it_refuses_sqlite_a_filesystem_broker_and_console_mail_in_production_on_every_check():
    env = production_env(
        DATABASE_URL="sqlite://:memory:", CELERY_BROKER_URL="filesystem://", EMAIL_URL="consolemail://"
    )
    result = manage("check", env=env)  # not only with --deploy: migrate checks too
    assert result.returncode != 0
    for check in ("ketenportaal.E001", "ketenportaal.E002", "ketenportaal.E003"):
        assert check in result.stderr


def test_it_warns_when_errors_would_reach_nobody():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(ADMINS=""))
    assert result.returncode != 0
    assert "ketenportaal.W001" in result.stdout + result.stderr


# --- Test-only switches live in the tests ----------------------------------------------------

SWITCHES = (
    START + "; import json; from django.conf import settings; print(json.dumps({'delay': getattr(settings, "
    "'REPORT_DRAFT_TEST_DELAY', None), 'transport': settings.CELERY_BROKER_TRANSPORT_OPTIONS}))"
)


def test_it_keeps_the_test_only_switches_out_of_the_portals_settings():
    env = production_env(REPORT_DRAFT_TEST_DELAY="4", CELERY_VISIBILITY_TIMEOUT="8")
    result = python(SWITCHES, env)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen == {"delay": None, "transport": {"visibility_timeout": 8}}


def test_it_gives_the_reliability_tests_workers_their_switches():
    env = production_env(
        KETENPORTAAL_ENV="development",
        DJANGO_SETTINGS_MODULE="tests.integration.settings",
        REPORT_DRAFT_TEST_DELAY="4",
        CELERY_VISIBILITY_TIMEOUT="8",
    )
    seen = json.loads(python(SWITCHES, env).stdout)
    assert seen["delay"] == 4
    assert seen["transport"] == {"visibility_timeout": 8, "unacked_restore_interval": 1, "unacked_restore_throttle": 1}


# --- Uploads through the storage API ---------------------------------------------------------

STORAGE = (
    START + "; from django.core.files.storage import storages; s = storages['default']; "
    "print(type(s).__name__, s.bucket_name, s.endpoint_url, s.location, s.file_overwrite, s.default_acl)"
)


def test_it_stores_uploads_in_an_s3_bucket_when_configured():
    env = production_env(
        MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="ketenportaal-media",
        AWS_S3_ENDPOINT_URL="https://s3.example.nl",
        AWS_LOCATION="uploads",
    )
    result = python(STORAGE, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "S3Storage",
        "ketenportaal-media",
        "https://s3.example.nl",
        "uploads",
        "False",
        "None",
    ]


def test_it_refuses_an_s3_store_without_a_bucket_and_an_unknown_store():
    result = python(START, production_env(MEDIA_STORAGE="s3"))
    assert result.returncode != 0 and "MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME" in result.stderr
    result = python(START, production_env(MEDIA_STORAGE="nfs"))
    assert result.returncode != 0 and "MEDIA_STORAGE must be 'filesystem' or 's3'" in result.stderr


def test_it_stores_uploads_on_the_filesystem_by_default():
    result = python(
        START + "; from django.core.files.storage import storages; print(type(storages['default']).__name__)",
        production_env(),
    )
    assert result.stdout.strip() == "FileSystemStorage"


# --- Processes: gunicorn and the Celery worker -----------------------------------------------


def test_it_gives_gunicorn_a_timeout_and_worker_recycling_for_long_uploads_and_pdfs():
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["timeout"] >= 120 and config["graceful_timeout"] >= config["timeout"]
    assert config["max_requests"] > 0 and 0 < config["max_requests_jitter"] < config["max_requests"]
    web = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"]["command"]
    assert web[:4] == ["gunicorn", "ketenportaal.wsgi", "--config", "gunicorn.conf.py"]
    assert '"--config", "gunicorn.conf.py"' in (ROOT / "Dockerfile").read_text()


def test_gunicorn_accepts_the_configuration():
    env = production_env(KETENPORTAAL_ENV="development")
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--check-config",
            "--config",
            "gunicorn.conf.py",
            "ketenportaal.wsgi",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_celery_worker_logs_at_log_level_whatever_its_loglevel_flag_says():
    code = (
        "import logging; from ketenportaal.celery import app; app.log.setup(loglevel='DEBUG'); "
        "root = logging.getLogger(); print(logging.getLevelName(root.level), [h.formatter._fmt for h in root.handlers])"
    )
    result = python(code, production_env(KETENPORTAAL_ENV="development", LOG_LEVEL="WARNING"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "WARNING ['%(asctime)s %(levelname)s %(name)s %(message)s']"
    for service in ("worker", "beat"):
        command = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"][service]["command"]
        assert not any(arg.startswith("--loglevel") for arg in command)  # LOG_LEVEL decides
