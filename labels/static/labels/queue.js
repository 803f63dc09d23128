// Print queue: "select all on this page", and ticking a row chooses "the ticked assets".
(function () {
  "use strict";
  var all = document.getElementById("select-all");
  var rows = document.querySelectorAll("input.select-row");
  function chooseTicked() {
    var radio = document.querySelector('input[name="mode"][value="selected"]');
    if (radio) radio.checked = true;
  }
  if (all) {
    all.addEventListener("change", function () {
      rows.forEach(function (box) { box.checked = all.checked; });
      chooseTicked();
    });
  }
  rows.forEach(function (box) { box.addEventListener("change", chooseTicked); });
})();
