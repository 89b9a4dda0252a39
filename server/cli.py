"""The `communique` command: extract, ingest, query, validate, serve."""
from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from .errors import CommuniqueError
from .settings import BY_NAME, SettingError, Settings

EXTRACT_FORMATS = {"nt": "nt", "turtle": "turtle", "ttl": "turtle", "trig": "trig", "json-ld": "json-ld",
                   "jsonld": "json-ld", "nquads": "nquads"}
QUERY_FORMATS = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                 "csv": "text/csv", "tsv": "text/tab-separated-values"}
GRAPH_FORMATS = {"turtle": "text/turtle", "nt": "application/n-triples", "json-ld": "application/ld+json",
                 "rdfxml": "application/rdf+xml", "trig": "application/trig", "nquads": "application/n-quads"}


def _setting_flags(parser: argparse.ArgumentParser, *names: str):
    for name in names:
        s = BY_NAME[name]
        parser.add_argument(s.flag, dest=name, default=None, type=s.type, metavar=name.upper(),
                            help=f"{s.help} Default {s.default}; environment {s.env}.")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="communique", description="Turn diplomacy news into a validated knowledge graph, and serve it.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("extract", help="print the graph of one or more articles (no store)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--format", default="turtle", choices=sorted(EXTRACT_FORMATS), help="output format")
    p.add_argument("--explain", action="store_true", help="print every fact with its sentence, span and rule")
    _setting_flags(p, "base_iri", "gazetteer", "rules")

    p = sub.add_parser("ingest", help="validate articles and store them (default: the seeds)")
    p.add_argument("paths", nargs="*", metavar="PATH", help="article files or directories of *.txt")
    _setting_flags(p, "store", "base_iri", "seeds", "gazetteer", "rules")

    p = sub.add_parser("query", help="run a SPARQL query against the store")
    p.add_argument("sparql", metavar="SPARQL", help="the query, @FILE to read it from a file, or - for stdin")
    p.add_argument("--format", default=None, help="json, xml, csv, tsv (results); turtle, nt, json-ld, "
                                                  "rdfxml, trig, nquads (graphs). Default: tsv or turtle")
    _setting_flags(p, "store")

    p = sub.add_parser("validate", help="extract articles and check them against the SHACL shapes")
    p.add_argument("paths", nargs="*", metavar="PATH", help="article files or directories (default: the seeds)")
    _setting_flags(p, "base_iri", "seeds", "gazetteer", "rules")

    p = sub.add_parser("serve", help="serve the SPARQL endpoint and Linked Data (builds an empty store from the seeds)")
    _setting_flags(p, "host", "port", "store", "base_iri", "seeds", "gazetteer", "rules", "query_timeout", "query_workers", "threads",
                   "max_body", "max_rows_html", "update_token", "service_allowlist", "load_allowlist",
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


def cmd_extract(args, settings: Settings) -> int:
    from mappings import ArticleError

    from mappings.explain import explain
    from .ingest import Pipeline, dataset

    pipeline = Pipeline(settings)
    graphs = []
    failed = 0
    for name in args.files:
        path = Path(name)
        try:
            extraction, graph = pipeline.extract(path)
        except (ArticleError, CommuniqueError) as exc:
            print(f"communique extract: {exc}", file=sys.stderr)
            failed += 1
            continue
        if args.explain:
            sys.stdout.write(explain(extraction))
        graphs.append(graph)
    if not args.explain and graphs:
        fmt = EXTRACT_FORMATS[args.format]
        if fmt in ("trig", "nquads", "json-ld"):
            sys.stdout.write(dataset(graphs).serialize(format=fmt))
        else:
            merged = graphs[0] if len(graphs) == 1 else _merge(graphs)
            sys.stdout.write(merged.serialize(format=fmt))
    return 1 if failed else 0


def _merge(graphs):
    from mappings import bind
    from rdflib import Graph

    out = bind(Graph())
    for g in graphs:
        out += g
    return out


def cmd_ingest(args, settings: Settings) -> int:
    from . import store as store_mod
    from .ingest import Pipeline, Progress, article_files

    files = article_files(args.paths or [settings.seeds])
    pipeline = Pipeline(settings)
    started = time.perf_counter()
    with store_mod.owned(settings.store, "communique ingest") as store:
        result = pipeline.ingest(store, files, Progress(len(files)))
        total = store_mod.count_quads(store)
    took = time.perf_counter() - started
    print(f"Stored {len(result.stored)} of {len(files)} articles in {settings.store} in {took:.1f} s "
          f"({total} quads in the store).", file=sys.stderr)
    if result.rejected:
        print(f"{len(result.rejected)} article(s) rejected; the store keeps their previous version, if any:",
              file=sys.stderr)
        for path, _ in result.rejected:
            print(f"  {path}", file=sys.stderr)
        return 1
    return 0


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

    from . import store as store_mod
    from .errors import BadRequest, QuerySyntaxError

    query = _read_query(args.sparql)
    if not Path(settings.store).exists():
        raise CommuniqueError(f"there is no store at {settings.store}; run `communique ingest` first")
    with store_mod.owned(settings.store, "communique query") as store:
        try:
            result = store.query(query, use_default_graph_as_union=True)
        except SyntaxError as exc:
            raise QuerySyntaxError(f"the query is not valid SPARQL: {exc}") from None
        out = sys.stdout.buffer
        try:
            if isinstance(result, ox.QueryTriples):
                media = GRAPH_FORMATS.get(args.format or "turtle")
                if media is None:
                    raise BadRequest(f"--format {args.format} is not a graph format: {', '.join(GRAPH_FORMATS)}")
                result.serialize(out, ox.RdfFormat.from_media_type(media))
            else:
                media = QUERY_FORMATS.get(args.format or "tsv")
                if media is None:
                    raise BadRequest(f"--format {args.format} is not a results format: {', '.join(QUERY_FORMATS)}")
                result.serialize(out, ox.QueryResultsFormat.from_media_type(media))
        except OSError as exc:
            raise CommuniqueError(f"the query failed: {exc}") from None
        out.flush()
    return 0


def cmd_validate(args, settings: Settings) -> int:
    from .errors import ArticleRejected
    from .ingest import Pipeline, article_files

    files = article_files(args.paths or [settings.seeds])
    pipeline = Pipeline(settings)
    bad = 0
    for path in files:
        try:
            checked = pipeline.check(path)
            print(f"{path.name}: conforms ({len(checked.graph)} triples)")
        except ArticleRejected as exc:
            bad += 1
            print(exc.message)
    print(f"{len(files) - bad} of {len(files)} articles conform to the shapes.", file=sys.stderr)
    return 1 if bad else 0


def cmd_serve(args, settings: Settings) -> int:
    import waitress

    from .app import create_app
    from .backend import Backend

    started = time.perf_counter()
    backend = Backend(settings).open(progress=True)
    try:
        if backend.seeded:
            print(f"Built the store from {len(backend.seeded.stored)} seed articles "
                  f"({len(backend.seeded.rejected)} rejected).", file=sys.stderr)
        app = create_app(settings, backend)
        print(f"communique is serving {settings.store} at http://{settings.host}:{settings.port}/ "
              f"(SPARQL at /sparql; ready in {time.perf_counter() - started:.1f} s). Ctrl-C stops it.",
              file=sys.stderr)
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

    from .app import handle_error

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


COMMANDS = {"extract": cmd_extract, "ingest": cmd_ingest, "query": cmd_query, "validate": cmd_validate,
            "serve": cmd_serve}

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
