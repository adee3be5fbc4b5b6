"""Tests of reports.run_report on a short simulated run of the baseline example: the HTML is
self-contained, complete and escaped, and it renders with its images in headless Chromium."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from reports.run_figures import run_pngs
from reports.run_report import SECTIONS, write_report
from scenarios.loader import load
from tests.reports.conftest import BASELINE, CHROMIUM, SEED, SHORT, chromium

STEMS = (
    "p_breach",
    "weekly_risk",
    "staffing_risk",
    "net_credit",
    "net_credit_hist",
    "clause_kpis",
    "sl_heatmap",
    "interval_sl",
    "staffing",
    "headcount",
)
"""The figures of the report, in section order (``staffing_risk`` is drawn by the report from
its answer, the others by ``run_pngs``)."""
DATA_URI = re.compile(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"')


@pytest.fixture(scope="module")
def pngs(run) -> dict[str, bytes]:
    return run_pngs(**run)


@pytest.fixture(scope="module")
def report(run, pngs, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("report") / "report.html"
    return write_report(path, **run, seed=SEED, pngs=pngs)


@pytest.fixture(scope="module")
def page(report) -> str:
    return report.read_text(encoding="utf-8")


def test_the_page_is_self_contained(page):
    lowered = page.lower()
    for reference in ("http:", "https:", "file:", "url(", "@import", "<link", "<script"):
        assert reference not in lowered, reference
    sources = re.findall(r'\bsrc="([^"]*)"', page)
    assert sources and all(source.startswith("data:image/png;base64,") for source in sources)
    links = re.findall(r'\bhref="([^"]*)"', page)
    assert links == [f"#{key}" for key, _ in SECTIONS[1:]]


def test_every_section_and_clause_is_there(page, run):
    for key, title in SECTIONS:
        assert f'<section id="{key}"><h2>{title}</h2>' in page.replace("&#x27;", "'")
    clause_table = page.split('id="clauses"')[1].split("</section>")[0]
    for clause in run["scenario"].contract.clauses:
        assert f"<td>{clause.id}</td>" in clause_table
    for channel in run["scenario"].channels:
        assert f"<th>{channel}</th>" in page
    assert "Acme Outsourcing" in page and "Erlang A" in page and "chat approximation" in page


def test_scenario_text_is_escaped(page):
    assert "<script>" not in page and "<b>Tom" not in page
    assert "&lt;b&gt;Tom &amp; Jerry&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_images_decode_as_png(page):
    encoded = DATA_URI.findall(page)
    assert len(encoded) == len(STEMS)
    for data in encoded:
        image = Image.open(io.BytesIO(base64.b64decode(data, validate=True)))
        assert image.format == "PNG"
        assert image.width >= 1000 and image.height >= 300


def test_numbers_in_the_report_come_from_the_tables(page, run):
    totals = run["totals"]
    fee = totals.groupby("replication")["fee_eur"].sum().mean()
    assert f'<td>fee</td><td class="num">{fee:,.0f}<br>' in page
    penalty = run["evaluation"].groupby("replication")["penalty_eur"].sum().mean()
    row = page.split("<td>penalties</td>")[1].split("</tr>")[0]
    assert row.startswith(f'<td class="num">{penalty:,.0f}')


def test_given_pngs_are_embedded_in_section_order(page, pngs):
    embedded = [base64.b64decode(data) for data in DATA_URI.findall(page)]
    drawn = [pngs[stem] for stem in STEMS if stem != "staffing_risk"]
    assert [png for png in embedded if png in drawn] == drawn
    assert len(embedded) == len(drawn) + 1 and "staffing_risk" not in pngs


def test_a_scenario_without_contract_says_so_and_draws_its_figures(run, tmp_path):
    scenario = load(BASELINE, overrides=[*SHORT, "contract=null"])
    path = write_report(tmp_path / "r.html", scenario, run["plan"], run["kpis"], seed=SEED)
    page = path.read_text()
    for key, _ in SECTIONS:
        assert f'<section id="{key}">' in page
    assert page.count("The scenario has no contract") == 9  # the answer and 8 sections
    encoded = DATA_URI.findall(page)
    assert len(encoded) == 4  # heatmap, weekday profile, staffing, headcount
    assert all(base64.b64decode(data).startswith(b"\x89PNG") for data in encoded)


_PROBE = (
    '<script>addEventListener("load", () => { const all = [...document.images]; '
    "const ok = all.filter(image => image.complete && image.naturalWidth > 0); "
    'document.body.setAttribute("data-images-loaded", ok.length + "/" + all.length); });'
    "</script></body>"
)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
def test_chromium_renders_the_page_with_its_images(report, tmp_path):
    screenshot = tmp_path / "report.png"
    chromium(
        f"--screenshot={screenshot}",
        "--window-size=1200,3000",
        report.as_uri(),
        profile=tmp_path / "profile",
    )
    image = np.asarray(Image.open(screenshot).convert("RGB"), dtype=np.int64)
    assert image.shape == (3000, 1200, 3)
    ink = (image.sum(axis=2) < 600).mean()
    assert ink > 0.02, f"the screenshot is nearly blank ({ink:.2%} dark pixels)"
    heading_blue = (np.abs(image - [0, 114, 178]).sum(axis=2) < 40).sum()
    assert heading_blue > 500, "no heading rule or plot line in the screenshot"
    # a copy with a probe that records which images decoded, and one broken image as a control
    probe = tmp_path / "probe.html"
    broken = '<img src="data:image/png;base64,AAAA" alt="broken">'
    probe.write_text(report.read_text().replace("</body>", broken + _PROBE), encoding="utf-8")
    dom = chromium("--dump-dom", probe.as_uri(), profile=tmp_path / "profile").stdout
    loaded = f"{len(STEMS)}/{len(STEMS) + 1}"
    assert f'data-images-loaded="{loaded}"' in dom  # every figure, not the broken control


def test_a_kpi_table_without_interval_rows_says_so(run, tmp_path):
    kpis = run["kpis"][run["kpis"]["period_kind"] != "interval"]
    tables = {**run, "kpis": kpis}
    page = write_report(tmp_path / "r.html", **tables, seed=SEED).read_text()
    for key in ("sl-heatmap", "interval-service-level", "worst-intervals"):
        section = page.split(f'<section id="{key}">')[1].split("</section>")[0]
        assert "holds no interval rows" in section and "<img" not in section
    assert len(DATA_URI.findall(page)) == len(STEMS) - 2  # no heatmap, no weekday profile
