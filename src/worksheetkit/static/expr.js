/* worksheetkit expression evaluator for the browser.
 *
 * Evaluates the JSON form produced by worksheetkit.expressions.to_json with exactly the
 * semantics of worksheetkit/expressions/evaluator.py (a test runs both over a corpus and
 * requires identical results). Dependency-free ES2017; never uses eval or Function.
 *
 * Exposes one global: window.worksheetkitExpr = {evaluate(json, values, row, completed)}.
 * When loaded where `window` does not exist, it attaches to the global object instead.
 */
(function (root) {
  "use strict";

  var MAX_VALUE_DEPTH = 16;
  var POWERS = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];
  var hasOwn = Object.prototype.hasOwnProperty;

  function isObject(v) {
    return v !== null && typeof v === "object" && !Array.isArray(v);
  }

  // A finite number, or null (booleans are not numbers).
  function asNumber(v) {
    return typeof v === "number" && isFinite(v) ? v : null;
  }

  // How a computed number is returned: null when not finite; -0 becomes 0.
  function numberResult(v) {
    if (!isFinite(v)) return null;
    return v === 0 ? 0 : v;
  }

  // An answer as the language sees it: JSON-like values pass, anything else is null.
  function clean(v) {
    if (v === undefined || v === null) return null;
    if (typeof v === "boolean" || typeof v === "string") return v;
    if (typeof v === "number") return isFinite(v) ? numberResult(v) : null;
    if (Array.isArray(v) || isObject(v)) return v;
    return null;
  }

  function get(obj, key) {
    return isObject(obj) && hasOwn.call(obj, key) ? obj[key] : undefined;
  }

  function truthy(v) {
    if (v === null || v === undefined || v === false) return false;
    if (v === true) return true;
    if (typeof v === "number") return isFinite(v) && v !== 0;
    if (typeof v === "string" || Array.isArray(v)) return v.length > 0;
    if (isObject(v)) return Object.keys(v).length > 0;
    return false;
  }

  function equal(a, b, level) {
    level = level || 0;
    if (level > MAX_VALUE_DEPTH) return false;
    if (typeof a === "boolean" || typeof b === "boolean") {
      return typeof a === "boolean" && typeof b === "boolean" && a === b;
    }
    var x = asNumber(a), y = asNumber(b);
    if (x !== null || y !== null) return x !== null && y !== null && x === y;
    if (typeof a === "string" || typeof b === "string") {
      return typeof a === "string" && typeof b === "string" && a === b;
    }
    if (Array.isArray(a) && Array.isArray(b)) {
      if (a.length !== b.length) return false;
      for (var i = 0; i < a.length; i++) {
        if (!equal(clean(a[i]), clean(b[i]), level + 1)) return false;
      }
      return true;
    }
    if (isObject(a) && isObject(b)) {
      var ka = Object.keys(a), kb = Object.keys(b);
      if (ka.length !== kb.length) return false;
      for (var j = 0; j < ka.length; j++) {
        if (!hasOwn.call(b, ka[j])) return false;
        if (!equal(clean(a[ka[j]]), clean(b[ka[j]]), level + 1)) return false;
      }
      return true;
    }
    return false;
  }

  function order(op, a, b) {
    var x = asNumber(a), y = asNumber(b), l, r;
    if (x !== null && y !== null) { l = x; r = y; }
    else if (typeof a === "string" && typeof b === "string") { l = a; r = b; }
    else return false;
    if (op === "<") return l < r;
    if (op === "<=") return l <= r;
    if (op === ">") return l > r;
    return l >= r;
  }

  function contains(a, b) {
    if (a === null) return false;
    if (Array.isArray(b)) {
      for (var i = 0; i < b.length; i++) if (equal(a, clean(b[i]))) return true;
      return false;
    }
    if (typeof a === "string" && typeof b === "string") return b.indexOf(a) !== -1;
    return false;
  }

  function arithmetic(op, a, b) {
    var x = asNumber(a), y = asNumber(b);
    if (x === null || y === null) return null;
    if (op === "+") return numberResult(x + y);
    if (op === "-") return numberResult(x - y);
    if (op === "*") return numberResult(x * y);
    if (y === 0) return null;
    return numberResult(x / y);
  }

  function roundHalfAway(value, digits) {
    var sign = value < 0 ? -1 : 1;
    var magnitude = Math.abs(value);
    var factor = POWERS[Math.abs(digits)];
    var scaled = digits >= 0 ? magnitude * factor : magnitude / factor;
    var whole = Math.floor(scaled);
    if (scaled - whole >= 0.5) whole += 1;
    var result = digits >= 0 ? whole / factor : whole * factor;
    return sign * result;
  }

  // Collect numbers (nested lists flattened, nulls skipped); false when a non-number is met.
  function flatten(value, out, level) {
    if (value === null) return true;
    var n = asNumber(value);
    if (n !== null) { out.push(n); return true; }
    if (Array.isArray(value) && level < MAX_VALUE_DEPTH) {
      for (var i = 0; i < value.length; i++) {
        if (!flatten(clean(value[i]), out, level + 1)) return false;
      }
      return true;
    }
    return false;
  }

  function numbers(args) {
    var out = [];
    for (var i = 0; i < args.length; i++) if (!flatten(args[i], out, 0)) return null;
    return out.length ? out : null;
  }

  function hasNull(args) {
    for (var i = 0; i < args.length; i++) if (args[i] === null) return true;
    return false;
  }

  function total(nums) {
    var t = 0;
    for (var i = 0; i < nums.length; i++) t += nums[i];
    return t;
  }

  var SIMPLE = {
    answered: [1, 1, function (a) {
      var v = a[0];
      if (v === null || v === "") return false;
      return !(Array.isArray(v) && v.length === 0);
    }],
    selected: [2, 2, function (a) {
      var v = a[0], w = a[1];
      if (v === null || w === null) return false;
      if (Array.isArray(v)) {
        for (var i = 0; i < v.length; i++) if (equal(clean(v[i]), w)) return true;
        return false;
      }
      return equal(v, w);
    }],
    count: [1, 1, function (a) {
      var v = a[0];
      if (v === null) return 0;
      if (!Array.isArray(v)) return null;
      var c = 0;
      for (var i = 0; i < v.length; i++) if (clean(v[i]) !== null) c++;
      return c;
    }],
    rows: [1, 1, function (a) {
      var v = a[0];
      if (v === null) return 0;
      return Array.isArray(v) ? v.length : null;
    }],
    sum: [1, Infinity, function (a) {
      var n = numbers(a);
      return n === null ? null : numberResult(total(n));
    }],
    mean: [1, Infinity, function (a) {
      var n = numbers(a);
      return n === null ? null : numberResult(total(n) / n.length);
    }],
    min: [1, Infinity, function (a) {
      // A missing argument makes min/max missing; nulls inside a list are skipped.
      var n = hasNull(a) ? null : numbers(a);
      if (n === null) return null;
      var m = n[0];
      for (var i = 1; i < n.length; i++) if (n[i] < m) m = n[i];
      return numberResult(m);
    }],
    max: [1, Infinity, function (a) {
      var n = hasNull(a) ? null : numbers(a);
      if (n === null) return null;
      var m = n[0];
      for (var i = 1; i < n.length; i++) if (n[i] > m) m = n[i];
      return numberResult(m);
    }],
    abs: [1, 1, function (a) {
      var n = asNumber(a[0]);
      return n === null ? null : numberResult(Math.abs(n));
    }],
    round: [1, 2, function (a) {
      var n = asNumber(a[0]);
      var d = a.length > 1 ? asNumber(a[1]) : 0;
      if (n === null || d === null || d !== Math.floor(d) || Math.abs(d) > 15) return null;
      return numberResult(roundHalfAway(n, d));
    }]
  };
  var SPECIAL = { "if": [3, 3], coalesce: [1, Infinity], any: [2, 2], all: [2, 2], completed: [1, 1] };

  function Evaluator(values, rows, completed) {
    this.values = isObject(values) ? values : {};
    this.rows = rows;
    this.completed = typeof completed === "function" ? completed : null;
  }

  Evaluator.prototype.lookup = function (name) {
    for (var i = this.rows.length - 1; i >= 0; i--) {
      if (hasOwn.call(this.rows[i], name)) return clean(this.rows[i][name]);
    }
    return clean(get(this.values, name));
  };

  Evaluator.prototype.run = function (node) {
    if (!Array.isArray(node)) return clean(node);
    var tag = node[0], i;
    switch (tag) {
      case "name":
        return this.lookup(node[1]);
      case "col": {
        var table = this.lookup(node[1]);
        if (!Array.isArray(table)) return null;
        var out = [];
        for (i = 0; i < table.length; i++) {
          out.push(isObject(table[i]) ? clean(get(table[i], node[2])) : null);
        }
        return out;
      }
      case "list": {
        var items = [];
        for (i = 1; i < node.length; i++) items.push(this.run(node[i]));
        return items;
      }
      case "neg": {
        var n = asNumber(this.run(node[1]));
        return n === null ? null : numberResult(-n);
      }
      case "not":
        return !truthy(this.run(node[1]));
      case "and":
        return truthy(this.run(node[1])) && truthy(this.run(node[2]));
      case "or":
        return truthy(this.run(node[1])) || truthy(this.run(node[2]));
      case "call":
        return this.call(node[1], node.slice(2));
      default:
        return this.binary(tag, node[1], node[2]);
    }
  };

  Evaluator.prototype.binary = function (op, left, right) {
    var a = this.run(left), b = this.run(right);
    if (op === "==" || op === "!=") {
      if (left === null || right === null) {
        // "x == null" tests for a missing answer; the only comparison that sees null.
        var bothNull = a === null && b === null;
        return op === "==" ? bothNull : !bothNull;
      }
      if (a === null || b === null) return false;
      return op === "==" ? equal(a, b) : !equal(a, b);
    }
    if (op === "in") return contains(a, b);
    if (op === "<" || op === "<=" || op === ">" || op === ">=") return order(op, a, b);
    if (op === "+" || op === "-" || op === "*" || op === "/") return arithmetic(op, a, b);
    return null;
  };

  Evaluator.prototype.call = function (name, args) {
    var spec = hasOwn.call(SIMPLE, name) ? SIMPLE[name] : hasOwn.call(SPECIAL, name) ? SPECIAL[name] : null;
    if (spec === null || args.length < spec[0] || args.length > spec[1]) return null;
    var i, v;
    if (name === "if") return truthy(this.run(args[0])) ? this.run(args[1]) : this.run(args[2]);
    if (name === "coalesce") {
      for (i = 0; i < args.length; i++) {
        v = this.run(args[i]);
        if (v !== null) return v;
      }
      return null;
    }
    if (name === "any" || name === "all") return this.quantifier(name, args[0], args[1]);
    if (name === "completed") {
      if (this.completed === null) return false;
      var step = Array.isArray(args[0]) && args[0][0] === "name" ? args[0][1] : this.run(args[0]);
      return typeof step === "string" && !!this.completed(step);
    }
    var values = [];
    for (i = 0; i < args.length; i++) values.push(this.run(args[i]));
    return spec[2](values);
  };

  Evaluator.prototype.quantifier = function (name, tableNode, condition) {
    var table = this.run(tableNode);
    if (!Array.isArray(table) || table.length === 0) return false;
    var outer = this.rows;
    try {
      for (var i = 0; i < table.length; i++) {
        this.rows = outer.concat([isObject(table[i]) ? table[i] : {}]);
        var result = truthy(this.run(condition));
        if (name === "any" && result) return true;
        if (name === "all" && !result) return false;
      }
    } finally {
      this.rows = outer;
    }
    return name === "all";
  };

  function evaluate(json, values, row, completed) {
    var rows = isObject(row) ? [row] : [];
    return new Evaluator(values, rows, completed).run(json);
  }

  root.worksheetkitExpr = { evaluate: evaluate };
})(typeof window !== "undefined" ? window : typeof globalThis !== "undefined" ? globalThis : this);
