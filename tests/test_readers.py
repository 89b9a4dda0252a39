"""Input as users have it: Monitor items, wire datelines, front matter, HTML pages, JSON Lines and CSV.

The files in tests/readers/mixed/ are our own, one per format; the tests read them with the readers,
extract and ingest them into a real store, and open the article page over real HTTP.
"""
import shutil
from pathlib import Path

import pytest
import requests

from mappings import ArticleError, read, read_article
from mappings.readers import datelines
from server.store import embedded as store_mod
from server.ingest.pipeline import Pipeline, article_files

from conftest import LiveServer, make_settings, run_cli

MIXED = Path(__file__).parent / "readers" / "mixed"


def articles(path):
    return [x for x in read(path) if not isinstance(x, ArticleError)]


def errors(path):
    return [str(x) for x in read(path) if isinstance(x, ArticleError)]


# -- datelines -----------------------------------------------------------------

@pytest.mark.parametrize("text, place, agency, date", [
    ("GENEVA, Feb. 23, 2015 (Reuters) - Talks began.", "GENEVA", "Reuters", (2015, 2, 23)),
    ("NAIROBI, July 7 (Xinhua) -- Leaders met.", "NAIROBI", "Xinhua", (None, 7, 7)),
    ("MOSCOW, December 9. /TASS/. The ministers met.", "MOSCOW", "TASS", (None, 12, 9)),
    ("WASHINGTON (AP) — The envoy left.", "WASHINGTON", "AP", None),
    ("SAN JOSE, Costa Rica, 4 March 2004 – Envoys met.", "SAN JOSE, Costa Rica", None, (2004, 3, 4)),
    ("UNITED NATIONS, Sept. 30 (AFP) - The council met.", "UNITED NATIONS", "AFP", (None, 9, 30)),
    ("NAIROBI — Sudan's government signed.", "NAIROBI", None, None),
    ("Addis Ababa March 14/2019 (ENA) The envoy met.", "Addis Ababa", "ENA", (2019, 3, 14)),
    ("La Paz, March 2018 — By our correspondent", "La Paz", None, (2018, 3, None)),
])
def test_dateline_styles(text, place, agency, date):
    d = datelines.find(text, 0)
    assert d is not None and (d.place, d.agency) == (place, agency)
    assert (None if date is None else (d.year, d.month, d.day)) == date
    assert text[d.end:d.end + 1].isupper()  # the story starts where the dateline ends


@pytest.mark.parametrize("text", [
    "Moscow, January 5 was a cold day for the talks.",  # no agency, no dash: a sentence
    "Russia and China - two powers - met.",
    "THE TALKS FAILED — AGAIN",  # a headline in capitals
])
def test_sentences_are_not_datelines(text):
    assert datelines.find(text, 0) is None


def test_a_wire_story_takes_its_date_and_outlet_from_the_dateline(engine):
    a = read_article(MIXED / "a_wire.txt")
    assert (str(a.date), a.publication, a.dateline.place) == ("2015-02-23", "Reuters", "GENEVA")
    assert a.date_basis == "the dateline (Feb. 23, 2015)"
    x = engine.extract(a)
    assert not x.date_inferred and str(x.date) == "2015-02-23"
    (m,) = x.meetings
    assert {x.entities[p].label for p in m.participants} == {"Sergei Lavrov", "Frank-Walter Steinmeier"}
    assert str(m.date) == "2015-02-23"  # "on Monday", against a stated Monday
    geneva = [mt for mt in x.mentions if x.entities[mt.entity].label == "Geneva"]
    assert geneva and m.location is None  # the dateline city is a mention, not the meeting's place


def test_a_dateline_without_its_year_takes_the_front_matters(tmp_path):
    f = tmp_path / "tass.txt"
    f.write_text("---\ndate: 2019-12-10\n---\nMINSK, December 9. /TASS/. Igor Ivanov arrived.\n")
    a = read_article(f)
    assert str(a.date) == "2019-12-10" and a.date_basis == "the front matter's date"  # front matter first
    assert (a.dateline.year, a.dateline.month, a.dateline.day) == (2019, 12, 9)


# -- front matter --------------------------------------------------------------

