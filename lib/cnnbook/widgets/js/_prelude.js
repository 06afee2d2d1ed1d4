/* The book's prelude, put before every widget's ES module (live and in the static page).
 *
 * cnnbookFrame({model, el}) applies the projector scale (trait _scale), draws
 * the widget's one error display (trait error: "Not applied: <message>") and
 * returns {body, setError}: the module draws into body; setError(text) shows a
 * refused value ("" clears it) and tells the kernel (save_changes).
 *
 * cnnbookRedraws(model, names, draw) calls draw() now and once again after
 * each change of the traits in names (the several traits one change sets
 * give one redraw); it returns the function that stops listening.
 */
function cnnbookFrame({ model, el }) {
  const root = document.createElement("div");
  root.className = "cnnbook-widget";
  const body = document.createElement("div");
  const box = document.createElement("div");
  box.className = "cnnbook-error";
  box.setAttribute("style", "CNNBOOK_ERROR_STYLE");
  box.setAttribute("role", "alert");
  root.append(body, box);
  el.append(root);
  function scale() {
    const value = model.get("_scale");
    root.style.zoom = value && value !== 1 ? String(value) : "";
  }
  function showError() {
    const text = model.get("error") || "";
    box.hidden = !text;
    box.replaceChildren();
    if (text) {
      const label = document.createElement("b");
      label.textContent = "Not applied:";
      box.append(label, " " + text);
    }
  }
  function setError(text) {
    if ((model.get("error") || "") !== text) {
      model.set("error", text);
      model.save_changes();
    }
  }
  scale();
  showError();
  model.on("change:_scale", scale);
  model.on("change:error", showError);
  return { body, setError, dispose: () => { model.off("change:_scale", scale); model.off("change:error", showError); } };
}

function cnnbookRedraws(model, names, draw) {
  let queued = false;
  const redraw = () => {
    if (!queued) { queued = true; queueMicrotask(() => { queued = false; draw(); }); }
  };
  for (const name of names) { model.on("change:" + name, redraw); }
  draw();
  return () => { for (const name of names) { model.off("change:" + name, redraw); } };
}
