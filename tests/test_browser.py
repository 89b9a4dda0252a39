"""A reader's path through the pages, in headless Debian Chromium against a real `communique serve`.

Home → search "Primakov" → his page → one of his meetings → the article, with
its mentions highlighted. Each step asserts on what is shown and saves a
screenshot under the test's tmp dir. `.ci/run` installs chromium and
chromium-driver; elsewhere the test is skipped when they are missing.
"""
from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")

if not (CHROMIUM and CHROMEDRIVER):
    if os.environ.get("CI"):
        raise RuntimeError("CI needs chromium and chromium-driver (.ci/run installs them)")
    pytest.skip("chromium and chromedriver are not installed (apt-get install chromium chromium-driver)",
                allow_module_level=True)

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=en-US"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def shot(driver, tmp_path, name: str):
    path = tmp_path / f"{name}.png"
    driver.save_screenshot(str(path))
    assert path.stat().st_size > 10_000
    return path


def wait(driver):
    return WebDriverWait(driver, 15)


def test_home_search_entity_meeting_article(browser, live, tmp_path):
    b = browser
    b.get(live.url + "/")
    assert b.find_element(By.TAG_NAME, "h1").text == "Diplomacy news, as a knowledge graph"
    counts = b.find_element(By.CSS_SELECTOR, "table.counts").text
    assert "Meeting" in counts and "Person" in counts
    box = b.find_element(By.ID, "q")
    box.click()
    assert b.execute_script("return getComputedStyle(arguments[0]).outlineStyle", box) != "none", "focus is visible"
    shot(b, tmp_path, "1-home")

    box.send_keys("Primakov", Keys.ENTER)
    wait(b).until(EC.url_contains("/search?q=Primakov"))
    first = b.find_element(By.CSS_SELECTOR, "ol.results li a")
    assert first.text == "Yevgeny Primakov"
    shot(b, tmp_path, "2-search")

    first.click()
    wait(b).until(EC.url_contains("/page/person/yevgeny-primakov"))
    assert b.find_element(By.TAG_NAME, "h1").text == "Yevgeny Primakov"
    header = b.find_element(By.CSS_SELECTOR, "header.entity").text
    assert "PERSON" in header.upper() and "Q270529" in header and "Prime Minister" in header
    meetings = b.find_elements(By.CSS_SELECTOR, "#h-meetings + ol.timeline li, section[aria-labelledby=h-meetings] ol.timeline li")
    assert len(meetings) >= 2
    timeline = b.find_element(By.CSS_SELECTOR, "section[aria-labelledby=h-meetings]").text
    assert "1999-02-23" in timeline and "Moscow" in timeline and "HELD" in timeline.upper()
    shot(b, tmp_path, "3-entity")

    link = next(a for a in b.find_elements(By.CSS_SELECTOR, "section[aria-labelledby=h-meetings] ol.timeline a")
                if "/page/meeting/" in a.get_attribute("href"))
    link.click()
    wait(b).until(EC.url_contains("/page/meeting/"))
    summary = b.find_element(By.CSS_SELECTOR, "dl.summary").text
    assert "Yevgeny Primakov" in summary and "PARTICIPANTS" in summary.upper()
    quote = b.find_element(By.CSS_SELECTOR, "figure.evidence blockquote")
    assert quote.find_element(By.TAG_NAME, "mark").text
    shot(b, tmp_path, "4-meeting")

    b.find_element(By.CSS_SELECTOR, "figure.evidence figcaption a[href*='/page/article/']").click()
    wait(b).until(EC.url_contains("/page/article/"))
    target = b.execute_script("return location.hash").lstrip("#")
    assert target.startswith("s-")
    sentence = b.find_element(By.ID, target)
    assert b.execute_script("return getComputedStyle(arguments[0]).backgroundColor", sentence) != "rgba(0, 0, 0, 0)", \
        "the evidence sentence is highlighted"
    mentions = b.find_elements(By.CSS_SELECTOR, ".text a.mention")
    assert len(mentions) > 30
    primakov = [m for m in mentions if m.get_attribute("href").endswith("/page/person/yevgeny-primakov")]
    assert primakov and primakov[0].text in ("Primakov", "Yevgeny Primakov")
    assert b.execute_script("return getComputedStyle(arguments[0]).backgroundColor", primakov[0]) != "rgba(0, 0, 0, 0)"
    assert "Conforms to the SHACL shapes" in b.find_element(By.CSS_SELECTOR, "header.entity").text
    shot(b, tmp_path, "5-article")

    # on a phone: one column, nothing wider than the screen
    b.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                      {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    try:
        for path in ("", "/page/person/yevgeny-primakov"):
            if path:
                b.get(live.url + path)
            assert b.execute_script("return window.innerWidth") == 390
            assert b.execute_script("return document.documentElement.scrollWidth") <= 390, "no sideways scrolling"
            shot(b, tmp_path, "6-phone" + path.replace("/", "-"))
    finally:
        b.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


YASGUI = __import__("pathlib").Path(__file__).resolve().parent.parent / "server" / "web" / "static" / "yasgui" / "yasgui.min.js"


@pytest.mark.skipif(not YASGUI.exists(), reason="YASGUI is not installed (make installs it)")
def test_query_this_in_sparql_opens_yasgui_with_the_query(browser, live, tmp_path):
    b = browser
    b.get(live.url + "/page/person/yevgeny-primakov")
    b.find_element(By.LINK_TEXT, "Query this in SPARQL").click()
    wait(b).until(EC.url_contains("/sparql"))
    wait(b).until(lambda d: "yevgeny-primakov" in d.execute_script(
        "const cm = document.querySelector('.CodeMirror'); return cm ? cm.CodeMirror.getValue() : ''"))
    shot(b, tmp_path, "sparql-prefilled")


@pytest.mark.skipif(not YASGUI.exists(), reason="YASGUI is not installed (make installs it)")
@pytest.mark.parametrize("width", [360, 400])
def test_sparql_page_fits_a_phone(browser, live, tmp_path, width):
    b = browser
    b.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                      {"width": width, "height": 800, "deviceScaleFactor": 1, "mobile": True})
    try:
        b.get(live.url + "/sparql")
        wait(b).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".yasqe_queryButton"))
        b.find_element(By.CSS_SELECTOR, ".yasqe_queryButton").click()
        wait(b).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".yasr table tbody tr")) > 3)
        assert b.execute_script("return window.innerWidth") == width
        scroll = b.execute_script("return document.documentElement.scrollWidth")
        shot(b, tmp_path, f"sparql-phone-{width}")
        assert scroll <= width, f"the SPARQL page is {scroll} px wide on a {width} px screen"
    finally:
        b.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_search_box_autocompletes(browser, live, tmp_path):
    b = browser
    b.get(live.url + "/")
    box = b.find_element(By.ID, "q")
    box.click()
    box.send_keys("Primak")
    wait(b).until(lambda d: d.find_elements(By.CSS_SELECTOR, "ul.complete li[role=option]"))
    assert box.get_attribute("aria-expanded") == "true"
    options = b.find_elements(By.CSS_SELECTOR, "ul.complete li[role=option]")
    assert options[0].text.startswith("Yevgeny Primakov")
    shot(b, tmp_path, "autocomplete")
    box.send_keys(Keys.ARROW_DOWN)
    assert box.get_attribute("aria-activedescendant") == options[0].get_attribute("id")
    box.send_keys(Keys.ENTER)
    wait(b).until(EC.url_contains("/page/person/yevgeny-primakov"))
    # the header's box on every other page, with a typo
    small = b.find_element(By.ID, "site-q")
    small.click()
    small.send_keys("talbot")
    wait(b).until(lambda d: d.find_elements(By.CSS_SELECTOR, "ul.complete li[role=option]"))
    first = b.find_elements(By.CSS_SELECTOR, "ul.complete li[role=option]")[0]
    assert first.text.startswith("Strobe Talbott")
    small.send_keys(Keys.ESCAPE)
    assert small.get_attribute("aria-expanded") == "false"
    small.send_keys(Keys.ENTER)  # without a highlighted suggestion, the form searches as before
    wait(b).until(EC.url_contains("/search?q=talbot"))


