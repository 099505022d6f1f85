/**
 * The gate screen (/gate, SPEC §10 核销): a tablet or phone at the entrance,
 * signed in once with its gate's token (kept in localStorage until signed
 * out, so the device stays a gate across restarts). One big field, always
 * focused: a USB or Bluetooth scanner types the code and Enter; each scan
 * is checked (check.js) and answered full screen — green 通过 with the
 * ticket's product, day and slot, red 拒绝 with the reason — for about a
 * second or until the next scan begins. No answer (timeout, network, 503)
 * is 网络异常, never a refusal: 重试 (or the same code scanned again, or
 * Enter on the empty field) sends the same scan with the same checkid.
 */
import { h, replaceChildren } from "../console/dom.js";
import { businessDate, dateTime, TIME_ZONE } from "../console/format.js";
import { newScan, probeToken, runScan } from "./check.js";

const TOKEN_KEY = "eticket.gate.token";
/** How long 通过 / 拒绝 stays before the screen is ready again (a new scan ends it sooner). */
export const RESULT_SHOWN_MS = 1_000;

const root = document.getElementById("gate");
let token = localStorage.getItem(TOKEN_KEY);
/** The screen while signed in: { input, status, last, overlay }. */
let screen = null;
/** A scan that got no answer, kept to be sent again with its checkid. */
let pending = null;
let resultTimer = null;
/** Scans are checked one after another, in the order they were read. */
let queue = Promise.resolve();

/** "g1.<base64url(gateid)>.<secret>" → the gate's id, for the header; null when it is not a gate token. */
function gateIdOf(value) {
  const parts = value.split(".");
  if (parts.length !== 3 || parts[0] !== "g1") return null;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(atob(parts[1].replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0)));
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- sign-in

function renderSignIn(notice) {
  screen = null;
  pending = null;
  clearTimeout(resultTimer);
  document.title = "闸机登录 · 景区电子门票系统";
  const field = h("input", { id: "gate-token", name: "token", type: "password", autocomplete: "off", spellcheck: "false", required: true });
  const error = h("p", { class: "form-error", role: "alert" }, notice ?? null);
  const submit = h("button", { type: "submit" }, "登录");
  const form = h(
    "form",
    { class: "sign-in", novalidate: true },
    h("h1", {}, "闸机登录"),
    h("p", { class: "muted" }, "运营人员在控制台「闸机」页登记本闸机时会得到闸机令牌（只显示一次），粘贴到下面。令牌保存在本设备上，直到退出登录。"),
    h("label", { for: "gate-token" }, "闸机令牌"),
    field,
    submit,
    error,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = field.value.trim();
    if (!value) return (error.textContent = "请粘贴闸机令牌");
    submit.disabled = true;
    error.textContent = "正在验证令牌…";
    const verdict = await probeToken(value);
    submit.disabled = false;
    if (verdict === "ok") {
      localStorage.setItem(TOKEN_KEY, value);
      token = value;
      return renderReady();
    }
    error.textContent = verdict === "unauthorized" ? "闸机令牌无效或已更换，请向运营人员索取新令牌" : "无法连接服务器，请检查网络后重试";
    field.focus();
  });
  replaceChildren(root, h("main", { class: "sign-in-page" }, form));
  field.focus();
}

function signOut(notice) {
  localStorage.removeItem(TOKEN_KEY);
  token = null;
  renderSignIn(notice);
}

// ---------------------------------------------------------------- the scan screen

function renderReady() {
  document.title = "闸机验票 · 景区电子门票系统";
  const input = h("input", {
    id: "scan", name: "scan", type: "text", autocomplete: "off", autocapitalize: "characters", spellcheck: "false",
    enterkeyhint: "go", "aria-describedby": "scan-hint",
  });
  const form = h(
    "form",
    { class: "scan", novalidate: true },
    h("label", { for: "scan", class: "scan-label" }, "扫描门票二维码或身份证"),
    h("div", { class: "scan-row" }, input, h("button", { type: "submit" }, "验票")),
    h("p", { id: "scan-hint", class: "muted" }, "扫码枪扫描后自动验票；也可以输入门票码或18位身份证号码，按回车。"),
  );
  const status = h("p", { class: "status", role: "status" });
  const last = h("p", { class: "last", "aria-live": "polite" });
  const overlay = h("section", { class: "result", role: "alert", hidden: true });
  const header = h("header", { class: "bar" }, h("span", { class: "gate-name" }, `闸机 ${gateIdOf(token) ?? ""}`), signOutControl());
  screen = { input, status, last, overlay };
  replaceChildren(root, header, h("main", { class: "ready" }, form, status, last), overlay);

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    input.value = "";
    focusScan();
    if (text === "") {
      if (pending) enqueue(pending);
      return;
    }
    // The same code again after no answer is the same scan: its checkid, so an admission is not told 已使用.
    enqueue(pending && pending.text === text ? pending : newScan(text));
  });
  // The next scan begins: the last answer gives way at its first character.
  input.addEventListener("input", () => hideResult());
  input.addEventListener("blur", () => setTimeout(() => {
    if (screen?.input === input && (document.activeElement === document.body || document.activeElement === null)) focusScan();
  }, 0));
  overlay.addEventListener("click", (event) => {
    if (!event.target.closest("button")) hideResult();
  });
  focusScan();
}

