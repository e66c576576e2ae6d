import { renderTemplate } from "../../lib/templates";

const context = {
  contact: { name: "Juan Pérez", phone_number: "+525551234567", email: null, company: "ACME", metadata: { producto_interes: "Laptop Pro", visitas: 3 } },
  vars: { menu: "ventas", total: 1500.5, items: ["a", "b"] },
  message: { text: "Hola" },
  conversation: { id: "c-1" },
  agent: { name: "María García" },
  queue: { name: "Ventas" },
  now: new Date("2026-11-27T10:00:00Z"),
};

describe("templates", () => {
  it("renders the seed's quick reply", () => {
    expect(renderTemplate("¡Hola {{contact.name}}! Soy {{agent.name}}, ¿en qué te puedo ayudar?", context)).toBe(
      "¡Hola Juan Pérez! Soy María García, ¿en qué te puedo ayudar?",
    );
  });

  it("reads every documented path, with or without spaces", () => {
    expect(renderTemplate("{{ contact.phone_number }}|{{contact.company}}|{{contact.metadata.producto_interes}}|{{contact.metadata.visitas}}", context)).toBe(
      "+525551234567|ACME|Laptop Pro|3",
    );
    expect(renderTemplate("{{vars.menu}} {{vars.total}} {{vars.items}} {{message.text}} {{conversation.id}} {{queue.name}} {{now}}", context)).toBe(
      'ventas 1500.5 ["a","b"] Hola c-1 Ventas 2026-11-27T10:00:00.000Z',
    );
  });

  it("renders missing values as empty and runs no code", () => {
    expect(renderTemplate("[{{contact.email}}][{{vars.nada}}][{{agent.name.first}}][{{unknown}}]", context)).toBe("[][][][]");
    expect(renderTemplate("{{contact.constructor}}{{contact.__proto__}}{{ process.exit(1) }}", context)).toBe("{{ process.exit(1) }}");
    expect(renderTemplate("<b>{{contact.name}}</b>", { contact: { name: "A&B <x>" } })).toBe("<b>A&B <x></b>");
  });
});
