"""The `communique` command: extract, ingest, query, validate, serve."""
from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from ..errors import CommuniqueError
from ..settings import BY_NAME, SettingError, Settings

EXTRACT_FORMATS = {"nt": "nt", "turtle": "turtle", "ttl": "turtle", "trig": "trig", "json-ld": "json-ld",
                   "jsonld": "json-ld", "nquads": "nquads"}


REMOTE = ("store_update", "store_graph_store", "store_user", "store_password", "store_auth", "store_page")  # a remote --store


def _setting_flags(parser: argparse.ArgumentParser, *names: str):
    for name in names:
        s = BY_NAME[name]
        default = f"Default {s.default}" if s.default not in ("", None) else "Not set by default"
        parser.add_argument(s.flag, dest=name, default=None, type=s.type, metavar=name.upper(),
                            help=f"{s.help} {default}; environment {s.env}.")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="communique", description="Turn diplomacy news into a validated knowledge graph, and serve it.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    def command(name: str, help: str, description: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, description=description)

    p = command("extract", "print the graph of one or more articles (no store)",
                "Read each article, apply the mapping rules and the gazetteer, and print the RDF graph on "
                "stdout. Nothing is stored and nothing is checked against the shapes.")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--format", default="turtle", choices=sorted(EXTRACT_FORMATS), help="output format")
    p.add_argument("--explain", action="store_true", help="print every fact with its sentence, span and rule")
    _setting_flags(p, "base_iri", "gazetteer", "rules")

    p = command("ingest", "validate articles and store them (default: the seeds)",
                "Extract each article, check its graph against the SHACL shapes and store the ones that "
                "conform, each as its own named graph (re-ingesting replaces it). An article stored already with "
                "the same id and text is skipped as unchanged (--force stores it again). Exits 1 if any article "
                "was rejected; a rejected article changes nothing in the store. Ctrl-C stops it between two "
                "articles (exit 130): each stored article is whole, and running the same ingest again goes on "
                "where it stopped.")
    p.add_argument("paths", nargs="*", metavar="PATH", help="article files or directories of *.txt")
    p.add_argument("--force", action="store_true",
                   help="extract and store unchanged articles again (after a change of rules or gazetteer)")
    _setting_flags(p, "store", *REMOTE, "base_iri", "seeds", "gazetteer", "rules", "jobs")

    p = command("remove", "remove articles from the store",
                "Remove each article, named by its id (the file name without its suffix, or the row id of a JSON "
                "Lines or CSV export) or its IRI: its graph (its mentions, facts, evidence and role statements), "
                "and the description of every entity that no other stored article uses. Each article is removed "
                "in one transaction; nothing else changes. Exits 1 if an article is not in the store.")
    p.add_argument("ids", nargs="+", metavar="ID", help="article ids (file stem or row id), or article IRIs")
    _setting_flags(p, "store", *REMOTE, "base_iri")

    p = command("query", "run a SPARQL query against the store",
                "Run one SPARQL query against the store (the default graph is the union of the article "
                "graphs) and print the result on stdout.")
    p.add_argument("sparql", metavar="SPARQL", help="the query, @FILE to read it from a file, or - for stdin")
    p.add_argument("--format", default=None, help="results (SELECT, ASK): json, xml, csv, tsv; graphs "
                                                  "(CONSTRUCT, DESCRIBE): turtle, nt, jsonld, rdfxml, trig, nquads; "
                                                  "and the aliases the server takes (ttl, json-ld, rdf+xml, …). "
                                                  "Default: tsv or turtle")
    _setting_flags(p, "store", *REMOTE, "query_timeout")

    p = command("export", "write the graph's meetings, positions or entities as CSV or JSON",
                "Write every meeting, position or entity (actor, place, treaty) of the store as CSV or JSON, "
                "with the columns of the pages' CSV downloads (entities: their names, types, Wikidata ID, roles, "
                "affiliations, countries and counts).")
    p.add_argument("kind", choices=["meetings", "positions", "entities"], help="what to export")
    p.add_argument("--format", default="csv", choices=["csv", "json"], help="output format (default csv)")
    p.add_argument("--output", "-o", default="-", metavar="FILE", help="where to write (default: stdout)")
    _setting_flags(p, "store", "base_iri")

    p = command("link", "propose Wikidata QIDs for entities without one, for review; --accept writes them",
                "Propose Wikidata QIDs for the people, states, organizations, places and treaties of the store "
                "(or of the articles given) that have none, from the Wikidata API (wbsearchentities, then "
                "wbgetentities to check class, country and dates against what the articles say), and write them "
                "to a review file. Nothing is accepted automatically: mark the ones you agree with in the file "
                "(accept: true, or accept: Q…) and run `communique link --accept FILE`, which writes them into "
                "the gazetteer with their source.")
    p.add_argument("paths", nargs="*", metavar="PATH", help="articles to extract instead of reading the store")
    p.add_argument("--accept", metavar="FILE", help="write the accepted QIDs of a reviewed FILE into the gazetteer")
    p.add_argument("--output", "-o", default="link-review.yaml", metavar="FILE",
                   help="the review file to write (default link-review.yaml)")
    p.add_argument("--type", dest="types", action="append", choices=["Person", "State", "Organization", "Place", "Treaty"],
                   help="only entities of this type (repeatable; default all five)")
    p.add_argument("--limit", type=int, default=None, metavar="N", help="only the first N entities (by IRI)")
    _setting_flags(p, "store", "base_iri", "gazetteer", "rules", "wikidata_api", "wikidata_rate", "wikidata_cache",
                   "wikidata_contact")

    p = command("validate", "extract articles and check them against the SHACL shapes",
                "Extract each article and check its graph against the SHACL shapes, printing a report for each "
                "one that does not conform. Stores nothing; exits 1 if any article does not conform.")
    p.add_argument("paths", nargs="*", metavar="PATH", help="article files or directories (default: the seeds)")
    _setting_flags(p, "base_iri", "seeds", "gazetteer", "rules")

    p = command("serve", "serve the SPARQL endpoint and Linked Data (builds an empty store from the seeds)",
                "Serve the SPARQL endpoint, the Linked Data pages, search and reconciliation (/reconcile) with waitress. "
                "An empty store is first built from the seeds.")
    _setting_flags(p, "host", "port", "store", *REMOTE, "base_iri", "seeds", "gazetteer", "rules", "query_timeout", "query_workers", "threads",
                   "max_body", "max_rows_html", "page_size", "update_token", "service_allowlist", "load_allowlist",
                   "network_sandbox")
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    overrides = {k: v for k, v in vars(args).items() if k in BY_NAME}
    try:
        settings = Settings.load(overrides)
        return COMMANDS[args.command](args, settings)
    except (CommuniqueError, SettingError) as exc:
        print(f"communique {args.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly, as other tools do
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


def cmd_extract(args, settings: Settings) -> int:
    from mappings.explain import explain
    from ..ingest.pipeline import Pipeline, dataset

    pipeline = Pipeline(settings)
    graphs = []
    bad = []
    for extraction, graph in _extracted(pipeline, [Path(name) for name in args.files], "extract", bad):
        if args.explain:
            sys.stdout.write(explain(extraction))
        graphs.append(graph)
    if not args.explain and graphs:
        fmt = EXTRACT_FORMATS[args.format]
        meetings = _meetings(graphs, pipeline.iris.events_graph)
        if fmt in ("trig", "nquads", "json-ld"):
            sys.stdout.write(dataset(graphs + [meetings]).serialize(format=fmt))
        else:
            sys.stdout.write(_merge(graphs + [meetings]).serialize(format=fmt))
    return 1 if bad else 0


def _meetings(graphs, name):
    """The meetings (dip:Meeting) the articles' reports make, merged as the store would merge them with
    only these articles stored (server/store/events.py): one per report for a single article."""
    import pyoxigraph as ox
    from mappings import bind
    from rdflib import Graph

    from ..store import events

    triples = events.for_articles(graphs, str(name))
    out = bind(Graph(identifier=name))
    if triples:
        out.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode(), format="nt")
    return out


