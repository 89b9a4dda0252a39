/* Who met whom, drawn with cytoscape.js (pinned in package-lock.json, served from /static/cytoscape/).
 *
 * Each <div data-network="ID"> gets the graph in <script type="application/json" id="ID">: a node per
 * participant (sized by meetings, coloured by type, the entity of the page ringed), an edge per pair
 * who met (as thick as how often). Clicking a node or an edge opens its page. The table of pairs under
 * it says the same in words and is all there is without JavaScript. Labels are set as data, never HTML.
 */
(function () {
  "use strict";
  var COLOURS = { Person: "#1a4d8f", State: "#b35c1e", Organization: "#3d7a2a", Place: "#8a7a2a" };

  function draw(box) {
    var source = document.getElementById(box.getAttribute("data-network"));
    if (!source || typeof cytoscape !== "function") { return; }
    var net = JSON.parse(source.textContent);
    if (!net.nodes.length) { return; }
    box.hidden = false;
    var most = Math.max.apply(null, net.nodes.map(function (n) { return n.meetings; }).concat([1]));
    var elements = net.nodes.map(function (n) {
      return { group: "nodes", data: { id: n.id, label: n.label, type: n.type, href: n.href, meetings: n.meetings,
                                       size: 18 + 22 * n.meetings / most }, classes: n.center ? "center" : "" };
    }).concat(net.edges.map(function (e) {
      var first = e.meetings.length ? e.meetings[0].href : "";
      return { group: "edges", data: { id: e.id, source: e.source, target: e.target, count: e.count, href: first,
                                       width: 1.5 + 2.5 * Math.min(e.count, 6) / 2 } };
    }));
    var cy = cytoscape({
      container: box,
      elements: elements,
      wheelSensitivity: 0.3,
      style: [
        { selector: "node", style: {
          "background-color": function (n) { return COLOURS[n.data("type")] || "#5f6368"; },
          "width": "data(size)", "height": "data(size)", "label": "data(label)",
          "font-family": "system-ui, sans-serif", "font-size": 11, "color": "#1d1d1f",
          "text-valign": "bottom", "text-margin-y": 4, "text-background-color": "#fdfcf9",
          "text-background-opacity": 0.85, "text-background-padding": 1 } },
        { selector: "node.center", style: { "border-width": 4, "border-color": "#f0b429" } },
        { selector: "edge", style: { "width": "data(width)", "line-color": "#9a968c", "curve-style": "bezier",
                                     "opacity": 0.8 } },
        { selector: ":selected", style: { "border-width": 3, "border-color": "#7a1f1f", "line-color": "#7a1f1f" } }
      ],
      layout: { name: net.nodes.length > 1 ? "cose" : "grid", animate: false, randomize: false, padding: 24,
                nodeRepulsion: function () { return 9000; }, idealEdgeLength: function () { return 80; } }
    });
    cy.on("tap", "node, edge", function (evt) {
      var href = evt.target.data("href");
      if (href) { window.location.assign(href); }
    });
    box.setAttribute("data-ready", String(cy.nodes().length));
    window.communiqueNetworks = window.communiqueNetworks || {};
    window.communiqueNetworks[box.id] = cy;
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-network]"), draw);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
