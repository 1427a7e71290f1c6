/* worksheetkit preview bridge: runs inside the sandboxed form frame (opaque origin). It tells
   the studio page what the client has answered, and restores answers after a reload. It reads
   the form only through the runtime's public controller (window.worksheetkit.form). */
(function () {
  "use strict";
  var form = document.querySelector("form[data-wk-form]");
  if (!form || !window.parent || window.parent === window) return;
  function controller() { return window.worksheetkit ? window.worksheetkit.form(form) : null; }
  function post(message) { window.parent.postMessage(message, "*"); }
  var timer = null;
  function changed() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(function () {
      var c = controller();
      if (c) post({ type: "wk-preview:answers", answers: c.answers(true) });
    }, 120);
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("button")) changed();
  });
  form.addEventListener("worksheetkit:submit", function (event) {
    post({ type: "wk-preview:answers", answers: event.detail.answers, submitted: true });
  });

  function minutes(value) {
    var m = /^PT(?:(\d+)H)?(?:(\d+)M)?$/.exec(String(value));
    return m ? String((parseInt(m[1] || "0", 10) * 60) + parseInt(m[2] || "0", 10)) : String(value);
  }
  function fire(el) {
    el.dispatchEvent(new Event("input", { bubbles: true }));
    el.dispatchEvent(new Event("change", { bubbles: true }));
  }
  function setField(name, value) {
    var field = form.elements.namedItem(name);
    if (!field) return false;
    var list = field.length !== undefined && !field.tagName ? field : [field];
    var done = false;
    for (var i = 0; i < list.length; i++) {
      var el = list[i];
      if (el.type === "radio" || el.type === "checkbox") {
        var on = String(el.value) === String(value);
        if (on && !el.checked) { el.checked = true; fire(el); }
        done = done || on;
      } else if (el.type !== "range") {
        el.value = el.getAttribute("data-wk-duration") !== null || /duration/.test(el.className)
          ? minutes(value) : String(value);
        fire(el);
        done = true;
      }
    }
    return done;
  }
  function setMany(name, values) {
    var field = form.elements.namedItem(name);
    if (!field) return;
    var list = field.length !== undefined && !field.tagName ? field : [field];
    for (var i = 0; i < list.length; i++) {
      var el = list[i];
      if (el.type === "checkbox") {
        var on = values.map(String).indexOf(String(el.value)) >= 0;
        if (on !== el.checked) { el.checked = on; fire(el); }
      }
    }
  }
  function setValue(name, value) {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) {
      if (value.length && typeof value[0] === "object") return;
      setMany(name + "[]", value);
    } else if (typeof value === "object") {
      if (typeof value.other === "string" && setField(name, "__other__")) setField(name + "__other", value.other);
    } else if (!setField(name, value) && typeof value === "boolean") {
      setField(name, value ? "true" : "false");
    }
  }
  function restore(answers) {
    Object.keys(answers || {}).forEach(function (id) {
      var value = answers[id];
      if (Array.isArray(value) && value.length && typeof value[0] === "object") {
        // A table: add rows as needed, then fill each cell that still exists.
        var wrapper = form.querySelector('[data-wk-item="' + id.replace(/["\\]/g, "") + '"]');
        for (var r = 0; r < value.length; r++) {
          if (!form.elements.namedItem(id + "[" + r + "]") && wrapper) {
            var probe = wrapper.querySelector("[name^='" + id.replace(/['\\]/g, "") + "[" + r + "]']");
            var add = wrapper.querySelector("[data-wk-add]");
            if (!probe && add && !add.disabled) add.click();
          }
          Object.keys(value[r] || {}).forEach(function (col) {
            setValue(id + "[" + r + "][" + col + "]", value[r][col]);
          });
        }
      } else {
        setValue(id, value);
      }
    });
    changed();
  }
  window.addEventListener("message", function (event) {
    if (event.source !== window.parent || !event.data || typeof event.data !== "object") return;
    if (event.data.type === "wk-preview:restore") restore(event.data.answers);
  });
  function height() {
    post({ type: "wk-preview:height", height: document.documentElement.scrollHeight });
  }
  if (typeof ResizeObserver === "function") new ResizeObserver(height).observe(document.body);
  height();
  post({ type: "wk-preview:ready" });
})();
