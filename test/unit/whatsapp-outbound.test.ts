import { baileysContent, recipientJid } from "../../lib/whatsapp/baileys-provider";
import { numberedMenu, optionsOf, validateOutgoing, type OutgoingMessage } from "../../lib/whatsapp/outbound";

const to = { phone: "+525551234567", lid: null };
const message = (type: OutgoingMessage["type"], content: string | null, metadata: Record<string, unknown> = {}): OutgoingMessage => ({
  id: "m1",
  waMessageId: "CHM1",
  to,
  type,
  content,
  metadata,
});

describe("outbound validation", () => {
  it("accepts the seed's bodies", () => {
    expect(() => validateOutgoing("text", "Hola, ¿en qué te puedo ayudar?", {})).not.toThrow();
    expect(() => validateOutgoing("image", "Caption opcional", { media_url: "https://example.com/image.jpg" })).not.toThrow();
    expect(() =>
      validateOutgoing("buttons", "¿Qué necesitas?", {
        buttons: [
          { id: "ventas", text: "Ventas" },
          { id: "soporte", text: "Soporte" },
          { id: "otro", text: "Otro" },
        ],
      }),
    ).not.toThrow();
    expect(() =>
      validateOutgoing("list", "Selecciona una opción:", {
        button_text: "Ver opciones",
        sections: [
          {
            title: "Productos",
            rows: [
              { id: "laptop", title: "Laptops", description: "Ver laptops disponibles" },
              { id: "telefono", title: "Teléfonos" },
            ],
          },
        ],
      }),
    ).not.toThrow();
  });

  it.each<[string, OutgoingMessage["type"], string | null, Record<string, unknown>, string]>([
    ["empty text", "text", "", {}, "content"],
    ["no buttons", "buttons", "x", { buttons: [] }, "metadata.buttons"],
    ["a button without text", "buttons", "x", { buttons: [{ id: "a" }] }, "metadata.buttons[0].text"],
    ["a list without sections", "list", "x", { button_text: "Ver" }, "metadata.sections"],
    ["a list without button text", "list", "x", { sections: [] }, "metadata.button_text"],
    ["a row without id", "list", "x", { button_text: "Ver", sections: [{ rows: [{ title: "A" }] }] }, "metadata.sections[0].rows[0].id"],
    ["a javascript: URL", "document", null, { media_url: "javascript:alert(1)" }, "media_url"],
    ["a location off the map", "location", null, { latitude: 0, longitude: 200 }, "metadata.longitude"],
    ["a contact without phone", "contact", null, { name: "Ana" }, "metadata.phone"],
    ["a reaction without target", "reaction", "👍", {}, "metadata.target_wa_message_id"],
  ])("refuses %s on %s", (_name, type, content, metadata, field) => {
    expect(() => validateOutgoing(type, content, metadata)).toThrow(expect.objectContaining({ code: 422, data: expect.objectContaining({ field }) }));
  });
});

describe("WhatsApp Web rendering", () => {
  it("numbers list rows across sections, with descriptions", () => {
    const list = message("list", "Elige:", {
      button_text: "Ver",
      sections: [
        { title: "A", rows: [{ id: "x", title: "Laptops", description: "Ver laptops" }] },
        { title: "B", rows: [{ id: "y", title: "Teléfonos" }] },
      ],
    });
    expect(optionsOf(list).map((o) => o.id)).toEqual(["x", "y"]);
    expect(numberedMenu(list)).toBe("Elige:\n\n1. Laptops — Ver laptops\n2. Teléfonos\n\nResponde con el número de tu opción.");
  });

  it("builds Baileys content for media, locations, contacts and reactions", () => {
    expect(baileysContent(message("image", "Mira", { media_url: "https://x/y.jpg" }), "j", Buffer.from("jpg"))).toEqual({
      image: Buffer.from("jpg"),
      caption: "Mira",
    });
    expect(() => baileysContent(message("image", "Mira", { media_url: "https://x/y.jpg" }), "j")).toThrow(/needs its file/);
    expect(baileysContent(message("location", null, { latitude: 1, longitude: 2, name: "Aquí" }), "j")).toMatchObject({
      location: { degreesLatitude: 1, degreesLongitude: 2 },
    });
    expect(baileysContent(message("contact", null, { name: "Soporte", phone: "+52 55 0000 0000" }), "j")).toMatchObject({
      contacts: { displayName: "Soporte", contacts: [{ vcard: expect.stringContaining("waid=525500000000") }] },
    });
    expect(baileysContent(message("reaction", "👍", { target_wa_message_id: "ABC" }), "j")).toEqual({
      react: { text: "👍", key: { remoteJid: "j", id: "ABC", fromMe: false } },
    });
  });

  it("addresses the phone number's JID, or the LID when that is all there is", () => {
    expect(recipientJid({ phone: "+525551234567", lid: "1@lid" })).toBe("525551234567@s.whatsapp.net");
    expect(recipientJid({ phone: null, lid: "98765@lid" })).toBe("98765@lid");
    expect(() => recipientJid({ phone: null, lid: null })).toThrow();
  });
});