def test_front_matter_gives_title_date_source_and_url(engine):
    a = read_article(MIXED / "b_front_matter.txt")
    assert (a.title, str(a.date), a.publication, a.url) == (
        "Ministers confer in Vienna", "2016-05-10", "The Alpine Courier", "https://example.org/news/vienna-talks")
    assert "---" not in a.text and "source:" not in a.text
    assert a.text.startswith("Ministers confer in Vienna\n\n")  # the headline is the first paragraph
    x = engine.extract(a)
    (m,) = x.meetings
    assert str(m.date) == "2016-05-09" and m.location == "place/vienna"  # "yesterday"


@pytest.mark.parametrize("front, message", [
    ("title: [unclosed\n", "front matter is not valid YAML"),
    ("- a list\n", "must be 'key: value' lines"),
    ("date: 2019-02-30\n", "is not a date"),
    ("id: ../../etc\n", "cannot name an article"),
])
def test_bad_front_matter_is_a_clear_error(tmp_path, front, message):
    f = tmp_path / "bad.txt"
    f.write_text(f"---\n{front}---\nIgor Ivanov met Sergei Lavrov.\n")
    with pytest.raises(ArticleError, match=message) as caught:
        read_article(f)
    assert "bad.txt" in str(caught.value)


# -- HTML ----------------------------------------------------------------------

def test_html_page_gives_its_main_text_only():
    a = read_article(MIXED / "c_page.html")
    assert a.title == "Ministers hold talks in Oslo" and str(a.date) == "2014-06-03"
    assert a.date_basis == "the page's metadata" and a.format == "html"
    assert "Madeleine Albright met Igor Ivanov in Oslo" in a.text
    assert "further round." in a.text
    for furniture in ("tracker", "noisy", "Vladimir Putin", "Weather in Minsk", "Sport", "Subscribe",
                      "Copyright", "Privacy", "display: flex", "<p>"):
        assert furniture not in a.text, furniture
    assert a.text.count("\n\n") == 2  # headline and two paragraphs


def test_html_without_article_text_is_a_clear_error(tmp_path):
    f = tmp_path / "empty.html"
    f.write_text("<html><head><script>var a = 1;</script></head><body><nav><a href='/'>Home</a></nav></body></html>")
    with pytest.raises(ArticleError, match="empty.html: no article text found"):
        read_article(f)


# -- rows ----------------------------------------------------------------------

def test_json_lines_read_good_rows_and_name_the_broken_one():
    good = articles(MIXED / "d_export.jsonl")
    assert [a.id for a in good] == ["jsonl-hanoi", "d_export-3"]
    assert [a.row for a in good] == [1, 3]
    first = good[0]
    assert (first.title, str(first.date), first.publication, first.url) == (
        "Envoys meet in Hanoi", "2017-11-08", "Mekong Wire", "https://example.org/hanoi")
    assert good[1].date is None and good[1].title == "No date given"  # "headline" and "body" columns
    (bad,) = errors(MIXED / "d_export.jsonl")
    assert bad.startswith("d_export.jsonl row 2: is not JSON")


def test_csv_reads_good_rows_and_names_the_bad_one():
    good = articles(MIXED / "e_export.csv")
    assert [(a.id, a.row, str(a.date)) for a in good] == [("csv-oslo", 2, "2003-04-02"), ("csv-vienna", 4, "None")]
    (bad,) = errors(MIXED / "e_export.csv")
    assert bad.startswith("e_export.csv row 3: date '2003-13-45' is not a date")


@pytest.mark.parametrize("name, content, message", [
    ("rows.jsonl", '[1, 2]\n', "rows.jsonl row 1: must be a JSON object"),
    ("rows.jsonl", '{"title": "no text"}\n', "rows.jsonl row 1: has no text"),
    ("rows.jsonl", '{"id": "a b", "text": "Ivanov met Lavrov."}\n', "rows.jsonl row 1: 'a b' cannot name an article"),
    ("rows.csv", 'id,text\nx,"Ivanov met Lavrov.",extra\n', "rows.csv row 2: has 3 cells for 2 columns"),
])
def test_bad_rows_are_named(tmp_path, name, content, message):
    f = tmp_path / name
    f.write_text(content)
    assert errors(f) == [pytest.approx(message)] or errors(f)[0].startswith(message)


