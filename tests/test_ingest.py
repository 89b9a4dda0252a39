"""The ingest gate and the store: one named graph per article, replaced on re-ingest, never damaged."""
import pyoxigraph as ox
import pytest
from rdflib import URIRef
from rdflib.namespace import RDF

from mappings import DIP
from server.store import embedded as store_mod
from server.errors import StoreBusy
from server.ingest.pipeline import Pipeline

from conftest import SEED, SEEDS, make_settings


def dump(store) -> list[str]:
    return sorted(str(q) for q in store.quads_for_pattern(None, None, None, None))


@pytest.fixture()
def settings(tmp_path):
    return make_settings(tmp_path)


def test_ingest_makes_one_named_graph_per_article(settings):
    with store_mod.owned(settings.store, "test") as store:
        result = Pipeline(settings).ingest(store, [SEEDS])
        graphs = store_mod.named_graphs(store)
    assert not result.rejected
    articles = [g for g in graphs if g.startswith(f"{settings.base_iri}id/article/")]
    assert len(articles) == len(list(SEEDS.glob("*.txt")))
    assert f"{settings.base_iri}id/article/000_684714e08cb29c29" in articles
    # and two more: the entities graph, with the descriptions of the entities they use, and the events
    # graph, with the meetings merged from their reports
    assert set(graphs) - set(articles) == {f"{settings.base_iri}graph/entities", f"{settings.base_iri}graph/events"}


def test_reingest_replaces_the_graph_and_is_idempotent(settings):
    pipeline = Pipeline(settings)
    with store_mod.owned(settings.store, "test") as store:
        pipeline.ingest(store, [SEEDS])
        before = dump(store)
        again = pipeline.ingest(store, [SEED], force=True)
        assert [s.name for s in again.stored] == [SEED.name]
        assert dump(store) == before
        # an old triple in the article's graph disappears when it is re-ingested
        g = ox.NamedNode(f"{settings.base_iri}id/article/000_684714e08cb29c29")
        stale = ox.Quad(ox.NamedNode("http://example.org/stale"), ox.NamedNode("http://example.org/p"), ox.Literal("x"), g)
        store.add(stale)
        pipeline.ingest(store, [SEED], force=True)
        assert stale not in store
        assert dump(store) == before


class BreakingPipeline(Pipeline):
    """A pipeline whose graphs fail the shapes: a meeting report loses all but one participant."""

    def extract_article(self, article):
        extraction, graph = super().extract_article(article)
        for m in graph.subjects(RDF.type, DIP.MeetingReport):
            for p in list(graph.objects(m, DIP.participant))[1:]:
                graph.remove((m, DIP.participant, p))
        return extraction, graph


def test_a_rejected_article_leaves_the_store_exactly_as_it_was(settings):
    with store_mod.owned(settings.store, "test") as store:
        Pipeline(settings).ingest(store, [SEEDS])
        before = dump(store)
        result = BreakingPipeline(settings).ingest(store, [SEED], force=True)  # the same text: unchanged without force
        assert dump(store) == before
    assert len(result.rejected) == 1
    path, message = result.rejected[0]
    assert path == SEED
    assert "000_684714e08cb29c29.txt: rejected" in message
    assert "at least two participants" in message


def test_unreadable_articles_are_rejected_not_crashed(settings, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe binary")
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with store_mod.owned(settings.store, "test") as store:
        result = Pipeline(settings).ingest(store, [bad, empty])
        assert store_mod.named_graphs(store) == []
    assert [p.name for p, _ in result.rejected] == ["bad.txt", "empty.txt"]
    assert "not UTF-8" in result.rejected[0][1]


def test_a_second_owner_gets_a_clear_error(settings):
    with store_mod.owned(settings.store, "first"):
        with pytest.raises(StoreBusy, match="in use by another communique process"):
            with store_mod.owned(settings.store, "second"):
                pass
    with store_mod.owned(settings.store, "third"):
        pass  # the lock was released
