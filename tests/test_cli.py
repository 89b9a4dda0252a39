"""The command line, run as a user runs it."""
import json

import pytest

from rdflib import Dataset, Graph

from conftest import SEED, SEEDS, run_cli


def test_extract_formats_parse(tmp_path):
    for fmt, parser in (("nt", "nt"), ("turtle", "turtle")):
        run = run_cli("extract", str(SEED), "--format", fmt)
        assert run.returncode == 0, run.stderr
        assert len(Graph().parse(data=run.stdout, format=parser)) > 100
    run = run_cli("extract", str(SEED), "--format", "json-ld")  # JSON-LD keeps the article's named graph
    assert len(Dataset().parse(data=run.stdout, format="json-ld")) > 100
    run = run_cli("extract", str(SEED), str(SEEDS / "d01_oslo_talks.txt"), "--format", "trig")
    ds = Dataset().parse(data=run.stdout, format="trig")
    assert len([g for g in ds.graphs() if "article" in str(g.identifier)]) == 2


def test_extract_explain_shows_sentence_span_and_rule():
    run = run_cli("extract", "--explain", str(SEED))
    assert run.returncode == 0
    assert "rule     meeting.hold-talks-chaired-by" in run.stdout
    assert 'matched  "met with Moscow Mayor Yuri Luzhkov"' in run.stdout
    assert "sentence \"While in Moscow, Talbott met" in run.stdout


def test_extract_of_a_missing_file_is_a_clear_error():
    run = run_cli("extract", "/nonexistent/article.txt")
    assert run.returncode == 1
    assert "cannot be read" in run.stderr and "Traceback" not in run.stderr


def test_ingest_query_and_reingest(tmp_path):
    store = str(tmp_path / "store")
    run = run_cli("ingest", "--store", store)
    assert run.returncode == 0, run.stderr
    assert "[7/7]" in run.stderr and "Stored 7 of 7 articles" in run.stderr
    # one graph per article, and the entities graph with the descriptions of what they name
    q = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    out = run_cli("query", q, "--store", store, "--format", "json")
    graphs = {b["g"]["value"] for b in json.loads(out.stdout)["results"]["bindings"]}
    articles = [g for g in graphs if "/id/article/" in g]
    assert len(articles) == 7
    base = articles[0].split("id/article/")[0]
    assert graphs - set(articles) == {base + "graph/entities", base + "graph/events"}  # and the merged meetings
    before = run_cli("query", "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }", "--store", store).stdout
    assert run_cli("ingest", str(SEED), "--store", store).returncode == 0
    assert run_cli("query", "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }", "--store", store).stdout == before


def test_ingest_with_a_bad_article_exits_nonzero_and_keeps_the_store(tmp_path):
    store = str(tmp_path / "store")
    assert run_cli("ingest", "--store", store).returncode == 0
    count = "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"
    before = run_cli("query", count, "--store", store).stdout
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe binary")
    run = run_cli("ingest", str(bad), str(SEED), "--store", store)
    assert run.returncode == 1
    assert "bad.txt: is not UTF-8 text" in run.stderr and "Traceback" not in run.stderr
    assert run_cli("query", count, "--store", store).stdout == before


def test_query_errors_are_plain(tmp_path):
    store = str(tmp_path / "store")
    run_cli("ingest", str(SEED), "--store", store)
    run = run_cli("query", "SELEC nothing", "--store", store)
    assert run.returncode == 1 and "not valid SPARQL" in run.stderr and "Traceback" not in run.stderr
    run = run_cli("query", "SELECT * {?s ?p ?o}", "--store", str(tmp_path / "none"))
    assert run.returncode == 1 and "communique ingest" in run.stderr


def test_construct_query_gives_turtle(tmp_path):
    store = str(tmp_path / "store")
    run_cli("ingest", str(SEED), "--store", store)
    run = run_cli("query", "CONSTRUCT { ?s ?p ?o } WHERE { ?s a <https://w3id.org/communique/ontology#Meeting> ; ?p ?o }",
                  "--store", store)
    assert run.returncode == 0
    assert len(Graph().parse(data=run.stdout, format="turtle")) > 10


def test_validate_reports_each_article():
    run = run_cli("validate")
    assert run.returncode == 0
    assert run.stdout.count(": conforms") == 7


def test_store_path_from_the_environment(tmp_path):
    store = tmp_path / "envstore"
    run = run_cli("ingest", str(SEED), env={"COMMUNIQUE_STORE": str(store)})
    assert run.returncode == 0 and store.exists()


def test_bad_setting_is_a_clear_error():
    run = run_cli("ingest", env={"COMMUNIQUE_QUERY_TIMEOUT": "soon"})
    assert run.returncode == 1 and "COMMUNIQUE_QUERY_TIMEOUT" in run.stderr


# --- help, formats and wording ---------------------------------------------------------------

COMMANDS = ("extract", "ingest", "query", "export", "validate", "serve")


