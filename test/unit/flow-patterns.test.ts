// The `matches` operator runs stored patterns on customer text: it must not be
// a way to freeze the event loop, and a pattern it cannot run must be refused
// when the flow is saved, not found out when a customer writes.
import { ValidationFailed } from "../../lib/errors";
import { validateGraph } from "../../lib/flows/graph";
import { compare } from "../../lib/flows/nodes/kit/compare";
import { PATTERN_LIMITS } from "../../lib/flows/nodes/kit/pattern";

function graphWith(node: { type: string; data: Record<string, unknown> }) {
  return {
    nodes: [
      { id: "start", type: "start", data: {}, position: { x: 0, y: 0 } },
      { id: "check", ...node, position: { x: 0, y: 100 } },
    ],
    edges: [{ id: "e1", source: "start", target: "check" }],
  };
}
const condition = (right: string) => graphWith({ type: "condition", data: { rules: [{ left: "{{message.text}}", op: "matches", right }] } });
const switchOn = (value: string) =>
  graphWith({
    type: "switch",
    data: {
      value: "{{message.text}}",
      cases: [
        { id: "a", op: "equals", value: "x" },
        { id: "b", op: "matches", value },
      ],
    },
  });

function refusal(graph: unknown): { field: string; message: string } | undefined {
  try {
    validateGraph(graph);
    return undefined;
  } catch (err) {
    if (err instanceof ValidationFailed) return { field: err.data.field ?? "", message: err.message };
    throw err;
  }
}

describe("matching customer text", () => {
  it("answers patterns that backtrack catastrophically in linear time", () => {
    // With a backtracking engine each further "a" doubles the time: 40 of them would block for minutes.
    expect(compare(`${"a".repeat(40)}!`, "matches", "^(a+)+$")).toBe(false);
    expect(compare(`${"a".repeat(4000)}!`, "matches", "(x+x+)+y")).toBe(false);
    expect(compare("a".repeat(40), "matches", "^(a+)+$")).toBe(true);
  });

  it("ignores case and accents as written, and keeps Unicode classes", () => {
    expect([
      compare("Quiero HABLAR", "matches", "hablar"),
      compare("Ñandú", "matches", "^ñ"),
      compare("pedido 123", "matches", "\\d{3}$"),
      compare("José", "matches", "^\\p{L}+$"),
    ]).toEqual([true, true, true, true]);
  });

  it("never matches text over the length limit or an unusable pattern", () => {
    expect(compare("a".repeat(PATTERN_LIMITS.maxText + 1), "matches", "a")).toBe(false);
    expect([compare("x", "matches", "("), compare("aa", "matches", "(a)\\1"), compare("x", "matches", "x".repeat(PATTERN_LIMITS.maxLength + 1))]).toEqual([
      false,
      false,
      false,
    ]);
  });
});

describe("saving a flow with a pattern", () => {
  it("accepts usable patterns, literal or templated", () => {
    expect(refusal(condition("^(hola|buenas)\\b"))).toBeUndefined();
    expect(refusal(condition("^{{vars.prefix}}"))).toBeUndefined();
    expect(refusal(switchOn("^\\d{4}-\\d{2}-\\d{2}$"))).toBeUndefined();
  });

  it("refuses what it could not run, naming the field", () => {
    expect(refusal(condition("x".repeat(PATTERN_LIMITS.maxLength + 1)))).toEqual({
      field: "nodes[1].data.rules[0].right",
      message: expect.stringMatching(/at most 200 characters/),
    });
    expect(refusal(condition(`{{vars.x}}${"x".repeat(PATTERN_LIMITS.maxLength)}`))?.field).toBe("nodes[1].data.rules[0].right");
    expect(refusal(condition("(unclosed"))).toEqual({
      field: "nodes[1].data.rules[0].right",
      message: expect.stringMatching(/not a valid regular expression/),
    });
    expect(refusal(condition("(?=lookahead)"))?.message).toMatch(/no backreferences or lookaround/);
    expect(refusal(switchOn("[a-z]{1,1000}x"))).toEqual({ field: "nodes[1].data.cases[1].value", message: expect.stringMatching(/too complex/) });
  });
});
