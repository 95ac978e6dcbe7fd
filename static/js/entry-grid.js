/* The entry grid (templates/ambitions/entry_grid.html): leaving a changed cell saves it.
 *
 * Each cell is a table row with data-kp-cell and hx-post/hx-trigger="kp:cell-leave". htmx cannot
 * express "focus left this row, and something in it changed" without eval (blocked by our CSP),
 * so this file marks a cell dirty on input and fires kp:cell-leave when focus moves out of it.
 * The conflict buttons ("save mine" / "keep theirs") are ordinary submit buttons of the grid form
 * without JavaScript; here they save only their own cell.
 */
(function () {
  "use strict";

  function cellOf(element) {
    return element && element.closest ? element.closest("[data-kp-cell]") : null;
  }

  function save(cell) {
    delete cell.dataset.kpDirty;
    if (window.htmx && cell.hasAttribute("hx-post")) {
      window.htmx.trigger(cell, "kp:cell-leave");
    }
  }

  function markDirty(event) {
    var cell = cellOf(event.target);
    if (cell) {
      cell.dataset.kpDirty = "1";
    }
  }

  document.addEventListener("input", markDirty);
  document.addEventListener("change", markDirty);

  document.addEventListener("focusout", function (event) {
    var cell = cellOf(event.target);
    if (!cell || !cell.dataset.kpDirty || cell.contains(event.relatedTarget)) {
      return;
    }
    save(cell);
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-kp-resolve]") : null;
    var cell = cellOf(button);
    if (!button || !cell || !window.htmx) {
      return;
    }
    event.preventDefault();
    var choice = cell.querySelector("[data-kp-resolve-input]");
    if (choice) {
      choice.value = button.dataset.kpResolve;
    }
    refocus = cell.id;
    save(cell);
  });

  // The buttons go away with the conflict: put focus back on the cell's first input.
  var refocus = null;
  document.addEventListener("htmx:afterSettle", function () {
    if (!refocus) {
      return;
    }
    var cell = document.getElementById(refocus);
    refocus = null;
    var input = cell && cell.querySelector("input:not([type=hidden]), textarea");
    if (input) {
      input.focus();
    }
  });
})();
