// "Accept all" on the handover review page: ticks every item's Accept radio. The receiver still
// submits the form, so every item carries an explicit result (DESIGN.md invariant 6).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-accept-all]").forEach(function (button) {
      button.addEventListener("click", function () {
        document.querySelectorAll("input[data-accept]").forEach(function (radio) {
          radio.checked = true;
        });
      });
    });
  });
})();
