// XML-RPC as Odoo speaks it (/xmlrpc/2/*): method calls and responses, faults
// included. Odoo never sends <nil/> (allow_none=False) and neither do we: a
// null is refused before anything is sent.

export type XmlRpcValue = number | boolean | string | XmlRpcValue[] | { [key: string]: XmlRpcValue };

export class XmlRpcFault extends Error {
  constructor(
    readonly faultCode: number | string,
    readonly faultString: string,
  ) {
    super(faultString);
    this.name = "XmlRpcFault";
  }
}

const escape = (text: string) =>
  text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    // XML 1.0 cannot carry most control characters; Odoo strips them too.
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, "");

function encodeValue(value: unknown): string {
  if (value === null || value === undefined) throw new TypeError("XML-RPC cannot send None (null)");
  if (typeof value === "boolean") return `<value><boolean>${value ? 1 : 0}</boolean></value>`;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError("XML-RPC cannot send NaN or Infinity");
    return Number.isInteger(value) && Math.abs(value) < 2 ** 31 ? `<value><int>${value}</int></value>` : `<value><double>${value}</double></value>`;
  }
  if (typeof value === "string") return `<value><string>${escape(value)}</string></value>`;
  if (Array.isArray(value)) return `<value><array><data>${value.map(encodeValue).join("")}</data></array></value>`;
  if (typeof value === "object") {
    const members = Object.entries(value as Record<string, unknown>)
      .filter(([, member]) => member !== undefined)
      .map(([name, member]) => `<member><name>${escape(name)}</name>${encodeValue(member)}</member>`);
    return `<value><struct>${members.join("")}</struct></value>`;
  }
  throw new TypeError(`XML-RPC cannot send ${typeof value}`);
}

export function encodeCall(method: string, params: unknown[]): string {
  return `<?xml version="1.0"?><methodCall><methodName>${escape(method)}</methodName><params>${params.map((param) => `<param>${encodeValue(param)}</param>`).join("")}</params></methodCall>`;
}

export function encodeResponse(value: unknown): string {
  return `<?xml version="1.0"?><methodResponse><params><param>${encodeValue(value)}</param></params></methodResponse>`;
}

export function encodeFault(faultCode: number | string, faultString: string): string {
  const code = typeof faultCode === "number" ? `<int>${faultCode}</int>` : `<string>${escape(faultCode)}</string>`;
  return `<?xml version="1.0"?><methodResponse><fault><value><struct><member><name>faultCode</name><value>${code}</value></member><member><name>faultString</name><value><string>${escape(faultString)}</string></value></member></struct></value></fault></methodResponse>`;
}

// --- A small XML reader for this grammar: elements and text, no attributes needed. ---

interface Element {
  name: string;
  children: Element[];
  text: string;
}

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

function unescape(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (match, entity: string) => {
    if (entity[0] === "#") return String.fromCodePoint(entity[1]?.toLowerCase() === "x" ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10));
    return ENTITIES[entity] ?? match;
  });
}

function parse(xml: string): Element {
  const root: Element = { name: "#root", children: [], text: "" };
  const stack = [root];
  const tag = /<(\/?)([A-Za-z_][\w.:-]*)[^>]*?(\/?)>|<\?[^>]*\?>|<!--[\s\S]*?-->|<!\[CDATA\[([\s\S]*?)\]\]>|([^<]+)/g;
  for (const match of xml.matchAll(tag)) {
    const [, closing, name, selfClosing, cdata, text] = match;
    const top = stack[stack.length - 1]!;
    if (text !== undefined) top.text += unescape(text);
    else if (cdata !== undefined) top.text += cdata;
    else if (name && closing) {
      if (top.name !== name) throw new SyntaxError(`Malformed XML-RPC: </${name}> closes <${top.name}>`);
      stack.pop();
    } else if (name) {
      const element: Element = { name, children: [], text: "" };
      top.children.push(element);
      if (!selfClosing) stack.push(element);
    }
  }
  if (stack.length !== 1) throw new SyntaxError("Malformed XML-RPC: unclosed element");
  return root;
}

const child = (element: Element | undefined, name: string) => element?.children.find((c) => c.name === name);

function decodeValue(value: Element): XmlRpcValue {
  const typed = value.children[0];
  if (!typed) return value.text;
  switch (typed.name) {
    case "int":
    case "i4":
    case "i8":
      return parseInt(typed.text.trim(), 10);
    case "double":
      return parseFloat(typed.text.trim());
    case "boolean":
      return typed.text.trim() === "1";
    case "string":
    case "dateTime.iso8601":
    case "base64":
      return typed.text;
    case "nil":
      throw new SyntaxError("XML-RPC <nil/> is not part of Odoo's protocol");
    case "array":
      return (child(typed, "data")?.children ?? []).filter((c) => c.name === "value").map(decodeValue);
    case "struct":
      return Object.fromEntries(
        typed.children
          .filter((c) => c.name === "member")
          .map((member) => [child(member, "name")?.text ?? "", decodeValue(child(member, "value") ?? { name: "value", children: [], text: "" })]),
      );
    default:
      throw new SyntaxError(`Unknown XML-RPC type <${typed.name}>`);
  }
}

/** A methodResponse: its value, or the fault it carries (thrown as XmlRpcFault). */
export function decodeResponse(xml: string): XmlRpcValue {
  const response = child(parse(xml), "methodResponse");
  if (!response) throw new SyntaxError("Not an XML-RPC methodResponse");
  const fault = child(response, "fault");
  if (fault) {
    const body = decodeValue(child(fault, "value")!) as { faultCode?: number | string; faultString?: string };
    throw new XmlRpcFault(body.faultCode ?? 1, String(body.faultString ?? "XML-RPC fault"));
  }
  const value = child(child(child(response, "params"), "param"), "value");
  if (!value) throw new SyntaxError("XML-RPC methodResponse without a value");
  return decodeValue(value);
}

export function decodeCall(xml: string): { method: string; params: XmlRpcValue[] } {
  const call = child(parse(xml), "methodCall");
  if (!call) throw new SyntaxError("Not an XML-RPC methodCall");
  const params = (child(call, "params")?.children ?? []).filter((c) => c.name === "param").map((param) => decodeValue(child(param, "value")!));
  return { method: child(call, "methodName")?.text.trim() ?? "", params };
}
