/*
 * Scanning QR labels with the phone's camera. Two places use it:
 *
 *  - the scan page (form[data-scan-page]): a value read goes into the box and the form is
 *    submitted, exactly as if a barcode scanner had typed it and pressed Enter;
 *  - a location picker (select[data-scan-location], every core.forms.LocationChoiceField): a
 *    "Scan" button beside it reads a bin's label, asks the server which location that is
 *    (GET <data-scan-location>?code=...) and selects it.
 *
 * The browser's own reader (BarcodeDetector) is used where it reads QR codes. Elsewhere (Firefox,
 * Safari, Chrome on desktop Linux and Windows) the vendored jsQR decodes video frames drawn to a
 * canvas; it is loaded from the URL in data-scan-decoder on the first scan only. Messages come in
 * the user's language from data-scan-messages (core.qr.SCANNER_MESSAGES). Without JavaScript
 * the box and the select work as they are, and nothing here runs on a page without a scanner.
 */
(function () {
  "use strict";

  var FRAME_DELAY = 150; // ms between two looks at the video: prompt, and it spares the battery
  var MAX_SIDE = 800; // px: frames are scaled down to this before jsQR reads them
  var REPEAT_DELAY = 3000; // ms before a value that was just refused is looked up again

  // --- Reading QR codes from a video -------------------------------------------------------------

  function fill(text, value) {
    return String(text || "").replace("%s", value);
  }

  // The browser's own reader as read(video) -> Promise<string|null>, or null if it has none for
  // QR codes (BarcodeDetector exists in some browsers without any format it can read).
  function builtInReader() {
    var Detector = window.BarcodeDetector;
    if (!Detector || !Detector.getSupportedFormats) {
      return Promise.resolve(null);
    }
    return Detector.getSupportedFormats().then(
      function (formats) {
        if (formats.indexOf("qr_code") === -1) {
          return null;
        }
        var detector = new Detector({ formats: ["qr_code"] });
        return function (video) {
          return detector.detect(video).then(function (codes) {
            for (var i = 0; i < codes.length; i += 1) {
              if (codes[i].rawValue) {
                return codes[i].rawValue;
              }
            }
            return null;
          });
        };
      },
      function () {
        return null;
      }
    );
  }

  var decoderLoading = null;

  // jsQR, loaded once by a script tag (the file defines window.jsQR).
  function loadDecoder(url) {
    if (window.jsQR) {
      return Promise.resolve(window.jsQR);
    }
    if (!decoderLoading) {
      decoderLoading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = url;
        script.async = true;
        script.onload = function () {
          if (window.jsQR) {
            resolve(window.jsQR);
          } else {
            reject(new Error("jsQR did not load"));
          }
        };
        script.onerror = function () {
          decoderLoading = null; // a later scan may try again
          script.remove();
          reject(new Error("jsQR did not load"));
        };
        document.head.appendChild(script);
      });
    }
    return decoderLoading;
  }

  // A reader that draws the current frame to a canvas and lets jsQR look at its pixels.
  function canvasReader(jsQR) {
    var canvas = document.createElement("canvas");
    var context = canvas.getContext("2d", { willReadFrequently: true });
    return function (video) {
      var width = video.videoWidth;
      var height = video.videoHeight;
      if (!width || !height) {
        return Promise.resolve(null); // no frame yet
      }
      var scale = Math.min(1, MAX_SIDE / Math.max(width, height));
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var image = context.getImageData(0, 0, canvas.width, canvas.height);
      // Printed labels are dark on light: skipping the inverted pass halves the work per frame.
      var code = jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      return Promise.resolve(code && code.data ? code.data : null);
    };
  }

  function decoderReader(url) {
    return loadDecoder(url).then(canvasReader, function () {
      var error = new Error("decoder");
      error.decoder = true;
      throw error;
    });
  }

  var DENIED = ["NotAllowedError", "PermissionDeniedError", "SecurityError"];
  var NO_CAMERA = ["NotFoundError", "DevicesNotFoundError", "OverconstrainedError"];
  var BUSY = ["NotReadableError", "TrackStartError"];

  // Why the camera cannot be used, in words the user can act on.
  function cameraProblem(messages, error) {
    if (error && error.decoder) {
      return messages.decoderFailed;
    }
    var name = (error && error.name) || "";
    if (DENIED.indexOf(name) !== -1) {
      return messages.denied;
    }
    if (NO_CAMERA.indexOf(name) !== -1) {
      return messages.noCamera;
    }
    if (BUSY.indexOf(name) !== -1) {
      return messages.busy;
    }
    return fill(messages.failed, name || String(error));
  }

  // --- A scanner: a button, the video, and the messages next to them -----------------------------

  var active = null; // the one scanner using the camera
  var builtInFailed = false; // BarcodeDetector failed on a playing video: use the decoder

  function stopActive() {
    if (active) {
      active.stop(true);
    }
  }

  function element(tag, className, attrs) {
    var el = document.createElement(tag);
    el.className = className;
    Object.keys(attrs || {}).forEach(function (name) {
      el.setAttribute(name, attrs[name]);
    });
    return el;
  }

  function messagesOf(el) {
    try {
      return JSON.parse(el.getAttribute("data-scan-messages") || "{}");
    } catch (e) {
      return {};
    }
  }

  /*
   * host: the element with data-scan-decoder and data-scan-messages;
   * button: what starts the camera; after: the element the panel and messages follow;
   * onValue(value, scanner) -> Promise<boolean>: true when done (the camera stops), false to
   * read on (the same value is then ignored for a moment, so one refused label is not looked
   * up again on every frame).
   */
  function Scanner(host, button, after, id, onValue) {
    this.messages = messagesOf(host);
    this.decoderUrl = host.getAttribute("data-scan-decoder");
    this.button = button;
    this.onValue = onValue;
    this.stream = null;
    this.starting = false;
    this.read = null;
    this.timer = null;
    this.session = 0; // bumped on every start and stop: late answers of an old one are dropped
    this.ignored = { value: null, until: 0 };

    this.panel = element("div", "scan-panel", { id: id });
    this.panel.hidden = true;
    this.video = element("video", "scan-video", {
      playsinline: "",
      muted: "",
      "aria-hidden": "true",
    });
    this.video.muted = true;
    var stop = element("button", "btn btn-secondary scan-stop", { type: "button" });
    stop.textContent = this.messages.stop || "Stop camera";
    this.panel.appendChild(this.video);
    this.panel.appendChild(stop);
    this.status = element("p", "scan-status", { role: "status" });
    this.alert = element("p", "scan-alert", { role: "alert" });
    var area = element("div", "scan-area");
    area.appendChild(this.panel);
    area.appendChild(this.status);
    area.appendChild(this.alert);
    after.after(area);

    button.setAttribute("aria-controls", id);
    button.setAttribute("aria-expanded", "false");
    button.hidden = false;
    var self = this;
    button.addEventListener("click", function () {
      if (self.stream || self.starting) {
        self.stop(false);
      } else {
        self.start();
      }
    });
    stop.addEventListener("click", function () {
      self.stop(false);
      button.focus();
    });
  }

  Scanner.prototype.say = function (text) {
    this.status.textContent = text || "";
  };

  Scanner.prototype.warn = function (text) {
    this.alert.textContent = text || "";
  };

  Scanner.prototype.start = function () {
    var messages = this.messages;
    this.warn("");
    this.say("");
    if (window.isSecureContext === false) {
      this.warn(messages.insecure);
      return;
    }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      this.warn(messages.unsupported);
      return;
    }
    stopActive();
    active = this;
    var session = (this.session += 1);
    this.starting = true;
    this.panel.hidden = false;
    this.button.setAttribute("aria-expanded", "true");
    this.say(messages.starting);
    var self = this;
    var camera = navigator.mediaDevices.getUserMedia({
      // The back camera, sharp enough for a small label at arm's length.
      video: {
        facingMode: { ideal: "environment" },
        width: { ideal: 1280 },
        height: { ideal: 720 },
      },
      audio: false,
    });
    var reader = (builtInFailed ? Promise.resolve(null) : builtInReader()).then(function (read) {
      return read || decoderReader(self.decoderUrl);
    });
    Promise.all([camera, reader]).then(
      function (both) {
        if (session !== self.session) {
          stopTracks(both[0]); // stopped (or restarted) while the browser was asking
          return;
        }
        self.starting = false;
        self.stream = both[0];
        self.read = both[1];
        self.video.srcObject = self.stream;
        var playing = self.video.play();
        if (playing && playing.catch) {
          playing.catch(function () {}); // stopped before the first frame: nothing to report
        }
        self.say(messages.looking);
        self.look(session);
      },
      function (error) {
        camera.then(stopTracks, function () {}); // the camera may have opened all the same
        if (session !== self.session) {
          return;
        }
        self.stop(true);
        self.warn(cameraProblem(messages, error));
      }
    );
  };

  function stopTracks(stream) {
    stream.getTracks().forEach(function (track) {
      track.stop();
    });
  }

  // One look at the current frame; the next is scheduled unless the scan is over.
  Scanner.prototype.look = function (session) {
    var self = this;
    if (session !== this.session) {
      return;
    }
    if (!this.video.isConnected) {
      this.stop(true); // the form was swapped out (HTMX): let go of the camera
      return;
    }
    Promise.resolve()
      .then(function () {
        return self.read(self.video);
      })
      .then(
        function (value) {
          self.found(session, value);
        },
        function () {
          self.readFailed(session);
        }
      );
  };

  Scanner.prototype.next = function (session, delay) {
    var self = this;
    if (session === this.session) {
      this.timer = setTimeout(function () {
        self.look(session);
      }, delay);
    }
  };

  Scanner.prototype.found = function (session, value) {
    var self = this;
    if (session !== this.session) {
      return;
    }
    if (!value || (value === this.ignored.value && Date.now() < this.ignored.until)) {
      this.next(session, FRAME_DELAY);
      return;
    }
    Promise.resolve(this.onValue(value, this)).then(function (done) {
      if (session !== self.session) {
        return;
      }
      if (done) {
        self.stop(true);
      } else {
        self.ignored = { value: value, until: Date.now() + REPEAT_DELAY };
        self.next(session, FRAME_DELAY);
      }
    });
  };

  // The built-in reader fails until the video plays. If it fails while playing, it does not work
  // in this browser after all (some expose BarcodeDetector without a working service): read on
  // with the decoder.
  Scanner.prototype.readFailed = function (session) {
    var self = this;
    if (session !== this.session) {
      return;
    }
    if (this.video.readyState < 2 || builtInFailed) {
      this.next(session, FRAME_DELAY * 3);
      return;
    }
    builtInFailed = true; // and for the rest of this page's life
    decoderReader(this.decoderUrl).then(
      function (read) {
        self.read = read;
        self.next(session, 0);
      },
      function (error) {
        if (session === self.session) {
          self.stop(true);
          self.warn(cameraProblem(self.messages, error));
        }
      }
    );
  };

  // quiet: the caller says what happened; else "Camera stopped."
  Scanner.prototype.stop = function (quiet) {
    this.session += 1;
    this.starting = false;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.stream) {
      stopTracks(this.stream);
      this.stream = null;
    }
    this.video.srcObject = null;
    this.panel.hidden = true;
    this.button.setAttribute("aria-expanded", "false");
    if (active === this) {
      active = null;
    }
    if (!quiet) {
      this.say(this.messages.stopped);
    }
  };

  // --- The scan page -----------------------------------------------------------------------------

  function setUpScanPage(form) {
    var input = form.querySelector("input[name='code']");
    var button = form.querySelector(".scan-camera-button");
    if (!input || !button || form.hasAttribute("data-scan-ready")) {
      return;
    }
    form.setAttribute("data-scan-ready", "");
    // After a failed lookup the value stays in the box, selected: the next scan (typed by a
    // barcode scanner) replaces it instead of being appended to it.
    if (input.getAttribute("aria-invalid") === "true") {
      input.focus();
      input.select();
    }
    var after = button.closest(".form-actions") || button;
    new Scanner(form, button, after, "scan-camera-box", function (value, scanner) {
      input.value = value;
      scanner.say(fill(scanner.messages.lookingUp, value));
      if (form.requestSubmit) {
        form.requestSubmit();
      } else {
        form.submit();
      }
      return true;
    });
  }

  // --- A location picker -------------------------------------------------------------------------

  function optionFor(select, id) {
    for (var i = 0; i < select.options.length; i += 1) {
      if (select.options[i].value === String(id)) {
        return select.options[i];
      }
    }
    return null;
  }

  // Ask the server which location of the site has the value; select it if the picker offers it.
  function pickLocation(select, value, scanner) {
    var messages = scanner.messages;
    var url = select.getAttribute("data-scan-location");
    url += (url.indexOf("?") === -1 ? "?" : "&") + "code=" + encodeURIComponent(value);
    scanner.say(fill(messages.lookingUp, value));
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(
          function (body) {
            return { ok: response.ok, body: body || {} };
          },
          function () {
            return { ok: false, body: {} };
          }
        );
      })
      .then(
        function (answer) {
          var option = answer.ok ? optionFor(select, answer.body.id) : null;
          if (!option) {
            scanner.warn(
              answer.ok
                ? fill(messages.notOffered, answer.body.path)
                : answer.body.detail || messages.lookupFailed
            );
            scanner.say(messages.looking);
            return false;
          }
          select.value = option.value;
          select.dispatchEvent(new Event("change", { bubbles: true }));
          scanner.warn("");
          scanner.say(fill(messages.selected, answer.body.path));
          select.focus();
          return true;
        },
        function () {
          scanner.warn(messages.lookupFailed);
          scanner.say(messages.looking);
          return false;
        }
      );
  }

  var counter = 0;

  function setUpLocationPicker(select) {
    if (select.hasAttribute("data-scan-ready") || select.disabled) {
      return;
    }
    select.setAttribute("data-scan-ready", "");
    var messages = messagesOf(select);
    counter += 1;
    var id = (select.id || "scan-location-" + counter) + "_scanner";
    var row = element("div", "scan-field");
    select.parentNode.insertBefore(row, select);
    row.appendChild(select);
    var button = element("button", "btn btn-secondary scan-field-button", { type: "button" });
    button.textContent = messages.scan || "Scan";
    // The field's label names the button for screen readers (Django ends labels with ":").
    var label = select.labels && select.labels[0] ? select.labels[0].textContent : "";
    label = label.replace(/[\s:]+$/, "").trim();
    if (label && messages.scanFor) {
      button.setAttribute("aria-label", fill(messages.scanFor, label));
    }
    row.appendChild(button);
    new Scanner(select, button, row, id, function (value, scanner) {
      return pickLocation(select, value, scanner);
    });
  }

  // --- Wiring ------------------------------------------------------------------------------------

  function setUp(root) {
    if (!root || !root.querySelectorAll) {
      return;
    }
    var pages = Array.prototype.slice.call(root.querySelectorAll("form[data-scan-page]"));
    var pickers = Array.prototype.slice.call(root.querySelectorAll("select[data-scan-location]"));
    if (root.matches && root.matches("select[data-scan-location]")) {
      pickers.push(root);
    }
    pages.forEach(setUpScanPage);
    pickers.forEach(setUpLocationPicker);
  }

  setUp(document);
  // Forms that HTMX brings in later (a stock action's panel) get their buttons too.
  document.addEventListener("htmx:load", function (event) {
    setUp(event.target);
  });
  // Never keep the camera on behind the user's back.
  window.addEventListener("pagehide", stopActive);
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      stopActive();
    }
  });
})();
