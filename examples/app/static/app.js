// Post each submitted form as JSON to the page's own URL; on a 422 the form shows the server's
// problems beside the questions (no reload, answers kept). Without this script the form posts
// itself (no-JS path) and the server redisplays it.
document.addEventListener("worksheetkit:submit", async (event) => {
  const wrapper = event.target.closest("[data-app-post]");
  if (!wrapper) return;
  event.preventDefault();
  const form = event.target;
  const controller = worksheetkit.form(form);
  const status = form.querySelector("[data-wk-status]");
  let reply, body;
  try {
    reply = await fetch(window.location.pathname, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(event.detail),
    });
    body = await reply.json();
  } catch (error) {
    if (status) status.textContent = "Not sent: no connection. Please try again.";
    return;
  }
  if (reply.status === 422) {
    controller.showDiagnostics(body.diagnostics);
    return;
  }
  controller.clearDiagnostics();
  if (reply.ok) {
    controller.clearDraft();  // accepted: only now is the draft done with
    window.location.assign(wrapper.dataset.appPost + "?saved=1");
  } else if (status) {
    status.textContent = body.diagnostics[0].message;  // 409: already submitted
  }
});
