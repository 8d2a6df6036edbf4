"""The second parser's model of a revision follows chains of indirect objects -- the /Next
links of an outline (bookmarks), each item an object of its own -- one Python frame pair
per link: a document with 300 bookmarks is modelled, not turned away by Python's recursion
limit as a revision that "can't be parsed independently" (the model took three frames per
link before, and four for a while: 250 and 200 bookmarks failed)."""

from __future__ import annotations

import io

import pikepdf

from zvhsign.pdf.structure_model import doc_model


def _with_outline(items: int) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    outline = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Outlines, Count=items))
    marks = [pdf.make_indirect(pikepdf.Dictionary(Title=pikepdf.String(f"Artikel {i + 1}"), Parent=outline))
             for i in range(items)]
    for a, b in zip(marks, marks[1:]):
        a.Next, b.Prev = b, a
    outline.First, outline.Last = marks[0], marks[-1]
    pdf.Root.Outlines = outline
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _titles(canon) -> list[bytes]:
    """The bookmark titles in a canonical outline, following /First and /Next."""
    titles, node = [], dict(dict(canon[1])["/First"][1])
    while True:
        titles.append(node["/Title"][1])
        if "/Next" not in node:
            return titles
        node = dict(node["/Next"][1])


def test_an_outline_of_300_bookmarks_is_modelled():
    with pikepdf.open(io.BytesIO(_with_outline(300))) as pdf:
        model = doc_model(pdf)
    titles = _titles(model.catalog["/Outlines"])
    assert titles == [f"Artikel {i + 1}".encode() for i in range(300)]


def test_the_model_sees_a_changed_bookmark_deep_in_the_chain():
    data = _with_outline(300)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        before = doc_model(pdf)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        node = pdf.Root.Outlines.First
        for _ in range(250):
            node = node.Next
        node.Title = pikepdf.String("Artikel 251 (gewijzigd)")
        changed = doc_model(pdf)
    assert before.catalog != changed.catalog
    assert _titles(changed.catalog["/Outlines"])[250] == b"Artikel 251 (gewijzigd)"
