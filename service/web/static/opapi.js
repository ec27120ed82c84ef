// The relato API as the operator page uses it. The token lives in sessionStorage (its own
// key: an operator's tab never hands its token to the review page) and goes out as a
// bearer header; uploads go by XMLHttpRequest, whose upload events give the progress bar.

import { ApiError } from "./api.js";

const TOKEN_KEY = "relato.operatorToken";

export const opToken = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (value) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

async function detailOf(response) {
  try { return (await response.json()).detail; } catch { return response.statusText; }
}

async function call(method, path, { body, query, raw } = {}) {
  const url = new URL(path, location.origin);
  for (const [key, value] of Object.entries(query || {})) url.searchParams.set(key, value);
  const headers = { Authorization: `Bearer ${opToken.get() || ""}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(url, { method, headers, cache: "no-store",
    body: body === undefined ? undefined : JSON.stringify(body) });
  if (!response.ok) throw new ApiError(response.status, String(await detailOf(response)), response.headers.get("Retry-After"));
  return raw ? response : response.json();
}

/** What went wrong, in pt-BR; the service's English `detail` goes to the console. */
export function explain(err) {
  if (!(err instanceof ApiError)) return "Sem conexão com o serviço relato: verifique a rede e tente de novo. Nada foi alterado.";
  if (err.detail) console.warn(`relato ${err.status}: ${err.detail}`);
  const s = err.status;
  if (s === 401) return "Token desconhecido, revogado ou expirado: entre de novo.";
  if (s === 403) return "Este token não tem permissão para isto (é preciso operador ou administrador).";
  if (s === 404) return "Não encontrado: o relatório pode ter sido removido. A lista será atualizada.";
  if (s === 409) return "O relatório mudou de situação enquanto isso: nada foi alterado. A lista será atualizada.";
  if (s === 429) return `Muitas tentativas com token inválido: tente de novo em ${err.retryAfter || "alguns"} s.`;
  if (s >= 500) return `Erro interno do serviço (${s}): tente de novo em instantes; se continuar, avise a equipe técnica.`;
  return `O serviço respondeu com erro ${s}.`;
}

/** Why an upload was refused, as the operator reads it ("não é um PDF", "acima de 200 MB"). */
export function refusal(status, detail) {
  const mb = /(\d+)\s*MB/i.exec(detail || "");
  if (status === 413) return `acima de ${mb ? mb[1] : "o limite de"} MB`;
  if (status === 415) return "não é um PDF";
  if (status === 400) return "arquivo vazio ou ilegível";
  if (status === 422) return "PDF ilegível (criptografado, danificado ou com páginas demais)";
  if (status === 401 || status === 403) return "token sem permissão de envio";
  if (status === 0) return "sem conexão com o serviço";
  return `erro ${status} do serviço`;
}

/** POST one file to /api/v1/reports; `onProgress(sentBytes, totalBytes)` while it goes.
 * Resolves {status, body}, any status (the caller tells new, known and refused apart). */
export function uploadFile(file, onProgress) {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/v1/reports");
    xhr.setRequestHeader("Authorization", `Bearer ${opToken.get() || ""}`);
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded, e.total); };
    xhr.onload = () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch { body = null; }
      resolve({ status: xhr.status, body });
    };
    xhr.onerror = () => resolve({ status: 0, body: null });
    const form = new FormData();
    form.append("file", file, file.name);
    xhr.send(form);
  });
}

export const opapi = {
  me: () => call("GET", "/api/v1/tokens/me"),
  reports: () => call("GET", "/api/v1/reports").then((r) => r.items),
  outline: (id) => call("GET", `/api/v1/reports/${id}/outline`),
  records: (id, format) => call("GET", `/api/v1/reports/${id}/records`, { query: { format }, raw: true }),
  reextract: (id) => call("POST", `/api/v1/reports/${id}/reextract`),
  retry: (id) => call("POST", `/api/v1/reports/${id}/retry`),
  ownSeries: (id, series) => call("PUT", `/api/v1/reports/${id}/series`, { body: { series } }),
  quality: () => call("GET", "/api/v1/quality"),
  tokens: () => call("GET", "/api/v1/tokens").then((r) => r.items),
  createToken: (name, role) => call("POST", "/api/v1/tokens", { body: { name, role } }),
  revokeToken: (id) => call("DELETE", `/api/v1/tokens/${id}`),
};