def _extracted(pipeline, paths, command: str, bad: list):
    """(extraction, graph) of each article the files hold, in order. An article that cannot be
    read is reported on stderr as `communique COMMAND: …` and appended to `bad`."""
    from mappings import ArticleError

    for path in paths:
        for _, item in pipeline.read(path):
            if isinstance(item, ArticleError):
                print(f"communique {command}: {item}", file=sys.stderr)
                bad.append(item)
                continue
            yield pipeline.extract_article(item)


def _merge(graphs):
    from mappings import bind
    from rdflib import Graph

    out = bind(Graph())
    for g in graphs:
        out += g
    return out


def cmd_ingest(args, settings: Settings) -> int:
    from ..store import embedded as store_mod
    from ..store.base import owned
    from ..ingest.pipeline import IngestInterrupted, Pipeline, Progress, article_files, plural

    files = article_files(args.paths or [settings.seeds])
    started = time.perf_counter()
    interrupted = False
    with owned(settings, "communique ingest") as store:
        base = store_mod.minted_base(store) if settings.extra.get("base_iri_derived") else None
        if base and base != settings.base_iri:  # no base was set: keep the store's, never mix two in one store
            print(f"The store holds IRIs under {base}: minting the new ones there too (--base-iri changes it).",
                  file=sys.stderr)
            settings.base_iri = base
        pipeline = Pipeline(settings)
        try:
            result = pipeline.ingest(store, files, Progress(), force=args.force)
        except IngestInterrupted as stop:
            result, interrupted = stop.result, True
        total = store_mod.count_quads(store)
    took = time.perf_counter() - started
    read = len(result.stored) + len(result.rejected) + len(result.duplicates) + len(result.unchanged)
    if interrupted:
        print(f"Interrupted (Ctrl-C): stored {len(result.stored)} of the {plural(read, 'article')} done from "
              f"{plural(len(files), 'file')} in {settings.store} in {took:.1f} s ({plural(total, 'quad')} in the "
              "store); each stored article is whole, the rest were not stored. Run the same ingest again to go "
              "on: the articles stored already are skipped as unchanged.", file=sys.stderr)
    else:
        print(f"Stored {len(result.stored)} of {plural(read, 'article')} from {plural(len(files), 'file')} in "
              f"{settings.store} in {took:.1f} s ({plural(total, 'quad')} in the store).", file=sys.stderr)
    if result.unchanged:
        print(f"{plural(len(result.unchanged), 'article')} unchanged (stored already with the same text), not "
              "extracted again; --force re-ingests them.", file=sys.stderr)
    if result.duplicates:
        print(f"{plural(len(result.duplicates), 'article')} already stored under another name (the same text):",
              file=sys.stderr)
        for name, copy in result.duplicates:
            print(f"  {name} = {copy}", file=sys.stderr)
    if result.rejected:
        print(f"{plural(len(result.rejected), 'article')} rejected; the store keeps their previous version, if any:",
              file=sys.stderr)
        for _, message in result.rejected:
            print(f"  {message.splitlines()[0]}", file=sys.stderr)
    if interrupted:
        return 130
    return 1 if result.rejected else 0


