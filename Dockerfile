# The Threshold app image: one image, three roles (``threshold migrate``, ``worker``, ``web``).
FROM node:22-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
RUN mkdir -p vendor \
 && cp node_modules/htmx.org/dist/htmx.min.js vendor/htmx.min.js \
 && cp node_modules/htmx-ext-sse/dist/sse.min.js vendor/htmx-ext-sse.js \
 && cp node_modules/htmx-ext-response-targets/dist/response-targets.min.js vendor/htmx-ext-response-targets.js

FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY journeys ./journeys
COPY workers ./workers
COPY web ./web
COPY templates ./templates
COPY --from=assets /src/vendor ./web/static/vendor
RUN pip install -e . && useradd --system --uid 10001 threshold
USER threshold
EXPOSE 8000 9464
CMD ["threshold", "web", "--host", "0.0.0.0", "--port", "8000"]
