"""The gazetteer: its files, its matcher and its checks."""
import re
from pathlib import Path

import pytest

from mappings import gazetteer as gz

from server.settings import Settings

GAZ = Path(Settings.load().gazetteer)


@pytest.fixture(scope="module")
def gaz():
    return gz.load(GAZ)


def test_every_qid_has_a_source(gaz):
    for e in gaz.entries.values():
        if e.wikidata:
            assert re.match(r"^Q[1-9]\d*$", e.wikidata)
            assert e.source and e.source.strip(), f"{e.id} has a QID without a source"


def test_names_tsv_qids_are_on_the_right_entries(gaz):
    """Every QID verified in names.tsv is on the entry of that name."""
    names = Path(__file__).parent / "corpus" / "names.tsv"
    by_label = {}
    for e in gaz.entries.values():
        for n in e.names:
            by_label.setdefault(n, set()).add(e.wikidata)
    for line in names.read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        name, qids = line.split("\t")[:2]
        if qids.strip() == "-":
            continue
        assert name in by_label, f"{name} is missing from the gazetteer"
        assert by_label[name] & set(qids.split("|")), f"{name}: gazetteer QID {by_label[name]} not in {qids}"


def test_longest_match_wins_and_boundaries_hold(gaz):
    text = "The U.S. Senate met. Russia's Federation Council and the State Duma. Prussia is no match."
    hits = {text[h.start:h.end]: h.entry.id for h in gaz.find(text)}
    assert hits["U.S. Senate"] != hits.get("U.S.")
    assert "Federation Council" in hits and "State Duma" in hits
    assert "russia" not in [h.entry.id for h in gaz.find("Prussia")]


def test_acronyms_need_their_case(gaz):
    assert not [h for h in gaz.find("let us go") if h.entry.type == "State"]
    assert [h for h in gaz.find("the US and NATO") if h.entry.type == "State"]


def test_every_coordinate_has_a_source_and_a_qid(gaz):
    located = [e for e in gaz.entries.values() if e.coordinates]
    assert len(located) >= 150  # the capitals of the Wikidata export (mappings/README.md, "Coordinates")
    for e in located:
        lat, lon = e.coordinates
        assert -90 <= lat <= 90 and -180 <= lon <= 180, e.id
        assert e.wikidata and e.coordinates_source and "P625" in e.coordinates_source, e.id
    assert gaz.get("moscow").coordinates == (55.755833333, 37.617777777)
    # no verified coordinate: not a capital in the source (Istanbul), or two points for one QID (Seoul)
    assert gaz.get("istanbul").coordinates is None and gaz.get("seoul").coordinates is None


@pytest.mark.parametrize("entry,message", [
    ("{id: a, type: Place, label: A, wikidata: Q1, source: s, coordinates: [10, 20]}", "coordinates_source"),
    ("{id: a, type: Place, label: A, coordinates: [10, 20], coordinates_source: s}", "needs its 'wikidata'"),
    ("{id: a, type: Place, label: A, wikidata: Q1, source: s, coordinates: [95, 20], coordinates_source: s}",
     "are not a latitude"),
    ("{id: a, type: Place, label: A, wikidata: Q1, source: s, coordinates: '10 20', coordinates_source: s}",
     "must be [latitude, longitude]"),
    ("{id: a, type: Place, label: A, coordinates_source: s}", "without 'coordinates'"),
])
def test_bad_coordinates_are_refused(tmp_path, entry, message):
    (tmp_path / "x.yaml").write_text(f"- {entry}\n")
    with pytest.raises(gz.GazetteerError) as err:
        gz.load(tmp_path)
    assert message in str(err.value)


def test_bad_entries_are_reported_with_their_location(tmp_path):
    (tmp_path / "x.yaml").write_text(
        "- {id: a, type: State, label: A, wikidata: Q1}\n"
        "- {id: b, type: Planet, label: B}\n"
        "- {id: c, type: Place, label: C, country: nowhere}\n"
        "- {id: Bad Id, type: Place, label: D}\n")
    with pytest.raises(gz.GazetteerError) as err:
        gz.load(tmp_path)
    text = str(err.value)
    assert "x.yaml, entry 1" in text and "needs a 'source'" in text
    assert "x.yaml, entry 2" in text and "Planet" in text
    assert "'nowhere' is not a gazetteer id" in text
    assert "entry 4" in text and "lower-case" in text
