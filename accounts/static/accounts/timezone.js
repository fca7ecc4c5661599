// Account page: shorten the time-zone list as the person types, and offer the zone this
// browser reports. No data leaves the page; the form is submitted only by its Save button.
(function () {
  "use strict";
  var select = document.getElementById("id_timezone");
  if (!select) { return; }
  var filter = document.getElementById("tz-filter");
  var detect = document.getElementById("tz-detect");
  var status = document.getElementById("tz-status");

  function say(text) { if (status) { status.textContent = text; } }

  function normalise(text) { return text.toLowerCase().replace(/[_/,]+/g, " "); }

  if (filter) {
    filter.addEventListener("input", function () {
      var words = normalise(filter.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      var firstShown = null;
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
        var groupShown = 0;
        Array.prototype.forEach.call(group.querySelectorAll("option"), function (option) {
          var text = normalise(option.value + " " + option.textContent + " " + group.label);
          var match = words.every(function (word) { return text.indexOf(word) !== -1; });
          option.hidden = !match;
          option.disabled = !match && !option.selected;
          if (match) { groupShown += 1; if (!firstShown) { firstShown = option; } }
        });
        group.hidden = groupShown === 0;
        shown += groupShown;
      });
      if (firstShown && select.selectedOptions.length && select.selectedOptions[0].hidden) {
        firstShown.selected = true;
      }
      say(words.length ? shown + (shown === 1 ? " time zone matches." : " time zones match.") : "");
    });
  }

  var detected = "";
  try {
    detected = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) {
    detected = "";
  }
  var known = detected && select.querySelector('option[value="' + detected.replace(/"/g, "") + '"]');
  if (detect && known) {
    detect.hidden = false;
    detect.textContent = "Use this device's time zone: " + known.textContent;
    detect.addEventListener("click", function () {
      if (filter) { filter.value = ""; filter.dispatchEvent(new Event("input")); }
      known.selected = true;
      select.focus();
      say("Selected " + known.textContent + ". Press Save time zone to keep it.");
    });
  }
}());
