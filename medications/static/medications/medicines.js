// Tells the patient, while they type, whether a name is in the catalog (and so can be checked).
// The name key mirrors medications/names.py normalize_drug_name, and the keys tried mirror
// lookup_keys (strengths, forms and release suffixes stripped with a bare number kept, then
// without it, then salts, then routes), with the rules sent by the page (names.client_rules),
// so the hint agrees with what the save does.
(function () {
  "use strict";
  var input = document.getElementById("id_drug");
  var out = document.getElementById("drug-match");
  var data = document.getElementById("drug-keys");
  if (!input || !out || !data) return;
  var keys = JSON.parse(data.textContent);
  var rulesNode = document.getElementById("drug-name-rules");
  var rules = rulesNode ? JSON.parse(rulesNode.textContent) : null;

  function normalize(name) {
    var lowered = name.trim().toLowerCase().replace(/^saint(?=[\s.\-]|$)/, "st");
    return lowered.replace(/[\s\-\u2010-\u2014'\u2018\u2019`.,/+&#]+/g, "");
  }

  function without(words, dropped, keepNumbers) {
    // A bare number after the first word is a strength ("Zoloft 50"); first, part of the name.
    return words.filter(function (word, index) {
      var strength = !keepNumbers && index && /^\d+(?:[.,]\d+)?$/.test(word);
      return dropped.indexOf(word) < 0 && !strength;
    });
  }

  function lookupKeys(name) {
    var labels = [name];
    if (rules) {
      var lowered = name.trim().toLowerCase().replace(/^saint(?=[\s.\-]|$)/, "st");
      lowered = lowered.replace(new RegExp(rules.hyphenated_number, "g"), "");
      lowered = lowered.replace(new RegExp(rules.strength, "g"), " ");
      lowered = lowered.replace(new RegExp(rules.phrases, "g"), " ");
      var words = lowered.split(/[^\w']+|_/).filter(function (word, index, all) {
        return word && all.indexOf(word) === index; // a word typed twice counts once
      });
      var numbered = without(words, rules.forms, true);
      words = without(words, rules.forms, false);
      var noSalts = without(words, rules.salts, false);
      labels.push(
        numbered.join(" "),
        words.join(" "),
        noSalts.join(" "),
        without(noSalts, rules.routes, false).join(" ")
      );
    }
    var result = [];
    labels.forEach(function (label) {
      var key = normalize(label);
      [key, rules && rules.synonyms[key]].forEach(function (candidate) {
        if (candidate && result.indexOf(candidate) < 0) result.push(candidate);
      });
    });
    return result;
  }

  function update() {
    var candidates = lookupKeys(input.value);
    var key = candidates[0];
    out.classList.remove("is-known", "is-unknown");
    if (!key) {
      out.textContent = "";
      return;
    }
    var generic = null;
    for (var i = 0; i < candidates.length && !generic; i++) generic = keys[candidates[i]];
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
