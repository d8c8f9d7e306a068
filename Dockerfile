FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=cxportal.settings.production
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# collectstatic only reads settings: the database and broker URLs production requires are placeholders here.
RUN SECRET_KEY=build-only-build-only-build-only-build-only-build-only ALLOWED_HOSTS=x \
    DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --noinput -v 0
RUN useradd --system --uid 1000 cxportal && mkdir -p /app/var && chown -R cxportal /app/var
USER cxportal
EXPOSE 8000
# workers, threads, bind and logs: gunicorn.conf.py (chosen by measurement, docs/performance.md)
CMD ["gunicorn", "cxportal.wsgi:application"]
