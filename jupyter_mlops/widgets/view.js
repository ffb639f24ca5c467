// The live face of every jupyter-mlops view: Python renders the markup (the same markup a
// notebook shows without a kernel); this only draws it and forwards clicks and inputs.
function render({ model, el }) {
  const root = document.createElement("div");
  root.className = "jp-mlops-view";
  el.appendChild(root);
  const draw = () => {
    root.innerHTML = model.get("html");
  };
  draw();
  model.on("change:html", draw);
  root.addEventListener("click", (event) => {
    const target = event.target.closest("[data-action]");
    if (target && root.contains(target)) {
      model.send({ action: target.dataset.action, value: target.dataset.value });
    }
  });
  return () => model.off("change:html", draw);
}

export default { render };
