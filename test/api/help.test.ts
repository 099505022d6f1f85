/**
 * The legacy help pages through the real Worker (issue 10, point 2): the
 * index lists every partner API, each (method, path) has its page under the
 * legacy id, paths and ids are case-insensitive with or without a trailing
 * slash, browsers get HTML and `Accept: text/plain` the same content as text,
 * unknown ids are 404. The seed comparison is test/api/help-seeds.test.ts.
 */
import { describe, expect, it } from "vitest";
import { partnerEndpoints } from "../../src/endpoints/partner";
import { fetchWorker } from "../helpers/api";

const TEXT = { accept: "text/plain" };
const BROWSER = { accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" };
const PAY_ID = "POST-api-WebInterface-Order-Pay-WithPrepayment-ByPassword";

/** Every (method, path) the partner API serves, as the legacy help id. */
const apis = partnerEndpoints.flatMap((e) => e.paths.flatMap((path) => e.methods.map((method) => ({ method, path, id: `${method}-${path.replace(/\//g, "-")}`, endpoint: e }))));

async function get(path: string, headers: Record<string, string> = TEXT) {
  const response = await fetchWorker(path, { headers });
  return { status: response.status, type: response.headers.get("content-type") ?? "", body: await response.text() };
}

/** Visible text of an HTML page, for comparing it with the text/plain one. */
function visibleText(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/g, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");
}

describe("GET /Help", () => {
  it("lists every partner API with its one-line description and a link to its page", async () => {
    const page = await get("/Help", BROWSER);
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/^text\/html/);
    for (const api of apis) {
      expect(page.body).toContain(`<a href="/Help/Api/${api.id}">${api.method} ${api.path}</a>`);
      expect(page.body).toContain(api.endpoint.summary);
    }
    expect(page.body).toContain('href="/openapi.json"');
    expect(page.body).toContain('href="/docs"');
  });

  it("as text: one row per API", async () => {
    const page = await get("/Help");
    expect(page.type).toMatch(/^text\/plain/);
    const rows = page.body.split("\n").filter((line) => /^\| (GET|POST) /.test(line));
    expect(rows).toEqual(apis.map((api) => `| ${api.method} ${api.path} | ${api.endpoint.summary} |`));
  });

  it("answers at any case, with or without a trailing slash", async () => {
    for (const path of ["/help", "/HELP/", "/Help/"]) expect((await get(path)).status, path).toBe(200);
  });
});

