"""A copy whose PDF names hold bytes that are not UTF-8, uploaded to the page: the result
page and the copy's JSON download are written whole, the bytes shown as ``#C4``."""

from __future__ import annotations

import json
import re

import pytest

pytestmark = pytest.mark.xdist_group("web")


def test_the_page_and_its_json_name_the_bytes(approved, signed_convenant):
    from starlette.testclient import TestClient

    from tests.services.test_undecodable_names import _with_undecodable_key
    from zvhsign.web import create_app

    odd = _with_undecodable_key(signed_convenant.read_bytes())
    c = TestClient(create_app(approved.ws, None), base_url="http://127.0.0.1", follow_redirects=False)
    token = re.search(r'name="csrf" value="([^"]+)"', c.get("/inname").text).group(1)
    r = c.post("/inname", data={"csrf": token},
               files=[("bestanden", ("kopie.pdf", odd, "application/pdf"))])
    assert r.status_code == 303, r.text
    result = c.get(r.headers["location"])
    assert result.status_code == 200
    result.content.decode("utf-8")  # strict
    mine = c.get(r.headers["location"] + "/kopie/0.json")
    assert mine.status_code == 200
    doc = json.loads(mine.content.decode("utf-8"))
    assert doc["status"] == "FAILED"
    assert any("/ZVH#C4ocumentId" in d for x in doc["findings"] for d in x.get("details", []))
