"""Archive-scale ingest (issue 11, item 3): parallel workers give the same store as one process,
unchanged articles are skipped, Ctrl-C leaves whole articles only, a progress bar on a terminal."""
import io
import os
import re
import shutil
import signal
import subprocess
import time

import pyoxigraph as ox
import pytest

from bench.synthetic import generate
from server.ingest.pipeline import Pipeline, Progress, count_articles
from server.settings import SettingError
from server.store import embedded as store_mod

from conftest import BIN, SEED, SEEDS, make_settings
from test_ingest import BreakingPipeline, dump


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("synthetic"), 12, seed=5)


def mixed_input(tmp_path, synthetic):
    """Seeds, synthetic articles, an unreadable file, a copy of a seed under another name (after it and,
    a second copy, before it in the order of the files), and two files with one article id."""
    d = tmp_path / "in"
    d.mkdir()
    for f in [*SEEDS.glob("*.txt"), *synthetic[:8]]:
        shutil.copy(f, d / f.name)
    shutil.copy(SEED, d / "zz_copy_of_seed.txt")
    shutil.copy(SEED, d / "0000_copy_of_seed.txt")
    (d / "bad.txt").write_bytes(b"\xff\xfe not text")
    (d / "same_id_a.txt").write_text("---\nid: twin\n---\nRussian Foreign Minister Igor Ivanov met "
                                     "U.S. Secretary of State Madeleine Albright in Oslo on April 13, 1999.\n")
    (d / "same_id_b.txt").write_text("---\nid: twin\n---\nBoris Yeltsin received Madeleine Albright in the "
                                     "Kremlin on January 26, 1999.\n")
    return d


def test_parallel_ingest_stores_exactly_what_one_process_stores(tmp_path, synthetic):
    d = mixed_input(tmp_path, synthetic)
    outcomes = {}
    for jobs in (1, 2):
        settings = make_settings(tmp_path / f"jobs{jobs}")
        with store_mod.owned(settings.store, "test") as store:
            result = Pipeline(settings).ingest(store, [d], jobs=jobs)
            outcomes[jobs] = (dump(store), [s.name for s in result.stored], result.rejected, result.duplicates)
    assert outcomes[1] == outcomes[2]
    quads, stored, rejected, duplicates = outcomes[2]
    assert len(stored) == 7 - 1 + 1 + 8 + 1  # the seeds but one, stored as its first copy; 8 synthetic; one twin
    assert "0000_copy_of_seed.txt" in stored and SEED.name not in stored
    assert [name for name, _ in duplicates] == [SEED.name, "zz_copy_of_seed.txt"]
    assert [p.name for p, _ in rejected] == ["bad.txt", "same_id_b.txt"]
    assert "same article id 'twin'" in rejected[1][1]


