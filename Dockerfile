# One image for web, worker and beat.
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
COPY --from=assets /src/node_modules/chart.js/dist/chart.umd.js portal/static/vendor/chart.umd.js
COPY --from=assets /src/node_modules/htmx.org/dist/htmx.min.js portal/static/vendor/htmx.min.js
RUN SECRET_KEY=build-only-key-not-used-at-runtime-0123456789abcdef python manage.py collectstatic --noinput
RUN useradd --system --uid 10001 portal && chown -R portal /app
USER portal
EXPOSE 8000
# gthread workers, timeout and max-requests with jitter: see gunicorn.conf.py.
CMD ["gunicorn", "-c", "gunicorn.conf.py", "portal.wsgi:application"]
