// Small pieces the operator page's tabs share: a passing message and a confirmation dialog.

const $ = (id) => document.getElementById(id);

let toastTimer;
export function toast(text) {
  $("toast").textContent = text;
  $("toast").classList.add("show");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => $("toast").classList.remove("show"), 5000);
}

/** Ask before an action; resolves true only for the named button (Cancel and Esc change nothing). */
export function ask(title, text, go) {
  const dialog = $("confirm-dialog");
  $("confirm-title").textContent = title;
  $("confirm-text").textContent = text;
  $("confirm-go").textContent = go;
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => dialog.addEventListener("close", () => resolve(dialog.returnValue === "go"), { once: true }));
}

