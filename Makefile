# forum-crm. `make run` serves the app on http://127.0.0.1:5000 (and sends its e-mail); `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
CATALOGS := forum_crm/translations/pl/LC_MESSAGES/messages.mo forum_crm/translations/uk/LC_MESSAGES/messages.mo

.PHONY: run test lint constraints translations-update bench bench-compare clean

run: $(VENV)/.runtime $(CATALOGS)
	$(FLASK) db upgrade
	$(FLASK) quickstart
	@# The e-mail worker runs next to gunicorn and is stopped when gunicorn exits (Ctrl-C included).
	$(FLASK) send-mail & worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(BIN)/gunicorn --bind 127.0.0.1:5000 --workers 2 --timeout 120 --access-logfile - wsgi:app

# TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/NAME runs the same tests on PostgreSQL.
test: $(VENV)/.dev $(CATALOGS)
	$(BIN)/coverage run -m pytest $(PYTEST_ARGS)
	$(BIN)/coverage report

lint: $(VENV)/.dev
	$(BIN)/ruff check .

# After changing requirements*.txt and testing: pin every installed package, transitive ones included.
constraints: $(VENV)/.dev
	$(BIN)/pip freeze --exclude-editable | grep -v "^-e" > constraints.txt

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt constraints.txt | $(VENV)/bin/python
	$(BIN)/pip install -q -r requirements.txt -c constraints.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt constraints.txt | $(VENV)/bin/python
	$(BIN)/pip install -q -r requirements-dev.txt -c constraints.txt
	touch $@ $(VENV)/.runtime

%.mo: %.po $(VENV)/.runtime
	$(BIN)/pybabel compile -i $< -o $@

# After changing user-facing text: extract it, then translate the new entries in the .po file.
translations-update: $(VENV)/.runtime
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -k gettext_markup -k ngettext_markup:1,2 --no-location -o forum_crm/translations/messages.pot .
	$(BIN)/pybabel update -i forum_crm/translations/messages.pot -d forum_crm/translations --no-fuzzy-matching

bench: $(VENV)/.dev $(CATALOGS)
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.reports
	$(BIN)/python -m bench.map

# forum-crm against Flask-Admin, a naive folium map and the bare SQL, over HTTP (gunicorn, 2 workers), at 100,000
# people. The network is built once into bench/.network.sqlite and reused; BENCH_DATABASE_URL=postgresql://... for
# PostgreSQL (that database is kept and reused too).
bench-compare: $(VENV)/.bench $(CATALOGS)
	$(BIN)/python -m bench.compare $(if $(BENCH_DATABASE_URL),--database $(BENCH_DATABASE_URL))

$(VENV)/.bench: requirements-bench.txt requirements-dev.txt requirements.txt constraints.txt | $(VENV)/bin/python
	$(BIN)/pip install -q -r requirements-bench.txt -c constraints.txt
	touch $@

clean:
	rm -rf $(VENV) .pytest_cache
