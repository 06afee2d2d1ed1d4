"""Reading widgets' HTML in tests: the cells of every <table class=...>."""

from html.parser import HTMLParser


class _Tables(HTMLParser):
    def __init__(self, line_break):
        super().__init__()
        self.line_break = line_break
        self.tables, self._table, self._cell = {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._table = self.tables.setdefault(attrs.get("class"), [])
        elif tag == "tr" and self._table is not None:
            self._table.append([])
        elif tag == "td" and self._table is not None:
            self._cell = [attrs.get("class") or "", []]
        elif tag == "br" and self._cell is not None:
            self._cell[1].append(self.line_break)

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self._table[-1].append((self._cell[0], "".join(self._cell[1]).strip()))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[1].append(data)


def html_tables(value, line_break=""):
    """``{table class: rows}``, each row a list of ``(td class, text)``; ``<br>`` becomes ``line_break``."""
    parser = _Tables(line_break)
    parser.feed(value)
    return parser.tables
