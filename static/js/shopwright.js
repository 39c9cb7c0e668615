/*
 * Shopwright page behaviour. Small and dependency-free besides htmx (served locally by
 * django-htmx): every page also works without it, these only make it quicker and safer on the
 * floor. The patterns here serve every page of every app, through attributes:
 *
 *   data-autosubmit (select)     submits its form on change
 *   data-nav-toggle              opens and closes the navigation named by aria-controls
 *   data-confirm (form, button)  asks before submitting (destructive actions)
 *   data-busy-label (button)     what a submit button says while its request is in flight
 *   data-no-busy (htmx element)  a background request (polling) that shows no busy state
 *   data-inline-cancel, data-copy
 *
 * Requests in flight and failures are shown where the form is: its buttons say "Saving…" and
 * are disabled, the list being searched dims, and an error appears at the top of the form that
 * sent the request, never at the top of the page.
 */
(function () {
  "use strict";

  document.documentElement.classList.replace("no-js", "js");

  var body = document.body;

  function message(key) {
    return (body && body.getAttribute(key)) || "";
  }

  // --- Navigation, autosubmit, inline cancel, copy ----------------------------------------------

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

  function toggleNav(el) {
    var id = el.getAttribute("aria-controls");
    var nav = document.getElementById(id);
    var open = el.getAttribute("aria-expanded") !== "true";
    document.querySelectorAll('[data-nav-toggle][aria-controls="' + id + '"]').forEach(function (t) {
      t.setAttribute("aria-expanded", open ? "true" : "false");
    });
    if (nav) {
      nav.classList.toggle("is-open", open);
    }
  }

  document.addEventListener("click", function (event) {
    var el = event.target.closest ? event.target.closest("[data-nav-toggle], [data-inline-cancel], [data-copy]") : null;
    if (!el) {
      return;
    }

    // Narrow screens: the navigation folds behind "Menu" (the top bar's, or the tab bar's link,
    // which without JavaScript just leads to the navigation).
    if (el.hasAttribute("data-nav-toggle")) {
      event.preventDefault();
      toggleNav(el);
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

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var open = document.querySelector('[data-nav-toggle][aria-expanded="true"]');
    if (open) {
      toggleNav(open);
    }
  });

  // --- Asking first ------------------------------------------------------------------------------

  function confirmation(form, submitter) {
    return (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
  }

  // --- Errors next to the form that sent the request ---------------------------------------------

  function errorHost(el) {
    if (!el || !el.closest) {
      return null;
    }
    return el.closest("form") || el.closest("[data-action-panel]");
  }

  function clearError(host) {
    if (host) {
      host.querySelectorAll(":scope > .request-error").forEach(function (box) {
        box.remove();
      });
    }
  }

  function showError(el, key) {
    var text = message(key) || message("data-message-failed");
    var host = errorHost(el);
    if (!host) {
      var page = document.getElementById("htmx-error");
      if (page) {
        page.textContent = text;
        page.hidden = false;
        page.scrollIntoView({ block: "nearest" });
      }
      return;
    }
    clearError(host);
    var box = document.createElement("div");
    box.className = "alert alert-error request-error";
    box.setAttribute("role", "alert");
    box.setAttribute("tabindex", "-1");
    box.setAttribute("data-testid", "request-error");
    box.textContent = text;
    host.insertBefore(box, host.firstChild);
    box.focus({ preventScroll: true });
    box.scrollIntoView({ block: "nearest" });
  }

  function errorKey(status) {
    if (status === 0) {
      return "data-message-offline";
    }
    return status === 403 ? "data-message-403" : status === 404 ? "data-message-404" : "data-message-failed";
  }

  // --- Buttons and lists while a request is in flight --------------------------------------------

  function submitButtons(form) {
    return Array.prototype.filter.call(
      form.querySelectorAll('button:not([type="button"]), input[type="submit"]'),
      function (b) {
        return !b.disabled;
      }
    );
  }

  function setBusy(buttons, submitter) {
    buttons.forEach(function (button) {
      button.setAttribute("data-was-busy", "");
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
      if (button === submitter || (!submitter && button === buttons[0])) {
        var label = button.getAttribute("data-busy-label") || message("data-busy-label");
        if (label && button.tagName === "BUTTON") {
          button.setAttribute("data-idle-label", button.innerHTML);
          button.textContent = label;
        }
      }
    });
  }

  function clearBusy(root) {
    (root || document).querySelectorAll("[data-was-busy]").forEach(function (button) {
      button.disabled = false;
      button.removeAttribute("aria-busy");
      button.removeAttribute("data-was-busy");
      if (button.hasAttribute("data-idle-label")) {
        button.innerHTML = button.getAttribute("data-idle-label");
        button.removeAttribute("data-idle-label");
      }
    });
  }

  // --- Ordinary forms: ask first, keep what was typed, say "Saving…" -----------------------------

  var DRAFT = "sw-draft:";
  var DRAFT_MINUTES = 10;

  function isHtmx(form) {
    return form.hasAttribute("hx-post") || form.hasAttribute("hx-get") || form.hasAttribute("hx-put");
  }

  function draftKey(form) {
    return DRAFT + location.pathname + "#" + (form.id || form.getAttribute("action") || "");
  }

  function keptFields(form) {
    return Array.prototype.filter.call(form.elements, function (f) {
      var type = (f.type || "").toLowerCase();
      return f.name && ["password", "hidden", "file", "submit", "button"].indexOf(type) === -1;
    });
  }

  function saveDraft(form) {
    var values = {};
    keptFields(form).forEach(function (f) {
      if (f.type === "checkbox" || f.type === "radio") {
        if (f.checked) {
          values[f.name + "=" + f.value] = true;
        }
      } else {
        values[f.name] = f.value;
      }
    });
    try {
      sessionStorage.setItem(draftKey(form), JSON.stringify({ at: Date.now(), values: values }));
    } catch (e) {
      /* storage full or off: nothing to keep */
    }
  }

  // Back on a form after its submission never arrived (the network failed, the browser showed
  // its error page): put back what was typed into the fields left empty.
  function restoreDrafts() {
    var nav = performance.getEntriesByType && performance.getEntriesByType("navigation")[0];
    var returning = nav && (nav.type === "back_forward" || nav.type === "reload");
    document.querySelectorAll("form").forEach(function (form) {
      var key = draftKey(form);
      var saved;
      try {
        saved = JSON.parse(sessionStorage.getItem(key) || "null");
        sessionStorage.removeItem(key);
      } catch (e) {
        return;
      }
      if (!saved || !returning || Date.now() - saved.at > DRAFT_MINUTES * 60000) {
        return;
      }
      keptFields(form).forEach(function (f) {
        if (f.type === "checkbox" || f.type === "radio") {
          if (saved.values[f.name + "=" + f.value]) {
            f.checked = true;
          }
        } else if (!f.value && saved.values[f.name]) {
          f.value = saved.values[f.name];
        }
      });
    });
  }

  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      var submitter = event.submitter || null;
      if (isHtmx(form)) {
        return; // htmx sends it: htmx:confirm asks first, its events show busy state and errors
      }
      var question = confirmation(form, submitter);
      if (question && !window.confirm(question)) {
        event.preventDefault();
        event.stopImmediatePropagation();
        return;
      }
      if (navigator.onLine === false) {
        event.preventDefault();
        showError(form, "data-message-offline");
        return;
      }
      clearError(form);
      saveDraft(form);
      // After the submission has taken the submitter's name and value.
      setTimeout(function () {
        if (!event.defaultPrevented) {
          setBusy(submitButtons(form), submitter);
        }
      }, 0);
    },
    true
  );

  // Back to a page kept in the browser's cache: its buttons are usable again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      clearBusy();
    }
  });

  restoreDrafts();

  // --- htmx requests -----------------------------------------------------------------------------

  // A form marked data-confirm asks before htmx sends it (htmx's own hx-confirm does the same for
  // an attribute on the element; this covers forms that also work without JavaScript).
  document.addEventListener("htmx:confirm", function (event) {
    var form = event.detail.elt;
    if (!form || form.tagName !== "FORM") {
      return;
    }
    var submitter = event.detail.triggeringEvent && event.detail.triggeringEvent.submitter;
    var question = confirmation(form, submitter);
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  function background(elt) {
    return elt && elt.closest && elt.closest("[data-no-busy]");
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    var page = document.getElementById("htmx-error");
    if (page) {
      page.hidden = true;
    }
    if (background(elt)) {
      return;
    }
    clearError(errorHost(elt));
    if (elt.tagName === "FORM" && (elt.getAttribute("hx-post") || elt.getAttribute("hx-put"))) {
      var trigger = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
      setBusy(submitButtons(elt), trigger && trigger.submitter);
    }
    var target = event.detail.target;
    if (target && target !== elt && !elt.contains(target)) {
      target.setAttribute("aria-busy", "true");
      target.classList.add("is-searching");
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail.elt;
    var target = event.detail.target;
    if (target) {
      target.removeAttribute("aria-busy");
      target.classList.remove("is-searching");
    }
    if (elt && document.contains(elt)) {
      clearBusy(elt);
    }
  });

  // htmx does not swap error responses: say so next to the form, keeping what was typed.
  document.addEventListener("htmx:responseError", function (event) {
    if (!background(event.detail.elt)) {
      showError(event.detail.elt, errorKey(event.detail.xhr ? event.detail.xhr.status : 0));
    }
  });

  document.addEventListener("htmx:sendError", function (event) {
    if (!background(event.detail.elt)) {
      showError(event.detail.elt, "data-message-offline");
    }
  });
})();
