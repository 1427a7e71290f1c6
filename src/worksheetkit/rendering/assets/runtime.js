/* worksheetkit form runtime: show_if, live scores, table rows, ranking, character counts,
 * validation messages and the `worksheetkit:submit` event. Inlined by the renderer inside a
 * function scope; `worksheetkitExpr` is the expression evaluator (static/expr.js).
 * Expressions arrive in their parsed JSON form and are evaluated, never eval'd. */
var OTHER = "__other__";
var hasOwn = Object.prototype.hasOwnProperty;

function fmt(template, values) {
  return String(template).replace(/\{(\w+)\}/g, function (m, key) {
    return hasOwn.call(values, key) ? String(values[key]) : m;
  });
}

function parseJSON(text, fallback) {
  try { return JSON.parse(text); } catch (e) { return fallback; }
}

function each(list, fn) { Array.prototype.forEach.call(list, fn); }

function numberText(n) {
  return typeof n === "number" ? String(Math.round(n * 100) / 100) : "";
}

function Form(root) {
  this.root = root;
  this.form = root.querySelector("form[data-wk-form]");
  this.config = parseJSON(this.form.querySelector("script.wk-config").textContent, {});
  this.strings = this.config.strings || {};
  this.items = {};
  var self = this;
  each(this.config.items || [], function (item) { self.items[item.id] = item; });
  this.startedAt = null;
  this.form.noValidate = true;
  this.setup();
  this.drafts = this.form.getAttribute("data-wk-drafts") || "";
  if (this.drafts && !this.form.hasAttribute("data-wk-prefilled")) this.restoreDraft();
  this.refresh();
  // A redisplayed submission (render(answers=, diagnostics=)): the summary is already there.
  var summary = this.form.querySelector("[data-wk-summary]");
  if (summary && !summary.hidden) summary.focus();
}

Form.prototype.s = function (key, values) {
  return fmt(this.strings[key] || key, values || {});
};

Form.prototype.wrapper = function (id) {
  return this.form.querySelector('[data-wk-item="' + id + '"]');
};

Form.prototype.setup = function () {
  var self = this, form = this.form;
  each(form.querySelectorAll("[data-wk-range]"), function (range) {
    var input = document.getElementById(range.getAttribute("data-wk-range"));
    var slider = range.parentNode;
    var ends = slider.querySelector("[data-wk-range-ends]");
    var state = slider.querySelector("[data-wk-range-state]");
    var item = range.closest("[data-wk-item]");
    range.hidden = false;
    if (ends) {
      ends.hidden = false;
      // The words now sit at the slider's ends; the list above stays for screen readers.
      if (item) item.classList.add("wk-slider-on");
    }
    // Until the first answer the knob is not drawn and the slider says it is unanswered,
    // so the minimum never looks chosen.
    var unset = function () {
      var empty = input.value === "";
      range.classList.toggle("wk-range--unset", empty);
      if (state) state.hidden = !empty;
    };
    range._wkSync = function () {
      if (input.value !== "") range.value = input.value;
      unset();
      self.valueText(range);
    };
    range.addEventListener("input", function () {
      input.value = range.value;
      input.removeAttribute("data-wk-empty");
      unset();
      self.valueText(range);
      self.changed();
    });
    input.addEventListener("input", function () {
      if (input.value !== "") range.value = input.value;
      unset();
      self.valueText(range);
    });
    unset();
    self.valueText(range);
  });
  each(form.querySelectorAll("[data-wk-ranking]"), function (list) {
    each(list.querySelectorAll(".wk-rank-buttons"), function (b) { b.hidden = false; });
    self.updateRanking(list);
  });
  each(form.querySelectorAll("[data-wk-table]"), function (table) {
    var body = table.tBodies[0];
    var first = body.querySelector("tr[data-wk-row]");
    table._wkTemplate = first ? first.cloneNode(true) : null;
    if (table._wkTemplate) {
      each(table._wkTemplate.querySelectorAll("input, textarea, select"), function (el) {
        if (el.type === "checkbox" || el.type === "radio") el.checked = false;
        else if (el.tagName === "SELECT") el.selectedIndex = 0;
        else el.value = "";
      });
    }
    self.updateTable(table);
  });
  form.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button") : null;
    if (!button || !form.contains(button)) return;
    if (button.hasAttribute("data-wk-move")) {
      self.move(button, parseInt(button.getAttribute("data-wk-move"), 10));
    } else if (button.hasAttribute("data-wk-add")) {
      self.addRow(button);
    } else if (button.hasAttribute("data-wk-remove")) {
      self.removeRow(button);
    }
  });
  form.addEventListener("click", function (event) {
    var a = event.target.closest ? event.target.closest("[data-wk-error-list] a") : null;
    if (!a) return;
    var target = document.getElementById(a.getAttribute("href").slice(1));
    if (!target) return;
    event.preventDefault();
    if (target.focus) target.focus();
    if (target.scrollIntoView) target.scrollIntoView({ block: "center" });
  });
  form.addEventListener("input", function (event) { self.onInput(event.target); });
  form.addEventListener("change", function (event) { self.onInput(event.target); });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    self.submit();
  });
  each(form.querySelectorAll("[data-wk-count]"), function (el) { self.count(el); });
};

