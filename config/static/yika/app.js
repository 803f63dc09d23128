// Yika's small page behaviours. No inline scripts: the Content-Security-Policy forbids them.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Menu toggle on phones.
    document.querySelectorAll("[data-toggle]").forEach(function (button) {
      var target = document.getElementById(button.getAttribute("data-toggle"));
      if (!target) return;
      button.addEventListener("click", function () {
        var open = target.classList.toggle("is-open");
        button.setAttribute("aria-expanded", open ? "true" : "false");
      });
    });
    // Selects that submit their form when changed (language switch, filters).
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () {
        if (select.form) select.form.submit();
      });
    });
    // Filter panels folded behind one button on phones start open on wider screens.
    if (window.matchMedia("(min-width: 640px)").matches) {
      document.querySelectorAll("details[data-open-wide]").forEach(function (details) {
        details.open = true;
      });
    }
    // A form sent back with errors: its summary takes the focus (and the screen), once.
    var summary = document.querySelector("[data-error-summary]");
    if (summary && !document.querySelector("[autofocus]")) {
      summary.focus();
      summary.scrollIntoView({ block: "center" });
    }
    // Buttons that ask before a serious action: <button data-confirm="Sure?">. A form with a
    // required field left empty is not asked about: it goes as it is and comes back saying
    // what is missing, so the question is only put for a form that can succeed.
    document.querySelectorAll("[data-confirm]").forEach(function (element) {
      element.addEventListener("click", function (event) {
        var form = element.form;
        if (form && !form.checkValidity()) return;
        if (!window.confirm(element.getAttribute("data-confirm"))) event.preventDefault();
      });
    });
  });
})();
