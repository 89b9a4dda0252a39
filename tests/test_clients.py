"""Real SPARQL clients, unmodified, against a real `communique serve`: SPARQLWrapper, rdflib's SPARQLStore, curl."""
from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess

import pytest
from rdflib import Graph, URIRef

DIP = "https://w3id.org/communique/ontology#"
SELECT = f"PREFIX dip: <{DIP}> SELECT ?m ?date WHERE {{ ?m a dip:Meeting OPTIONAL {{ ?m dip:date ?date }} }} ORDER BY ?m"
ASK = f"ASK {{ ?m a <{DIP}Meeting> }}"
CONSTRUCT = f"PREFIX dip: <{DIP}> CONSTRUCT {{ ?m a dip:Meeting ; dip:participant ?p }} WHERE {{ ?m a dip:Meeting ; dip:participant ?p }}"


def wrapper(live, query, fmt, method="GET"):
    from SPARQLWrapper import SPARQLWrapper

    sw = SPARQLWrapper(live.url + "/sparql")
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    sw.setMethod(method)
    return sw.query()


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_select_json_xml_csv(live, method):
    from SPARQLWrapper import CSV, JSON, XML

    rows = wrapper(live, SELECT, JSON, method).convert()["results"]["bindings"]
    assert len(rows) >= 10
    doc = wrapper(live, SELECT, XML, method).convert()  # an xml.dom.minidom Document
    assert len(doc.getElementsByTagName("result")) == len(rows)
    table = list(csv.reader(io.StringIO(wrapper(live, SELECT, CSV, method).convert().decode("utf-8"))))
    assert table[0] == ["m", "date"] and len(table) == len(rows) + 1


def test_sparqlwrapper_ask_json_and_xml(live):
    from SPARQLWrapper import JSON, XML

    assert wrapper(live, ASK, JSON).convert()["boolean"] is True
    doc = wrapper(live, ASK, XML).convert()
    assert doc.getElementsByTagName("boolean")[0].firstChild.data == "true"


@pytest.mark.parametrize("fmt", ["TURTLE", "XML", "RDFXML", "N3", "JSONLD"])
def test_sparqlwrapper_construct(live, fmt):
    import SPARQLWrapper

    result = wrapper(live, CONSTRUCT, getattr(SPARQLWrapper, fmt))
    graph = result.convert()
    if not isinstance(graph, Graph):  # SPARQLWrapper returns bytes for Turtle, N3 and JSON-LD
        graph = Graph().parse(data=graph, format={"TURTLE": "turtle", "N3": "turtle", "JSONLD": "json-ld"}[fmt])
    assert len(graph) > 20


def test_sparqlwrapper_update_with_token(live_rw):
    from SPARQLWrapper import JSON, POST, SPARQLWrapper

    sw = SPARQLWrapper(live_rw.url + "/sparql", updateEndpoint=live_rw.url + "/sparql")
    sw.addCustomHttpHeader("Authorization", f"Bearer {live_rw.token}")
    sw.setMethod(POST)
    sw.setQuery("INSERT DATA { GRAPH <http://example.org/clients> { <http://example.org/a> <http://example.org/b> 42 } }")
    sw.query()
    sw.setQuery("SELECT ?o WHERE { GRAPH <http://example.org/clients> { ?s ?p ?o } }")
    sw.setReturnFormat(JSON)
    assert sw.query().convert()["results"]["bindings"][0]["o"]["value"] == "42"


def test_rdflib_sparqlstore_select_and_construct(live):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    store = SPARQLStore(query_endpoint=live.url + "/sparql")
    graph = Graph(store=store)
    rows = list(graph.query(SELECT))
    assert len(rows) >= 10 and all(isinstance(r[0], URIRef) for r in rows)
    constructed = graph.query(CONSTRUCT).graph
    assert len(constructed) > 20
    assert graph.query(ASK).askAnswer is True
    store.close()


curl = shutil.which("curl")