function signOutControl() {
  const button = h("button", { type: "button", class: "quiet" }, "退出登录");
  const box = h("span", { class: "confirm-out", hidden: true });
  button.addEventListener("click", () => {
    const yes = h("button", { type: "button", class: "danger" }, "确认退出");
    const no = h("button", { type: "button", class: "quiet" }, "取消");
    yes.addEventListener("click", () => signOut());
    no.addEventListener("click", () => {
      box.hidden = true;
      button.hidden = false;
      focusScan();
    });
    replaceChildren(box, "退出后需重新粘贴令牌", yes, no);
    box.hidden = false;
    button.hidden = true;
  });
  return h("span", { class: "sign-out" }, button, box);
}

function focusScan() {
  screen?.input.focus({ preventScroll: true });
}

document.addEventListener("click", (event) => {
  if (screen && !event.target.closest("button, input, a, label")) focusScan();
});

function enqueue(scan) {
  // A scan that failed in the page (a bug) must not stop the ones after it; its error still reaches the console.
  queue = queue.catch(() => undefined).then(() => check(scan));
}

async function check(scan) {
  if (!screen || !token) return;
  const mine = screen;
  hideResult();
  mine.status.textContent = `验票中… ${scan.text}`;
  const outcome = await runScan(scan, token);
  if (screen !== mine) return;
  mine.status.textContent = "";
  if (outcome.kind === "signIn") return signOut("闸机令牌无效或已更换（可能已在控制台更换令牌），请重新登录");
  pending = outcome.kind === "retry" ? scan : null;
  showResult(scan, outcome);
}

// ---------------------------------------------------------------- answers

function showResult(scan, outcome) {
  const { overlay, last } = screen;
  clearTimeout(resultTimer);
  const view = outcome.kind === "pass" ? passed(outcome.tag) : outcome.kind === "refuse" ? refused(outcome) : unanswered(outcome);
  overlay.className = `result ${view.className}`;
  replaceChildren(overlay, h("p", { class: "verdict" }, view.verdict), h("p", { class: "reason" }, view.reason), view.details, view.actions ?? null);
  overlay.hidden = false;
  replaceChildren(last, h("span", { class: `dot ${view.className}` }), `上一位 ${clock()}：${view.verdict}`, view.reason ? ` · ${view.reason}` : "", ` · ${scan.text}`);
  // 网络异常 stays until it is retried or the next scan begins.
  if (outcome.kind !== "retry") resultTimer = setTimeout(hideResult, RESULT_SHOWN_MS);
}

function hideResult() {
  clearTimeout(resultTimer);
  if (screen) screen.overlay.hidden = true;
}

function passed(tag) {
  return { className: "pass", verdict: "通过", reason: "", details: ticketFacts(tag) };
}

const TICKET_ALREADY_USED = 4802;

function refused(outcome) {
  const tag = outcome.tag;
  // 已使用: when and at which gate, in Shanghai time (the message says it in UTC, in brackets).
  const used = outcome.errcode === TICKET_ALREADY_USED && tag?.usedat;
  const reason = used ? outcome.errmsg.replace(/\(.*\)$/, "") : outcome.errmsg;
  const note = used ? h("p", { class: "note" }, `${dateTime(tag.usedat)} 已在闸机 ${tag.gateid} 入园`) : null;
  const facts = tag ? ticketFacts(tag) : h("p", { class: "details" }, `错误码 ${outcome.errcode}`);
  return { className: "refuse", verdict: "拒绝", reason, details: [note, facts] };
}

const UNANSWERED = {
  timeout: "服务器没有应答",
  network: "无法连接服务器",
  unknown: "系统暂时繁忙，结果未确定",
  busy: "系统暂时繁忙，本次未验票",
};

function unanswered(outcome) {
  const retry = h("button", { type: "button", class: "retry" }, "重试");
  const dismiss = h("button", { type: "button", class: "quiet" }, "放弃");
  retry.addEventListener("click", () => {
    focusScan();
    if (pending) enqueue(pending);
  });
  dismiss.addEventListener("click", () => {
    pending = null;
    hideResult();
    focusScan();
  });
  return {
    className: "retry",
    verdict: "网络异常",
    reason: UNANSWERED[outcome.reason] ?? UNANSWERED.network,
    details: h("p", { class: "details" }, "不是拒绝：请点「重试」或再扫一次同一张票（不会重复入园）"),
    actions: h("div", { class: "actions" }, retry, dismiss),
  };
}

function ticketFacts(tag) {
  const facts = [
    ["产品", tag.productid],
    ["游玩日期", businessDate(tag.effectdate)],
    tag.timespanindex !== null && tag.timespanindex !== undefined ? ["时段", `第${tag.timespanindex}时段`] : null,
    ["票号", tag.ticketcode],
  ].filter(Boolean);
  return h("dl", { class: "details facts" }, facts.map(([term, value]) => h("div", {}, h("dt", {}, term), h("dd", {}, value))));
}

const timeOfDay = new Intl.DateTimeFormat("zh-CN", { timeZone: TIME_ZONE, hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });

function clock() {
  return timeOfDay.format(new Date());
}

if (token) {
  renderReady();
  // A token rotated while the device was off: back to sign-in before the first guest, not at them.
  const stored = token;
  probeToken(stored).then((verdict) => {
    if (verdict === "unauthorized" && token === stored) signOut("闸机令牌无效或已更换（可能已在控制台更换令牌），请重新登录");
  });
} else {
  renderSignIn();
}
