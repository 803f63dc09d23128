// A table of checkboxes with a "select all" box in its heading: <table data-select-table>, the
// heading box [data-select-all], each row's box [data-select-item], and an optional counter
// <p data-select-count data-template="{count} of {total} selected">.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("table[data-select-table]").forEach(function (table) {
      var all = table.querySelector("[data-select-all]");
      var items = Array.prototype.slice.call(table.querySelectorAll("[data-select-item]"));
      var form = table.closest("form");
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
