/* borderzone dashboard: the border zones and the decisions in force at a chosen moment.
 * Every request goes to this host: each layer is an OGC API collection, read from
 * /ogc/collections/{id}/items with the vendor parameter `zoom` (geometry simplified for
 * drawing); a base map is drawn only when configured. Data is put into the page with
 * textContent, never as HTML.
 * GeoJSON is (lon, lat); Leaflet's L.geoJSON flips to (lat, lon) itself. */
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("bz-config").textContent);
  const STYLE = {
    land_border: { color: "#d7191c", weight: 2.5 },
    land_border_communes: { color: "#1f4e79", weight: 1, fillOpacity: 0.06 },
    belt: { color: "#c00000", weight: 0.5, fillColor: "#e34a33", fillOpacity: 0.4 },
    sea_border_area: { color: "#2b8cbe", weight: 0.8, fillOpacity: 0.12 },
    prohibited_zones: { color: "#7a0177", weight: 1.5, fillOpacity: 0.45 },
    sea_zones: { color: "#dd3497", weight: 1.2, fillOpacity: 0.3 },
    gates: { radius: 6, color: "#222", weight: 1, fillColor: "#fed976", fillOpacity: 1 },
    checkpoint_areas: { color: "#e6a700", weight: 1.2, fillOpacity: 0.35 },
    decisions: { color: "#ff7f00", weight: 2.5, dashArray: "6 4", fillOpacity: 0.3 },
  };
  const LABELS = {
    number: "Số / No.", activities: "Hoạt động / Activities",
    issuer_unit: "Ban hành / Issuer", issuer_role: "Chức vụ / Role",
    valid_from: "Từ / From", valid_to: "Đến / To", scope: "Phạm vi / Scope",
    name: "Tên / Name", code: "Mã / Code", depth_m: "Chiều sâu (m) / Depth (m)",
    instrument: "Văn bản / Instrument", neighbours: "Giáp / Borders", legal_basis:
    "Căn cứ / Legal basis", border_len_m: "Dài biên giới (m) / Border length (m)",
  };
  const params = new URLSearchParams(location.search);
  const bz = (window.bz = { generation: 0, ready: false, counts: {}, decisions: [],
                            errors: [] });
  const $ = (id) => document.getElementById(id);

  // ------------------------------------------------------------------ time controls
  function hanoiLocal(ms) { // "YYYY-MM-DDTHH:MM" in Hanoi time (UTC+07:00, no DST)
    return new Date(ms + 7 * 3600e3).toISOString().slice(0, 16);
  }
  const nowMs = Date.now();
  $("bz-at").value = params.get("at") || hanoiLocal(nowMs);
  $("bz-known").value = params.get("as_known_at") || "";
  $("bz-key").value = sessionStorage.getItem("bz-key") || "";

  // ------------------------------------------------------------------ the map
  const centre = (params.get("center") || "105.8,21.9").split(",").map(Number); // lon,lat
  const map = L.map("map", { zoomControl: true }).setView([centre[1], centre[0]],
    Number(params.get("zoom") || 7));
  map.attributionControl.setPrefix("Leaflet");
  map.attributionControl.addAttribution(escapeText(cfg.data_attribution));
  if (cfg.basemap_url) {
    L.tileLayer(cfg.basemap_url, { attribution: escapeText(cfg.basemap_attribution || ""),
                                   maxZoom: 19 }).addTo(map);
  }
  // drawing order: areas, then decisions over them, then the border line and gates on top
  const PANES = { decisions: 440, line: 450, point: 460 };
  for (const [name, z] of Object.entries(PANES)) map.createPane("bz-" + name).style.zIndex = z;
  const paneOf = (info) => info.id === "decisions" ? "bz-decisions"
    : info.geometry === "polygon" ? "overlayPane" : "bz-" + info.geometry;
  const groups = {};
  const overlays = {};
  for (const info of cfg.layers) {
    const style = Object.assign({}, STYLE[info.id] || {}, { className: "bz-layer-" + info.id,
                                                             pane: paneOf(info) });
    groups[info.id] = L.geoJSON(null, {
      pane: paneOf(info),
      style: () => style,
      pointToLayer: (_f, latlng) => L.circleMarker(latlng, style),
      onEachFeature: (f, layer) => describe(info, f, layer),
    }).addTo(map);
    overlays[info.title_vi + " / " + info.title_en] = groups[info.id];
  }
  L.control.layers(null, overlays, { collapsed: true }).addTo(map);
  legend().addTo(map);

  function escapeText(text) {
    const el = document.createElement("span");
    el.textContent = text;
    return el.innerHTML;
  }

  function legend() {
    const control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      const box = L.DomUtil.create("div", "bz-legend");
      for (const info of cfg.layers) {
        const s = STYLE[info.id] || {};
        const row = L.DomUtil.create("div", info.geometry, box);
        const swatch = L.DomUtil.create("i", "", row);
        swatch.style.borderColor = s.color || "#333";
        swatch.style.background = info.geometry === "line" ? "none" : (s.fillColor || s.color);
        row.appendChild(document.createTextNode(info.title_vi + " / " + info.title_en));
      }
      return box;
    };
    return control;
  }

  // ------------------------------------------------------------------ popups and labels
  function show(value) {
    if (value === null || value === undefined) return "—";
    if (Array.isArray(value)) return value.join(", ");
    if (typeof value === "object") {
      return [value.unit_name, value.signer_rank, value.signer_name, value.role]
        .filter(Boolean).join(" · ");
    }
    return String(value);
  }

  function describe(info, feature, layer) {
    const p = feature.properties || {};
    const box = document.createElement("div");
    box.className = "bz-popup";
    const title = document.createElement("h3");
    title.textContent = info.title_vi + " / " + info.title_en;
    box.appendChild(title);
    const table = document.createElement("table");
    const keys = info.id === "decisions"
      ? ["number", "activities", "valid_from", "valid_to", "issuer_unit", "scope"]
      : Object.keys(p);
    for (const key of keys) {
      const tr = table.insertRow();
      const th = document.createElement("th");
      th.textContent = LABELS[key] || key;
      tr.appendChild(th);
      tr.insertCell().textContent = show(p[key]);
    }
    box.appendChild(table);
    layer.bindPopup(box, { autoPan: false, maxWidth: 360 }); // a pan would reload the layers
    const label = p.number || p.name || p.gate_id || p.commune_code || p.code;
    if (label) layer.bindTooltip(String(label), { sticky: true });
  }

  // ------------------------------------------------------------------ loading
  function query(info, gen) {
    const b = map.getBounds();
    const q = new URLSearchParams(Object.assign({}, info.filters, {
      bbox: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]
        .map((v) => v.toFixed(5)).join(","),
      zoom: String(map.getZoom()), limit: "10000",
    }));
    if (info.temporal && $("bz-at").value) q.set("datetime", $("bz-at").value);
    if ($("bz-known").value) q.set("as_known_at", $("bz-known").value);
    const headers = $("bz-key").value ? { "X-API-Key": $("bz-key").value } : {};
    return fetch(cfg.items_base + "/" + info.id + "/items?" + q, { headers })
      .then((r) => r.ok ? r.json() : r.json().then((e) => Promise.reject(
        new Error(info.id + ": " + (e.detail || e.message || r.status)))))
      .then((fc) => {
        if (gen !== bz.generation) return;
        groups[info.id].clearLayers();
        groups[info.id].addData(fc);
        bz.counts[info.id] = fc.features.length;
        if (info.id === "decisions") {
          bz.decisions = fc.features.map((f) => f.properties.number);
        }
      });
  }

  function load(onlyTemporal) {
    const gen = ++bz.generation;
    bz.ready = false;
    bz.errors = [];
    const status = $("bz-status");
    status.className = "";
    status.textContent = "Đang tải… / Loading…";
    const wanted = cfg.layers.filter((info) => !onlyTemporal || info.temporal);
    Promise.allSettled(wanted.map((info) => query(info, gen))).then((results) => {
      if (gen !== bz.generation) return;
      bz.errors = results.filter((r) => r.status === "rejected").map((r) => r.reason.message);
      status.className = bz.errors.length ? "error" : "";
      status.textContent = bz.errors.length ? bz.errors.join("; ")
        : (bz.counts.decisions || 0) + " quyết định có hiệu lực / decisions in force";
      bz.ready = true;
    });
  }

  // ------------------------------------------------------------------ events
  $("bz-day").addEventListener("input", () => {
    $("bz-at").value = hanoiLocal(nowMs + Number($("bz-day").value) * 86400e3);
  });
  $("bz-day").addEventListener("change", () => load(true));
  $("bz-at").addEventListener("change", () => load(true));
  $("bz-known").addEventListener("change", () => load(true));
  $("bz-now").addEventListener("click", () => {
    $("bz-day").value = "0";
    $("bz-at").value = hanoiLocal(Date.now());
    load(true);
  });
  $("bz-key").addEventListener("change", () => {
    sessionStorage.setItem("bz-key", $("bz-key").value);
    load(false);
  });
  map.on("moveend", () => load(false));
  load(false);
})();
