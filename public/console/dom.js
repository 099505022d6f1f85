/**
 * A tiny element builder: every page builds its DOM with `h`, never with
 * innerHTML, so text from the API (names, error messages, callback URLs) is
 * always shown as text.
 */

/**
 * h("a", { href: "#/x", class: "button" }, "text", child, [more])
 * Props: `class`, `dataset` (object), `on` (object of listeners), boolean
 * attributes as true/false, everything else as an attribute; null and
 * undefined are skipped. Children: strings, numbers, nodes, arrays, null.
 */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "on") for (const [event, listener] of Object.entries(value)) element.addEventListener(event, listener);
    else if (name === "dataset") Object.assign(element.dataset, value);
    else if (name === "value") element.value = value;
    else if (name === "checked") element.checked = Boolean(value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

export function append(parent, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : String(child));
  }
  return parent;
}

export function replaceChildren(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

/** A `path` with every interpolated value percent-encoded: p`/admin/customers/${dwid}`. */
export function p(strings, ...values) {
  return strings.reduce((out, part, i) => out + part + (i < values.length ? encodeURIComponent(String(values[i])) : ""), "");
}

/** `#/route?query`, dropping empty query values. */
export function hashLink(route, query = {}) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  const search = params.toString();
  return `#${route}${search ? `?${search}` : ""}`;
}
