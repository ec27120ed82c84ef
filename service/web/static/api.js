// The relato API as the review page uses it. The token lives in sessionStorage
// (never in a URL) and goes out as a bearer header on every call.

const TOKEN_KEY = "relato.reviewToken";

export class ApiError extends Error {
  constructor(status, detail, retryAfter = null) {
    super(detail || `HTTP ${status}`);
    this.status = status;
    this.detail = detail;
    this.retryAfter = retryAfter;
  }
}

/** What went wrong, in pt-BR, for a person: the service's own `detail` is English and
 * technical (it goes to the console), "Failed to fetch" says nothing. */
export function describeError(err) {
  if (!(err instanceof ApiError)) {
    return "Sem conexão com o serviço relato: verifique a rede e tente de novo. Nada foi alterado.";
  }
  if (err.detail) console.warn(`relato ${err.status}: ${err.detail}`);
  const s = err.status;
  if (s === 401) return "Token desconhecido, revogado ou expirado: entre de novo.";
  if (s === 403) return "Este token não tem permissão de revisor.";
  if (s === 404) return "Não encontrado: o item pode ter sido removido. Recarregue a página.";
  if (s === 409) return "Outra pessoa alterou este fato — recarregue";
  if (s === 413) return "O pedido é grande demais para o serviço.";
  if (s === 422) return "O serviço recusou o pedido: o valor não serve para este tipo de fato. Nada foi alterado.";
  if (s === 429) {
    const wait = err.retryAfter ? ` em ${err.retryAfter} s` : " em instantes";
    return `Muitas tentativas com token inválido a partir deste endereço: tente de novo${wait}.`;
  }
  if (s >= 500) return `Erro interno do serviço (${s}): tente de novo em instantes; se continuar, avise a equipe técnica.`;
  return `O serviço respondeu com erro ${s}.`;
}

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (value) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

async function call(method, path, { body, query, raw } = {}) {
  const url = new URL(path, location.origin);
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(key, value);
  }
  const headers = { Authorization: `Bearer ${token.get() || ""}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(url, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store",
  });
  if (!response.ok) {
    let detail = "";
    try { detail = (await response.json()).detail; } catch { detail = response.statusText; }
    throw new ApiError(response.status, typeof detail === "string" ? detail : JSON.stringify(detail),
      response.headers.get("Retry-After"));
  }
  return raw ? response : response.json();
}

export const api = {
  /** Resolves for a reviewer (or admin) token; 401/403 otherwise. */
  probeReviewer: () => call("GET", "/api/v1/extractions", { query: { limit: 1 } }),
  reports: () => call("GET", "/api/v1/reports").then((r) => r.items),
  report: (id) => call("GET", `/api/v1/reports/${id}`),
  extraction: (id) => call("GET", `/api/v1/extractions/${id}`),
  source: (id) => call("GET", `/api/v1/extractions/${id}/source`),
  history: (id) => call("GET", `/api/v1/extractions/${id}/history`).then((r) => r.items),
  addFact: (body) => call("POST", "/api/v1/extractions", { body }),
  /** The printed words inside a box ({bbox: "x0,top,x1,bottom"}) or where a span is printed ({find, near}). */
  pageText: (reportId, page, query) => call("GET", `/api/v1/reports/${reportId}/pages/${page}/text`, { query }),
  reportInitiatives: (id) => call("GET", `/api/v1/reports/${id}/initiatives`).then((r) => r.initiatives),
  /** Put a fact in another initiative of its report (`initiative_id` null: outside any); 409 on a stale `version`. */
  moveFact: (id, body) => call("PUT", `/api/v1/extractions/${id}/initiative`, { body }),
  /** Pages marked "revisado por completo" and their share of the report. */
  completeness: (reportId) => call("GET", `/api/v1/reports/${reportId}/complete`),
  /** Mark `pages` (null: every page) "revisado por completo", or take the mark away (`complete` false). */
  markComplete: (reportId, pages, complete) =>
    call("PUT", `/api/v1/reports/${reportId}/complete`, { body: { pages, complete } }),
  review: (id, body) => call("POST", `/api/v1/extractions/${id}/review`, { body }),
  reviewMany: (items) => call("POST", "/api/v1/extractions/review", { body: { items } }).then((r) => r.items),
  /** The value `text` spells; an unreadable text rejects with ApiError 422 (asked through
   * /parse/check, which answers 200, so typing leaves no failed request in the console). */
  parse: (kind, text, statusDate) =>
    call("POST", "/api/v1/parse/check", { body: { kind, text, status_date: statusDate || null } })
      .then((r) => (r.readable ? r.parsed : Promise.reject(new ApiError(422, r.detail)))),
  /** Facts of a report reviewed after `since` (without it: the current cursor, no items). */
  changes: (reportId, since) => call("GET", `/api/v1/reports/${reportId}/changes`, { query: { since } }),
  /** Say which fact this tab shows; the answer lists the facts other live tabs show. */
  presence: (body, keepalive = false) => keepalive
    ? fetch(new URL("/api/v1/presence", location.origin), { method: "PUT", keepalive: true,
      headers: { Authorization: `Bearer ${token.get() || ""}`, "Content-Type": "application/json" },
      body: JSON.stringify(body) }).catch(() => null)
    : call("PUT", "/api/v1/presence", { body }),
  confirmUnchanged: (reportId, ids) =>
    call("POST", `/api/v1/reports/${reportId}/confirm-unchanged`, { body: { ids } }).then((r) => r.items),
  applyPrevious: (reportId, ids) =>
    call("POST", `/api/v1/reports/${reportId}/apply-previous-decisions`, { body: { ids } }).then((r) => r.items),
  setSeries: (reportId, series) => call("PUT", `/api/v1/reports/${reportId}/series`, { body: { series } }),
  initiative: (key) => call("GET", `/api/v1/initiatives/${encodeURIComponent(key)}`),
  mergeCandidates: (key) =>
    call("GET", `/api/v1/initiatives/${encodeURIComponent(key)}/merge-candidates`).then((r) => r.items),
  initiatives: (series) => call("GET", "/api/v1/initiatives", { query: { series } }).then((r) => r.items),
  series: (key) => call("GET", `/api/v1/initiatives/${encodeURIComponent(key)}/series`, { query: { facts: "all" } }),
  diff: (reportId) => call("GET", `/api/v1/reports/${reportId}/diff`, { query: { against: "previous" } }),
  merge: (key, otherKey, note) =>
    call("POST", `/api/v1/initiatives/${encodeURIComponent(key)}/merge`, { body: { other_key: otherKey, note } }),
  split: (key, initiativeId, note) =>
    call("POST", `/api/v1/initiatives/${encodeURIComponent(key)}/split`, { body: { initiative_id: initiativeId, note } }),
  municipalities: (q, limit = 8) =>
    call("GET", "/api/v1/municipalities", { query: { q, limit } }).then((r) => r.items),

  /** Every extraction of a report, following next_cursor. */
  async extractions(reportId) {
    const items = [];
    let cursor = null;
    do {
      const page = await call("GET", "/api/v1/extractions", { query: { report_id: reportId, limit: 1000, cursor } });
      items.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor);
    return items;
  },

  /** The page image (with the fact highlighted unless `extractionId` is null), as a
   * blob: URL (the caller revokes it). */
  async pageImage(reportId, page, extractionId) {
    const response = await call("GET", `/api/v1/reports/${reportId}/pages/${page}.png`, {
      query: extractionId === null ? {} : { highlight: extractionId }, raw: true,
    });
    return URL.createObjectURL(await response.blob());
  },
};
