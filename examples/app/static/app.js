// Post each submitted form as JSON to the page's own URL; on a 422 the form shows the server's
// problems beside the questions (no reload, answers kept). Without this script the form posts
// itself (no-JS path) and the server redisplays it.
document.addEventListener("worksheetkit:submit", async (event) => {
  if (!event.target.closest("[data-app-post]")) return;
  event.preventDefault();
  const form = event.target;
  const controller = worksheetkit.form(form);
  const status = form.querySelector("[data-wk-status]");
  const reply = await fetch(window.location.pathname, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(event.detail),
  });
  const body = await reply.json();
  if (reply.status === 422) {
    controller.showDiagnostics(body.diagnostics);
    return;
  }
  controller.clearDiagnostics();
  if (status) status.textContent = reply.ok ? "Saved. Thank you!" : body.diagnostics[0].message;
  if (reply.ok) window.location.assign(event.target.closest("[data-app-post]").dataset.appPost + "?saved=1");
});
