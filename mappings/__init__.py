"""mappings: from article text to an RDF graph, by rules and a gazetteer that are data.

    >>> from mappings import Engine, read_article, to_graph, IRIs
    >>> engine = Engine()
    >>> graph = to_graph(engine.extract(read_article("seeds/000_684714e08cb29c29.txt")), IRIs())

This package does no I/O beyond reading its own data files and the article;
it knows nothing of the store or of HTTP.
"""
from .engine import Engine, Extraction
from .gazetteer import GazetteerError
from .graph import DEFAULT_BASE, DIP, IRIs, OA, PREFIXES, SCHEMA, WD, bind, entities_graph_name, to_graph, to_graphs
from .rules import RuleError
from . import readers
from .readers import parse_article, read, read_article
from .text import ArticleError

__all__ = ["Engine", "Extraction", "ArticleError", "GazetteerError", "RuleError", "IRIs", "DEFAULT_BASE",
           "DIP", "OA", "SCHEMA", "WD", "PREFIXES", "bind", "to_graph", "to_graphs", "entities_graph_name", "parse_article", "read", "read_article"]
