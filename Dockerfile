# jobmojito-mcp as a hosted MCP endpoint (Streamable HTTP at /mcp, SSE at /sse).
#
#   docker build -t jobmojito-mcp .
#   docker run -p 8000:8000 -e JOBMOJITO_REFRESH_TOKEN=... -e JOBMOJITO_CLIENT_ID=... \
#       -e JOBMOJITO_MCP_API_KEYS=... -v jobmojito-auth:/data jobmojito-mcp
#
# The default command binds 0.0.0.0 with --auth api-key: without JOBMOJITO_MCP_API_KEYS it
# refuses to start. Per-caller sign-ins instead: -e JOBMOJITO_MCP_AUTH=jobmojito-jwt.
# /data keeps the sign-in the server renews (its refresh token rotates), across restarts.
FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY jobmojito_mcp ./jobmojito_mcp
# With the otel extra: a hosted endpoint is where traces and metrics are wanted (off until configured);
# with the redis extra: replicas share quotas through --state-url (docker-compose.yml).
RUN pip wheel --no-cache-dir --wheel-dir /wheels '.[otel,redis]'

FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    JOBMOJITO_MCP_TRANSPORT=http JOBMOJITO_MCP_HOST=0.0.0.0 JOBMOJITO_MCP_PORT=8000 \
    JOBMOJITO_MCP_AUTH=api-key JOBMOJITO_CREDENTIALS_FILE=/data/credentials.json
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin mcp \
    && install -d -o 10001 -m 0700 /data
VOLUME /data
USER 10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"]
# SIGTERM: stop accepting, finish in-flight calls (JOBMOJITO_MCP_SHUTDOWN_GRACE, default 20 s), exit 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["jobmojito-mcp"]