def test_every_subcommand_has_a_description_and_no_empty_default():
    for command in COMMANDS:
        run = run_cli(command, "--help")
        assert run.returncode == 0, run.stderr
        usage, _, rest = run.stdout.partition("\n\n")
        description = rest.split("\n\n", 1)[0].strip()
        assert description and not description.startswith(("positional", "options")), (command, run.stdout[:300])
        assert "Default ;" not in " ".join(run.stdout.split()), command
    top = run_cli("--help").stdout
    for command in COMMANDS:
        assert command in top
    serve = " ".join(run_cli("serve", "--help").stdout.split())
    assert "COMMUNIQUE_UPDATE_TOKEN" in serve and "Not set by default" in serve


def test_query_takes_the_format_aliases_the_server_takes(tmp_path):
    store = str(tmp_path / "store")
    assert run_cli("ingest", str(SEED), "--store", store).returncode == 0
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s a <https://w3id.org/communique/ontology#Meeting> ; ?p ?o }"
    for fmt in ("jsonld", "json-ld"):
        run = run_cli("query", construct, "--store", store, "--format", fmt)
        assert run.returncode == 0, run.stderr
        assert len(Graph().parse(data=run.stdout, format="json-ld")) > 10
    for fmt, parser in (("ttl", "turtle"), ("ntriples", "nt"), ("rdf+xml", "xml")):
        run = run_cli("query", construct, "--store", store, "--format", fmt)
        assert run.returncode == 0, (fmt, run.stderr)
        assert len(Graph().parse(data=run.stdout, format=parser)) > 10
    run = run_cli("query", "SELECT * { ?s ?p ?o } LIMIT 1", "--store", store, "--format", "srj")
    assert run.returncode == 0 and "results" in json.loads(run.stdout)
    run = run_cli("query", construct, "--store", store, "--format", "csv")
    assert run.returncode == 1 and "csv" in run.stderr and "Traceback" not in run.stderr


def test_ingest_counts_are_worded_in_the_singular_and_plural(tmp_path):
    one = SEEDS / "d05_union_state.txt"  # one meeting, four positions
    run = run_cli("ingest", str(one), "--store", str(tmp_path / "store"))
    assert run.returncode == 0, run.stderr
    assert "1 meeting, 4 positions" in run.stderr and "1 meetings" not in run.stderr
    assert "Stored 1 of 1 article from 1 file in" in run.stderr


# --- export -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeded_store(tmp_path_factory):
    store = str(tmp_path_factory.mktemp("export") / "store")
    run = run_cli("ingest", "--store", store)
    assert run.returncode == 0, run.stderr
    return store


def _count(store, pattern):
    q = f"PREFIX dip: <https://w3id.org/communique/ontology#> SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {pattern} }}"
    return int(json.loads(run_cli("query", q, "--store", store, "--format", "json").stdout)
               ["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("kind, pattern", [
    ("meetings", "?x a dip:Meeting"), ("positions", "?x a dip:Position"),
    ("entities", "VALUES ?t { dip:Person dip:State dip:Organization dip:Place dip:Treaty } ?x a ?t"),
])
def test_export_writes_every_item_as_csv_and_json(seeded_store, tmp_path, kind, pattern):
    import csv
    import io

    expected = _count(seeded_store, pattern)
    run = run_cli("export", kind, "--store", seeded_store)
    assert run.returncode == 0, run.stderr
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    assert len(rows) == len({r["iri"] for r in rows}) == expected
    assert f"Exported {expected} " in run.stderr
    out = tmp_path / f"{kind}.json"
    run = run_cli("export", kind, "--format", "json", "-o", str(out), "--store", seeded_store)
    assert run.returncode == 0, run.stderr
    records = json.loads(out.read_text())
    assert [r["iri"] for r in records] == [r["iri"] for r in rows]


def test_export_columns(seeded_store):
    import csv
    import io

    entities = {r["id"]: r for r in csv.DictReader(io.StringIO(run_cli("export", "entities", "--store", seeded_store).stdout))}
    primakov = entities["person/yevgeny-primakov"]
    assert primakov["wikidata"] == "Q270529" and primakov["roles"] == "Prime Minister"
    assert primakov["affiliations"] == "Russia" and primakov["types"].split()[0] == "Person"
    assert int(primakov["meetings"]) == _count(seeded_store, "?x a dip:Meeting ; dip:participant "
                                                             "<http://localhost:5000/id/person/yevgeny-primakov>")
    assert entities["place/moscow"]["countries"] == "Russia" and entities["treaty/abm-treaty"]["meetings"] == ""
    positions = json.loads(run_cli("export", "positions", "--format", "json", "--store", seeded_store).stdout)
    assert all(p["stance"] in ("Support", "Opposition") and p["evidence"] for p in positions)
    meetings = json.loads(run_cli("export", "meetings", "--format", "json", "--store", seeded_store).stdout)
    assert all(m["participants"] and m["status"] for m in meetings)


def test_export_errors(tmp_path):
    run = run_cli("export", "meetings", "--store", str(tmp_path / "none"))
    assert run.returncode == 1 and "communique ingest" in run.stderr and "Traceback" not in run.stderr
    run = run_cli("export", "treaties")
    assert run.returncode == 2 and "invalid choice" in run.stderr
