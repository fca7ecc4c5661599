// Tells the patient, while they type, whether a name is in the catalog (and so can be checked).
// The name key mirrors medications/names.py normalize_drug_name.
(function () {
  "use strict";
  var input = document.getElementById("id_drug");
  var out = document.getElementById("drug-match");
  var data = document.getElementById("drug-keys");
  if (!input || !out || !data) return;
  var keys = JSON.parse(data.textContent);

  function normalize(name) {
    var lowered = name.trim().toLowerCase().replace(/^saint(?=[\s.\-]|$)/, "st");
    return lowered.replace(/[\s\-\u2010-\u2014'\u2018\u2019`.,]+/g, "");
  }

  function update() {
    var key = normalize(input.value);
    out.classList.remove("is-known", "is-unknown");
    if (!key) {
      out.textContent = "";
      return;
    }
    var generic = keys[key];
    if (generic) {
      out.textContent = "Recognised: " + generic + ". It will be checked with your other medicines.";
      out.classList.add("is-known");
    } else {
      out.textContent = "Not recognised, so it cannot be checked. You can still add it.";
      out.classList.add("is-unknown");
    }
  }

  input.addEventListener("input", update);
  input.addEventListener("change", update);
  update();
})();