def test_csv_without_a_text_column_is_refused(tmp_path):
    f = tmp_path / "rows.csv"
    f.write_text("id,title\n1,Hello\n")
    with pytest.raises(ArticleError, match="rows.csv: has no text column"):
        list(read(f))


# -- unreadable input ----------------------------------------------------------

@pytest.mark.parametrize("name, data, message", [
    ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "contains NUL bytes"),
    ("latin1.txt", "Caf\xe9 talks".encode("latin-1"), "is not UTF-8 text"),
    ("empty.txt", b"  \n\n", "is empty"),
    ("binary.jsonl", b"\x00\x01\x02", "contains NUL bytes"),
    ("page.html", b"\xff\xfe<\x00h\x00", "contains NUL bytes"),
])
def test_unreadable_files_get_a_clear_error(tmp_path, name, data, message):
    f = tmp_path / name
    f.write_bytes(data)
    with pytest.raises(ArticleError, match=message) as caught:
        list(read(f))
    assert name in str(caught.value)


# -- identity ------------------------------------------------------------------

def test_the_content_hash_ignores_layout_not_words(tmp_path):
    a = read_article(MIXED / "g_undated.txt")
    copy = tmp_path / "copy.txt"
    copy.write_text("\n\n" + a.text.replace(" ", "   ").replace(", ", ",\n") + "\n")
    assert read_article(copy).content_hash == a.content_hash
    other = tmp_path / "other.txt"
    other.write_text(a.text.replace("Minsk", "Vienna"))
    assert read_article(other).content_hash != a.content_hash


# -- the whole way: a mixed directory into the store, and the page -------------

def test_a_directory_gives_up_every_supported_type(tmp_path):
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    (tmp_path / ".hidden.txt").write_text("x")
    for f in MIXED.iterdir():
        shutil.copy(f, tmp_path)
    assert [f.name for f in article_files([tmp_path])] == sorted(f.name for f in MIXED.iterdir())


def test_ingest_of_a_mixed_directory(tmp_path):
    settings = make_settings(tmp_path)
    with store_mod.owned(settings.store, "test") as store:
        before = set(store_mod.named_graphs(store))
        result = Pipeline(settings).ingest(store, [MIXED])
        graphs = set(store_mod.named_graphs(store)) - before
        base = settings.base_iri + "id/article/"
        assert {g[len(base):] for g in graphs if g.startswith(base)} == {
            "a_wire", "b_front_matter", "c_page", "jsonl-hanoi", "d_export-3", "csv-oslo", "csv-vienna",
            "f_monitor", "g_undated"}
        assert {g for g in graphs if not g.startswith(base)} == {
            settings.base_iri + "graph/entities", settings.base_iri + "graph/events"}
        assert [m.splitlines()[0] for _, m in result.rejected] == [
            "d_export.jsonl row 2: is not JSON (Unterminated string starting at, column 33)",
            "e_export.csv row 3: date '2003-13-45' is not a date; write YYYY-MM-DD (or YYYY-MM, YYYY, "
            "an ISO 8601 timestamp, or 'March 4, 2019')"]
        undated = store.query(f"SELECT ?d ?i WHERE {{ GRAPH ?g {{ <{base}g_undated> "
                              "<https://w3id.org/communique/ontology#dateInferred> ?i "
                              "OPTIONAL { ?x <https://w3id.org/communique/ontology#date> ?d } } }")
        (row,) = list(undated)
        assert row["d"] is None and row["i"].value == "true"  # stored undated, not rejected
        # the same text again under another name is recognised, and not stored twice
        copy = tmp_path / "copy"
        copy.mkdir()
        shutil.copy(MIXED / "g_undated.txt", copy / "same_text.txt")
        again = Pipeline(settings).ingest(store, [copy])
        assert again.duplicates == [("same_text.txt", f"{base}g_undated")] and not again.stored
        assert set(store_mod.named_graphs(store)) - before == graphs


def test_cli_ingest_reports_rows_and_duplicates(tmp_path):
    run = run_cli("ingest", "--store", str(tmp_path / "store"), str(MIXED), str(MIXED / "g_undated.txt"))
    assert run.returncode == 1, run.stderr  # two rows were rejected; the file named twice is read once
    assert "Stored 9 of 11 articles from 7 files" in run.stderr
    assert "d_export.jsonl row 2: is not JSON" in run.stderr and "e_export.csv row 3" in run.stderr
    assert "Traceback" not in run.stderr