# --- the pictures: who met whom (cytoscape.js) and the timeline (SVG) -------------------------------------

SHOTS = __import__("pathlib").Path(__file__).resolve().parent / "screenshots"  # git-ignored
CYTOSCAPE = YASGUI.parent.parent / "cytoscape" / "cytoscape.min.js"


def keep(driver, name: str):
    """A screenshot kept in tests/screenshots/ (git-ignored), to look at after the run."""
    SHOTS.mkdir(exist_ok=True)
    path = SHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    assert path.stat().st_size > 10_000
    return path


def drawn(driver, box: str = "network") -> list[str]:
    """The labels of the nodes cytoscape drew in #box, once its layout is done."""
    wait(driver).until(lambda d: d.find_element(By.ID, box).get_attribute("data-ready"))
    return driver.execute_script(
        "return window.communiqueNetworks[arguments[0]].nodes().map(function (n) { return n.data('label'); })", box)


@pytest.mark.skipif(not CYTOSCAPE.exists(), reason="cytoscape.js is not installed (make installs it)")
def test_person_page_draws_who_met_whom_and_a_timeline(browser, live):
    import json

    b = browser
    b.get(live.url + "/page/person/yevgeny-primakov")
    data = json.loads(b.find_element(By.ID, "network-data").get_attribute("textContent"))
    labels = drawn(b)
    assert sorted(labels) == sorted(n["label"] for n in data["nodes"])
    assert "Yevgeny Primakov" in labels and "Strobe Talbott" in labels and "Bill Clinton" not in labels
    box = b.find_element(By.ID, "network")
    assert box.is_displayed() and box.size["height"] > 200
    assert b.execute_script("return document.querySelector('#network canvas') !== null"), "cytoscape drew a canvas"
    # the timeline: one mark per meeting in the list, drawn (not zero-sized) inside the chart
    items = b.find_elements(By.CSS_SELECTOR, "section[aria-labelledby=h-meetings] ol.timeline > li")
    marks = b.find_elements(By.CSS_SELECTOR, "#timeline .mark[data-lane=meetings]")
    assert len(marks) == len(items) >= 3
    assert all(m.size["width"] > 0 for m in marks)
    b.execute_script("document.getElementById('h-timeline').scrollIntoView()")
    keep(b, "person-timeline-network")
    # a node opens its page
    b.execute_script("window.communiqueNetworks.network.nodes().filter(function (n) {"
                     " return n.data('label') === 'Strobe Talbott'; }).emit('tap')")
    wait(b).until(EC.url_contains("/page/person/strobe-talbott"))