@pytest.mark.skipif(curl is None, reason="curl is not installed")
def test_curl_examples_from_the_readme(live):
    out = subprocess.run([curl, "-s", "-G", live.url + "/sparql", "--data-urlencode", f"query={SELECT}",
                          "-H", "Accept: application/sparql-results+json"], capture_output=True, check=True)
    assert len(json.loads(out.stdout)["results"]["bindings"]) >= 10
    out = subprocess.run([curl, "-s", "-X", "POST", live.url + "/sparql", "--data-binary", CONSTRUCT,
                          "-H", "Content-Type: application/sparql-query", "-H", "Accept: application/n-triples"],
                         capture_output=True, check=True)
    assert len(Graph().parse(data=out.stdout, format="nt")) > 20
    out = subprocess.run([curl, "-s", "-o", "/dev/null", "-w", "%{http_code}", live.url + "/sparql?query=ASK%7B%7D",
                          "-H", "Accept: image/png"], capture_output=True, check=True)
    assert out.stdout == b"406"
    out = subprocess.run([curl, "-s", "-D", "-", "-o", "/dev/null", live.url + "/sparql?query=ASK%7B%7D&output=xml"],
                         capture_output=True, check=True)
    assert b"application/sparql-results+xml" in out.stdout


# --- YASGUI in a real (headless) browser, with every host but the server unreachable --------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


@pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason="chromium and chromedriver are not installed")
def test_yasgui_runs_a_query_offline(live, tmp_path):
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1000",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"):  # offline: no CDN could answer
        options.add_argument(arg)
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=CHROMEDRIVER), options=options)
    try:
        driver.get(live.url + "/sparql")
        wait = WebDriverWait(driver, 20)
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".yasqe_queryButton"))
        tabs = driver.find_element(By.CSS_SELECTOR, ".tabsList").text
        for title in ("Who met whom", "ABM treaty", "Wikidata links", "timeline", "Federated"):
            assert title in tabs, tabs
        driver.find_element(By.CSS_SELECTOR, ".yasqe_queryButton").click()
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".yasr table tbody tr")) > 3)
        rows = driver.find_elements(By.CSS_SELECTOR, ".yasr table tbody tr")
        assert any("/id/" in r.text or "Primakov" in r.text or "Talbott" in r.text for r in rows), rows[0].text
        driver.save_screenshot(str(tmp_path / "yasgui.png"))
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE" and "127.0.0.1" in e["message"]
                  and "favicon" not in e["message"]]
        assert not errors, errors
    finally:
        driver.quit()


# --- the README's examples, run as written against a real server ---------------------------------

def _readme_section() -> str:
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    return text.split("## SPARQL endpoint", 1)[1].split("\n## ", 1)[0]


@pytest.mark.skipif(curl is None, reason="curl is not installed")
def test_readme_curl_examples_run(live):
    block = _readme_section().split("```sh\n", 1)[1].split("```", 1)[0]
    script = block.replace("http://127.0.0.1:5000", live.url).replace("curl ", "curl -sf -o /dev/null ")
    out = subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert script.count("curl -sf") >= 5


def test_readme_write_examples_run(live_rw):
    block = _readme_section().split("  ```sh\n", 1)[1].split("  ```", 1)[0]
    lines = [line[2:] for line in block.splitlines() if "communique serve" not in line and "export " not in line]
    script = "\n".join(lines).replace("http://127.0.0.1:5000", live_rw.url)
    script = f"E={live_rw.url}/sparql\nCOMMUNIQUE_UPDATE_TOKEN={live_rw.token}\n" + script.replace("curl ", "curl -sf ")
    out = subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert '"d"' in out.stdout  # the PUT replaced the graph the INSERT had made


def test_readme_python_example_runs(live, capsys):
    code = _readme_section().split("```python\n", 1)[1].split("```", 1)[0]
    exec(code.replace("http://127.0.0.1:5000", live.url), {})
    assert "yevgeny-primakov" in capsys.readouterr().out
