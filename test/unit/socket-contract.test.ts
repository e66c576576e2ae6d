// The harness's socket hook finds what the AsyncAPI document does not allow.
import { asyncApiDocument } from "../../lib/contract/asyncapi";
import { socketProblem, type AsyncApiDocument } from "../support/socket-contract";

const doc = JSON.parse(JSON.stringify(asyncApiDocument("test"))) as AsyncApiDocument;
const id = "6f1c1c3e-3b7a-4f3e-9d7e-2a1b0c9d8e7f";

describe("the socket hook", () => {
  it("lets declared events and acknowledgements through", () => {
    expect(socketProblem(doc, "conversation_assigned", { conversation_id: id, assigned_to: null, version: 3 })).toBeUndefined();
    expect(socketProblem(doc, "join_conversation_ack", { ok: true, conversation_id: id })).toBeUndefined();
    expect(socketProblem(doc, "join_conversation_ack", { ok: false, detail: { code: "FORBIDDEN", message: "No", field: null } })).toBeUndefined();
    expect(socketProblem(doc, "connect", undefined)).toBeUndefined();
  });

  it("refuses an extra field, a missing one, a wrong value and an undeclared event", () => {
    expect(socketProblem(doc, "conversation_assigned", { conversation_id: id, assigned_to: null, version: 3, extra: 1 })).toMatch(
      /additional properties \(extra\)/,
    );
    expect(socketProblem(doc, "conversation_assigned", { conversation_id: id, version: 3 })).toMatch(/required property 'assigned_to'/);
    expect(socketProblem(doc, "message_status", { message_id: id, conversation_id: id, status: "seen", version: 1 })).toMatch(
      /status must be equal to one of the allowed values/,
    );
    expect(socketProblem(doc, "ping", {})).toMatch(/does not declare/);
  });

  it("holds an acknowledgement of an unknown event to the refusal format", () => {
    expect(socketProblem(doc, "call_ack", { ok: false, detail: { code: "NOT_FOUND", message: "Unknown event", field: null } })).toBeUndefined();
    expect(socketProblem(doc, "call_ack", { ok: true })).toMatch(/does not match/);
  });
});
