// Baileys 7 `messages.upsert` payloads, as they arrive, into the engine's one shape.
import type { WAMessage } from "@whiskeysockets/baileys";
import { normaliseBaileysMessage, peerOf } from "../../lib/whatsapp/inbound";

const at = 1_764_230_400; // seconds, as Baileys gives them
const from = (message: Record<string, unknown>, key: Record<string, unknown> = {}): WAMessage => ({
  key: { remoteJid: "525551234567@s.whatsapp.net", fromMe: false, id: "3EB0C0FFEE", ...key },
  messageTimestamp: at,
  pushName: "Juan Pérez",
  message,
});

describe("peers", () => {
  it("keeps both identities when WhatsApp gives a LID with the phone as its alternative", () => {
    expect(peerOf({ remoteJid: "98765432101234@lid", remoteJidAlt: "525551234567@s.whatsapp.net" })).toEqual({
      phone: "+525551234567",
      lid: "98765432101234@lid",
    });
    expect(peerOf({ remoteJid: "98765432101234@lid" })).toEqual({ phone: null, lid: "98765432101234@lid" });
    expect(peerOf({ remoteJid: "525551234567:3@s.whatsapp.net" })).toEqual({ phone: "+525551234567", lid: null });
  });

  it("ignores groups, status broadcasts and newsletters", () => {
    expect(peerOf({ remoteJid: "120363025246125888@g.us" })).toBeUndefined();
    expect(peerOf({ remoteJid: "status@broadcast" })).toBeUndefined();
    expect(peerOf({ remoteJid: "120363@newsletter" })).toBeUndefined();
  });
});

describe("message kinds", () => {
  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ["plain text", { conversation: "Hola" }, { type: "text", text: "Hola" }],
    ["extended text", { extendedTextMessage: { text: "Hola https://x.mx", matchedText: "https://x.mx" } }, { type: "text", text: "Hola https://x.mx" }],
    [
      "image with caption",
      { imageMessage: { caption: "Mi factura", mimetype: "image/jpeg", url: "https://mmg.whatsapp.net/x" } },
      { type: "image", text: "Mi factura", metadata: { mimetype: "image/jpeg", has_media: true } },
    ],
    ["video", { videoMessage: { mimetype: "video/mp4", seconds: 5 } }, { type: "video", text: null }],
    ["voice note", { audioMessage: { mimetype: "audio/ogg; codecs=opus", ptt: true } }, { type: "audio", metadata: { voice: true } }],
    [
      "document",
      { documentMessage: { fileName: "cotizacion.pdf", mimetype: "application/pdf", caption: "Aquí" } },
      { type: "document", text: "Aquí", metadata: { filename: "cotizacion.pdf" } },
    ],
    [
      "document with caption wrapper",
      { documentWithCaptionMessage: { message: { documentMessage: { fileName: "a.pdf", caption: "c" } } } },
      { type: "document", text: "c" },
    ],
    ["sticker", { stickerMessage: { mimetype: "image/webp" } }, { type: "sticker" }],
    [
      "location",
      { locationMessage: { degreesLatitude: 19.4326, degreesLongitude: -99.1332, name: "Zócalo" } },
      { type: "location", metadata: { latitude: 19.4326, longitude: -99.1332, name: "Zócalo" } },
    ],
    ["contact card", { contactMessage: { displayName: "Ana", vcard: "BEGIN:VCARD\nFN:Ana\nEND:VCARD" } }, { type: "contact", text: "Ana" }],
    ["reaction", { reactionMessage: { key: { id: "OUT1" }, text: "👍" } }, { type: "reaction", text: "👍", metadata: { target_wa_message_id: "OUT1" } }],
    [
      "button reply",
      { buttonsResponseMessage: { selectedButtonId: "ventas", selectedDisplayText: "Ventas" } },
      { type: "button_reply", text: "Ventas", metadata: { button_id: "ventas" } },
    ],
    [
      "template button reply",
      { templateButtonReplyMessage: { selectedId: "soporte", selectedDisplayText: "Soporte" } },
      { type: "button_reply", metadata: { button_id: "soporte" } },
    ],
    [
      "list reply",
      { listResponseMessage: { title: "Laptops", singleSelectReply: { selectedRowId: "laptop" } } },
      { type: "list_reply", text: "Laptops", metadata: { row_id: "laptop" } },
    ],
    ["poll vote", { pollUpdateMessage: { pollCreationMessageKey: { id: "POLL1" } } }, { type: "poll_vote", metadata: { poll_wa_message_id: "POLL1" } }],
    ["revoked", { protocolMessage: { type: 0, key: { id: "OLD1" } } }, { type: "revoked", metadata: { target_wa_message_id: "OLD1" } }],
    [
      "edited",
      { protocolMessage: { type: 14, key: { id: "OLD2" }, editedMessage: { conversation: "Hola (editado)" } } },
      { type: "edited", text: "Hola (editado)", metadata: { target_wa_message_id: "OLD2" } },
    ],
    ["ephemeral wrapper", { ephemeralMessage: { message: { conversation: "Efímero" } } }, { type: "text", text: "Efímero" }],
  ])("%s", (_name, message, expected) => {
    expect(normaliseBaileysMessage(from(message))).toMatchObject({
      waMessageId: "3EB0C0FFEE",
      fromMe: false,
      peer: { phone: "+525551234567", lid: null, pushName: "Juan Pérez" },
      timestamp: new Date(at * 1000),
      ...expected,
    });
  });

  it("marks messages sent from the phone itself", () => {
    const message = normaliseBaileysMessage(from({ conversation: "Te escribo desde el teléfono" }, { fromMe: true }));
    expect(message).toMatchObject({ fromMe: true, type: "text", peer: { phone: "+525551234567", pushName: null } });
  });

  it("skips what is not for the inbox", () => {
    expect(normaliseBaileysMessage(from({ senderKeyDistributionMessage: { groupId: "x" } }))).toBeUndefined();
    expect(normaliseBaileysMessage(from({ conversation: "hola grupo" }, { remoteJid: "1203@g.us" }))).toBeUndefined();
    expect(normaliseBaileysMessage({ key: { remoteJid: "525551234567@s.whatsapp.net", id: "X" } })).toBeUndefined();
  });
});
