# The two commands of the README: `make run` (the local stack) and `make test`.
# Both set up everything they need on a fresh machine.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

.PHONY: run test lint system-deps viewer console bench bench-images bench-modify synth clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

# Debian's Orthanc 1.10.1 with its DICOMweb plugin 1.7, and dcmtk: the reference peers of the
# interoperability tests; chromium and its driver: the browser of the viewer's tests.
DEBIAN_PACKAGES = orthanc orthanc-dicomweb dcmtk chromium chromium-driver
system-deps:
	@if ! test -x /usr/sbin/Orthanc || ! test -f /usr/share/orthanc/plugins/libOrthancDicomWeb.so \
	    || ! command -v storescu >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(DEBIAN_PACKAGES) >/dev/null; \
	  else \
	    echo "Install Debian's packages: sudo apt-get install $(DEBIAN_PACKAGES)"; exit 1; \
	  fi; \
	fi

# The OHIF Viewer served at /ohif/: npm's prebuilt package, pinned with its integrity in
# viewer/package-lock.json (fetched once, then from npm's cache), re-based and configured
# by viewer/site.py into viewer/build.
VIEWER_STAMP := viewer/node_modules/.installed-$(shell cat viewer/package-lock.json | cksum | cut -d' ' -f1)
$(VIEWER_STAMP): viewer/package.json viewer/package-lock.json
	cd viewer && npm ci --ignore-scripts --no-audit --no-fund --prefer-offline
	touch $(VIEWER_STAMP)

viewer/build/index.html: $(VIEWER_STAMP) $(STAMP) viewer/site.py viewer/app-config.template.js
	$(PY) -m viewer.site

viewer: viewer/build/index.html

# The web console served at /ui/app/: console/src bundled by esbuild (console/site.py), with
# Preact and htm from npm, pinned in console/package-lock.json.
CONSOLE_STAMP := console/node_modules/.installed-$(shell cat console/package-lock.json | cksum | cut -d' ' -f1)
$(CONSOLE_STAMP): console/package.json console/package-lock.json
	cd console && npm ci --ignore-scripts --no-audit --no-fund --prefer-offline
	touch $(CONSOLE_STAMP)

console/build/index.html: $(CONSOLE_STAMP) $(STAMP) console/site.py console/index.html $(wildcard console/src/*.js console/src/*/*.js console/src/*.css)
	$(PY) -m console.site

console: console/build/index.html

run: $(STAMP) viewer console
	exec $(PY) -m local_stack

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: $(STAMP) system-deps viewer console
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q -n 2 --dist loadfile

bench: $(STAMP) system-deps
	$(PY) bench/ingest.py

# Pixel routes, numpy and archives vs Orthanc 1.10.1, and the import time of the API (~3 min).
bench-images: $(STAMP) system-deps
	$(PY) bench/images.py

# Modify and anonymize a 500-instance study, Orthanc 1.10.1 vs the local stack (~3-4 min).
bench-modify: $(STAMP) system-deps
	$(PY) bench/modify.py

# The CloudFormation template and assets in infra/cdk.out (offline: the first run downloads
# the functions' dependencies from PyPI into Chalice's cache, later runs reuse them), the
# OHIF site built from the viewer's npm package included (infra/viewer.py).
synth: $(STAMP) viewer
	JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1 $(PY) infra/app.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
