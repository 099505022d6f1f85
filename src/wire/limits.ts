/** Limits of the wire layer, with units. */
export const MAX_BODY_BYTES = 64 * 1024;
/** Deepest element nesting an XML body may have (the deepest contract needs 5). */
export const MAX_XML_DEPTH = 32;
/** Deepest nesting a JSON or form body may have. */
export const MAX_JSON_DEPTH = 32;
/** Most fields a form body may carry. */
export const MAX_FORM_FIELDS = 1000;
/** Most items a form list may carry. */
export const MAX_FORM_LIST_ITEMS = 200;
