// A fake Odoo server that follows the external API contract of the design
// notes (odoo.md): JSON-RPC /jsonrpc, XML-RPC /xmlrpc/2/*, JSON-2
// /json/2/<model>/<method> and /web/version, with an in-memory dataset, Odoo's
// domain semantics and the differences between versions 16, 17, 18 and 19.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { decodeCall, encodeFault, encodeResponse } from "../../lib/odoo/xmlrpc";

export type OdooVersion = 16 | 17 | 18 | 19;
type Row = Record<string, unknown> & { id: number };
type Domain = unknown[];

class OdooException extends Error {
  constructor(
    readonly odooName: string,
    message: string,
  ) {
    super(message);
  }
}

const FAULT_CODES: Record<string, number> = {
  "odoo.exceptions.AccessError": 4,
  "odoo.exceptions.AccessDenied": 3,
  "odoo.exceptions.UserError": 2,
  "odoo.exceptions.ValidationError": 2,
  "odoo.exceptions.MissingError": 2,
};
const JSON2_STATUS: Record<string, number> = {
  "odoo.exceptions.AccessError": 403,
  "odoo.exceptions.AccessDenied": 403,
  "odoo.exceptions.UserError": 422,
  "odoo.exceptions.ValidationError": 422,
  "odoo.exceptions.MissingError": 404,
};

export interface FakeOdooOptions {
  version: OdooVersion;
  database?: string;
  login?: string;
  apiKey?: string;
  /** Models the user may not read (AccessError). */
  denied?: string[];
  /** 19 with the deprecated /jsonrpc and /xmlrpc switched off (404). */
  legacyRpc?: boolean;
}

const FIELDS: Record<string, (v: OdooVersion) => Record<string, { type: string; string: string; selection?: string[][]; relation?: string }>> = {
  "res.partner": (v) => ({
    name: { type: "char", string: "Name" },
    display_name: { type: "char", string: "Display Name" },
    email: { type: "char", string: "Email" },
    phone: { type: "char", string: "Phone" },
    ...(v <= 18 ? { mobile: { type: "char", string: "Mobile" } } : {}),
    phone_mobile_search: { type: "char", string: "Phone/Mobile" },
    is_company: { type: "boolean", string: "Is a Company" },
    active: { type: "boolean", string: "Active" },
    parent_id: { type: "many2one", string: "Related Company", relation: "res.partner" },
    category_id: { type: "many2many", string: "Tags" },
    comment: { type: "html", string: "Notes" },
    write_date: { type: "datetime", string: "Last Updated on" },
  }),
  "sale.order": (v) => ({
    name: { type: "char", string: "Order Reference" },
    partner_id: { type: "many2one", string: "Customer", relation: "res.partner" },
    state: {
      type: "selection",
      string: "Status",
      selection:
        v === 16
          ? [
              ["draft", "Quotation"],
              ["sent", "Quotation Sent"],
              ["sale", "Sales Order"],
              ["done", "Locked"],
              ["cancel", "Cancelled"],
            ]
          : [
              ["draft", "Quotation"],
              ["sent", "Quotation Sent"],
              ["sale", "Sales Order"],
              ["cancel", "Cancelled"],
            ],
    },
    ...(v >= 17 ? { locked: { type: "boolean", string: "Locked" } } : {}),
    amount_total: { type: "monetary", string: "Total" },
    date_order: { type: "datetime", string: "Order Date" },
    currency_id: { type: "many2one", string: "Currency", relation: "res.currency" },
  }),
  "product.product": () => ({
    name: { type: "char", string: "Name" },
    default_code: { type: "char", string: "Internal Reference" },
    qty_available: { type: "float", string: "Quantity On Hand" },
    virtual_available: { type: "float", string: "Forecasted Quantity" },
    free_qty: { type: "float", string: "Free To Use Quantity" },
    active: { type: "boolean", string: "Active" },
  }),
  "crm.lead": (v) => ({
    name: { type: "char", string: "Opportunity" },
    contact_name: { type: "char", string: "Contact Name" },
    partner_name: { type: "char", string: "Company Name" },
    phone: { type: "char", string: "Phone" },
    ...(v <= 18 ? { mobile: { type: "char", string: "Mobile" } } : {}),
    email_from: { type: "char", string: "Email" },
    description: { type: "html", string: "Notes" },
    expected_revenue: { type: "monetary", string: "Expected Revenue" },
    partner_id: { type: "many2one", string: "Customer", relation: "res.partner" },
    type: {
      type: "selection",
      string: "Type",
      selection: [
        ["lead", "Lead"],
        ["opportunity", "Opportunity"],
      ],
    },
  }),
};

