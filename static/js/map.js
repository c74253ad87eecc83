/* The home page's map: one marker per place, each popup linking to the site pages.
   Without this script (or without Leaflet) the list and the coordinate table remain. */
(function () {
  "use strict";
  var box = document.getElementById("map");
  var data = document.getElementById("map-data");
  if (!box || !data || !window.L) {
    return;
  }
  var points = JSON.parse(data.textContent);
  var section = document.getElementById("map-section");
  var grid = document.getElementById("home-grid");
  section.hidden = false;
  if (grid) {
    grid.classList.add("map-ready");
  }

  var map = L.map(box, { zoomControl: false, scrollWheelZoom: false });
  box.setAttribute("aria-label", box.dataset.label || "");
  box.setAttribute("role", "region");
  L.control.zoom({
    zoomInTitle: box.dataset.zoomIn,
    zoomOutTitle: box.dataset.zoomOut
  }).addTo(map);
  if (box.dataset.tileUrl) {
    L.tileLayer(box.dataset.tileUrl, {
      attribution: box.dataset.tileAttribution,
      maxZoom: 18
    }).addTo(map);
  }

  var icon = L.icon({
    iconUrl: box.dataset.icon,
    iconRetinaUrl: box.dataset.icon2x,
    shadowUrl: box.dataset.shadow,
    iconSize: [25, 41],
    iconAnchor: [12, 41],
    popupAnchor: [1, -34],
    shadowSize: [41, 41]
  });

  var bounds = [];
  points.forEach(function (point) {
    var popup = document.createElement("ul");
    popup.className = "map-popup";
    var names = [];
    point.sites.forEach(function (site) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = site.url;
      link.textContent = site.name;
      item.appendChild(link);
      item.appendChild(document.createTextNode(" (" + site.commune + ")"));
      popup.appendChild(item);
      names.push(site.name);
    });
    var label = names.join(", ");
    L.marker([point.lat, point.lon], { icon: icon, title: label, alt: label })
      .bindPopup(popup)
      .addTo(map);
    bounds.push([point.lat, point.lon]);
  });
  if (bounds.length) {
    map.fitBounds(bounds, { padding: [30, 30], maxZoom: 12 });
  } else {
    map.setView([46.6, 2.4], 5);
  }
}());
