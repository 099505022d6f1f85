/**
 * What the wire tests compare against, spelled out as the seeds give it (not
 * imported from src/, so a wrong namespace in the code fails the tests).
 */
export const XSI = "http://www.w3.org/2001/XMLSchema-instance";
const DC = "http://schemas.datacontract.org/2004/07/";
export const NS_PARM = `${DC}DigitalScience.DataTransfer.Tour.V5.Parm`;
export const NS_PARM_WI = `${DC}DigitalScience.DataTransfer.Tour.V5.Parm.WebInterface`;
export const NS_RESULT = `${DC}DigitalScience.DataTransfer.Tour.V5.Result`;
export const NS_RESULT_WI = `${DC}DigitalScience.DataTransfer.Tour.V5.Result.WebInterface`;
export const NS_DT = `${DC}DigitalScience.DataTransfer`;
/**
 * Where DataContractSerializer puts the items of a `List<string>` (the
 * "ArrayOfstring" contract): .NET's own namespace for collections of primitives.
 */
export const NS_ARRAYS = "http://schemas.microsoft.com/2003/10/Serialization/Arrays";

/** JSON text without whitespace outside strings (strings untouched), for exact text compares. */
export function minifyJson(text: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === "\\") out += text[++i];
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (!/\s/.test(c)) out += c;
  }
  return out;
}

/** XML with the whitespace between tags removed; nothing else touched. */
export const normalizeXml = (xml: string) => xml.trim().replace(/>\s+</g, "><");

/** OrderOperatorResult as a JSON client reads it (the legacy spelling `returnmessgage` included). */
export interface OrderResult {
  orderid: string | null;
  sendid: string | null;
  orderstatus: string | null;
  resultcode: number;
  returnmessgage: string;
}