def cmd_remove(args, settings: Settings) -> int:
    from ..store import embedded as store_mod
    from ..store.base import owned
    from ..ingest.pipeline import plural

    failed = 0
    with owned(settings, "communique remove") as store:
        base = (store_mod.minted_base(store) if settings.extra.get("base_iri_derived") else None) or settings.base_iri
        for ident in args.ids:
            iri = ident if ident.startswith(("http://", "https://")) else f"{base}id/article/{ident}"
            try:
                removed = store_mod.remove_article(store, iri)
            except (ValueError, SyntaxError) as exc:
                raise CommuniqueError(f"{ident}: not an article id: {exc}") from None
            if removed is None:
                print(f"{ident}: no article <{iri}> in {settings.store}; nothing removed", file=sys.stderr)
                failed += 1
                continue
            gone = removed["entities"]
            note = f", and {plural(len(gone), 'entity', 'entities')} no other article uses: " + ", ".join(
                g.split("/id/", 1)[-1] for g in gone) if gone else ""
            print(f"Removed <{iri}> ({plural(removed['triples'], 'triple')}){note}.", file=sys.stderr)
    return 1 if failed else 0


def _read_query(text: str) -> str:
    if text == "-":
        return sys.stdin.read()
    if text.startswith("@"):
        try:
            return Path(text[1:]).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommuniqueError(f"cannot read the query from {text[1:]}: {exc}") from None
    return text


