/**
 * Forms and their errors. An API error ({error: {code, message, field?}})
 * is shown in words next to the control it names (`field` is the API's path,
 * e.g. "amount", "insurance.price", "timeslots[0].end"), otherwise next to
 * the form's buttons. A failed request never clears what the operator typed.
 */
import { h } from "./dom.js";

/** The words an operator sees for an error. */
export function describeError(error) {
  const code = error?.code ? `（错误码 ${error.code}）` : "";
  return `${error?.message ?? String(error)}${code}`;
}

/** A labelled control with its hint and its own error slot. */
export function field(label, control, { hint, wide = false } = {}) {
  return h(
    "label",
    { class: wide ? "field wide" : "field" },
    h("span", { class: "field-label" }, label),
    control,
    hint ? h("small", { class: "hint" }, hint) : null,
    h("span", { class: "field-error", "aria-live": "polite" }),
  );
}

/** A checkbox with its label on the right. */
export function checkField(label, control) {
  return h("label", { class: "field check" }, control, h("span", {}, label), h("span", { class: "field-error", "aria-live": "polite" }));
}

export function input(name, props = {}) {
  return h("input", { name, id: props.id ?? `f-${name.replace(/[^\w-]/g, "-")}`, autocomplete: "off", ...props });
}

export function select(name, options, selected, props = {}) {
  return h(
    "select",
    { name, id: `f-${name.replace(/[^\w-]/g, "-")}`, ...props },
    options.map(([value, label]) => h("option", { value, selected: String(value) === String(selected ?? "") }, label)),
  );
}

/** The buttons of a form with the two slots every form reports into. */
export function actions(...buttons) {
  return h(
    "div",
    { class: "form-actions" },
    h("div", { class: "buttons" }, buttons),
    h("p", { class: "form-error", role: "alert" }),
    h("p", { class: "form-ok", role: "status" }),
  );
}

export function clearMessages(scope) {
  for (const slot of scope.querySelectorAll(".field-error, .form-error, .form-ok")) slot.textContent = "";
  for (const control of scope.querySelectorAll("[aria-invalid]")) control.removeAttribute("aria-invalid");
}

/** Shows `error` next to the control its `field` names, or beside the form's buttons. */
export function showError(scope, error) {
  clearMessages(scope);
  const text = describeError(error);
  const target = error?.field ? findField(scope, error.field) : null;
  if (target) {
    const slot = target.matches("[data-field]") ? target.querySelector(":scope > .field-error") : target.closest(".field")?.querySelector(".field-error");
    if (slot) {
      slot.textContent = text;
      if (target.matches("input, select, textarea")) {
        target.setAttribute("aria-invalid", "true");
        target.focus();
      }
      return;
    }
  }
  const slot = scope.querySelector(".form-actions .form-error");
  if (slot) slot.textContent = text;
}

export function showOk(scope, text) {
  clearMessages(scope);
  const slot = scope.querySelector(".form-actions .form-ok");
  if (slot) slot.textContent = text;
}

/** The control named by an API field path, or the nearest enclosing group ("timeslots[0].end" → "timeslots"). */
function findField(scope, path) {
  let candidate = path;
  while (candidate) {
    const named = scope.querySelector(`[name="${CSS.escape(candidate)}"], [data-field="${CSS.escape(candidate)}"]`);
    if (named) return named;
    const shorter = candidate.replace(/(\.[^.[\]]+|\[\d+\])$/, "");
    if (shorter === candidate) break;
    candidate = shorter;
  }
  return null;
}

/** Runs `task` with `button` disabled, so a slow request is not sent twice. */
export async function busy(button, task) {
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    return await task();
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

/** The trimmed text of a named control. */
export function valueOf(form, name) {
  const control = form.elements.namedItem(name);
  return control ? String(control.value ?? "").trim() : "";
}

/**
 * An integer field: "" → null, digits → a number, anything else unchanged so
 * the API names the field and the rule (one place judges input: the API).
 */
export function integerOrText(text) {
  if (text === "") return null;
  return /^-?\d+$/.test(text) ? Number(text) : text;
}

/**
 * Asks `question` inside `box` (an element of the form, so the question sits
 * beside the action it concerns) with a confirm and a cancel button.
 * Resolves true or false; used before actions that move money or break
 * something for a customer.
 */
export function askConfirmation(box, question, confirmLabel) {
  return new Promise((resolve) => {
    const yes = h("button", { type: "button", class: "danger" }, confirmLabel);
    const no = h("button", { type: "button", class: "secondary" }, "取消");
    const answer = (value) => {
      box.hidden = true;
      box.replaceChildren();
      resolve(value);
    };
    yes.addEventListener("click", () => answer(true));
    no.addEventListener("click", () => answer(false));
    box.replaceChildren(h("p", {}, question), h("div", { class: "buttons" }, yes, no));
    box.hidden = false;
    yes.focus();
  });
}

/** The element that holds an askConfirmation question. */
export function confirmationBox() {
  return h("div", { class: "confirm", role: "alertdialog", "aria-live": "assertive", hidden: true });
}
