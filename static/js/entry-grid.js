/* The entry grid (templates/ambitions/entry_grid.html): leaving a changed cell saves it, and the
 * page never shows a value as saved that is not.
 *
 * Each cell is a table row with data-kp-cell; enable() gives the rows that can be entered
 * hx-post/hx-trigger="kp:cell-leave" (their tbody has the rest). htmx cannot
 * express "focus left this row, and something in it changed" without eval (blocked by our CSP),
 * so this file marks a cell dirty on input and fires kp:cell-leave when focus moves out of it.
 *
 * Saving: the server answers with the cell (saved, or with its message: 422); any other outcome
 * (a server error, no connection, a timeout, an answer that is not the cell) marks the cell "not
 * saved" with the reason, keeps what was typed and tries once more by itself. While a cell is
 * unsaved or still saving, the period cannot be submitted: the submit button says which cells.
 * The page's "x of y figures" count the rows the server marked data-kp-has-data.
 *
 * Keys: Enter moves to the next field like Tab (Shift+Enter back) instead of posting the whole
 * grid; the comment toggle is no tab stop, Alt+C opens the cell's comment and Esc returns to its
 * figure; the first skip link of the page goes to the first empty cell.
 * Without JavaScript none of this runs: the grid is one form with a save button.
 */
(function () {
  "use strict";

  var RETRY_AFTER_MS = 1500;
  var state = {}; // per cell id: {dirty, saving, failed (reason text), retried}

  function texts() {
    return (document.getElementById("entry-texts") || {}).dataset || {};
  }

  function fill(template, values) {
    return (template || "").replace(/%\((\w+)\)s/g, function (_, name) {
      return values[name] === undefined ? "" : values[name];
    });
  }

  function stateOf(id) {
    return state[id] || (state[id] = {});
  }

  function cellOf(element) {
    return element && element.closest ? element.closest("[data-kp-cell]") : null;
  }

  // "Unit × indicator": the row's header and its section's heading (the rows carry no name of
  // their own, to keep a grid of hundreds of cells light).
  function nameOf(cell) {
    var unit = cell.querySelector("th");
    var section = cell.closest("section");
    var heading = section && section.querySelector("h2");
    return unit && heading ? unit.textContent.trim() + " × " + heading.textContent.trim() : "";
  }

  // "Unit, indicator", as the server writes it into the labels of a cell's comment editor.
  function whoOf(cell) {
    var unit = cell.querySelector("th");
    var section = cell.closest("section");
    var heading = section && section.querySelector("h2");
    return unit && heading ? unit.textContent.trim() + ", " + heading.textContent.trim() : "";
  }

  function requestCell(event) {
    // The row whose save this is: the request carries its id (set in htmx:beforeRequest), as
    // htmx reports the end of a request whose row was swapped on one of the row's ancestors.
    var xhr = event.detail && event.detail.xhr;
    var id = xhr && xhr.kpCellId;
    return id ? document.getElementById(id) : null;
  }

  function fields() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-kp-cell] input[inputmode]"));
  }

  function announce(message) {
    var region = document.getElementById("entry-announcer");
    if (region) {
      region.textContent = message;
    }
  }

  // --- Saving --------------------------------------------------------------------------------

  function save(cell) {
    var s = stateOf(cell.id);
    if (s.saving) {
      s.dirty = true; // saved again when this request is answered
      return;
    }
    s.dirty = false;
    if (window.htmx && cell.hasAttribute("hx-post")) {
      window.htmx.trigger(cell, "kp:cell-leave");
    }
  }

  function markDirty(event) {
    var cell = cellOf(event.target);
    if (cell && cell.hasAttribute("hx-post")) {
      stateOf(cell.id).dirty = true;
      refresh();
    }
  }

  function showUnsaved(cell, reason, retrying) {
    var t = texts();
    var s = stateOf(cell.id);
    s.failed = reason;
    cell.classList.add("kp-cell--unsaved");
    cell.classList.remove("kp-cell--saved");
    var status = cell.lastElementChild; // the status column
    var messageId = cell.id + "-unsaved";
    var message = document.getElementById(messageId);
    if (!message && status) {
      message = document.createElement("p");
      message.id = messageId;
      message.className = "utrecht-form-field-error-message kp-entry__unsaved";
      status.insertBefore(message, status.firstChild);
    }
    if (message) {
      message.textContent = fill(t.notSaved, { reason: reason }) + " " + (retrying ? t.retrying : t.tryAgain);
    }
    // Whatever the status cell said before ("Saved", "Entered") is not true for what is typed now.
    Array.prototype.forEach.call(cell.lastElementChild.querySelectorAll(":scope > span:not(.kp-flag)"), function (old) {
      old.hidden = true;
    });
    Array.prototype.forEach.call(cell.querySelectorAll("input[inputmode]"), function (input) {
      input.setAttribute("aria-invalid", "true");
      var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      if (described.indexOf(messageId) === -1) {
        described.push(messageId);
      }
      input.setAttribute("aria-describedby", described.join(" "));
    });
  }

  function failed(cell, reason) {
    var s = stateOf(cell.id);
    s.dirty = true; // leaving the cell again tries again
    var retry = !s.retried;
    s.retrying = retry;
    showUnsaved(cell, reason, retry);
    announce(fill(texts().announce, { cell: nameOf(cell) }) + " " + reason);
    if (retry) {
      s.retried = true;
      var id = cell.id;
      window.setTimeout(function () {
        var again = document.getElementById(id);
        if (again && stateOf(id).failed) {
          save(again);
        }
      }, RETRY_AFTER_MS);
    }
    refresh();
  }

  document.addEventListener("input", markDirty);
  document.addEventListener("change", markDirty);

  document.addEventListener("focusout", function (event) {
    var cell = cellOf(event.target);
    if (!cell || !stateOf(cell.id).dirty || cell.contains(event.relatedTarget)) {
      return;
    }
    save(cell);
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var cell = event.detail.elt;
    if (cell && cell.hasAttribute && cell.hasAttribute("data-kp-cell") && event.detail.xhr) {
      event.detail.xhr.kpCellId = cell.id;
      stateOf(cell.id).saving = true;
      refresh();
    }
  });

  // The rows are inside the grid's form, and htmx adds the enclosing form's inputs to a post:
  // a row's save sends only its own inputs (named after the row's id) and the row's hx-vals.
  document.addEventListener("htmx:configRequest", function (event) {
    var cell = event.detail.elt;
    if (!cell || !cell.hasAttribute || !cell.hasAttribute("data-kp-cell")) {
      return;
    }
    var own = new FormData();
    var prefix = cell.id + "-";
    event.detail.formData.forEach(function (value, name) {
      if (name.indexOf(prefix) === 0 || name === "indicator" || name === "unit") {
        own.append(name, value);
      }
    });
    event.detail.parameters = own;
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var cell = requestCell(event);
    if (!cell || !event.detail.shouldSwap) {
      return;
    }
    var s = stateOf(cell.id);
    // The answer must be this cell: a sign-in page (the session ended) or anything else
    // would otherwise replace the row, and the typed value would be gone without a word.
    if ((event.detail.serverResponse || "").indexOf('id="' + cell.id + '"') === -1) {
      event.detail.shouldSwap = false;
      s.answerWrong = true;
      return;
    }
    if (s.dirty && event.detail.xhr.status === 200) {
      // Typed into again while this save was under way: keep what is typed now, take the new
      // revision from the answer, and save again (when the cell is left).
      event.detail.shouldSwap = false;
      var answer = document.createElement("template");
      answer.innerHTML = event.detail.serverResponse;
      Array.prototype.forEach.call(answer.content.querySelectorAll("input[type=hidden]"), function (fresh) {
        var mine = cell.querySelector('input[type=hidden][name="' + fresh.name + '"]');
        if (mine) {
          mine.value = fresh.value;
        }
      });
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var cell = requestCell(event);
    if (!cell) {
      return;
    }
    var s = stateOf(cell.id);
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    var t = texts();
    s.saving = false;
    if (s.answerWrong) {
      s.answerWrong = false;
      failed(cell, t.reasonAnswer);
    } else if (status === 0) {
      failed(cell, t.reasonNetwork); // htmx:timeout, right after this, gives the better reason
    } else if ((status >= 200 && status < 300) || status === 422) {
      // Saved, or the server's message is in the cell now (a bad value, a conflict).
      s.failed = null;
      s.retried = false;
      if (s.dirty && !cell.contains(document.activeElement)) {
        save(cell);
      }
    } else {
      failed(cell, fill(t.reasonServer, { status: status }));
    }
    refresh();
  });

  // Fired right after htmx:afterRequest (which said "no connection"): the better reason.
  document.addEventListener("htmx:timeout", function (event) {
    var cell = requestCell(event);
    if (cell) {
      var reason = texts().reasonTimeout;
      showUnsaved(cell, reason, stateOf(cell.id).retrying);
      announce(fill(texts().announce, { cell: nameOf(cell) }) + " " + reason);
    }
  });

  // --- The page's counts and the submit button ------------------------------------------------

  var submitWaiting = null; // the submit form, when it was sent while saves were under way

  function refresh() {
    var cells = Array.prototype.slice.call(document.querySelectorAll("[data-kp-cell]"));
    var entered = cells.filter(function (cell) {
      return cell.hasAttribute("data-kp-has-data");
    }).length;
    Array.prototype.forEach.call(document.querySelectorAll("[data-kp-entered]"), function (count) {
      count.textContent = String(entered);
    });

    var unsaved = [];
    var busy = false;
    cells.forEach(function (cell) {
      var s = state[cell.id];
      if (!s) {
        return;
      }
      if (s.failed) {
        unsaved.push(nameOf(cell) || cell.id);
      } else if (s.saving || s.dirty) {
        busy = true;
      }
    });
    var t = texts();
    var message = document.getElementById("entry-unsaved");
    var button = document.querySelector("[data-kp-submit] [type=submit]");
    if (message) {
      message.textContent = unsaved.length
        ? fill(t.blocked, { cells: unsaved.join("; ") })
        : submitWaiting
          ? t.waiting
          : "";
      message.hidden = !message.textContent;
    }
    if (button) {
      if (unsaved.length) {
        button.setAttribute("aria-disabled", "true");
        button.setAttribute("aria-describedby", "entry-unsaved");
      } else {
        button.removeAttribute("aria-disabled");
        button.removeAttribute("aria-describedby");
      }
    }
    if (submitWaiting && !busy) {
      var form = submitWaiting;
      submitWaiting = null;
      if (!unsaved.length) {
        form.requestSubmit();
      }
    }
    return { unsaved: unsaved, busy: busy };
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-kp-submit")) {
      return;
    }
    // Clicking the button left the last cell a moment ago: its save must be answered first.
    var now = refresh();
    if (now.unsaved.length || now.busy) {
      event.preventDefault();
      submitWaiting = now.unsaved.length ? null : form;
      refresh();
      var message = document.getElementById("entry-unsaved");
      if (message && now.unsaved.length) {
        message.focus && message.focus();
      }
    }
  });

  // --- Keys ----------------------------------------------------------------------------------

  function moveFrom(input, step) {
    var all = fields();
    var next = all[all.indexOf(input) + step];
    if (next) {
      next.focus();
      next.select();
      return;
    }
    if (step > 0) {
      // After the last field: where Tab would go, the grid's own save button.
      var after = document.querySelector("#entry-form > .kp-actions [type=submit]");
      if (after) {
        after.focus();
      } else {
        input.blur();
      }
    }
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var cell = cellOf(target);
    if (!cell || !cell.hasAttribute("hx-post")) {
      return;
    }
    if (event.key === "Enter" && target.hasAttribute("inputmode") && !event.ctrlKey && !event.altKey) {
      event.preventDefault(); // not the whole grid's form: the next field, as a spreadsheet does
      moveFrom(target, event.shiftKey ? -1 : 1);
    } else if (event.altKey && !event.ctrlKey && !event.metaKey && event.code === "KeyC") {
      var details = cell.querySelector(".kp-entry__details") || expand(cell);
      var comment = details && details.querySelector("textarea");
      if (comment) {
        event.preventDefault();
        details.open = true;
        comment.focus();
      }
    } else if (event.key === "Escape" && target.closest(".kp-entry__details")) {
      var figure = cell.querySelector("input[inputmode]");
      if (figure) {
        event.preventDefault();
        figure.focus();
      }
    }
  });

  document.addEventListener("click", function (event) {
    var skip = event.target.closest ? event.target.closest("[data-kp-skip-to-cell]") : null;
    if (skip) {
      var row = document.getElementById(skip.getAttribute("href").slice(1));
      var target = row && row.querySelector("input[inputmode]");
      if (target) {
        event.preventDefault();
        target.focus();
      }
    }
  });

  // A row that can be entered saves itself with htmx: its attributes are set here, from the
  // tbody's data-kp-save and the row's id (cell-<indicator>-<unit>), not written out 400 times.
  function enable(root) {
    Array.prototype.forEach.call(root.querySelectorAll("tbody[data-kp-save] > [data-kp-cell]"), function (cell) {
      var ids = /^cell-(\d+)-(\d+)$/.exec(cell.id);
      if (!ids || cell.hasAttribute("hx-post") || !cell.querySelector("input[inputmode]")) {
        return;
      }
      cell.setAttribute("hx-post", cell.parentNode.getAttribute("data-kp-save"));
      cell.setAttribute("hx-trigger", "kp:cell-leave");
      cell.setAttribute("hx-vals", JSON.stringify({ indicator: ids[1], unit: ids[2] }));
      if (window.htmx) {
        window.htmx.process(cell);
      }
    });
  }

  // A cell without a comment has only a button for it: its editor is written here from the
  // page's <template id="entry-comment"> when wanted (Alt+C or the button), named for the cell.
  function expand(cell) {
    var button = cell.querySelector("button[name=cel]");
    var template = document.getElementById("entry-comment");
    if (!button || !template) {
      return null;
    }
    var editor = template.content.firstElementChild.cloneNode(true);
    var who = whoOf(cell);
    Array.prototype.forEach.call(editor.querySelectorAll(".kp-vh"), function (span) {
      span.textContent = who ? " — " + who : "";
    });
    Array.prototype.forEach.call(editor.querySelectorAll("[data-name]"), function (field) {
      field.name = cell.id + "-" + field.getAttribute("data-name");
      field.id = "id_" + field.name;
      field.removeAttribute("data-name");
    });
    Array.prototype.forEach.call(editor.querySelectorAll("[data-for]"), function (label) {
      label.htmlFor = "id_" + cell.id + "-" + label.getAttribute("data-for");
      label.removeAttribute("data-for");
    });
    var figure = button.getAttribute("data-kp-figure");
    var history = editor.querySelector(".kp-entry__history");
    if (figure && history) {
      var link = history.querySelector("a");
      link.setAttribute("href", link.getAttribute("href").replace("/0/", "/" + figure + "/"));
      history.hidden = false;
    } else if (history) {
      history.parentNode.removeChild(history);
    }
    editor.querySelector("summary").tabIndex = -1;
    button.parentNode.replaceChild(editor, button);
    return editor;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[name=cel]") : null;
    var cell = cellOf(button);
    if (!button || !cell || !cell.hasAttribute("hx-post")) {
      return;
    }
    event.preventDefault(); // not the whole grid's form: open the editor in place
    var details = expand(cell);
    var comment = details && details.querySelector("textarea");
    if (comment) {
      comment.focus();
    }
  });

  // The comment toggle is reached with Alt+C, not with Tab (one keystroke per figure).
  function prepare(root) {
    enable(root);
    Array.prototype.forEach.call(root.querySelectorAll("[data-kp-cell][hx-post]"), function (cell) {
      var summary = cell.querySelector(".kp-entry__details > summary, button[name=cel]");
      if (summary) {
        summary.tabIndex = -1;
      }
      Array.prototype.forEach.call(cell.querySelectorAll("input[inputmode]"), function (input) {
        input.setAttribute("aria-keyshortcuts", "Alt+C");
      });
    });
  }

  // --- Conflicts: "save mine" / "keep theirs" save only their own cell ------------------------

  var refocus = null;
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
  document.addEventListener("htmx:afterSettle", function (event) {
    prepare(document);
    refresh();
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

  function start() {
    var keys = document.getElementById("entry-keys");
    if (keys) {
      keys.hidden = false;
    }
    prepare(document);
    refresh();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
