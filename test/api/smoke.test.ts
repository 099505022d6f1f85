import { exports } from "cloudflare:workers";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";

it("serves", async () => {
  const res = await exports.default.fetch("http://x/");
  expect(await res.text()).toBe("pong");
  const row = await env.DB.prepare("SELECT count(*) AS n FROM customers").first<{ n: number }>();
  expect(row?.n).toBe(0);
});
