# StudyFlow's worker and web app, for real servers (docker-compose.yml). Two stages: wheels are
# built with the compilers of the full image, the runtime image only installs them, and runs as
# an unprivileged user. Settings come from the environment (settings.py).
FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY domain domain
COPY workflows workflows
COPY activities activities
COPY store store
COPY api api
COPY cli cli
COPY stack stack
COPY i18n i18n
COPY worker.py settings.py codec.py bootstrap.py scenarios.py wallclock.py ./
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.12-slim
RUN useradd --create-home --uid 10001 studyflow
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER studyflow
WORKDIR /home/studyflow
ENV PYTHONUNBUFFERED=1 LOG_FORMAT=json STUDYFLOW_DATA_DIR=/home/studyflow/data
EXPOSE 8000
ENTRYPOINT ["studyflow"]
# the web app; the worker service runs `studyflow worker`
CMD ["up", "--no-worker", "--no-ui", "--host", "0.0.0.0", "--port", "8000"]
