# Rentan: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
MANAGE := $(UV) run --frozen python manage.py

.PHONY: run test install demo lint format check benchmarks clean

# Bootstrap uv with pip when it is missing, then install exactly the locked dependencies, compiled to bytecode once
# (as the Dockerfile does): with PYTHONDONTWRITEBYTECODE set, as on these machines, every process would otherwise
# compile Django and the rest from source at start (django.setup() 1,3 s instead of 0,4 s).
install:
	@command -v uv >/dev/null 2>&1 || [ -x "$(HOME)/.local/bin/uv" ] || python3 -m pip install --user --quiet uv
	@$(UV) sync --frozen --quiet --compile-bytecode

# The portal with demo data on the embedded SQLite database, Celery tasks inline, at http://127.0.0.1:8000
run: install
	@DEBUG=1 $(MANAGE) migrate --noinput -v0
	@DEBUG=1 $(MANAGE) load_regions
	@DEBUG=1 $(MANAGE) load_boundaries --if-available
	@DEBUG=1 $(MANAGE) seed_demo
	@DEBUG=1 $(MANAGE) compute_coverage --all
	@echo "Portal: http://127.0.0.1:8000  (berhenti: Ctrl+C)"
	@DEBUG=1 $(MANAGE) runserver 127.0.0.1:8000

# The whole test suite. Uses this machine's PostgreSQL and Redis unless DATABASE_URL / REDIS_URL say otherwise.
# Tests run with DEBUG off, as in production, on plain http.
test: install
	@DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} \
	 REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} \
	 DEBUG=0 SECRET_KEY=test-only-not-a-secret ALLOWED_HOSTS=testserver,localhost,127.0.0.1 \
	 SECURE_SSL_REDIRECT=0 \
	 $(UV) run --frozen pytest $(PYTEST_ARGS)

lint: install
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .

format: install
	$(UV) run --frozen ruff check --fix .
	$(UV) run --frozen ruff format .

benchmarks: install
	@DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(UV) run --frozen python benchmarks/run_all.py $(BENCH_ARGS)

clean:
	rm -rf db.sqlite3* staticfiles var .pytest_cache