describe("GET /Help/Api/{id}", () => {
  it("has one page per method and path, the WebForms alias and the second Add path included", async () => {
    expect(apis.map((a) => a.id)).toEqual(expect.arrayContaining([
      "GET-Source-UseAccountToPayByPwd.aspx",
      "POST-Source-UseAccountToPayByPwd.aspx",
      "POST-api-SpecialOta-DouYin-CalendarTicket-Order-Add",
      "POST-api-WebInterface-Order-Add",
    ]));
    for (const api of apis) {
      const page = await get(`/Help/Api/${api.id}`);
      expect(page.status, api.id).toBe(200);
      expect(page.body.split("\n")[0], api.id).toBe(`${api.method} ${api.path}`);
      expect(page.body, api.id).toContain(api.endpoint.description);
    }
  });

  it("matches the id case-insensitively, in any path case, with a trailing slash", async () => {
    const canonical = (await get(`/Help/Api/${PAY_ID}`)).body;
    for (const path of [
      `/help/api/${PAY_ID.toLowerCase()}`,
      `/HELP/API/${PAY_ID.toUpperCase()}`,
      `/Help/Api/${PAY_ID}/`,
    ]) {
      const page = await get(path);
      expect(page.status, path).toBe(200);
      expect(page.body, path).toBe(canonical);
    }
  });

  it("is 404 for an unknown id, in the asked format", async () => {
    for (const id of ["POST-api-Nothing-Here", "GET-api-WebInterface-Order-Add", "POST-api-WebInterface-Order", "%E0%A4%A"]) {
      const text = await get(`/Help/Api/${id}`);
      expect(text.status, id).toBe(404);
      expect(text.type).toMatch(/^text\/plain/);
      const html = await get(`/Help/Api/${id}`, BROWSER);
      expect(html.status, id).toBe(404);
      expect(html.type).toMatch(/^text\/html/);
    }
  });

  it("serves HTML to a browser and to */*, text only when asked for", async () => {
    for (const accept of [BROWSER.accept, "*/*", "text/html"]) {
      expect((await get(`/Help/Api/${PAY_ID}`, { accept })).type, accept).toMatch(/^text\/html; charset=utf-8/);
    }
    expect((await fetchWorker(`/Help/Api/${PAY_ID}`)).headers.get("content-type")).toMatch(/^text\/html/);
    for (const accept of ["text/plain", "text/plain, text/html;q=0.5"]) {
      expect((await get(`/Help/Api/${PAY_ID}`, { accept })).type, accept).toMatch(/^text\/plain; charset=utf-8/);
    }
  });

  it("shows in HTML the same content as in text: every line of the text page appears", async () => {
    for (const api of apis) {
      const text = (await get(`/Help/Api/${api.id}`)).body;
      const html = visibleText((await get(`/Help/Api/${api.id}`, BROWSER)).body);
      for (const line of text.split("\n")) {
        if (/^\|[-|]+\|$/.test(line) || line.trim() === "") continue;
        // Table rows: each cell is in the HTML table; other lines as they are.
        const pieces = line.startsWith("| ") ? line.slice(2, -2).split(" | ") : [line.trim()];
        for (const piece of pieces) expect(html, `${api.id}: ${piece}`).toContain(piece.replace(/\s+/g, " "));
      }
    }
  });

  it("links nested types to their model page, in HTML", async () => {
    const html = (await get(`/Help/Api/${PAY_ID}`, BROWSER)).body;
    expect(html).toContain('<a href="/Help/ResourceModel?modelName=PayOrderUsePayPasswordParm">PayOrderUsePayPasswordParm</a>');
    const verify = (await get("/Help/Api/POST-api-SpecialOta-DouYin-CalendarTicket-Order-Verify", BROWSER)).body;
    expect(verify).toContain('Collection of <a href="/Help/ResourceModel?modelName=OrderAddItemParm">OrderAddItemParm</a>');
  });

  it("documents the WebForms GET with URI parameters and no body", async () => {
    const page = (await get("/Help/Api/GET-Source-UseAccountToPayByPwd.aspx")).body;
    const uri = page.slice(page.indexOf("URI Parameters"), page.indexOf("Body Parameters"));
    expect(uri).toContain("| orderid | 被支付的订单的编号(电子门票系统内订单唯一编号) | string | Required Max length: 20 |");
    expect(uri).toMatch(/\| paypassword \| .* \| string \| Required \|/);
    expect(page.slice(page.indexOf("Body Parameters"), page.indexOf("Response Information"))).toMatch(/^Body Parameters\s+None\.\s+$/);
    expect(page).not.toContain("Request Formats");
  });
});

describe("GET /Help/ResourceModel?modelName=", () => {
  it("shows a nested type's table with its rules, case-insensitively", async () => {
    const page = await get("/help/resourcemodel?modelName=payorderusepaypasswordparm");
    expect(page.status).toBe(200);
    expect(page.body).toContain("PayOrderUsePayPasswordParm\n\n使用支付密码支付订单时参数的数据结构。");
    expect(page.body).toContain("| orderid | 被支付的订单的编号(电子门票系统内订单唯一编号) | string | Required Max length: 20 |");
    const item = await get("/Help/ResourceModel?modelName=OrderAddItemParm");
    expect(item.body).toContain("| seatitems | 选座信息,每张门票一个座位(不选座时不填)。 | Collection of Order2SeatItem | None. |");
  });

  it("is 404 for an unknown model", async () => {
    expect((await get("/Help/ResourceModel?modelName=Nope")).status).toBe(404);
    expect((await get("/Help/ResourceModel")).status).toBe(404);
  });
});

describe("the help routes and the rest of the Worker", () => {
  it("answer GET only: another method is 405, as for every known path", async () => {
    const response = await fetchWorker(`/Help/Api/${PAY_ID}`, { method: "POST" });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET");
  });
});
