// Preselect the browser's own time zone in a sign-up form's zone <select> (the person can still
// change it). Only on a fresh form: the server drops data-browser-timezone from a form sent back
// with errors, so a chosen zone is never overwritten. No-op where the browser's zone is not
// offered (e.g. "Etc/GMT+5") or Intl is missing.
(function () {
  "use strict";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return;
  }
  if (!zone) {
    return;
  }
  var selects = document.querySelectorAll("select[data-browser-timezone]");
  Array.prototype.forEach.call(selects, function (select) {
    var offered = Array.prototype.some.call(select.options, function (option) {
      return option.value === zone;
    });
    if (offered) {
      select.value = zone;
    }
  });
})();
