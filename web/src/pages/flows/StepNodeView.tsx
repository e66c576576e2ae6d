// One node on the canvas: its type, id and a glimpse of its configuration, an
// entry on top (but for start) and one exit below per handle its configuration
// gives it (one per button, a timeout, an error…), each labelled.
import { Handle, Position, useUpdateNodeInternals, type NodeProps } from "@xyflow/react";
import { useEffect } from "react";
import { useEditorView } from "./context";
import { exitsOf, NEXT, START, type StepNode } from "./model";

/** Narrow enough for the guide's examples, which place nodes 200 apart side by side and 100 apart in a column. */
const WIDTH = 180;
const EXIT_WIDTH = 56;

/** The first text of the configuration (a message, a question), to tell nodes apart at a glance. */
function glimpse(config: Record<string, unknown>): string | null {
  const text = ["text", "message", "value", "url", "variable"].map((key) => config[key]).find((value) => typeof value === "string" && value);
  return typeof text === "string" ? (text.length > 60 ? `${text.slice(0, 60)}…` : text) : null;
}

export function StepNodeView({ id, data, selected }: NodeProps<StepNode>) {
  const { types, problem, path } = useEditorView();
  const exits = exitsOf(types.get(data.kind), data.config);
  const updateNodeInternals = useUpdateNodeInternals();
  const exitKey = exits.join("\0");
  // React Flow measures handles once: exits that come and go with the configuration must be measured again.
  useEffect(() => updateNodeInternals(id), [id, exitKey, updateNodeInternals]);

  const failed = problem?.nodeId === id;
  const visited = path?.nodes.has(id) ?? false;
  const border = failed
    ? "var(--mantine-color-red-7)"
    : visited
      ? "var(--mantine-color-teal-7)"
      : selected
        ? "var(--mantine-color-blue-7)"
        : "var(--mantine-color-gray-4)";
  const text = glimpse(data.config);

  return (
    <div
      data-node-id={id}
      data-failed={failed || undefined}
      data-visited={visited || undefined}
      style={{
        // Room for each exit's label: a node with many exits grows.
        width: Math.max(WIDTH, exits.length * EXIT_WIDTH),
        background: failed ? "var(--mantine-color-red-0)" : visited ? "var(--mantine-color-teal-0)" : "var(--mantine-color-body)",
        border: `2px solid ${border}`,
        borderRadius: 8,
        fontSize: 12,
        paddingBottom: exits.length ? 16 : 4,
      }}
    >
      {data.kind !== START && <Handle type="target" position={Position.Top} />}
      <div style={{ padding: "4px 8px", lineHeight: 1.3 }}>
        <div style={{ whiteSpace: "nowrap", overflow: "hidden", textOverflow: "ellipsis" }}>
          <b>{data.kind}</b> <span style={{ color: "var(--mantine-color-gray-7)" }}>{id}</span>
        </div>
        {text && <div style={{ whiteSpace: "nowrap", overflow: "hidden", textOverflow: "ellipsis" }}>{text}</div>}
        {failed && (
          <div role="alert" style={{ marginTop: 4, color: "var(--mantine-color-red-9)", fontWeight: 600 }}>
            {problem.message}
          </div>
        )}
      </div>
      {exits.map((exit, i) => {
        const left = `${((i + 1) * 100) / (exits.length + 1)}%`;
        return (
          <div key={exit}>
            <span
              style={{
                position: "absolute",
                bottom: 3,
                left,
                transform: "translateX(-50%)",
                fontSize: 10,
                color: "var(--mantine-color-gray-7)",
                whiteSpace: "nowrap",
              }}
            >
              {exit === NEXT && exits.length === 1 ? "" : exit}
            </span>
            <Handle type="source" id={exit} position={Position.Bottom} style={{ left }} data-exit={exit} />
          </div>
        );
      })}
    </div>
  );
}