def cmd_query(args, settings: Settings) -> int:
    import pyoxigraph as ox

    from ..web import negotiation as neg
    from ..store import embedded as store_mod
    from ..errors import QuerySyntaxError

    query = _read_query(args.sparql)
    if settings.remote:
        return _remote_query(query, args, settings)
    if not Path(settings.store).exists():
        raise CommuniqueError(f"there is no store at {settings.store}; run `communique ingest` first")
    with store_mod.owned(settings.store, "communique query") as store:
        try:
            result = store.query(query, use_default_graph_as_union=True)
        except SyntaxError as exc:
            raise QuerySyntaxError(f"the query is not valid SPARQL: {exc}") from None
        out = sys.stdout.buffer
        try:
            if isinstance(result, ox.QueryTriples):  # the server's names and aliases (negotiation.py)
                media = _format(args.format or "turtle", neg.GRAPHS, "graph")
                result.serialize(out, ox.RdfFormat.from_media_type(media))
            else:
                media = _format(args.format or "tsv", neg.RESULTS, "results")
                result.serialize(out, ox.QueryResultsFormat.from_media_type(media))
        except OSError as exc:
            raise CommuniqueError(f"the query failed: {exc}") from None
        out.flush()
    return 0


def _remote_query(query: str, args, settings: Settings) -> int:
    """``communique query`` on a remote store: the same limits and checks as /sparql, the same formats."""
    from ..web import negotiation as neg
    from ..store import federation, sparql_text
    from ..store.remote import RemoteService

    sparql_text.check_limits(query)
    service = RemoteService(settings)
    try:
        if sparql_text.mentions(query, "service"):
            services, loads, unprovable = service.analyse(query, False)
            try:
                federation.check(federation.Remote(services, loads, unprovable), (), (), False)
            except federation.Refused as exc:
                raise CommuniqueError(str(exc)) from None
        graphs = sparql_text.query_form(query) in ("CONSTRUCT", "DESCRIBE")
        media = (_format(args.format or "turtle", neg.GRAPHS, "graph") if graphs
                 else _format(args.format or "tsv", neg.RESULTS, "results"))
        result = service.query(query, {"solutions": media, "boolean": media, "triples": media})
        out = sys.stdout.buffer
        for chunk in result.chunks:
            out.write(chunk)
        out.flush()
    finally:
        service.close()
    return 0


def _format(name: str, table, what: str) -> str:
    from ..web import negotiation as neg
    from ..errors import BadRequest, NotAcceptable

    try:
        return neg.choose(None, table, name).media_type
    except NotAcceptable:
        raise BadRequest(f"--format {name} is not a {what} format: use one of "
                         + ", ".join(f.name for f in table)) from None


def cmd_export(args, settings: Settings) -> int:
    from . import export
    from ..store import embedded as store_mod
    from ..ingest.pipeline import plural

    if not Path(settings.store).exists():
        raise CommuniqueError(f"there is no store at {settings.store}; run `communique ingest` first")
    with store_mod.owned(settings.store, "communique export") as store:
        base = (store_mod.minted_base(store) if settings.extra.get("base_iri_derived") else None) or settings.base_iri
        reader = export.StoreReader(store)
        if args.output == "-":
            n = export.write(reader, args.kind, args.format, sys.stdout, base)
            sys.stdout.flush()
        else:
            try:
                with open(args.output, "w", encoding="utf-8", newline="") as out:
                    n = export.write(reader, args.kind, args.format, out, base)
            except OSError as exc:
                raise CommuniqueError(f"cannot write {args.output}: {exc}") from None
    one, many = {"meetings": ("meeting", None), "positions": ("position", None),
                 "entities": ("entity", "entities")}[args.kind]
    print(f"Exported {plural(n, one, many)} as {args.format.upper()}.", file=sys.stderr)
    return 0