def test_cli_extract_reads_every_row():
    run = run_cli("extract", str(MIXED / "e_export.csv"), "--format", "nt")
    assert run.returncode == 1  # one bad row
    assert "e_export.csv row 3" in run.stderr and "Traceback" not in run.stderr
    assert "/id/article/csv-oslo>" in run.stdout and "/id/article/csv-vienna>" in run.stdout


@pytest.fixture(scope="module")
def mixed_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("mixed")
    server = LiveServer(tmp, "--seeds", str(MIXED))
    yield server
    server.stop()


@pytest.mark.parametrize("article, says", [
    ("a_wire", "the dateline (Feb. 23, 2015)"),
    ("b_front_matter", "the front matter&#39;s date"),
    ("c_page", "the page&#39;s metadata"),
    ("csv-oslo", "the CSV row&#39;s date"),
    ("f_monitor", "the latest source citation (1999-02-24)"),
    ("g_undated", "undated"),
])
def test_the_article_page_says_where_its_date_came_from(mixed_server, article, says):
    r = requests.get(f"{mixed_server.url}/page/article/{article}", timeout=30)
    assert r.status_code == 200
    assert says in r.text


def test_here_is_the_datelines_place(engine, tmp_path):
    f = tmp_path / "here.txt"
    f.write_text("OSLO, June 3, 2014 (Reuters) - Madeleine Albright met Igor Ivanov here to discuss arms control.\n\n"
                 "Sergei Lavrov met Frank-Walter Steinmeier in Vienna.\n")
    x = engine.extract(read_article(f))
    where = {frozenset(x.entities[p].label for p in m.participants): m.location for m in x.meetings}
    assert where == {frozenset({"Madeleine Albright", "Igor Ivanov"}): "place/oslo",
                     frozenset({"Sergei Lavrov", "Frank-Walter Steinmeier"}): "place/vienna"}


def test_a_date_line_at_the_head_dates_the_article(tmp_path):
    f = tmp_path / "digest.txt"
    f.write_text("WORLD DIGEST\nTuesday, March 2, 1999\n\nIgor Ivanov met Madeleine Albright in Oslo on Monday.\n")
    a = read_article(f)
    assert str(a.date) == "1999-03-02" and a.date_basis == "the date line (Tuesday, March 2, 1999)"


def test_a_place_and_date_line_under_a_letterhead_dates_the_article(tmp_path):
    """A release: letterhead, kind, headline, then "Suva, 3 March 2014" on a line of its own."""
    f = tmp_path / "release.txt"
    f.write_text("MINISTRY OF FOREIGN AFFAIRS\nREPUBLIC OF FIJI\n\nPRESS RELEASE\n\nReadout: the Minister's meeting\n\n"
                 "Suva, 3 March 2014\n\nThe Minister this morning received the Ambassador of Japan.\n")
    a = read_article(f)
    assert str(a.date) == "2014-03-03" and a.date_basis == "the date line (Suva, 3 March 2014)"


def test_a_published_line_dates_the_article(tmp_path):
    f = tmp_path / "ap.txt"
    f.write_text("Nine nations sign a deal\n\nBy The Associated Press\nPublished 4:12 PM GMT, October 3, 2018\n\n"
                 "ILULISSAT, Greenland (AP) — Envoys signed an agreement Wednesday.\n")
    assert str(read_article(f).date) == "2018-10-03"


def test_a_dateline_without_a_year_takes_the_latest_year_the_story_names(tmp_path):
    f = tmp_path / "tass.txt"
    f.write_text("MURMANSK, September 15. /ITAR-TASS/. The ministers signed the 2010 treaty, which replaces a 1957 "
                 "accord and is to be ratified by 2030.\n")
    a = read_article(f)
    assert str(a.date) == "2010-09-15" and "latest year the text names (2010)" in a.date_basis


def test_a_date_inside_a_sentence_is_no_date_line(tmp_path):
    f = tmp_path / "story.txt"
    f.write_text("Igor Ivanov met Madeleine Albright on March 2, 1999.\n")
    assert read_article(f).date is None