@pytest.mark.skipif(not CYTOSCAPE.exists(), reason="cytoscape.js is not installed (make installs it)")
def test_network_page_filters_by_date(browser, live):
    import json

    b = browser
    b.get(live.url + "/network")
    everyone = set(drawn(b))
    all_marks = len(b.find_elements(By.CSS_SELECTOR, "#network-timeline .mark"))
    keep(b, "network-all")
    b.find_element(By.ID, "from").send_keys("1999-05")
    b.find_element(By.ID, "to").send_keys("1999-11-18", Keys.ENTER)
    wait(b).until(EC.url_contains("to=1999-11-18"))
    some = set(drawn(b))
    data = json.loads(b.find_element(By.ID, "network-data").get_attribute("textContent"))
    assert some == {n["label"] for n in data["nodes"]} and some < everyone
    assert "Strobe Talbott" in some and "Yevgeny Primakov" not in some, "February and March are out of range"
    rows = b.find_elements(By.CSS_SELECTOR, "table.meetings-list tbody tr")
    marks = b.find_elements(By.CSS_SELECTOR, "#network-timeline .mark")
    assert len(marks) == len(rows) < all_marks
    assert all("1999-05" <= m.get_attribute("data-date")[:7] <= "1999-11" for m in marks)
    keep(b, "network-1999-05-to-1999-11-18")


