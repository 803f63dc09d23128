// Print queue: "select all on this page"; ticking a row chooses "the ticked assets", typing a
// host's tag chooses "a host and its subtree".
(function () {
  "use strict";
  var all = document.getElementById("select-all");
  var rows = document.querySelectorAll("input.select-row");
  var host = document.getElementById("id_host");
  function choose(mode) {
    var radio = document.querySelector('input[name="mode"][value="' + mode + '"]');
    if (radio) radio.checked = true;
  }
  if (all) {
    all.addEventListener("change", function () {
      rows.forEach(function (box) { box.checked = all.checked; });
      choose("selected");
    });
  }
  rows.forEach(function (box) {
    box.addEventListener("change", function () { choose("selected"); });
  });
  if (host) {
    host.addEventListener("input", function () { if (host.value.trim()) choose("host"); });
  }
})();
