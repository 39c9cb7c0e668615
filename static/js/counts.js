/*
 * Counting stock (inventory/_count_lines.html).
 *
 * - As a count is typed, each line shows the difference it will book: "+3 pcs", "-2 pcs",
 *   "no change", or nothing for a line left empty. The difference is against the quantity the
 *   system held when the form was shown (data-count-current); the server works it out again
 *   when the count is sent, and its message says what was booked. Without this script the form
 *   works the same; only the live difference is missing.
 *
 * (Scrap's "Scrap all 12 pcs" asks first through data-confirm, which static/js/shopwright.js
 * handles for every form.)
 *
 * Event delegation on the document: panels arrive later, through htmx. Loaded with defer from
 * the pages that hold count forms; a second copy of the script does nothing.
 */
(function () {
  "use strict";

  if (window.shopwrightCounts) {
    return;
  }
  window.shopwrightCounts = true;

  // Quantities have at most 5 stored decimal places (builds); compare them as integers of
  // 1/100000 so that 0.1 + 0.2 troubles never show up as "+0.30000000000000004".
  var SCALE = 100000;

  function scaled(text) {
    var value = String(text || "").trim().replace(",", ".");
    if (value === "" || !/^-?(\d+\.?\d*|\.\d+)$/.test(value)) {
      return null;
    }
    return Math.round(parseFloat(value) * SCALE);
  }

  function shown(units) {
    var sign = units < 0 ? "-" : "+";
    var whole = Math.abs(units);
    var text = String(Math.floor(whole / SCALE));
    var fraction = String(whole % SCALE);
    if (whole % SCALE) {
      fraction = ("00000" + fraction).slice(-5).replace(/0+$/, "");
      text += "." + fraction;
    }
    return sign + text;
  }

  function update(input) {
    var line = input.closest(".count-line");
    var box = input.closest("[data-count-lines]");
    var output = line ? line.querySelector("[data-count-diff]") : null;
    if (!output || !box) {
      return;
    }
    var counted = scaled(input.value);
    var current = scaled(input.getAttribute("data-count-current"));
    output.classList.remove("is-more", "is-less", "is-same", "is-bad");
    if (counted === null || current === null) {
      output.textContent = "";
      return;
    }
    if (counted < 0) {
      output.textContent = box.getAttribute("data-text-negative");
      output.classList.add("is-bad");
      return;
    }
    var difference = counted - current;
    if (difference === 0) {
      output.textContent = box.getAttribute("data-text-same");
      output.classList.add("is-same");
      return;
    }
    output.textContent = shown(difference) + " " + box.getAttribute("data-units");
    output.classList.add(difference > 0 ? "is-more" : "is-less");
  }

  function updateAll(root) {
    var inputs = (root || document).querySelectorAll("input[data-count-current]");
    for (var i = 0; i < inputs.length; i++) {
      update(inputs[i]);
    }
  }

  document.addEventListener("input", function (event) {
    var target = event.target;
    if (target.matches && target.matches("input[data-count-current]")) {
      update(target);
    }
  });

  // A panel that comes back with the typed values (a refusal) shows their differences again.
  document.addEventListener("htmx:load", function (event) {
    updateAll(event.target);
  });
  document.addEventListener("DOMContentLoaded", function () {
    updateAll(document);
  });
})();
