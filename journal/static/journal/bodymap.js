// Body map: each SVG region is a role="checkbox" mirroring a real checkbox in the list below,
// so the form posts the same data with or without this script.
(function () {
  "use strict";
  document.querySelectorAll("[data-body-map]").forEach(function (map) {
    var fieldName = map.getAttribute("data-field");
    var boxes = {};
    map.querySelectorAll('input[type="checkbox"][name="' + fieldName + '"]').forEach(function (box) {
      boxes[box.value] = box;
    });
    var shapes = map.querySelectorAll("[data-region]");
    var counter = map.querySelector("[data-bm-count]");

    function sync() {
      var chosen = 0;
      shapes.forEach(function (shape) {
        var box = boxes[shape.getAttribute("data-region")];
        var on = Boolean(box && box.checked);
        shape.setAttribute("aria-checked", on ? "true" : "false");
      });
      Object.keys(boxes).forEach(function (code) {
        if (boxes[code].checked) { chosen += 1; }
      });
      if (counter) { counter.textContent = (counter.getAttribute("data-template") || "{n} of 19 places chosen.").replace("{n}", chosen); }
    }

    function toggle(shape) {
      var box = boxes[shape.getAttribute("data-region")];
      if (!box) { return; }
      box.checked = !box.checked;
      // A change event, as a click on the real checkbox would fire: sync() and the draft hear it.
      box.dispatchEvent(new Event("change", { bubbles: true }));
    }

    shapes.forEach(function (shape) {
      shape.addEventListener("click", function () { toggle(shape); });
      shape.addEventListener("keydown", function (event) {
        if (event.key === " " || event.key === "Enter" || event.key === "Spacebar") {
          event.preventDefault();
          toggle(shape);
        }
      });
    });
    Object.keys(boxes).forEach(function (code) { boxes[code].addEventListener("change", sync); });

    // The picture works, so the long list can start folded away.
    var list = map.querySelector("[data-region-list]");
    if (list) { list.open = false; }
    sync();
  });
})();