Form.prototype.onInput = function (target) {
  if (this.startedAt === null) this.startedAt = new Date().toISOString();
  if (target.hasAttribute && target.hasAttribute("data-wk-exclusive") && target.checked) {
    each(this.form.querySelectorAll('input[name="' + target.name + '"]'), function (other) {
      if (other !== target) other.checked = false;
    });
  } else if (target.type === "checkbox" && target.checked) {
    each(this.form.querySelectorAll('input[name="' + target.name + '"][data-wk-exclusive]'),
      function (ex) { ex.checked = false; });
  }
  if (target.hasAttribute && target.hasAttribute("data-wk-count")) this.count(target);
  if (target.tagName === "INPUT" && target.type !== "checkbox" && target.type !== "radio") {
    // Printing hides the browser's "mm/dd/yyyy" hints and blank boxes of unanswered inputs.
    if (target.value === "") target.setAttribute("data-wk-empty", "");
    else target.removeAttribute("data-wk-empty");
  }
  this.changed();
};

Form.prototype.changed = function () {
  if (this.startedAt === null) this.startedAt = new Date().toISOString();
  this.refresh();
  if (this.drafts && !this.restoring) this.saveDraft();
};

Form.prototype.valueText = function (range) {
  var value = range.value;
  var anchors = {};
  var item = range.closest("[data-wk-item]");
  if (item) {
    each(item.querySelectorAll(".wk-anchors li"), function (li) {
      var v = li.querySelector(".wk-anchor-value");
      if (v) anchors[v.textContent] = li.textContent.slice(v.textContent.length).trim();
    });
  }
  var input = document.getElementById(range.getAttribute("data-wk-range"));
  if (input && input.value === "") {
    range.setAttribute("aria-valuetext", this.s("not_answered"));
  } else {
    range.setAttribute("aria-valuetext", hasOwn.call(anchors, value) ? value + ", " + anchors[value] : value);
  }
};

Form.prototype.count = function (el) {
  var limit = parseInt(el.getAttribute("data-wk-count"), 10);
  var out = document.getElementById(el.id + "-count");
  if (!out || !limit) return;
  var left = limit - el.value.length;
  var text = left >= 0 ? this.s("chars_left", { n: left }) : this.s("chars_over", { n: -left });
  if (out.textContent !== text) out.textContent = text;
  out.classList.toggle("wk-count--over", left < 0);
};

/* ---- ranking ---- */
Form.prototype.move = function (button, delta) {
  var li = button.closest("li"), list = li.parentNode;
  var items = Array.prototype.slice.call(list.children);
  var index = items.indexOf(li), target = index + delta;
  if (target < 0 || target >= items.length) return;
  if (delta < 0) list.insertBefore(li, items[target]);
  else list.insertBefore(li, items[target].nextSibling);
  this.updateRanking(list);
  var again = li.querySelector('[data-wk-move="' + delta + '"]');
  if (again && again.disabled) again = li.querySelector('[data-wk-move="' + -delta + '"]');
  if (again) again.focus();
  var live = list.parentNode.querySelector("[data-wk-live]");
  var label = li.querySelector(".wk-rank-label");
  if (live) {
    live.textContent = this.s("moved", {
      label: label ? label.textContent : "", n: target + 1, total: items.length
    });
  }
  this.changed();
};

Form.prototype.updateRanking = function (list) {
  var items = list.children;
  for (var i = 0; i < items.length; i++) {
    var up = items[i].querySelector('[data-wk-move="-1"]');
    var down = items[i].querySelector('[data-wk-move="1"]');
    // Disabled buttons leave the tab order; the edges cannot move further.
    if (up) up.disabled = i === 0;
    if (down) down.disabled = i === items.length - 1;
  }
};

/* ---- tables ---- */
Form.prototype.tableItem = function (table) {
  var wrapper = table.closest("[data-wk-item]");
  return wrapper ? this.items[wrapper.getAttribute("data-wk-item")] : null;
};

Form.prototype.updateTable = function (table) {
  var item = this.tableItem(table) || {};
  var rows = table.tBodies[0].querySelectorAll("tr[data-wk-row]");
  var self = this, id = item.id;
  each(rows, function (tr, r) {
    each(tr.querySelectorAll("[name]"), function (el) {
      el.name = el.name.replace(/^([a-z_][a-z0-9_]*)\[\d+\]/, "$1[" + r + "]");
    });
    each(tr.querySelectorAll("[id]"), function (el) {
      el.id = el.id.replace(/-r\d+-/, "-r" + r + "-");
    });
    each(tr.querySelectorAll("label[for]"), function (el) {
      el.htmlFor = el.htmlFor.replace(/-r\d+-/, "-r" + r + "-");
    });
    each(tr.querySelectorAll("[aria-controls]"), function (el) {
      el.setAttribute("aria-controls", el.getAttribute("aria-controls").replace(/-r\d+-/, "-r" + r + "-"));
    });
    each(tr.querySelectorAll(".wk-cell-label"), function (el) {
      var col = el.closest("[data-wk-col]");
      var spec = col ? self.column(item, col.getAttribute("data-wk-col")) : null;
      if (spec) el.textContent = spec.label + ", " + self.s("row", { n: r + 1 });
    });
    var num = tr.querySelector("[data-wk-rownum]");
    if (num) num.textContent = " " + (r + 1);
    var remove = tr.querySelector("[data-wk-remove]");
    if (remove) {
      remove.hidden = false;
      remove.disabled = rows.length <= Math.max(item.min_rows || 0, 1) && rows.length <= 1;
    }
  });
  var add = table.parentNode.querySelector("[data-wk-add]");
  if (add) add.hidden = item.max_rows !== undefined && rows.length >= item.max_rows;
  void id;
};

