// The tokens tab (admins only; the API answers 403 to anyone else): create a token with a
// role (its secret shown once, with a copy button), list every token with its last use,
// revoke one behind a confirmation.

import { el, formatWhen } from "./format.js";
import { opapi, explain } from "./opapi.js";
import { ask, toast } from "./opui.js";

const $ = (id) => document.getElementById(id);
const ROLE_LABELS = { operator: "operador", reviewer: "revisor", consumer: "consumidor", admin: "administrador" };

function tokenRow(t) {
  const revoke = t.revoked_at ? null : el("button", { type: "button", class: "danger", "aria-label": `Revogar o token ${t.name}`,
    onclick: () => revokeToken(t) }, "Revogar…");
  return el("tr", { id: `t-${t.id}` },
    el("th", { scope: "row", text: t.name }),
    el("td", { text: ROLE_LABELS[t.role] || t.role }),
    el("td", { text: formatWhen(t.created_at) }),
    el("td", { text: t.last_used_at ? formatWhen(t.last_used_at) : "nunca usado" }),
    el("td", { text: t.revoked_at ? `revogado em ${formatWhen(t.revoked_at)}` : "ativo" }),
    el("td", {}, revoke));
}

export async function showTokens() {
  const items = await opapi.tokens();
  $("token-rows").replaceChildren(...items.map(tokenRow));
}

async function revokeToken(t) {
  const go = await ask("Revogar o token?",
    `O token “${t.name}” (${ROLE_LABELS[t.role] || t.role}) para de funcionar na hora, em todo lugar onde estiver em uso. ` +
    "Não dá para desfazer: quem o usa precisará de um token novo.", "Revogar");
  if (!go) return;
  try {
    await opapi.revokeToken(t.id);
    toast(`Token “${t.name}” revogado.`);
  } catch (err) { toast(explain(err)); }
  await showTokens();
}

async function createToken(event) {
  event.preventDefault();
  const name = $("token-name").value.trim();
  if (!name) return;
  try {
    const created = await opapi.createToken(name, $("token-role").value);
    $("token-secret-value").value = created.token;
    $("token-secret").hidden = false;
    $("token-name").value = "";
    $("token-secret-value").select();
    await showTokens();
  } catch (err) { toast(explain(err)); }
}

async function copySecret() {
  const value = $("token-secret-value").value;
  try {
    await navigator.clipboard.writeText(value);
    toast("Segredo copiado.");
  } catch {
    $("token-secret-value").select();
    toast("Não foi possível copiar sozinho: o segredo está selecionado, use Ctrl+C.");
  }
}

$("token-form").addEventListener("submit", createToken);
$("token-copy").addEventListener("click", copySecret);
