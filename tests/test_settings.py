"""Settings from the environment: production refuses to start half-configured, and every setting is documented."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def production_env(**extra: str) -> dict[str, str]:
    """The environment of a production process: every required secret set, nothing inherited from the tests."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "KETENPORTAAL_"))}
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "EMAIL_URL"):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE="ketenportaal.settings",
        KETENPORTAAL_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL="sqlite://:memory:",
        ALLOWED_HOSTS="portal.example.nl",
        EMAIL_URL="consolemail://",
        TWO_FACTOR_REQUIRED="true",
        LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


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
    env = production_env(
        DATABASE_URL="postgres://ketenportaal@db.invalid:5432/ketenportaal",
        REDIS_URL="redis://redis.invalid:6379/0",
        EMAIL_URL="smtp+tls://mailer@smtp.invalid:587",
    )
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
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
