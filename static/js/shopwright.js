/*
 * Shopwright page behaviour. Small and dependency-free besides htmx (served locally by
 * django-htmx): every page also works without it, these only make it quicker on the floor.
 */
(function () {
  "use strict";

  document.documentElement.classList.replace("no-js", "js");

  // A <select data-autosubmit> submits its form on change (the site switcher). The form keeps
  // a visible submit button, so it also works without JavaScript.
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("select[data-autosubmit]") && target.form) {
      if (target.form.requestSubmit) {
        target.form.requestSubmit();
      } else {
        target.form.submit();
      }
    }
  });

  document.addEventListener("click", function (event) {
    var el = event.target.closest ? event.target.closest("[data-nav-toggle], [data-inline-cancel], [data-copy]") : null;
    if (!el) {
      return;
    }

    // Narrow screens: the navigation folds behind a menu button.
    if (el.hasAttribute("data-nav-toggle")) {
      var nav = document.getElementById(el.getAttribute("aria-controls"));
      var open = el.getAttribute("aria-expanded") !== "true";
      el.setAttribute("aria-expanded", open ? "true" : "false");
      if (nav) {
        nav.classList.toggle("is-open", open);
      }
      return;
    }

    // "Cancel" (or "Close") on a form loaded inline (HTMX) just closes it; without HTMX, or on
    // the action's own page, it is a link back. An action panel closes only inside its slot.
    if (el.hasAttribute("data-inline-cancel")) {
      var panel = el.closest("[data-action-panel]");
      var inline = panel ? (panel.closest("[data-action-slot]") ? panel : null) : el.closest("form");
      if (inline) {
        event.preventDefault();
        inline.remove();
      }
      return;
    }

    // Copy a value (a new API token) to the clipboard, falling back to selecting it.
    if (el.hasAttribute("data-copy")) {
      var source = document.querySelector(el.getAttribute("data-copy"));
      if (!source) {
        return;
      }
      var text = source.value !== undefined ? source.value : source.textContent;
      var done = function () {
        var label = el.getAttribute("data-copied-label");
        if (label) {
          el.textContent = label;
        }
      };
      source.focus();
      if (source.select) {
        source.select();
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () {});
      } else {
        try {
          if (document.execCommand("copy")) {
            done();
          }
        } catch (e) {
          /* selected: the user can copy by hand */
        }
      }
    }
  });

  // htmx does not swap error responses; say so instead of failing silently.
  function showError(key) {
    var box = document.getElementById("htmx-error");
    if (!box) {
      return;
    }
    box.textContent = box.getAttribute(key) || box.getAttribute("data-message");
    box.hidden = false;
    box.scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    showError(status === 403 ? "data-message-403" : status === 404 ? "data-message-404" : "data-message");
  });

  document.addEventListener("htmx:sendError", function () {
    showError("data-message-offline");
  });

  document.addEventListener("htmx:beforeRequest", function () {
    var box = document.getElementById("htmx-error");
    if (box) {
      box.hidden = true;
    }
  });
})();