Form.prototype.column = function (item, colId) {
  var cols = (item && item.columns) || [];
  for (var i = 0; i < cols.length; i++) if (cols[i].id === colId) return cols[i];
  return null;
};

Form.prototype.addRow = function (button) {
  var table = button.parentNode.querySelector("table[data-wk-table]");
  if (!table || !table._wkTemplate) return;
  var item = this.tableItem(table) || {};
  var body = table.tBodies[0];
  var count = body.querySelectorAll("tr[data-wk-row]").length;
  if (item.max_rows !== undefined && count >= item.max_rows) return;
  var row = table._wkTemplate.cloneNode(true);
  body.appendChild(row);
  this.updateTable(table);
  var first = row.querySelector("input:not([type=hidden]), textarea, select");
  if (first) first.focus();
  var live = button.parentNode.querySelector("[data-wk-live]");
  if (live) live.textContent = this.s("row_added", { n: count + 1 });
  if (item.max_rows !== undefined && count + 1 >= item.max_rows && first === null) {
    row.querySelector("button").focus();
  }
  this.changed();
};

Form.prototype.removeRow = function (button) {
  var tr = button.closest("tr"), table = tr.closest("table");
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.querySelectorAll("tr[data-wk-row]"));
  var index = rows.indexOf(tr);
  body.removeChild(tr);
  this.updateTable(table);
  rows = body.querySelectorAll("tr[data-wk-row]");
  var group = table.parentNode;
  var live = group.querySelector("[data-wk-live]");
  if (live) live.textContent = this.s("row_removed", { n: rows.length });
  // Focus the remove button of the row that took this one's place, or the add button.
  var next = rows[Math.min(index, rows.length - 1)];
  var focus = next ? next.querySelector("[data-wk-remove]") : null;
  if (!focus || focus.disabled) focus = group.querySelector("[data-wk-add]");
  if (focus && !focus.hidden) focus.focus();
  this.changed();
};

/* ---- reading answers ---- */
function optionValue(item, text) {
  var options = (item && item.options) || [];
  for (var i = 0; i < options.length; i++) {
    var v = options[i];
    if ((typeof v === "string" ? v : String(v)) === text) return v;
  }
  return null;
}

function toNumber(text) {
  if (text === "" || text === null || text === undefined) return null;
  var n = Number(text);
  return isFinite(n) ? n : null;
}

function durationText(minutes) {
  var seconds = Math.round(minutes * 60);
  var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
  var out = "PT";
  if (h) out += h + "H";
  if (m) out += m + "M";
  if (s || out === "PT") out += s ? s + "S" : "0M";
  return out;
}

