/**
 * Charts drawn in the page as inline SVG, built with the DOM like every
 * other element (no library, nothing from elsewhere). Each chart scales
 * with its container (viewBox, width 100%), says what it shows in its
 * accessible name, and gives every bar a tooltip (<title>) and its number
 * as data-value, so what is drawn can be read back.
 */

const SVG = "http://www.w3.org/2000/svg";

function s(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) if (value !== null && value !== undefined) element.setAttribute(name, String(value));
  for (const child of children.flat()) if (child !== null && child !== undefined) element.append(child instanceof Node ? child : String(child));
  return element;
}

/** A round upper bound for the axis: 1, 2, 2.5 or 5 times a power of ten, at least `max`. */
function niceCeiling(max) {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 2.5, 5, 10].map((m) => m * power).find((v) => v >= max);
}

/**
 * Vertical bars: columnChart({ title, values, labels, tick?: (label, i) => shown text or null,
 * format: (value) => text, className? }). One bar per value, in order.
 */
export function columnChart({ title, values, labels, tick = (label) => label, format = String, className = "" }) {
  const width = 640;
  const height = 220;
  const pad = { left: 56, right: 24, top: 14, bottom: 30 };
  const plotWidth = width - pad.left - pad.right;
  const plotHeight = height - pad.top - pad.bottom;
  const top = niceCeiling(Math.max(0, ...values));
  const slot = plotWidth / Math.max(1, values.length);
  const barWidth = Math.max(2, slot * 0.7);
  const y = (value) => pad.top + plotHeight - (value / top) * plotHeight;

  const grid = [0, 0.5, 1].map((f) =>
    s("g", { class: "grid" },
      s("line", { x1: pad.left, x2: width - pad.right, y1: y(top * f), y2: y(top * f) }),
      s("text", { x: pad.left - 6, y: y(top * f) + 4, "text-anchor": "end" }, format(top * f)),
    ),
  );
  const bars = values.map((value, i) => {
    const x = pad.left + i * slot + (slot - barWidth) / 2;
    const h = Math.max(0, y(0) - y(value));
    return s(
      "rect",
      { class: value > 0 ? "bar" : "bar zero", x: x.toFixed(1), y: (y(0) - h).toFixed(1), width: barWidth.toFixed(1), height: h.toFixed(1), "data-label": labels[i], "data-value": value },
      s("title", {}, `${labels[i]}：${format(value)}`),
    );
  });
  const ticks = labels.map((label, i) => {
    const text = tick(label, i);
    return text === null ? null : s("text", { class: "tick", x: (pad.left + i * slot + slot / 2).toFixed(1), y: height - 10, "text-anchor": "middle" }, text);
  });
  return s(
    "svg",
    { class: `chart column-chart ${className}`.trim(), viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": title, preserveAspectRatio: "xMidYMid meet" },
    s("title", {}, title),
    grid,
    bars,
    ticks,
  );
}

/**
 * Horizontal bars, one row per item, largest first as given:
 * barList({ title, items: [{ label, value, note? }], format }).
 */
export function barList({ title, items, format = String, className = "" }) {
  const width = 640;
  const row = 30;
  const labelWidth = 190;
  const valueWidth = 110;
  const height = Math.max(1, items.length) * row + 8;
  const top = niceCeiling(Math.max(0, ...items.map((item) => item.value)));
  const plot = width - labelWidth - valueWidth - 12;
  const rows = items.map((item, i) => {
    const w = (item.value / top) * plot;
    const yMid = 4 + i * row + row / 2;
    return s(
      "g",
      { class: "bar-row" },
      s("text", { class: "bar-label", x: labelWidth - 8, y: yMid + 5, "text-anchor": "end" }, clip(item.label, 12)),
      s(
        "rect",
        { class: "bar", x: labelWidth, y: yMid - 9, width: Math.max(item.value > 0 ? 2 : 0, w).toFixed(1), height: 18, "data-label": item.label, "data-value": item.value },
        s("title", {}, `${item.label}：${format(item.value)}${item.note ? `（${item.note}）` : ""}`),
      ),
      s("text", { class: "bar-value", x: labelWidth + Math.max(0, w) + 6, y: yMid + 5 }, format(item.value)),
    );
  });
  return s(
    "svg",
    { class: `chart bar-list ${className}`.trim(), viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": title, preserveAspectRatio: "xMinYMin meet" },
    s("title", {}, title),
    rows,
  );
}

function clip(text, length) {
  const chars = Array.from(String(text));
  return chars.length > length ? `${chars.slice(0, length - 1).join("")}…` : String(text);
}
