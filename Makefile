# Two commands set up and run everything on a fresh Debian machine: `make run`, `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEBIAN_PACKAGES := espeak-ng libespeak-ng1 alsa-utils caddy fonts-dejavu-core
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup debs test lint run bench clean

setup: debs $(VENV)/.installed

# Install the Debian packages that are missing (nothing to do when all are there).
debs:
	@missing=""; \
	for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy --strict content speech skill
	$(BIN)/cfn-lint deploy/template.yaml

# Two workers, a test file each at a time (a file's fixtures, such as a server, stay in one worker).
test: lint
	$(BIN)/pytest -n 2 --dist loadfile

# Serve the Alexa skill locally in dev mode (no signature checks); it prints how to try it.
run: setup
	@echo "Then, in another terminal: $(abspath $(BIN))/recovery-coach chat --url http://127.0.0.1:5000/alexa"
	$(BIN)/recovery-coach serve --dev

bench: setup
	@command -v wrk >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk; }
	@command -v valgrind >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq valgrind; }
	$(BIN)/python bench/core.py
	$(BIN)/python bench/alexa_skill.py
	$(BIN)/python bench/instructions.py
	$(BIN)/python bench/stream.py
	$(BIN)/python bench/audio_storm.py
	$(BIN)/python bench/render_ahead.py
	$(BIN)/python bench/first_audio.py
	$(BIN)/python bench/offline.py
	$(BIN)/python bench/store.py
	$(BIN)/python bench/voice.py
	$(BIN)/python bench/listen.py

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache
