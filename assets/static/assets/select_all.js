// A table of checkboxes with a "select all" box: <table data-select-table>, each row's box
// [data-select-item], and in the same form the box [data-select-all] (above the table, so a
// phone, whose table has no heading row, shows it too) and an optional counter
// <span data-select-count data-template="{count} of {total} selected">.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("table[data-select-table]").forEach(function (table) {
      var items = Array.prototype.slice.call(table.querySelectorAll("[data-select-item]"));
      var form = table.closest("form");
      var all = (form || table).querySelector("[data-select-all]");
      var counter = form && form.querySelector("[data-select-count]");
      function refresh() {
        var ticked = items.filter(function (box) { return box.checked; }).length;
        if (all) {
          all.checked = ticked === items.length && items.length > 0;
          all.indeterminate = ticked > 0 && ticked < items.length;
        }
        if (counter) {
          counter.textContent = counter.getAttribute("data-template")
            .replace("{count}", ticked).replace("{total}", items.length);
        }
      }
      if (all) {
        all.addEventListener("change", function () {
          items.forEach(function (box) { box.checked = all.checked; });
          refresh();
        });
      }
      items.forEach(function (box) { box.addEventListener("change", refresh); });
      refresh();
    });
  });
})();
