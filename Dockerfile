# Ketenportaal image: one image for web (gunicorn), worker and beat (see docker-compose.yml).

# Front-end packages from the npm registry (NL Design System CSS, tokens, htmx); dev-only
# packages (axe-core for the browser tests) stay out.
FROM node:22-slim AS frontend
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    PATH=/opt/venv/bin:$PATH

# WeasyPrint (progress reports as PDF) needs Pango and a font at run time.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# The same uv version as the Makefile, so the lock file resolves identically.
RUN pip install --no-cache-dir "uv==0.13.9"

WORKDIR /app
# Dependencies first: this layer is rebuilt only when the lock file changes.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project --python /usr/local/bin/python3 \
    && rm -rf /root/.cache

COPY --from=frontend /app/node_modules ./node_modules
COPY . .

# Static files and translations are baked into the image. collectstatic needs production
# settings (manifest storage), and production settings refuse to load without a secret key and
# the services' addresses; these throwaway stand-ins exist only for this build step (nothing is
# contacted) and are not kept in the image.
RUN pybabel compile --domain django --directory locale \
    && KETENPORTAAL_ENV=production SECRET_KEY=build-only-collectstatic-key ALLOWED_HOSTS=build.invalid \
       DATABASE_URL=postgres://build@db.invalid/build REDIS_URL=redis://redis.invalid:6379/0 \
       EMAIL_URL=smtp://smtp.invalid:25 \
       python manage.py collectstatic --noinput --verbosity 0

RUN useradd --system --uid 1000 --user-group --home-dir /app --no-create-home app \
    && mkdir -p /app/media /app/var \
    && chown app:app /app/media /app/var
USER app

EXPOSE 8000
CMD ["gunicorn", "ketenportaal.wsgi", "--config", "gunicorn.conf.py", "--bind", "0.0.0.0:8000"]
