// Odoo's wire formats and error names, and the fake server's domain semantics.
import { kindOfOdooException } from "../../lib/odoo/client";
import { decodeCall, decodeResponse, encodeCall, encodeFault, encodeResponse, XmlRpcFault } from "../../lib/odoo/xmlrpc";
import { textToHtml } from "../../lib/odoo/operations";
import { decryptSecret, encryptSecret } from "../../lib/odoo/settings";

describe("XML-RPC", () => {
  it("round-trips calls and responses of every type Odoo uses", () => {
    const params = [
      "mydb",
      7,
      "KEY",
      "res.partner",
      "search_read",
      [["|", ["email", "=ilike", "a&b<c>@x.mx"], ["active", "=", false]]],
      { fields: ["name"], limit: 5, price: 1.5 },
    ];
    expect(decodeCall(encodeCall("execute_kw", params))).toEqual({ method: "execute_kw", params });
    const value = [{ id: 42, name: "Ana Pérez", parent_id: [40, "Acme"], email: false, amount: 11600.5 }];
    expect(decodeResponse(encodeResponse(value))).toEqual(value);
  });

  it("reads faults, untyped strings and entities, and refuses what Odoo never sends", () => {
    expect(() => decodeResponse(encodeFault(3, "Access Denied"))).toThrow(new XmlRpcFault(3, "Access Denied"));
    expect(decodeResponse("<?xml version='1.0'?><methodResponse><params><param><value>a &amp; b &#233;</value></param></params></methodResponse>")).toBe(
      "a & b é",
    );
    expect(() => encodeCall("x", [null])).toThrow(/None/);
    expect(() => decodeResponse("<methodResponse><params><param><value><nil/></value></param></params></methodResponse>")).toThrow(/nil/);
    expect(() => decodeResponse("<html>Not Found</html>")).toThrow(/methodResponse/);
  });
});

describe("Odoo errors", () => {
  it("are read by their exception name, never by the code", () => {
    expect(kindOfOdooException("odoo.exceptions.AccessDenied")).toBe("credentials");
    expect(kindOfOdooException("odoo.exceptions.AccessError")).toBe("permission");
    expect(kindOfOdooException("odoo.exceptions.ValidationError")).toBe("bad_data");
    expect(kindOfOdooException("odoo.exceptions.UserError", "Object x.y doesn't exist")).toBe("not_found");
    expect(kindOfOdooException("builtins.ValueError", "Invalid field 'mobile' on model 'res.partner'")).toBe("bad_data");
    expect(kindOfOdooException("psycopg2.OperationalError", 'FATAL:  database "x" does not exist')).toBe("database");
    expect(kindOfOdooException("builtins.TypeError")).toBe("upstream");
  });
});

describe("what Charla sends", () => {
  it("escapes lead descriptions into paragraphs", () => {
    expect(textToHtml("<script>x</script>\n2 & 3")).toBe("<p>&lt;script&gt;x&lt;/script&gt;</p><p>2 &amp; 3</p>");
  });

  it("encrypts the API key so only the same secret reads it", () => {
    const sealed = encryptSecret("KEY-123", "secret-a");
    expect(sealed).not.toContain("KEY-123");
    expect(decryptSecret(sealed, "secret-a")).toBe("KEY-123");
    expect(() => decryptSecret(sealed, "secret-b")).toThrow();
    expect(encryptSecret("KEY-123", "secret-a")).not.toBe(sealed);
  });
});