def cmd_link(args, settings: Settings) -> int:
    from mappings.gazetteer import GazetteerError, load as load_gazetteer

    from . import link as linking
    from . import wikidata as wd
    from ..ingest.pipeline import plural

    if args.accept:
        if args.paths:
            raise CommuniqueError("--accept takes a review file, not articles")
        try:
            done = linking.accept(args.accept, settings.gazetteer, settings.wikidata_api)
        except GazetteerError as exc:
            raise CommuniqueError(f"the gazetteer has errors, nothing was accepted: {exc}") from None
        if not done:
            print(f"Nothing to accept in {args.accept}: no entry says `accept: true` or `accept: Q…`.",
                  file=sys.stderr)
            return 0
        for a in done:
            print(f"  {a.type.lower()}/{a.id} = {a.qid}  ({'new entry in' if a.new else 'added to'} {a.file})",
                  file=sys.stderr)
        print(f"Accepted {plural(len(done), 'link')} into {settings.gazetteer}; the next extraction or ingest links "
              "them (owl:sameAs).", file=sys.stderr)
        return 0
    if args.limit is not None and args.limit <= 0:
        raise CommuniqueError("--limit must be greater than 0")
    try:
        gazetteer = load_gazetteer(settings.gazetteer)
    except GazetteerError as exc:
        raise CommuniqueError(str(exc)) from None
    types = tuple(dict.fromkeys(args.types)) if args.types else linking.TYPES
    failed = 0
    if args.paths:
        import pyoxigraph as ox

        from ..ingest.pipeline import Pipeline, article_files

        pipeline = Pipeline(settings)
        memory = ox.Store()
        bad = []
        for _, graph in _extracted(pipeline, article_files(args.paths), "link", bad):
            memory.load(graph.serialize(format="nt").encode("utf-8"), ox.RdfFormat.N_TRIPLES,
                        to_graph=ox.NamedNode(f"urn:communique:link:{len(memory)}"))
        failed = len(bad)
        subjects = linking.subjects(memory, gazetteer, types)
        if failed and not subjects:
            return 1
    else:
        from ..store import embedded as store_mod

        if not Path(settings.store).exists():
            raise CommuniqueError(f"there is no store at {settings.store}; run `communique ingest` first, "
                                  "or give the articles to link")
        with store_mod.owned(settings.store, "communique link") as store:
            subjects = linking.subjects(store, gazetteer, types)
    if args.limit:
        subjects = subjects[:args.limit]
    if not subjects:
        print("Every entity has a Wikidata QID already (or there is none): nothing to propose.", file=sys.stderr)
        return 0
    client = wd.Client(settings.wikidata_api, settings.wikidata_rate, settings.wikidata_cache,
                       settings.wikidata_contact)

    def progress(n, subject, proposal):
        shown = {"proposed": f"proposed {proposal.proposed}", "ambiguous": "ambiguous: "
                 + ", ".join(c.qid for c in proposal.candidates if c.plausible), "none": "no plausible candidate"
                 if proposal.candidates else "no candidate found"}
        print(f"[{n}/{len(subjects)}] {subject.path} ({subject.label}): {shown[proposal.status]}", file=sys.stderr)

    try:
        proposals = linking.link(client, subjects, progress=progress)
    except wd.WikidataError as exc:
        raise CommuniqueError(f"{exc}. No review file was written; the answers received so far are cached in "
                              f"{settings.wikidata_cache}.") from None
    finally:
        client.close()
    try:
        linking.write_review(args.output, proposals, settings.wikidata_api)
    except OSError as exc:
        raise CommuniqueError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    counts = {s: sum(p.status == s for p in proposals) for s in ("proposed", "ambiguous", "none")}
    print(f"{plural(len(proposals), 'entity', 'entities')}: {counts['proposed']} proposed, {counts['ambiguous']} "
          f"ambiguous, {counts['none']} without a plausible candidate; {plural(client.sent, 'request')} sent to "
          f"{settings.wikidata_api} (the rest from the cache). Review {args.output}, then run "
          f"`communique link --accept {args.output}`.", file=sys.stderr)
    return 1 if failed else 0  # an article that could not be read: its entities are missing from the review