Form.prototype.fields = function (scope, name) {
  return scope.querySelectorAll('[name="' + name.replace(/"/g, '\\"') + '"]');
};

// The value of one control set (`name`) of an item or column spec, or null when unanswered.
Form.prototype.read = function (scope, spec, name) {
  var type = spec.type, els, i, out;
  if (type === "checklist") {
    els = this.fields(scope, name + "[]");
    out = [];
    for (i = 0; i < els.length; i++) {
      if (!els[i].checked) continue;
      if (els[i].value === OTHER) {
        var t = this.otherText(scope, name);
        if (t) out.push({ other: t });
      } else {
        var v = optionValue(spec, els[i].value);
        if (v !== null) out.push(v);
      }
    }
    return out.length ? out : null;
  }
  if (type === "ranking") {
    els = this.fields(scope, name + "[]");
    out = [];
    for (i = 0; i < els.length; i++) out.push(optionValue(spec, els[i].value));
    return out.length ? out : null;
  }
  els = this.fields(scope, name);
  if (!els.length) return null;
  var raw = null;
  if (els[0].type === "radio") {
    for (i = 0; i < els.length; i++) if (els[i].checked) raw = els[i].value;
  } else {
    raw = els[0].value;
  }
  if (raw === null || raw === "") return null;
  if (raw === OTHER) {
    var other = this.otherText(scope, name);
    return other ? { other: other } : null;
  }
  switch (type) {
    case "number": case "rating": {
      var n = toNumber(raw);
      return n;
    }
    case "duration": {
      var d = toNumber(raw);
      return d === null ? null : durationText(d);
    }
    case "yesno":
      return raw === "true" ? true : raw === "false" ? false : null;
    case "choice": case "likert":
      return optionValue(spec, raw);
    case "text":
      return raw.trim() === "" ? null : raw;
    default:
      return raw;
  }
};

Form.prototype.otherText = function (scope, name) {
  var els = this.fields(scope, name + "__other");
  return els.length ? els[0].value.trim() : "";
};

Form.prototype.isVisible = function (el) {
  return el && el.closest("[hidden]") === null;
};

Form.prototype.readTable = function (spec) {
  var wrapper = this.wrapper(spec.id);
  var rows = wrapper.querySelectorAll("tr[data-wk-row]");
  var out = [], self = this;
  each(rows, function (tr, r) {
    var row = {}, any = false;
    each(spec.columns || [], function (col) {
      var cell = tr.querySelector('[data-wk-col="' + col.id + '"]');
      if (cell && cell.hidden) return;
      var value = self.read(tr, col, spec.id + "[" + r + "][" + col.id + "]");
      if (value !== null) { row[col.id] = value; any = true; }
    });
    if (any) out.push(row);
  });
  return out;
};

// Answers of the visible items (hidden ones are neither used nor submitted).
Form.prototype.answers = function (visibleOnly) {
  var out = {}, self = this;
  each(this.config.items || [], function (spec) {
    var wrapper = self.wrapper(spec.id);
    if (!wrapper || (visibleOnly && !self.isVisible(wrapper))) return;
    var value = spec.type === "table" ? self.readTable(spec) : self.read(self.form, spec, spec.id);
    if (spec.type === "table" && value.length === 0) value = null;
    if (value !== null) out[spec.id] = value;
  });
  return out;
};

/* ---- show_if and scores ---- */
Form.prototype.refresh = function () {
  var self = this, conditions = this.form.querySelectorAll("[data-wk-show-if]");
  // Hidden items count as unanswered for other conditions; repeat until nothing changes
  // (conditions cannot depend on each other in a circle: validation guarantees it).
  for (var pass = 0; pass < 8; pass++) {
    var values = this.answers(true), changed = false;
    each(conditions, function (el) {
      if (el.hasAttribute("data-wk-col")) return;
      var expr = parseJSON(el.getAttribute("data-wk-show-if"), true);
      var show = truthy(worksheetkitExpr.evaluate(expr, values, null));
      if (el.hidden === show) { el.hidden = !show; changed = true; }
    });
    if (!changed) break;
  }
  var values = this.answers(true);
  each(this.form.querySelectorAll("tr[data-wk-row]"), function (tr) {
    var wrapper = tr.closest("[data-wk-item]");
    var spec = wrapper ? self.items[wrapper.getAttribute("data-wk-item")] : null;
    if (!spec) return;
    var r = Array.prototype.indexOf.call(tr.parentNode.querySelectorAll("tr[data-wk-row]"), tr);
    var row = {};
    each(spec.columns, function (col) {
      var v = self.read(tr, col, spec.id + "[" + r + "][" + col.id + "]");
      if (v !== null) row[col.id] = v;
    });
    each(tr.querySelectorAll("[data-wk-col][data-wk-show-if]"), function (cell) {
      var expr = parseJSON(cell.getAttribute("data-wk-show-if"), true);
      cell.hidden = !truthy(worksheetkitExpr.evaluate(expr, values, row));
    });
  });
  each(this.form.querySelectorAll("[data-wk-other]"), function (box) {
    var wrap = document.getElementById(box.getAttribute("aria-controls"));
    if (wrap) wrap.hidden = !box.checked;
  });
  each(this.form.querySelectorAll("[data-wk-other-select]"), function (select) {
    var wrap = document.getElementById(select.getAttribute("aria-controls"));
    if (wrap) wrap.hidden = select.value !== OTHER;
  });
  this.scores(values);
};

function truthy(v) {
  if (v === null || v === undefined || v === false) return false;
  if (typeof v === "number") return isFinite(v) && v !== 0;
  if (typeof v === "string" || Array.isArray(v)) return v.length > 0;
  if (typeof v === "object") return Object.keys(v).length > 0;
  return v === true;
}

Form.prototype.scores = function (values) {
  var self = this;
  each(this.config.scores || [], function (score) {
    var out = self.form.querySelector('[data-wk-score="' + score.id + '"]');
    if (!out) return;
    var missing = 0;
    each(score.refs || [], function (ref) {
      if (!hasOwn.call(values, ref)) missing++;
    });
    var value = worksheetkitExpr.evaluate(score.formula, values, null);
    var policy = score.missing || { allow: 0, method: "none" };
    if (typeof value !== "number" || missing > policy.allow || (missing > 0 && policy.method === "none")) {
      value = null;
    } else if (missing > 0 && policy.method === "prorate") {
      var total = (score.refs || []).length;
      value = total > missing ? value * total / (total - missing) : null;
    }
    var text = "–";
    if (typeof value === "number") {
      text = numberText(value);
      for (var i = 0; i < (score.bands || []).length; i++) {
        if (value <= score.bands[i].max) { text += " (" + score.bands[i].label + ")"; break; }
      }
    }
    if (out.textContent !== text) out.textContent = text;
    self.scoreValues = self.scoreValues || {};
    self.scoreValues[score.id] = value;
  });
};

/* ---- validation and submit ---- */
Form.prototype.focusTarget = function (spec) {
  var wrapper = this.wrapper(spec.id);
  if (!wrapper) return null;
  return wrapper.querySelector("input:not([type=hidden]):not([hidden]), textarea, select, button:not([hidden])");
};

Form.prototype.check = function (spec, value) {
  var s = this, label = spec.label, n = value;
  var count = function (v) { return Array.isArray(v) ? v.length : 0; };
  if (value === null) {
    if (!spec.required) return null;
    var group = ["choice", "likert", "yesno", "checklist"].indexOf(spec.type) >= 0;
    if (spec.type === "table") return s.s("err_min_rows", { n: Math.max(spec.min_rows || 0, 1), label: label });
    return s.s(group ? "err_required_choice" : "err_required", { label: label });
  }
  if (spec.type === "number" || spec.type === "rating" || spec.type === "duration") {
    var el = this.focusTarget(spec);
    var num = spec.type === "duration" ? toNumber(el ? el.value : "") : n;
    if (typeof num !== "number") return s.s("err_number", { label: label });
    if (spec.integer && Math.floor(num) !== num) return s.s("err_integer", { label: label });
    if (spec.min !== undefined && num < spec.min) return s.s("err_min", { n: spec.min, label: label });
    if (spec.max !== undefined && num > spec.max) return s.s("err_max", { n: spec.max, label: label });
  }
  if (spec.type === "text") {
    var len = Array.from ? Array.from(value).length : value.length;
    if (spec.min_length !== undefined && len < spec.min_length) return s.s("err_min_length", { n: spec.min_length, label: label });
    if (spec.max_length !== undefined && len > spec.max_length) return s.s("err_max_length", { n: spec.max_length, label: label });
    if (spec.pattern) {
      var re = null;
      try { re = new RegExp("^(?:" + spec.pattern + ")$", "u"); } catch (e) { re = null; }
      if (re && !re.test(value)) return s.s("err_pattern", { label: label });
    }
  }
  if (spec.type === "checklist") {
    if (spec.min_selected !== undefined && count(value) < spec.min_selected) return s.s("err_min_selected", { n: spec.min_selected, label: label });
    if (spec.max_selected !== undefined && count(value) > spec.max_selected) return s.s("err_max_selected", { n: spec.max_selected, label: label });
  }
  if (spec.type === "table") {
    if (spec.min_rows && value.length < spec.min_rows) return s.s("err_min_rows", { n: spec.min_rows, label: label });
    if (spec.max_rows !== undefined && value.length > spec.max_rows) return s.s("err_max_rows", { n: spec.max_rows, label: label });
  }
  return null;
};

Form.prototype.otherMissing = function (spec) {
  if (!spec.other) return false;
  var wrapper = this.wrapper(spec.id);
  var box = wrapper && wrapper.querySelector("[data-wk-other]");
  return !!(box && box.checked && this.otherText(this.form, spec.id) === "");
};

// Show (or clear, with null) the message(s) beside a question: the same markup the server
// writes for render(answers=, diagnostics=). `cells`: table cells [row, column] to mark.
Form.prototype.showError = function (spec, message, cells) {
  var wrapper = this.wrapper(spec.id);
  if (!wrapper) return;
  var messages = message === null ? [] : Array.isArray(message) ? message : [message];
  if (!messages.length) message = null;
  var box = wrapper.querySelector(".wk-error");
  var control = wrapper.querySelector("fieldset, .wk-group") || this.focusTarget(spec);
  var inputs = wrapper.querySelectorAll("input:not([type=hidden]), textarea, select");
  wrapper.classList.toggle("wk-item--error", message !== null);
  if (box) {
    box.hidden = message === null;
    box.textContent = "";
    if (message !== null) {
      var prefix = document.createElement("span");
      prefix.className = "wk-vh";
      prefix.textContent = this.s("error_prefix") + " ";
      box.appendChild(prefix);
      each(messages, function (m) {
        var line = document.createElement("span");
        line.className = "wk-error-message";
        line.textContent = m;
        box.appendChild(line);
      });
    }
  }
  if (spec.type === "table" && box) {
    // Cells: server diagnostics name the cells (only those are marked); the checks on submit
    // mark every cell of a table with a problem, as before.
    var self = this;
    each(inputs, function (el) {
      el.removeAttribute("aria-invalid");
      if (el.getAttribute("aria-describedby") === box.id) el.removeAttribute("aria-describedby");
    });
    each(message === null ? [] : cells || [], function (cell) {
      var el = self.cellTarget(spec, cell[0], cell[1]);
      if (!el || el.type === "checkbox") return;
      el.setAttribute("aria-invalid", "true");
      if (el.type !== "checkbox") el.setAttribute("aria-describedby", box.id);
    });
    if (cells) inputs = [];
  }
  var targets = control && control.tagName !== "INPUT" && control.tagName !== "TEXTAREA" && control.tagName !== "SELECT"
    ? [control] : inputs;
  each(targets, function (el) {
    var ids = (el.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (x) {
      return x && x !== box.id;
    });
    if (message !== null) ids.unshift(box.id);
    if (ids.length) el.setAttribute("aria-describedby", ids.join(" "));
    else el.removeAttribute("aria-describedby");
  });
  each(inputs, function (el) {
    if (el.type === "radio" || el.type === "checkbox") return;
    if (message !== null) el.setAttribute("aria-invalid", "true");
    else el.removeAttribute("aria-invalid");
  });
};

Form.prototype.validate = function (answers) {
  var errors = [], self = this;
  each(this.config.items || [], function (spec) {
    var wrapper = self.wrapper(spec.id);
    if (!wrapper) return;
    var message = null;
    if (self.isVisible(wrapper)) {
      var value = hasOwn.call(answers, spec.id) ? answers[spec.id] : null;
      message = self.check(spec, value);
      if (message === null && self.otherMissing(spec)) message = self.s("err_other", { label: spec.label });
      if (message === null && spec.type === "table" && value) {
        each(value, function (row, r) {
          each(spec.columns || [], function (col) {
            if (message !== null) return;
            var v = hasOwn.call(row, col.id) ? row[col.id] : null;
            var m = self.check(col, v);
            if (m !== null) message = m + " (" + self.s("row", { n: r + 1 }) + ")";
          });
        });
      }
    }
    self.showError(spec, message);
    if (message !== null) {
      var target = self.targetFor(spec, null, null);
      errors.push({ spec: spec, message: message, id: target ? target.id : "" });
    }
  });
  return errors;
};

Form.prototype.summary = function (errors) {
  var box = this.form.querySelector("[data-wk-summary]");
  var list = box.querySelector("[data-wk-error-list]");
  list.textContent = "";
  // Entries: {message, id} — the id of the control to link to, or "" (no link). The links
  // are plain fragment links (the form's click handler moves the focus), as the server
  // writes them for render(diagnostics=).
  each(errors, function (error) {
    var li = document.createElement("li");
    if (error.id) {
      var a = document.createElement("a");
      a.href = "#" + error.id;
      a.textContent = error.message;
      li.appendChild(a);
    } else {
      li.textContent = error.message;
    }
    list.appendChild(li);
  });
  void self;
  box.hidden = errors.length === 0;
  if (this.form.hasAttribute("data-wk-standalone")) {
    var prefix = this.s("error_prefix") + " ";
    var title = document.title.indexOf(prefix) === 0 ? document.title.slice(prefix.length) : document.title;
    document.title = errors.length ? prefix + title : title;
  }
  if (errors.length) box.focus();
};

/* ---- server diagnostics ---- */
// The control a problem links to (the server's focus_target): a table cell, the ranking's
// list, else the question's first named control.
Form.prototype.targetFor = function (spec, row, col) {
  var wrapper = this.wrapper(spec.id);
  if (!wrapper) return null;
  if (spec.type === "table") {
    var cols = spec.columns || [];
    return this.cellTarget(spec, row === null ? 0 : row, col === null ? (cols[0] || {}).id : col) ||
      this.cellTarget(spec, 0, (cols[0] || {}).id);
  }
  if (spec.type === "ranking") return wrapper.querySelector("[data-wk-ranking]");
  var els = this.fields(wrapper, spec.id);
  if (!els.length) els = this.fields(wrapper, spec.id + "[]");
  return els.length ? els[0] : this.focusTarget(spec);
};

// Row `row` of the table's answers (rows left empty are not sent) as shown in the form.
Form.prototype.cellTarget = function (spec, row, col) {
  var wrapper = this.wrapper(spec.id);
  if (!wrapper || col === undefined || col === null) return null;
  var rows = wrapper.querySelectorAll("tr[data-wk-row]"), self = this, seen = -1, dom = -1;
  each(rows, function (tr, r) {
    if (dom >= 0) return;
    var any = false;
    each(spec.columns || [], function (c) {
      if (self.read(tr, c, spec.id + "[" + r + "][" + c.id + "]") !== null) any = true;
    });
    if (any) seen++;
    if (seen === row) dom = r;
  });
  if (dom < 0) dom = row < rows.length ? row : -1;
  if (dom < 0) return null;
  var name = spec.id + "[" + dom + "][" + col + "]";
  var els = this.fields(wrapper, name);
  if (!els.length) els = this.fields(wrapper, name + "[]");
  return els.length ? els[0] : null;
};

// A diagnostic's path as ["", "answers", item, …]: from its "path" list (Diagnostic.to_dict()),
// else from a JSON pointer ("json_pointer", or a "path" text as 0.x wrote it).
function pointer(d) {
  if (Array.isArray(d.path)) return [""].concat(d.path.map(String));
  var text = typeof d.json_pointer === "string" ? d.json_pointer : d.path;
  return String(text || "").split("/").map(function (p) {
    return p.replace(/~1/g, "/").replace(/~0/g, "~");
  });
}

// The client's words for a server problem `code` at the question `spec` — never the
// diagnostic's message, which names item ids for clinicians. The same rules as
// rendering/_client_words.py (client_words), so both write the same markup.
Form.prototype.clientWords = function (code, spec) {
  var s = this, kind = spec.type, words = { label: spec.label || "" };
  var has = function (k) { return spec[k] !== undefined && spec[k] !== null; };
  var bounded = function (low, high, keys) {
    if (has(low) && !has(high)) return s.s(keys[0], { n: spec[low], label: words.label });
    if (has(high) && !has(low)) return s.s(keys[1], { n: spec[high], label: words.label });
    return s.s("err_check", words);
  };
  var group = ["choice", "likert", "yesno", "checklist"].indexOf(kind) >= 0;
  if (code === "WK402") {
    if (kind === "table") return s.s("err_min_rows", { n: Math.max(spec.min_rows || 0, 1), label: words.label });
    return s.s(group ? "err_required_choice" : "err_required", words);
  }
  if (kind === "number" || kind === "rating" || kind === "duration") {
    if (code === "WK403" && has("min") && has("max")) return s.s("err_range", { min: spec.min, max: spec.max, label: words.label });
    if (code === "WK403") return bounded("min", "max", ["err_min", "err_max"]);
    return s.s("err_number", words);
  }
  if ((kind === "date" || kind === "time") && (code === "WK401" || code === "WK403")) return s.s("err_" + kind, words);
  if (kind === "text" && code === "WK404" && !has("pattern")) return bounded("min_length", "max_length", ["err_min_length", "err_max_length"]);
  if (kind === "text" && code === "WK404" && !has("min_length") && !has("max_length")) return s.s("err_pattern", words);
  if ((kind === "choice" || kind === "checklist") && code === "WK404") return s.s("err_other", words);
  if (kind === "checklist" && code === "WK406") return bounded("min_selected", "max_selected", ["err_min_selected", "err_max_selected"]);
  if (kind === "table" && code === "WK407") {
    var low = spec.min_rows ? spec.min_rows : null, high = has("max_rows") ? spec.max_rows : null;
    if (low !== null && high === null) return s.s("err_min_rows", { n: low, label: words.label });
    if (high !== null && low === null) return s.s("err_max_rows", { n: high, label: words.label });
    return s.s("err_check", words);
  }
  if (kind === "ranking" && (code === "WK401" || code === "WK405" || code === "WK412")) return s.s("err_ranking", words);
  if ((kind === "choice" || kind === "likert" || kind === "yesno") && (code === "WK401" || code === "WK405")) return s.s("err_required_choice", words);
  return s.s("err_check", words);
};

// Show diagnostics from the server (Diagnostic.to_dict(): {code, path, message, …}) beside
// their questions, with the error summary: the markup render(answers=, diagnostics=) writes.
// A worksheetkit code (WK…) is shown in the client's words; another code is the app's own,
// shown with its message; problems not at a question are said once, plainly.
Form.prototype.showDiagnostics = function (diagnostics) {
  var self = this, per = {}, entries = [], general = false;
  each(diagnostics || [], function (d) {
    if (!d) return;
    var parts = pointer(d), spec = null, row = null, col = null;
    if (parts.length >= 3 && parts[0] === "" && parts[1] === "answers" && hasOwn.call(self.items, parts[2])) {
      spec = self.items[parts[2]];
      if (parts.length > 4 && /^\d+$/.test(parts[3])) { row = parseInt(parts[3], 10); col = parts[4]; }
    }
    var code = String(d.code || ""), message = String(d.message || "");
    if (code.indexOf("WK") === 0) {
      if (!spec) {
        if (general) return;
        general = true;
        message = self.s("err_response");
      } else {
        var cell = null;
        if (spec.type === "table" && row !== null) {
          each(spec.columns || [], function (c) { if (c.id === col) cell = c; });
        }
        message = cell
          ? self.clientWords(code, cell) + " (" + self.s("row", { n: row + 1 }) + ")"
          : self.clientWords(code, spec);
      }
    }
    var target = spec ? self.targetFor(spec, row, col) : null;
    entries.push({ message: message, id: target && target.id ? target.id : "" });
    if (!spec) return;
    var entry = per[spec.id] || (per[spec.id] = { messages: [], cells: [] });
    entry.messages.push(message);
    if (row !== null) entry.cells.push([row, col]);
  });
  each(this.config.items || [], function (spec) {
    var entry = hasOwn.call(per, spec.id) ? per[spec.id] : null;
    self.showError(spec, entry ? entry.messages : null, entry ? entry.cells : []);
  });
  this.summary(entries);
};

Form.prototype.clearDiagnostics = function () {
  var self = this;
  each(this.config.items || [], function (spec) { self.showError(spec, null, []); });
  this.summary([]);
};

/* ---- filling in answers (drafts) ---- */
function formValue(v) {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return null;
}

function isOther(v) {
  return v !== null && typeof v === "object" && !Array.isArray(v) && typeof v.other === "string";
}

function durationMinutes(text) {
  var m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(String(text));
  if (!m) return null;
  var n = function (i) { return m[i] ? parseFloat(m[i]) : 0; };
  return n(1) * 10080 + n(2) * 1440 + n(3) * 60 + n(4) + n(5) / 60;
}

Form.prototype.setOther = function (scope, name, value) {
  var els = this.fields(scope, name + "__other");
  if (els.length) els[0].value = isOther(value) ? value.other : "";
};

Form.prototype.fill = function (scope, spec, name, value) {
  var els, list;
  if (spec.type === "checklist") {
    list = Array.isArray(value) ? value : [];
    var other = null;
    each(list, function (v) { if (isOther(v)) other = v; });
    each(this.fields(scope, name + "[]"), function (box) {
      box.checked = box.value === OTHER ? other !== null
        : list.some(function (v) { return formValue(v) === box.value; });
    });
    this.setOther(scope, name, other);
    return;
  }
  if (spec.type === "ranking") {
    var ol = scope.querySelector("[data-wk-ranking]");
    if (!ol || !Array.isArray(value)) return;
    each(value, function (v) {
      each(Array.prototype.slice.call(ol.children), function (li) {
        if (li.getAttribute("data-wk-value") === formValue(v)) ol.appendChild(li);
      });
    });
    this.updateRanking(ol);
    return;
  }
  els = this.fields(scope, name);
  if (!els.length) return;
  var text = isOther(value) ? OTHER : value === null || value === undefined ? "" : formValue(value);
  if (spec.type === "duration" && typeof value === "string") {
    var minutes = durationMinutes(value);
    text = minutes === null ? value : String(Math.round(minutes * 1e6) / 1e6);
  }
  if (text === null) text = "";
  if (els[0].type === "radio") {
    each(els, function (r) { r.checked = text !== "" && r.value === text; });
  } else {
    els[0].value = text;
    if (els[0].tagName === "INPUT") {
      if (text === "") els[0].setAttribute("data-wk-empty", "");
      else els[0].removeAttribute("data-wk-empty");
    }
  }
  this.setOther(scope, name, value);
};

Form.prototype.fillTable = function (spec, rows) {
  var wrapper = this.wrapper(spec.id);
  var table = wrapper && wrapper.querySelector("table[data-wk-table]");
  if (!table) return;
  rows = Array.isArray(rows) ? rows : [];
  var body = table.tBodies[0], self = this;
  while (body.querySelectorAll("tr[data-wk-row]").length < rows.length && table._wkTemplate) {
    body.appendChild(table._wkTemplate.cloneNode(true));  // as "Add a row" does
    this.updateTable(table);
  }
  each(body.querySelectorAll("tr[data-wk-row]"), function (tr, r) {
    var row = rows[r] && typeof rows[r] === "object" ? rows[r] : {};
    each(spec.columns || [], function (col) {
      self.fill(tr, col, spec.id + "[" + r + "][" + col.id + "]", hasOwn.call(row, col.id) ? row[col.id] : null);
    });
  });
};

// Fill the form in with answers (a response's `answers`), e.g. a draft from the app's store.
Form.prototype.setAnswers = function (answers) {
  var self = this;
  answers = answers && typeof answers === "object" ? answers : {};
  this.restoring = true;
  try {
    each(this.config.items || [], function (spec) {
      var value = hasOwn.call(answers, spec.id) ? answers[spec.id] : null;
      if (spec.type === "table") self.fillTable(spec, value);
      else self.fill(self.wrapper(spec.id) || self.form, spec, spec.id, value);
    });
    each(this.form.querySelectorAll("[data-wk-range]"), function (range) {
      if (range._wkSync) range._wkSync();
    });
    each(this.form.querySelectorAll("[data-wk-count]"), function (el) { self.count(el); });
    this.refresh();
  } finally {
    this.restoring = false;
  }
};

/* ---- drafts ---- */
Form.prototype.draftKey = function () {
  return "worksheetkit:draft:" + this.config.worksheet + "@" + this.config.version + ":" +
    (this.form.getAttribute("data-wk-draft-key") || "");
};

Form.prototype.storage = function () {
  if (this.drafts !== "local") return null;
  try { return window.localStorage || null; } catch (e) { return null; }
};

Form.prototype.draftDetail = function (answers) {
  return {
    worksheet: this.config.worksheet,
    version: this.config.version,
    key: this.form.getAttribute("data-wk-draft-key") || "",
    started_at: this.startedAt,
    saved_at: new Date().toISOString(),
    answers: answers
  };
};

// Called as the client types: the `worksheetkit:draft` event carries the answers (cancel it
// to keep them out of localStorage), then they are saved under draftKey().
Form.prototype.saveDraft = function () {
  var detail = this.draftDetail(this.answers(false));
  var proceed = fire(this.form, "worksheetkit:draft", detail);
  var store = this.storage();
  if (!proceed || !store) return;
  try { store.setItem(this.draftKey(), JSON.stringify(detail)); } catch (e) { /* full or off */ }
};

Form.prototype.restoreDraft = function () {
  var store = this.storage(), saved = null;
  if (!store) return;
  try { saved = JSON.parse(store.getItem(this.draftKey()) || "null"); } catch (e) { saved = null; }
  if (!saved || !saved.answers || typeof saved.answers !== "object") return;
  this.setAnswers(saved.answers);
  if (typeof saved.started_at === "string") this.startedAt = saved.started_at;
};

Form.prototype.clearDraft = function () {
  var store = this.storage();
  if (store) { try { store.removeItem(this.draftKey()); } catch (e) { /* off */ } }
  var detail = this.draftDetail(null);
  detail.cleared = true;
  fire(this.form, "worksheetkit:draft", detail);
};

function fire(target, name, detail) {
  var event;
  if (typeof CustomEvent === "function") {
    event = new CustomEvent(name, { bubbles: true, cancelable: true, detail: detail });
  } else {
    event = document.createEvent("CustomEvent");
    event.initCustomEvent(name, true, true, detail);
  }
  return target.dispatchEvent(event);
}

Form.prototype.response = function (answers) {
  var now = new Date().toISOString();
  return {
    worksheetkit: 1,
    kind: "response",
    worksheet: this.config.worksheet,
    version: this.config.version,
    started_at: this.startedAt || now,
    submitted_at: now,
    answers: answers,
    language: this.config.language
  };
};

Form.prototype.submit = function () {
  this.refresh();
  var answers = this.answers(true);
  var errors = this.validate(answers);
  this.summary(errors);
  var status = this.form.querySelector("[data-wk-status]");
  if (errors.length) {
    if (status) status.textContent = "";
    return null;
  }
  var detail = this.response(answers);
  this.lastResponse = detail;
  var proceed = fire(this.form, "worksheetkit:submit", detail);
  // Submitted: the draft has done its job, unless the app cancelled the event to send the
  // answers itself; it then calls clearDraft() once its server has accepted them, so a rejected
  // or unsent submission keeps its draft.
  if (this.drafts && proceed) this.clearDraft();
  if (status && proceed) status.textContent = this.s("submitted");
  return detail;
};

function init() {
  each(document.querySelectorAll(".wk-root"), function (root) {
    if (root._worksheetkit || !root.querySelector("form[data-wk-form]")) return;
    root._worksheetkit = new Form(root);
  });
}

window.worksheetkit = {
  version: 1,
  expr: worksheetkitExpr,
  init: init,
  // The form controller of a rendered worksheet (for apps: .answers(), .submit(),
  // .showDiagnostics(diags), .clearDiagnostics(), .setAnswers(answers)).
  form: function (element) {
    var root = element && element.closest ? element.closest(".wk-root") : null;
    return root ? root._worksheetkit || null : null;
  }
};

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
