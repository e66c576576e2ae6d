// The AsyncAPI 3.0 description of the Socket.IO side, built from the event
// declarations (lib/contract/events.ts), so it cannot drift from what the
// gateway emits. Served at GET /api/asyncapi.json.
import { CLIENT_EVENTS, Refusal, SOCKET_EVENTS } from "./events";

type Json = Record<string, unknown>;

const CHANNEL = "#/channels/socket";

const ROOMS = [
  "`user:{id}`: each user's sockets",
  "`role:{role}`: every socket of a role (admins, supervisors, agents)",
  "`queue:{id}`: the members of a queue",
  "`supervisors:{id}`: the supervisors of a queue",
  "`conversation:{id}`: the sockets watching a conversation (join_conversation)",
].join("; ");

export function asyncApiDocument(version: string): Json {
  const messages: Json = {};
  const channelMessages: Json = {};
  const operations: Json = {};
  for (const [name, event] of Object.entries(SOCKET_EVENTS)) {
    messages[name] = {
      name,
      title: name,
      summary: event.description,
      description: `Heard by: ${event.rooms}.`,
      payload: event.payload,
      "x-rooms": event.rooms,
    };
    channelMessages[name] = { $ref: `#/components/messages/${name}` };
    operations[`hear_${name}`] = {
      action: "receive",
      channel: { $ref: CHANNEL },
      summary: event.description,
      messages: [{ $ref: `${CHANNEL}/messages/${name}` }],
    };
  }
  // A client event may share its name with one the server emits (typing): its messages are keyed apart.
  for (const [name, event] of Object.entries(CLIENT_EVENTS)) {
    const request = `${name}_request`;
    const ack = `${name}_ack`;
    messages[request] = { name, title: `${name} (sent by the client)`, summary: event.description, payload: event.payload };
    messages[ack] = {
      name: ack,
      title: `${name} acknowledgement`,
      summary: `What the server answers to ${name} (Socket.IO acknowledgement)`,
      payload: event.ack,
    };
    channelMessages[request] = { $ref: `#/components/messages/${request}` };
    channelMessages[ack] = { $ref: `#/components/messages/${ack}` };
    operations[`send_${name}`] = {
      action: "send",
      channel: { $ref: CHANNEL },
      summary: event.description,
      messages: [{ $ref: `${CHANNEL}/messages/${request}` }],
      reply: { channel: { $ref: CHANNEL }, messages: [{ $ref: `${CHANNEL}/messages/${ack}` }] },
    };
  }
  // Any other event a client sends (moleculer-io's generic `call` included) is refused this way, when it asks for an ack.
  messages.refusal_ack = {
    name: "refusal_ack",
    title: "Refusal",
    summary: "The acknowledgement of an event the server refuses or does not know",
    payload: Refusal,
  };
  return {
    asyncapi: "3.0.0",
    info: {
      title: "Charla realtime events",
      version,
      description:
        "Socket.IO on the same port as the REST API. Connect with `auth: { token: <access token> }`; a refused handshake " +
        "answers `connect_error` with `data: {detail: {code, message, field}}`. Each socket is in rooms that decide what it hears. " +
        "The REST API is described at GET /api/openapi.json.",
      license: { name: "MIT", url: "https://opensource.org/licenses/MIT" },
    },
    defaultContentType: "application/json",
    servers: {
      charla: {
        host: "localhost:3000",
        protocol: "ws",
        pathname: "/socket.io/",
        description: "A Charla node (Socket.IO over WebSocket); any node of a cluster serves every socket.",
      },
    },
    channels: {
      socket: { address: "/", title: "The default Socket.IO namespace", description: `Rooms: ${ROOMS}.`, messages: channelMessages },
    },
    operations,
    components: { messages },
  };
}