def cmd_validate(args, settings: Settings) -> int:
    from mappings import ArticleError

    from ..errors import ArticleRejected
    from ..ingest.pipeline import Pipeline, article_files, article_name, plural

    files = article_files(args.paths or [settings.seeds])
    pipeline = Pipeline(settings)
    bad = total = 0
    for path in files:
        for _, item in pipeline.read(path):
            total += 1
            if isinstance(item, ArticleError):
                bad += 1
                print(f"{item}")
                continue
            try:
                checked = pipeline.check_article(path, item)
                print(f"{article_name(item)}: conforms ({len(checked.graph)} triples)")
            except ArticleRejected as exc:
                bad += 1
                print(exc.message)
    print(f"{total - bad} of {total} articles conform to the shapes.", file=sys.stderr)
    return 1 if bad else 0


def cmd_serve(args, settings: Settings) -> int:
    import waitress

    from ..web.app import create_app
    from ..backend import Backend
    from ..ingest.pipeline import plural

    started = time.perf_counter()
    backend = Backend(settings).open(progress=True)
    try:
        if backend.seeded:
            print(f"Built the store from {plural(len(backend.seeded.stored), 'seed article')} "
                  f"({len(backend.seeded.rejected)} rejected).", file=sys.stderr)
        app = create_app(settings, backend)
        from ..web.pages import warm

        built = warm(app)
        print(f"Search indexes: {plural(built['names'][0], 'name')} in {built['names'][1] * 1000:.0f} ms, "
              f"the text of {plural(built['text'][0], 'article')} (SQLite FTS5) in {built['text'][1] * 1000:.0f} ms, "
              f"{plural(built['reconcile'][0], 'entity', 'entities')} to reconcile in "
              f"{built['reconcile'][1] * 1000:.0f} ms.", file=sys.stderr)
        print(f"communique is serving {settings.store} at http://{settings.host}:{settings.port}/ "
              f"(SPARQL at /sparql, IRIs under {settings.base_iri}; ready in {time.perf_counter() - started:.1f} s)."
              " Ctrl-C stops it.", file=sys.stderr)
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
        server = waitress.create_server(
            app, host=settings.host, port=settings.port, threads=settings.threads, ident="communique",
            # waitress refuses a body of max_request_body_size bytes or more: one more than ours, so a body
            # of exactly max_body is accepted and a larger one gets the app's 413 (waitress_errors)
            max_request_body_size=settings.max_body + 1,
            channel_request_lookahead=1)  # lets a query notice that its client went away
        waitress_errors(server, app)
        server.run()
    finally:
        backend.close()
    return 0


def waitress_errors(server, app) -> None:
    """Errors waitress answers itself (a body over max_body, a malformed request) in the app's error shape."""
    from waitress.channel import HTTPChannel
    from waitress.task import ErrorTask

    from ..web.app import handle_error

    class AppErrorTask(ErrorTask):
        def execute(self):
            e = self.request.error
            accept = self.request.headers.get("ACCEPT", "")
            message = e.body
            if e.code == 413:
                message = f"the request body is larger than the limit of {app.config['MAX_CONTENT_LENGTH']} bytes"
            with app.test_request_context(self.request.path or "/", headers={"Accept": accept}):
                response = handle_error(e.code, e.reason, message)
            body = response.get_data()
            self.status = f"{e.code} {e.reason}"
            self.response_headers.extend([("Content-Type", response.headers["Content-Type"]),
                                          ("Content-Length", str(len(body))), ("Connection", "close")])
            self.set_close_on_finish()
            self.content_length = len(body)
            self.write(body)

    class AppChannel(HTTPChannel):
        error_task_class = AppErrorTask

    from waitress.server import BaseWSGIServer

    # one server per listening socket: the server itself, or those a MultiSocketServer keeps in its map
    targets = [server] if isinstance(server, BaseWSGIServer) else \
        [x for x in getattr(server, "map", {}).values() if isinstance(x, BaseWSGIServer)]
    for target in targets:
        target.channel_class = AppChannel


COMMANDS = {"extract": cmd_extract, "ingest": cmd_ingest, "remove": cmd_remove, "query": cmd_query, "export": cmd_export,
            "link": cmd_link,
            "validate": cmd_validate, "serve": cmd_serve}

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