def without_javascript():
    """A headless Chromium with JavaScript switched off (a fresh one: the setting is per browser)."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-dev-shm-usage", "--window-size=1280,1000", "--blink-settings=scriptEnabled=false"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    return webdriver.Chrome(service=webdriver.ChromeService(executable_path=CHROMEDRIVER), options=options)


def test_pictures_without_javascript(live):
    """With JavaScript off the network is its table of pairs, and the timeline (SVG, no script) still shows."""
    driver = without_javascript()
    try:
        driver.get(live.url + "/page/person/yevgeny-primakov")
        assert not driver.find_element(By.ID, "network").is_displayed(), "no empty box where the drawing would be"
        pairs = driver.find_element(By.ID, "network-pairs")
        assert pairs.is_displayed() and "Strobe Talbott" in pairs.text
        chart = driver.find_element(By.CSS_SELECTOR, "#timeline svg")
        assert chart.is_displayed() and chart.size["width"] > 300
        keep(driver, "person-no-javascript")
    finally:
        driver.quit()


# --- the map of meeting places (server-rendered SVG over world-atlas outlines) ------------------------

WORLD = YASGUI.parent.parent / "world" / "countries-110m.geojson"


def centre(driver, iri: str) -> tuple[float, float]:
    """Where a marker is drawn on the page (its box's centre, in CSS pixels)."""
    box = driver.execute_script("var r = document.querySelector('circle.marker[data-iri=\"' + arguments[0] + '\"]')"
                                ".getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2, r.width];",
                                iri)
    assert box[2] > 4, "drawn, not zero-sized"
    return box[0], box[1]


@pytest.mark.skipif(not WORLD.exists(), reason="the world outline is not installed (make installs it)")
def test_map_draws_meeting_places_where_they_are_and_a_marker_opens_its_page(browser, live):
    import json
    import urllib.request

    with urllib.request.urlopen(live.url + "/map?format=json", timeout=30) as r:
        places = json.load(r)["places"]
    located = [p for p in places if p["lat"] is not None]
    b = browser
    b.get(live.url + "/")
    b.find_element(By.CSS_SELECTOR, "nav a[href='/map']").click()
    wait(b).until(EC.url_contains("/map"))
    svg = b.find_element(By.CSS_SELECTOR, "#map svg")
    assert svg.is_displayed() and svg.size["width"] > 600
    land = b.find_element(By.CSS_SELECTOR, "#map use.land")
    assert land.size["width"] > 0.95 * svg.size["width"], "the world's outline spans the map"
    markers = b.find_elements(By.CSS_SELECTOR, "#map circle.marker")
    assert len(markers) == len(located) >= 5
    # the markers are where the places are: east is right, north is up, as on any map
    iri = {p["href"].rsplit("/", 1)[-1]: p["iri"] for p in located}
    oslo, moscow, helsinki = (centre(b, iri[s]) for s in ("oslo", "moscow", "helsinki"))
    washington, belgrade = centre(b, iri["washington"]), centre(b, iri["belgrade"])
    assert washington[0] < oslo[0] < helsinki[0] < moscow[0]
    assert helsinki[1] < moscow[1] < belgrade[1] and oslo[1] < belgrade[1]
    # the more meetings, the larger the marker (Moscow: 3, Oslo: 1)
    radius = {p["iri"]: b.find_element(By.CSS_SELECTOR, f"circle.marker[data-iri='{p['iri']}']").size["width"]
              for p in located}
    assert radius[iri["moscow"]] > radius[iri["oslo"]]
    table = b.find_element(By.ID, "map-places")
    assert "Istanbul" in table.text and "not on the map" in table.text
    keep(b, "map-all")
    b.execute_script("document.querySelector('circle.marker[data-iri=\"' + arguments[0] + '\"]')"
                     ".dispatchEvent(new MouseEvent('click', {bubbles: true}))", iri["moscow"])
    wait(b).until(EC.url_contains("/page/place/moscow"))
    b.execute_script("document.getElementById('h-map').scrollIntoView()")
    assert b.find_element(By.CSS_SELECTOR, "#place-map circle.marker").is_displayed()
    keep(b, "place-moscow-map")


@pytest.mark.skipif(not WORLD.exists(), reason="the world outline is not installed (make installs it)")
def test_state_page_map_is_zoomed_and_shows_without_javascript(live):
    driver = without_javascript()
    try:
        driver.get(live.url + "/page/state/russia")
        chart = driver.find_element(By.CSS_SELECTOR, "#place-map svg")
        assert chart.is_displayed() and chart.size["width"] > 300
        marker = driver.find_element(By.CSS_SELECTOR, "#place-map circle.marker")
        assert marker.get_attribute("data-iri").endswith("/place/moscow") and marker.size["width"] > 4
        table = driver.find_element(By.ID, "place-map-places")
        assert "Moscow" in table.text and "Moscow Kremlin" in table.text
        driver.execute_script("document.getElementById('h-map').scrollIntoView()")
        keep(driver, "state-russia-map-no-javascript")
    finally:
        driver.quit()


def test_treaty_page_draws_positions_over_time(browser, live):
    b = browser
    b.get(live.url + "/page/treaty/abm-treaty")
    chart = b.find_element(By.CSS_SELECTOR, "#timeline svg")
    assert chart.is_displayed() and chart.size["width"] > 300
    items = b.find_elements(By.CSS_SELECTOR, "section[aria-labelledby=h-over-time] ol.timeline > li")
    marks = b.find_elements(By.CSS_SELECTOR, "#timeline .mark")
    assert len(marks) == len(items) >= 3 and all(m.size["width"] > 0 for m in marks)
    lanes = [t.text for t in b.find_elements(By.CSS_SELECTOR, "#timeline .lane-label")]
    assert "Russia" in lanes and len(lanes) == len(set(lanes))
    words = b.find_elements(By.CSS_SELECTOR, "#timeline .mark-text")
    assert len(words) == len(marks) and all(w.size["width"] > 0 for w in words)
    assert "revision" in [w.text for w in words]
    # a mark's word is drawn after it, on its row, and runs into no other mark of its lane
    boxes = b.execute_script("""return Array.from(document.querySelectorAll('#timeline .mark')).map(function (m) {
        var r = m.getBoundingClientRect(), t = m.parentNode.querySelector('.mark-text').getBoundingClientRect();
        return {lane: m.getAttribute('data-lane'), l: r.left, r: t.right, t: r.top, b: r.bottom}; });""")
    for i, a in enumerate(boxes):
        for c in boxes[i + 1:]:
            if a["lane"] == c["lane"]:
                assert a["r"] <= c["l"] or c["r"] <= a["l"] or a["b"] <= c["t"] or c["b"] <= a["t"], (a, c)
    b.execute_script("document.getElementById('h-timeline').scrollIntoView()")
    keep(b, "treaty-abm-timeline")
