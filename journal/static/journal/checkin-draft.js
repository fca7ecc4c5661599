// The check-in draft: every change to the form is copied to sessionStorage (this tab only, gone
// when the browser session ends; never localStorage), so a sign-in that expires mid-check-in loses
// nothing. Back on the page after signing in again, the draft is put back with a notice and a
// "discard" button. portal/drafts.js removes it once the check-in is saved and on sign-out.
(function () {
  "use strict";
  var storage;
  try {
    storage = window.sessionStorage;
    storage.getItem("portal-draft:probe");
  } catch (error) {
    return; // storage refused (privacy settings): the form works as before
  }

  function isChoice(el) { return el.type === "checkbox" || el.type === "radio"; }
  function isValueField(el) {
    return !isChoice(el) && el.type !== "submit" && el.type !== "button" && el.type !== "hidden";
  }

  document.querySelectorAll("form[data-draft]").forEach(function (form) {
    var key = "portal-draft:" + form.getAttribute("data-draft");
    var owner = form.getAttribute("data-draft-owner") || "";
    var notice = document.querySelector("[data-draft-notice]");
    var template = document.querySelector("[data-draft-restored-template]");
    var quiet = false;

    function fields() {
      return Array.prototype.filter.call(form.elements, function (el) {
        return el.name && el.name !== "csrfmiddlewaretoken" && (isChoice(el) || isValueField(el));
      });
    }

    function snapshot() {
      var values = {};
      fields().forEach(function (el) {
        if (isChoice(el)) {
          values[el.name] = values[el.name] || [];
          if (el.checked) { values[el.name].push(el.value); }
        } else {
          values[el.name] = [el.value];
        }
      });
      return values;
    }

    function save() {
      if (quiet) { return; }
      try {
        storage.setItem(key, JSON.stringify({ owner: owner, values: snapshot() }));
      } catch (error) { /* full or refused: nothing to do */ }
    }

    function read() {
      try {
        var draft = JSON.parse(storage.getItem(key) || "null");
        // Someone else signed in on this tab: their draft is not this person's to see.
        return draft && draft.owner === owner && draft.values ? draft : null;
      } catch (error) {
        return null;
      }
    }

    function apply(values) {
      fields().forEach(function (el) {
        if (!Object.prototype.hasOwnProperty.call(values, el.name)) { return; }
        var wanted = values[el.name];
        if (isChoice(el)) {
          var on = wanted.indexOf(el.value) !== -1;
          if (el.checked !== on) {
            el.checked = on;
            el.dispatchEvent(new Event("change", { bubbles: true }));
          }
        } else if (el.value !== (wanted[0] || "")) {
          el.value = wanted[0] || "";
          el.dispatchEvent(new Event("change", { bubbles: true }));
        }
      });
    }

    function unfoldFilledSections() {
      form.querySelectorAll("details[data-optional-sections]").forEach(function (details) {
        if (details.querySelector("input:checked")) { details.open = true; }
      });
    }

    function discard() {
      quiet = true;
      form.reset(); // back to what the page came with
      fields().forEach(function (el) {
        if (isChoice(el)) { el.dispatchEvent(new Event("change", { bubbles: true })); }
      });
      quiet = false;
      storage.removeItem(key);
      if (notice) { notice.textContent = notice.getAttribute("data-discarded-text") || ""; }
      document.querySelectorAll("[data-same-as-last]").forEach(function (link) {
        link.parentNode.hidden = false;
      });
      var first = form.querySelector("input:not([type=hidden])");
      if (first) { first.focus(); }
    }

    function restoreWanted(draft) {
      if (!form.hasAttribute("data-draft-restorable")) { return false; }
      // Asked for a particular day: only that day's draft belongs here.
      var dateField = form.elements.namedItem("date");
      var askedForDay = new URLSearchParams(window.location.search).has("date");
      var draftDay = (draft.values.date || [""])[0];
      if (askedForDay && dateField && draftDay && draftDay !== dateField.value) { return false; }
      return JSON.stringify(draft.values) !== JSON.stringify(snapshot());
    }

    var draft = read();
    if (draft && restoreWanted(draft)) {
      quiet = true;
      apply(draft.values);
      quiet = false;
      unfoldFilledSections();
      save();
      // "Same as yesterday" would replace what was just put back: offered again after a discard.
      document.querySelectorAll("[data-same-as-last]").forEach(function (link) {
        link.parentNode.hidden = true;
      });
      if (notice && template) {
        notice.appendChild(template.content.cloneNode(true));
        var button = notice.querySelector("[data-draft-discard]");
        if (button) { button.addEventListener("click", discard); }
      }
    }

    form.addEventListener("input", save);
    form.addEventListener("change", save);
  });
})();