def test_a_copy_whose_original_is_rejected_in_the_same_ingest_is_checked_itself(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    for name in ("a.txt", "b.txt"):
        shutil.copy(SEED, d / name)
    settings = make_settings(tmp_path)
    with store_mod.owned(settings.store, "test") as store:
        result = BreakingPipeline(settings).ingest(store, [d], jobs=2)
        assert store_mod.named_graphs(store) == []
    # b waited for a (the same text, in flight), then was extracted and checked on its own
    assert [p.name for p, _ in result.rejected] == ["a.txt", "b.txt"] and not result.duplicates
    assert all("at least two participants" in m for _, m in result.rejected)


def test_an_unchanged_article_is_skipped_and_force_stores_it_again(tmp_path, synthetic):
    settings = make_settings(tmp_path)
    pipeline = Pipeline(settings)
    with store_mod.owned(settings.store, "test") as store:
        first = pipeline.ingest(store, synthetic[:4])
        before = dump(store)
        again = pipeline.ingest(store, synthetic[:4])
        assert dump(store) == before
        assert [n for n, _ in again.unchanged] == [p.name for p in synthetic[:4]] and not again.stored
        more = pipeline.ingest(store, synthetic[:5])
        assert [n for n, _ in more.unchanged] == [p.name for p in synthetic[:4]]
        assert [s.name for s in more.stored] == [synthetic[4].name]
        forced = pipeline.ingest(store, synthetic[:4], force=True)
        assert [s.name for s in forced.stored] == [p.name for p in synthetic[:4]] and not forced.unchanged
    assert len(first.stored) == 4


def test_a_changed_article_is_not_unchanged(tmp_path, synthetic):
    settings = make_settings(tmp_path)
    f = tmp_path / "story.txt"
    shutil.copy(synthetic[0], f)
    with store_mod.owned(settings.store, "test") as store:
        Pipeline(settings).ingest(store, [f])
        f.write_text(f.read_text() + "\nThe next round has not yet been scheduled.\n")
        again = Pipeline(settings).ingest(store, [f])
    assert not again.unchanged and [s.name for s in again.stored] == ["story.txt"]


def test_cli_reports_unchanged_articles(tmp_path, synthetic):
    store = str(tmp_path / "store")
    env = {**os.environ, "COMMUNIQUE_BASE_IRI": "http://localhost:5000/"}
    run = lambda *a: subprocess.run([str(BIN / "communique"), "ingest", *a, "--store", store], env=env,
                                    capture_output=True, text=True, timeout=600)
    assert run(*map(str, synthetic[:3]), "--jobs", "2").returncode == 0
    second = run(*map(str, synthetic[:3]))
    assert second.returncode == 0
    assert "3 articles unchanged (stored already with the same text), not extracted again; --force" in second.stderr
    forced = run(*map(str, synthetic[:3]), "--force", "--jobs", "1")
    assert forced.returncode == 0 and "Stored 3 of 3 articles" in forced.stderr and "articles unchanged" not in forced.stderr


def test_jobs_is_a_setting_with_a_flag_and_a_variable(tmp_path):
    assert make_settings(tmp_path).jobs == 0
    assert make_settings(tmp_path, jobs=3).jobs == 3
    with pytest.raises(SettingError, match="jobs must be 0"):
        make_settings(tmp_path, jobs=-1)
    run = subprocess.run([str(BIN / "communique"), "ingest", str(SEED), "--store", str(tmp_path / "s")],
                         env={**os.environ, "COMMUNIQUE_JOBS": "many"}, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1 and "COMMUNIQUE_JOBS: 'many' is not a valid int" in run.stderr
    assert "Traceback" not in run.stderr


def test_count_articles_counts_rows_without_reading_them(tmp_path):
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "rows.jsonl").write_text('{"text": "a"}\n\n{"text": "b"}\n{"text": "c"}\n')
    (tmp_path / "rows.csv").write_text('id,text\n1,"two\nlines"\n2,b\n')
    assert count_articles([tmp_path / "a.txt", tmp_path / "rows.jsonl", tmp_path / "rows.csv"]) == 1 + 3 + 2


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_terminal_gets_a_progress_bar_with_rate_and_time_left():
    out = Terminal()
    progress = Progress(stream=out)
    progress.total = 30
    for n in range(30):
        progress.step(f"a{n}.txt", "REJECTED\na bad one" if n == 3 else "12 triples")
    progress.done()
    text = out.getvalue()
    assert re.search(r"30/30 \[[0-9:]+<[0-9:]+, *[0-9.]+ articles/s", text), text  # done, elapsed<left, rate
    assert "[4/30] a3.txt: REJECTED" in text  # a rejection is a line of its own above the bar
    assert "a10.txt: 12 triples" not in text


def test_no_terminal_keeps_a_line_per_article():
    out = io.StringIO()
    progress = Progress(stream=out)
    progress.total = 5
    for n in range(5):
        progress.step(f"a{n}.txt", "12 triples")
    assert out.getvalue().splitlines() == [f"[{n + 1}/5] a{n}.txt: 12 triples" for n in range(5)]


def test_ctrl_c_stops_an_ingest_and_leaves_whole_articles(tmp_path):
    articles = generate(tmp_path / "articles", 300, seed=7)
    store = tmp_path / "store"
    env = {**os.environ, "COMMUNIQUE_BASE_IRI": "http://localhost:5000/"}
    proc = subprocess.Popen([str(BIN / "communique"), "ingest", str(tmp_path / "articles"), "--store", str(store),
                             "--jobs", "2"], env=env, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)  # its own process group, as a terminal's foreground job
    lines = []
    for line in proc.stderr:  # a line for every 15th article when stderr is not a terminal
        lines.append(line)
        if line.startswith("[15/300]"):
            break
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C does: the signal to every process of the group
    sent = time.monotonic()
    rest = proc.stderr.read()
    proc.wait(timeout=30)
    took = time.monotonic() - sent
    print(f"exited {took:.2f} s after SIGINT")
    stderr = "".join(lines) + rest
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    m = re.search(r"Interrupted \(Ctrl-C\): stored (\d+) of the \d+ articles done", stderr)
    assert m, stderr
    stored = int(m.group(1))
    assert 15 <= stored < 300
    with pytest.raises(ProcessLookupError):
        os.killpg(proc.pid, 0)  # no worker is left behind
    # the store opens and holds exactly the articles it reported, each one whole
    settings = make_settings(tmp_path, store=str(store))
    pipeline = Pipeline(settings)
    with store_mod.owned(settings.store, "test") as s:
        graphs = [g for g in store_mod.named_graphs(s) if "/id/article/" in g]
        assert len(graphs) == stored
        names = {g.rsplit("/", 1)[1] for g in graphs}
        assert names == {p.stem for p in articles[:stored]}  # stored in input order
        for path in articles[:stored]:
            checked = pipeline.check(path)
            g = ox.NamedNode(checked.iri)
            fresh = ox.Store()  # the fresh extraction, stored alone as the store keeps it (xsd:integer offsets)
            store_mod.store_article(fresh, checked.iri, checked.article_graph, checked.entities_graph)
            expected = set(fresh.quads_for_pattern(None, None, None, g))
            assert set(s.quads_for_pattern(None, None, None, g)) == expected, path.name
        # running it again goes on where it stopped: the stored ones are unchanged
        result = pipeline.ingest(s, articles[:stored + 3], jobs=2)
    assert len(result.unchanged) == stored and len(result.stored) == 3