const stamp = (date: Date) => date.toISOString().slice(0, 19).replace("T", " ");

export class FakeOdoo {
  readonly database: string;
  readonly login: string;
  readonly apiKey: string;
  readonly uid = 7;
  private server?: http.Server;
  url = "";
  /** Every call made, for assertions: protocol, model, method. */
  readonly calls: Array<{ protocol: string; model?: string; method: string }> = [];
  data: Record<string, Row[]>;
  private nextId = 100;
  // After the fixture's dates: every write moves write_date forward, as in Odoo.
  private clock = Date.parse("2024-06-01T00:00:00Z");

  constructor(readonly options: FakeOdooOptions) {
    this.database = options.database ?? "mydb";
    this.login = options.login ?? "bot@acme.mx";
    this.apiKey = options.apiKey ?? "KEY";
    const v = options.version;
    this.data = {
      "res.partner": [
        {
          id: 40,
          name: "Acme SA de CV",
          email: "ventas@acme.mx",
          phone: "+52 55 0000 0000",
          is_company: true,
          active: true,
          parent_id: false,
          category_id: [],
          write_date: "2024-04-01 10:00:00",
        },
        {
          id: 42,
          name: "Ana Pérez",
          email: "ana@acme.mx",
          phone: "+52 55 1234 5678",
          is_company: false,
          active: true,
          parent_id: 40,
          category_id: [3, 5],
          write_date: "2024-05-02 17:03:11",
          ...(v <= 18 ? { mobile: false } : {}),
        },
        {
          id: 44,
          name: "Beto Viejo",
          email: "beto@old.mx",
          phone: "0052 33 1111 2222",
          is_company: false,
          active: false,
          parent_id: false,
          category_id: [],
          write_date: "2024-05-03 08:00:00",
        },
      ],
      "sale.order": [
        { id: 12, name: "S00012", partner_id: 42, state: "sale", locked: false, amount_total: 11600.0, date_order: "2024-05-02 16:40:00", currency_id: 33 },
        {
          id: 13,
          name: "S00013",
          partner_id: 40,
          state: v === 16 ? "done" : "sale",
          locked: v !== 16,
          amount_total: 500.5,
          date_order: "2024-04-02 10:00:00",
          currency_id: 33,
        },
        { id: 14, name: "S00014", partner_id: 42, state: "draft", locked: false, amount_total: 99.0, date_order: "2024-05-03 09:00:00", currency_id: 33 },
      ],
      "product.product": [
        {
          id: 9,
          name: "Widget",
          default_code: "SKU-1",
          qty_available: 25.0,
          virtual_available: 18.0,
          free_qty: 20.0,
          active: true,
          by_warehouse: { 1: 20.0, 2: 5.0 },
        },
        { id: 10, name: "Gadget", default_code: "SKU-2", qty_available: 0.0, virtual_available: 0.0, free_qty: 0.0, active: true, by_warehouse: {} },
      ],
      "crm.lead": [],
      "res.currency": [{ id: 33, name: "MXN" }],
    };
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
      req.on("end", () => this.route(req, body, res));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  stop(): Promise<void> {
    // Clients keep connections alive; close them so the server (and the test worker) can stop now.
    this.server?.closeAllConnections();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Changes records as a person in Odoo would: write_date moves forward. */
  touch(model: string, id: number, values: Record<string, unknown>): void {
    const row = this.data[model]!.find((r) => r.id === id)!;
    Object.assign(row, values, { write_date: this.tick() });
  }

  private tick(): string {
    this.clock += 60_000;
    return stamp(new Date(this.clock));
  }

  // --- Protocols ---

  private route(req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://x");
    const legacy = this.options.version < 19 || this.options.legacyRpc !== false;
    if (req.method === "GET" && url.pathname === "/web/version") {
      if (this.options.version < 19) return this.send(res, 404, "text/html", "<h1>Not Found</h1>");
      return this.send(
        res,
        200,
        "application/json",
        JSON.stringify({ version_info: [this.options.version, 0, 0, "final", 0, ""], version: `${this.options.version}.0` }),
      );
    }
    if (req.method === "POST" && url.pathname === "/jsonrpc" && legacy) return this.jsonRpc(body, res);
    if (req.method === "POST" && /^\/xmlrpc\/2\/(common|object)$/.test(url.pathname) && legacy) return this.xmlRpc(url.pathname.split("/")[3]!, body, res);
    const json2 = /^\/json\/2\/([\w.]+)\/(\w+)$/.exec(url.pathname);
    if (req.method === "POST" && json2 && this.options.version >= 19) return this.json2(json2[1]!, json2[2]!, req, body, res);
    this.send(res, 404, "text/html", "<h1>Not Found</h1>");
  }

  private send(res: http.ServerResponse, status: number, type: string, body: string): void {
    res.writeHead(status, { "content-type": type }).end(body);
  }

  private jsonRpc(body: string, res: http.ServerResponse): void {
    let id: unknown = null;
    try {
      const request = JSON.parse(body) as { id?: unknown; params: { service: string; method: string; args: unknown[] } };
      id = request.id ?? null;
      this.calls.push({
        protocol: "jsonrpc",
        model: request.params.service === "object" ? String(request.params.args[3]) : undefined,
        method: String(request.params.args[4] ?? request.params.method),
      });
      const result = this.dispatch(request.params.service, request.params.method, request.params.args);
      this.send(res, 200, "application/json", JSON.stringify(result === undefined ? { jsonrpc: "2.0", id } : { jsonrpc: "2.0", id, result }));
    } catch (err) {
      const name = err instanceof OdooException ? err.odooName : "builtins.Exception";
      const message = err instanceof Error ? err.message : String(err);
      const code = this.options.version >= 19 ? 0 : 200;
      this.send(
        res,
        200,
        "application/json",
        JSON.stringify({
          jsonrpc: "2.0",
          id,
          error: { code, message: "Odoo Server Error", data: { name, debug: `Traceback …\n${name}: ${message}`, message, arguments: [message], context: {} } },
        }),
      );
    }
  }

  private xmlRpc(service: string, body: string, res: http.ServerResponse): void {
    try {
      const { method, params } = decodeCall(body);
      this.calls.push({ protocol: "xmlrpc", model: service === "object" ? String(params[3]) : undefined, method: String(params[4] ?? method) });
      const result = this.dispatch(service, method, params);
      if (result === undefined || result === null) throw new OdooException("builtins.TypeError", "cannot marshal None unless allow_none is enabled");
      this.send(res, 200, "text/xml", encodeResponse(result));
    } catch (err) {
      const name = err instanceof OdooException ? err.odooName : "builtins.Exception";
      const code = FAULT_CODES[name] ?? 1;
      const message = err instanceof Error ? err.message : String(err);
      this.send(res, 200, "text/xml", encodeFault(code, code === 1 ? `Traceback (most recent call last):\n  …\n${name}: ${message}` : message));
    }
  }

  private json2(model: string, method: string, req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
    this.calls.push({ protocol: "json2", model, method });
    const auth = /^bearer (.+)$/i.exec(req.headers.authorization ?? "");
    if (!auth || auth[1] !== this.apiKey) {
      return this.send(
        res,
        401,
        "application/json",
        JSON.stringify({ name: "werkzeug.exceptions.Unauthorized", message: "Invalid apikey", arguments: ["Invalid apikey", 401], context: {}, debug: "" }),
      );
    }
    const database = req.headers["x-odoo-database"];
    if (database && database !== this.database) {
      return this.send(
        res,
        404,
        "application/json",
        JSON.stringify({ name: "werkzeug.exceptions.NotFound", message: `database ${String(database)} not found`, arguments: [], context: {}, debug: "" }),
      );
    }
    try {
      const named = JSON.parse(body || "{}") as Record<string, unknown>;
      const result =
        model === "res.users" && method === "context_get"
          ? { lang: "es_MX", tz: "America/Mexico_City", uid: this.uid }
          : this.model(model, method, ...this.positional(method, named));
      const out = method === "create" ? ([] as unknown[]).concat(result) : result;
      this.send(res, 200, "application/json", JSON.stringify(out ?? null));
    } catch (err) {
      const name = err instanceof OdooException ? err.odooName : "builtins.Exception";
      const message = err instanceof Error ? err.message : String(err);
      this.send(
        res,
        JSON2_STATUS[name] ?? (name === "builtins.ValueError" ? 422 : 500),
        "application/json",
        JSON.stringify({ name, message, arguments: [message], context: {}, debug: "" }),
      );
    }
  }

  /** JSON-2 takes named arguments; the model methods below take Odoo's positional ones. */
  private positional(method: string, named: Record<string, unknown>): [unknown[], Record<string, unknown>] {
    const { domain, ids, vals, vals_list, name, ...rest } = named;
    switch (method) {
      case "search_read":
      case "search":
      case "search_count":
        return [[domain ?? []], rest];
      case "read":
        return [[ids], rest];
      case "create":
        return [[vals_list], rest];
      case "write":
        return [[ids, vals], rest];
      case "name_search":
        return [[name ?? ""], rest];
      default:
        return [[], rest];
    }
  }

  // --- Services ---

  private dispatch(service: string, method: string, args: unknown[]): unknown {
    if (service === "common") {
      if (method === "version")
        return {
          server_version: `${this.options.version}.0`,
          server_version_info: [this.options.version, 0, 0, "final", 0, ""],
          server_serie: `${this.options.version}.0`,
          protocol_version: 1,
        };
      if (method === "authenticate" || method === "login") {
        this.checkDatabase(args[0]);
        return args[1] === this.login && args[2] === this.apiKey ? this.uid : false;
      }
      throw new OdooException("builtins.AttributeError", `No such method ${method}`);
    }
    if (service !== "object" || method !== "execute_kw") throw new OdooException("builtins.NameError", `No such service ${service}.${method}`);
    const [db, uid, password, model, modelMethod, positional = [], kwargs = {}] = args as [
      string,
      number,
      string,
      string,
      string,
      unknown[],
      Record<string, unknown>,
    ];
    this.checkDatabase(db);
    if (uid !== this.uid || password !== this.apiKey) throw new OdooException("odoo.exceptions.AccessDenied", "Access Denied");
    return this.model(model, modelMethod, positional, kwargs);
  }

  private checkDatabase(db: unknown): void {
    if (db !== this.database)
      throw new OdooException("psycopg2.OperationalError", `connection to server failed: FATAL:  database "${String(db)}" does not exist`);
  }

  private model(model: string, method: string, args: unknown[], kwargs: Record<string, unknown>): unknown {
    if (method.startsWith("_"))
      throw new OdooException("odoo.exceptions.AccessError", `Private methods (such as ${model}.${method}) cannot be called remotely.`);
    const fieldsOf = FIELDS[model];
    if (!fieldsOf || !this.data[model]) throw new OdooException("odoo.exceptions.UserError", `Object ${model} doesn't exist`);
    if (this.options.denied?.includes(model)) throw new OdooException("odoo.exceptions.AccessError", `You are not allowed to access '${model}' records.`);
    const fields = fieldsOf(this.options.version);
    const context = (kwargs.context ?? {}) as Record<string, unknown>;
    const rows = this.data[model];
    switch (method) {
      case "fields_get": {
        const wanted = (kwargs.allfields as string[] | undefined) ?? Object.keys(fields);
        return Object.fromEntries(wanted.filter((f) => f in fields).map((f) => [f, fields[f]]));
      }
      case "search_count":
        return this.search(model, args[0] as Domain, context).length;
      case "search":
        return this.page(this.search(model, (args[0] ?? kwargs.domain) as Domain, context), kwargs).map((r) => r.id);
      case "search_read":
        return this.page(this.search(model, (args[0] ?? kwargs.domain ?? []) as Domain, context), kwargs).map((r) =>
          this.present(model, r, kwargs.fields as string[] | undefined, context),
        );
      case "read":
        return (args[0] as number[])
          .map((id) => rows.find((r) => r.id === id))
          .filter((r): r is Row => Boolean(r))
          .map((r) => this.present(model, r, kwargs.fields as string[] | undefined, context));
      case "name_search": {
        const name = String(args[0] ?? "").toLowerCase();
        return rows
          .filter((r) => r.active !== false && this.displayName(model, r).toLowerCase().includes(name))
          .slice(0, Number(kwargs.limit ?? 100))
          .map((r) => [r.id, this.displayName(model, r)]);
      }
      case "create": {
        const list = Array.isArray(args[0]) ? (args[0] as Array<Record<string, unknown>>) : [args[0] as Record<string, unknown>];
        const ids = list.map((vals) => this.create(model, vals, fields));
        return Array.isArray(args[0]) ? ids : ids[0];
      }
      case "write": {
        const [ids, vals] = args as [number[], Record<string, unknown>];
        for (const key of Object.keys(vals)) if (!(key in fields)) throw new OdooException("builtins.ValueError", `Invalid field '${key}' on model '${model}'`);
        for (const id of ids) {
          const row = rows.find((r) => r.id === id);
          if (!row) throw new OdooException("odoo.exceptions.MissingError", `Record does not exist or has been deleted.\n(Record: ${model}(${id},))`);
          Object.assign(row, vals, { write_date: this.tick() });
        }
        return true;
      }
      default:
        throw new OdooException("builtins.AttributeError", `The method '${method}' does not exist on the model '${model}'`);
    }
  }

  private create(model: string, vals: Record<string, unknown>, fields: Record<string, unknown>): number {
    for (const key of Object.keys(vals))
      if (!(key in fields) && key !== "tag_ids") throw new OdooException("builtins.ValueError", `Invalid field '${key}' on model '${model}'`);
    if (!vals.name)
      throw new OdooException(
        "odoo.exceptions.ValidationError",
        `The operation cannot be completed: Missing required fields on accessible ${model} records: Name`,
      );
    const id = this.nextId++;
    this.data[model]!.push({ active: true, ...vals, id, write_date: this.tick() });
    return id;
  }

  private page(rows: Row[], kwargs: Record<string, unknown>): Row[] {
    const order = String(kwargs.order ?? "id asc")
      .split(",")
      .map((part) => part.trim().split(/\s+/) as [string, string?]);
    const sorted = [...rows].sort((a, b) => {
      for (const [field, dir] of order) {
        const [x, y] = [a[field] as string | number, b[field] as string | number];
        if (x !== y) return (x < y ? -1 : 1) * (dir?.toLowerCase() === "desc" ? -1 : 1);
      }
      return 0;
    });
    const offset = Number(kwargs.offset ?? 0);
    return sorted.slice(offset, kwargs.limit ? offset + Number(kwargs.limit) : undefined);
  }

  private displayName(model: string, row: Row): string {
    if (model === "res.partner" && row.parent_id)
      return `${this.displayName(
        model,
        this.data[model]!.find((r) => r.id === row.parent_id)!,
      )}, ${String(row.name)}`;
    return String(row.name ?? "");
  }

  /** A record as Odoo returns it: false for empty values, many2one as [id, name]. */
  private present(model: string, row: Row, wanted: string[] | undefined, context: Record<string, unknown>): Record<string, unknown> {
    const fields = FIELDS[model]!(this.options.version);
    const names = wanted ?? Object.keys(fields);
    const out: Record<string, unknown> = { id: row.id };
    for (const name of names) {
      const field = fields[name];
      if (!field) throw new OdooException("builtins.ValueError", `Invalid field '${name}' on model '${model}'`);
      let value = row[name];
      if (name === "display_name") value = this.displayName(model, row);
      if (model === "product.product" && ["qty_available", "free_qty"].includes(name)) {
        const warehouse = context[this.options.version === 16 ? "warehouse" : "warehouse_id"];
        if (warehouse !== undefined) value = (row.by_warehouse as Record<string, number>)[String(warehouse)] ?? 0;
      }
      if (field.type === "many2one") {
        const related = value ? this.data[field.relation!]?.find((r) => r.id === value) : undefined;
        value = related ? [related.id, this.displayName(field.relation!, related)] : false;
      } else if (value === undefined || value === null || value === "") {
        value = ["float", "monetary", "integer"].includes(field.type) ? 0 : field.type === "many2many" ? [] : false;
      }
      out[name] = value;
    }
    return out;
  }

  // --- Domains (odoo/osv/expression.py, the parts the integration relies on) ---

  private search(model: string, domain: Domain, context: Record<string, unknown>): Row[] {
    const mentionsActive = JSON.stringify(domain).includes('"active"');
    return this.data[model]!.filter((row) => (context.active_test === false || mentionsActive || row.active !== false) && this.matches(model, row, domain));
  }

  private matches(model: string, row: Row, domain: Domain): boolean {
    const stack: boolean[] = [];
    // Polish notation, evaluated from the end; adjacent terms are joined by an implicit AND.
    for (let i = domain.length - 1; i >= 0; i -= 1) {
      const term = domain[i];
      if (term === "!") stack.push(!stack.pop());
      else if (term === "&" || term === "|") {
        const [a, b] = [stack.pop()!, stack.pop()!];
        stack.push(term === "&" ? a && b : a || b);
      } else stack.push(this.leaf(model, row, term as [string, string, unknown]));
    }
    return stack.every(Boolean);
  }

  private leaf(model: string, row: Row, [field, op, value]: [string, string, unknown]): boolean {
    if (field === "phone_mobile_search") {
      const term = String(value).replace(/[\s\\./()-]/g, "");
      if (term.length < 3) throw new OdooException("odoo.exceptions.UserError", "Please enter at least 3 characters when searching a Phone/Mobile number.");
      const numbers = ["phone", "mobile"].map((f) => String(row[f] || "").replace(/[\s\\./()-]/g, "")).filter(Boolean);
      if (term.startsWith("+") || term.startsWith("00")) {
        const digits = term.replace(/^(\+|00)/, "");
        return numbers.some((n) => n.replace(/^(\+|00)/, "").startsWith(digits));
      }
      return numbers.some((n) => n.includes(term));
    }
    const fields = FIELDS[model]!(this.options.version);
    if (!(field in fields) && field !== "id" && field !== "default_code")
      throw new OdooException("builtins.ValueError", `Invalid field '${field}' on model '${model}'`);
    const raw = row[field];
    const empty = raw === undefined || raw === null || raw === false || raw === "";
    const like = (pattern: string, subject: string, insensitive: boolean) => {
      const re = new RegExp(
        `^${pattern
          .replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
          .replace(/%/g, ".*")
          .replace(/_/g, ".")}$`,
        insensitive ? "is" : "s",
      );
      return re.test(subject);
    };
    const many2one = fields[field]?.type === "many2one";
    const subject =
      many2one && typeof value === "string"
        ? empty
          ? ""
          : this.displayName(
              fields[field]!.relation!,
              this.data[fields[field]!.relation!]!.find((r) => r.id === raw)!,
            )
        : raw;
    switch (op) {
      case "=":
        return value === false ? empty : subject === value;
      case "!=":
        return value === false ? !empty : subject !== value;
      case "=?":
        return !value || subject === value;
      case "<":
        return !empty && (raw as number) < (value as number);
      case "<=":
        return !empty && (raw as number) <= (value as number);
      case ">":
        return !empty && (raw as number) > (value as number);
      case ">=":
        return !empty && (raw as number) >= (value as number);
      case "like":
      case "ilike":
        return value === "" || (!empty && like(`%${String(value)}%`, String(subject), op === "ilike"));
      case "not like":
      case "not ilike":
        return empty || !like(`%${String(value)}%`, String(subject), op === "not ilike");
      case "=like":
      case "=ilike":
        return !empty && like(String(value), String(subject), op === "=ilike");
      case "in":
        return (value as unknown[]).includes(raw) || ((value as unknown[]).includes(false) && empty);
      case "not in":
        return empty || !(value as unknown[]).includes(raw);
      case "child_of": {
        const roots = ([] as unknown[]).concat(value);
        let current: Row | undefined = this.data[fields[field]?.relation ?? model]!.find((r) => r.id === raw);
        while (current) {
          if (roots.includes(current.id)) return true;
          current = this.data["res.partner"]!.find((r) => r.id === current!.parent_id);
        }
        return false;
      }
      default:
        throw new OdooException("builtins.ValueError", `Invalid leaf ${JSON.stringify([field, op, value])}`);
    }
  }
}
