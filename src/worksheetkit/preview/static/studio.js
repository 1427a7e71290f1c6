/* worksheetkit preview studio: live reload (server-sent events), the form frame's messages,
   and the live response check. Everything it inserts comes escaped from the server. */
(function () {
  "use strict";
  var live = document.getElementById("live-status");
  function say(text) { if (live) live.textContent = text; }

  function frame() { return document.getElementById("form-frame"); }
  function storageKey() {
    var f = frame();
    return f ? "wk-preview:answers:" + f.getAttribute("data-file") : null;
  }
  function saved() {
    var key = storageKey();
    if (!key) return null;
    try { return JSON.parse(sessionStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function save(answers) {
    var key = storageKey();
    if (!key) return;
    try { sessionStorage.setItem(key, JSON.stringify(answers)); } catch (e) { /* private mode */ }
  }

  var pending = null, inflight = false;
  function check(answers) {
    pending = answers;
    if (inflight) return;
    var f = frame();
    if (!f) return;
    inflight = true;
    var body = JSON.stringify({
      file: f.getAttribute("data-file"), language: f.getAttribute("data-language"), answers: pending
    });
    pending = null;
    fetch("/api/check", { method: "POST", headers: { "Content-Type": "application/json" }, body: body })
      .then(function (reply) { return reply.ok ? reply.json() : null; })
      .then(function (data) {
        if (!data) return;
        var result = document.getElementById("result");
        if (result) result.innerHTML = "<h2>Live response</h2>" + data.html;
        var banner = document.getElementById("urgent");
        if (banner) banner.innerHTML = data.banner;
      })
      .catch(function () { say("The preview server is not answering."); })
      .then(function () {
        inflight = false;
        if (pending) check(pending);
      });
  }

  window.addEventListener("message", function (event) {
    var f = frame();
    if (!f || event.source !== f.contentWindow || !event.data || typeof event.data !== "object") return;
    var data = event.data;
    if (data.type === "wk-preview:ready") {
      var answers = saved();
      if (answers && Object.keys(answers).length) {
        f.contentWindow.postMessage({ type: "wk-preview:restore", answers: answers }, "*");
      } else {
        check({});
      }
    } else if (data.type === "wk-preview:answers" && data.answers && typeof data.answers === "object") {
      save(data.answers);
      check(data.answers);
    } else if (data.type === "wk-preview:height" && typeof data.height === "number") {
      f.style.height = Math.max(300, Math.min(data.height + 4, 20000)) + "px";
    }
  });

  // Live reload: fetch this page again and swap each [data-live] region that changed.
  var generation = parseInt(document.body.getAttribute("data-generation") || "0", 10);
  function refresh(changed) {
    fetch(location.href, { headers: { "Accept": "text/html" }, cache: "no-store" })
      .then(function (reply) { return reply.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var swapped = 0;
        Array.prototype.forEach.call(document.querySelectorAll("[data-live]"), function (old) {
          var next = old.id ? fresh.getElementById(old.id) : null;
          if (next && next.outerHTML !== old.outerHTML) {
            old.replaceWith(document.importNode(next, true));
            swapped++;
          }
        });
        var oldIds = Array.prototype.map.call(document.querySelectorAll("[data-live]"), function (e) { return e.id; }).join();
        var newIds = Array.prototype.map.call(fresh.querySelectorAll("[data-live]"), function (e) { return e.id; }).join();
        if (oldIds !== newIds) {
          // The page changed shape (a worksheet broke or came back): take the new page whole.
          document.querySelector("main").replaceWith(document.importNode(fresh.querySelector("main"), true));
          swapped++;
          if (!frame()) {
            var banner = document.getElementById("urgent");
            if (banner) banner.textContent = "";
          }
        }
        document.body.setAttribute("data-generation", String(generation));
        say(swapped ? "Updated after a change to " + (changed.join(", ") || "the pack") + "." : "");
      })
      .catch(function () { say("The preview server is not answering."); });
  }
  if (typeof EventSource === "function") {
    var source = new EventSource("/events?since=" + generation);
    source.addEventListener("change", function (event) {
      var data = {};
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (typeof data.generation !== "number" || data.generation <= generation) return;
      generation = data.generation;
      refresh(Array.isArray(data.changed) ? data.changed : []);
    });
  }
})();
