// The flow builder: the palette, the canvas (React Flow) and a side panel with
// the selected node's form, the flow's settings, and the sandbox. Saving sends
// the whole document (PUT /api/flows/{id}); the engine makes a changed graph a
// new version, or answers 422 naming the node and field, shown where they are.
import "@xyflow/react/dist/style.css";
import { Alert, Anchor, Badge, Box, Button, Center, Group, Loader, ScrollArea, Stack, Switch, Tabs, Text, Textarea, TextInput, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  useEdgesState,
  useNodesState,
  useReactFlow,
  type Connection,
  type EdgeChange,
  type NodeChange,
} from "@xyflow/react";
import { useEffect, useMemo, useRef, useState, type DragEvent } from "react";
import { Link, useParams } from "react-router";
import { ApiError } from "../../api/http";
import { useApi } from "../../auth/context";
import { useMe } from "../../auth/me";
import { useI18n } from "../../i18n";
import { problemText } from "../problem";
import { EditorContext } from "./context";
import {
  EMPTY_DOCUMENT,
  exitsOf,
  freshId,
  locateProblem,
  NEXT,
  pathOf,
  toCanvas,
  toDocument,
  variablesOf,
  type Config,
  type Flow,
  type FlowDocument,
  type NodeType,
  type Problem,
  type SandboxRun,
  type StepNode,
} from "./model";
import { NodeForm } from "./NodeForm";
import { Palette, PALETTE_DRAG } from "./Palette";
import { FLOWS_QUERY, flowQuery, useFlow, useNodeTypes } from "./queries";
import { SandboxPanel } from "./SandboxPanel";
import { initialConfig } from "./schema";
import { TriggerFields } from "./trigger";
import { StepNodeView } from "./StepNodeView";

/** Who may change flows: the engine lets admins and supervisors (docs/permissions.md). */
const FLOW_EDITORS: readonly string[] = ["admin", "supervisor"];
const NODE_VIEWS = { step: StepNodeView };
type Tab = "node" | "flow" | "test";

export function FlowEditor() {
  const { t } = useI18n();
  const { id = "" } = useParams();
  const flow = useFlow(id);
  const types = useNodeTypes();
  const failed = flow.error ?? types.error;
  if (failed)
    return (
      <Stack>
        <Anchor component={Link} to="..">
          {t("flows.back")}
        </Anchor>
        <Alert color="red" variant="light" role="alert">
          {failed instanceof ApiError && failed.status === 404 ? t("flows.notFound") : problemText(failed, t).text}
        </Alert>
      </Stack>
    );
  if (!flow.data || !types.data)
    return (
      <Center h={200}>
        <Loader aria-label={t("app.loading")} />
      </Center>
    );
  return (
    <ReactFlowProvider>
      {/* One builder per flow: its canvas state starts from that flow's document. */}
      <Builder key={flow.data.id} flow={flow.data} types={types.data.items} />
    </ReactFlowProvider>
  );
}

function Builder({ flow, types }: { flow: Flow; types: NodeType[] }) {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const readOnly = !FLOW_EDITORS.includes(useMe().role);
  const reactFlow = useReactFlow<StepNode>();
  const canvas = useRef<HTMLDivElement>(null);
  const [initial] = useState(() => toCanvas(flow.nodes ?? EMPTY_DOCUMENT));
  const [nodes, setNodes, onNodesChange] = useNodesState<StepNode>(initial.nodes);
  const [edges, setEdges, onEdgesChange] = useEdgesState(initial.edges);
  const [settings, setSettings] = useState({
    name: flow.name,
    description: flow.description,
    trigger_type: flow.trigger_type,
    trigger_value: flow.trigger_value,
  });
  const [dirty, setDirty] = useState(false);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [warnings, setWarnings] = useState(flow.warnings ?? []);
  const [run, setRun] = useState<SandboxRun | null>(null);
  const [tab, setTab] = useState<Tab>("flow");
  const byType = useMemo(() => new Map(types.map((type) => [type.type, type])), [types]);
  const path = useMemo(() => (run ? pathOf(run.trace, edges) : null), [run, edges]);
  const view = useMemo(() => ({ types: byType, problem, path }), [byType, problem, path]);
  const selected = nodes.find((node) => node.id === selectedId);

  const select = (nodeId: string | null) => {
    setSelectedId(nodeId);
    setNodes((all) => all.map((node) => ({ ...node, selected: node.id === nodeId })));
    if (nodeId) setTab("node");
  };

  // Selecting and measuring change nothing in the flow; anything else is an unsaved change.
  const changeNodes = (changes: NodeChange<StepNode>[]) => {
    if (changes.some((change) => change.type !== "select" && change.type !== "dimensions")) setDirty(true);
    onNodesChange(changes);
  };
  const changeEdges = (changes: EdgeChange[]) => {
    if (changes.some((change) => change.type !== "select")) setDirty(true);
    onEdgesChange(changes);
  };

  // An exit takes one edge (the engine refuses two): a new connection from it replaces the old one.
  const connect = ({ source, target, sourceHandle }: Connection) => {
    const handle = sourceHandle || NEXT;
    setEdges((all) => [
      ...all.filter((edge) => !(edge.source === source && (edge.sourceHandle || NEXT) === handle)),
      { id: `${source}-${handle}`, source, target, sourceHandle: handle },
    ]);
    setDirty(true);
  };

  const addNode = (type: NodeType, position: { x: number; y: number }) => {
    const id = freshId(type.type, new Set(nodes.map((node) => node.id)));
    const node: StepNode = { id, type: "step", position, data: { kind: type.type, config: initialConfig(type.schema) }, selected: true };
    setNodes((all) => [...all.map((other) => ({ ...other, selected: false })), node]);
    setSelectedId(id);
    setTab("node");
    setDirty(true);
  };

  /** Added from the keyboard or a click: in the upper middle of what the canvas shows, a little apart from the last one. */
  const addInView = (type: NodeType) => {
    const box = canvas.current?.getBoundingClientRect();
    if (!box) return;
    const nudge = (nodes.length % 5) * 24;
    const at = reactFlow.screenToFlowPosition({ x: box.left + box.width / 2 + nudge, y: box.top + box.height / 3 + nudge });
    addNode(type, at);
  };

  const drop = (event: DragEvent) => {
    const type = byType.get(event.dataTransfer.getData(PALETTE_DRAG));
    if (!type) return;
    event.preventDefault();
    addNode(type, reactFlow.screenToFlowPosition({ x: event.clientX, y: event.clientY }));
  };

  const changeConfig = (nodeId: string, config: Config) => {
    const node = nodes.find((one) => one.id === nodeId);
    if (!node) return;
    setNodes((all) => all.map((one) => (one.id === nodeId ? { ...one, data: { ...one.data, config } } : one)));
    // An exit that is gone (a removed button) takes its edge with it: the engine would refuse it.
    const exits = new Set(exitsOf(byType.get(node.data.kind), config));
    setEdges((all) => all.filter((edge) => edge.source !== nodeId || exits.has(edge.sourceHandle || NEXT)));
    if (problem?.nodeId === nodeId) setProblem(null);
    setDirty(true);
  };

  const deleteNode = (nodeId: string) => {
    reactFlow.deleteElements({ nodes: [{ id: nodeId }] }).catch(reportError);
    setSelectedId(null);
    setTab("flow");
  };

  const save = useMutation({
    mutationFn: (doc: FlowDocument) => api.put("/api/flows/{id}", { path: { id: flow.id }, body: { ...settings, nodes: doc } }),
    onSuccess: async (saved) => {
      queryClient.setQueryData(flowQuery(flow.id), saved);
      // As the engine keeps them (it tidies keyword lists).
      setSettings({ name: saved.name, description: saved.description, trigger_type: saved.trigger_type, trigger_value: saved.trigger_value });
      setProblem(null);
      setWarnings(saved.warnings ?? []);
      setDirty(false);
      await queryClient.invalidateQueries({ queryKey: FLOWS_QUERY, exact: true });
    },
    onError: (err, doc) => {
      if (!(err instanceof ApiError) || err.status !== 422) {
        setProblem({ message: problemText(err, t).text });
        return;
      }
      const found = locateProblem(err.field, err.message, doc);
      setProblem(found);
      if (found.nodeId) select(found.nodeId);
      else if (found.flowField) setTab("flow");
    },
  });
  const toggle = useMutation({
    mutationFn: (active: boolean) => api.put("/api/flows/{id}/toggle", { path: { id: flow.id }, body: { is_active: active } }),
    onSuccess: async (saved) => {
      queryClient.setQueryData(flowQuery(flow.id), saved);
      await queryClient.invalidateQueries({ queryKey: FLOWS_QUERY, exact: true });
    },
  });
  const current = queryClient.getQueryData<Flow>(flowQuery(flow.id)) ?? flow;

  const shownEdges = edges.map((edge) => {
    const failed = problem?.edgeId === edge.id;
    const taken = path?.edges.has(edge.id) ?? false;
    if (!failed && !taken) return edge;
    return { ...edge, animated: taken, style: { stroke: failed ? "var(--mantine-color-red-7)" : "var(--mantine-color-teal-7)", strokeWidth: 3 } };
  });
  // Unsaved work is not lost without a question: closing or reloading the tab asks (the browser's own dialog), and so does the way back to the list.
  useEffect(() => {
    if (!dirty) return;
    const ask = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", ask);
    return () => window.removeEventListener("beforeunload", ask);
  }, [dirty]);

  const flowFieldError = (field: string) => (problem?.flowField === field ? problem.message : undefined);
  const generalProblem = problem && !problem.nodeId && !problem.flowField ? problem : null;

  return (
    <EditorContext.Provider value={view}>
      <Stack gap="xs" h="calc(100dvh - 56px - 2 * var(--mantine-spacing-md))">
        <Group justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Anchor
              component={Link}
              to=".."
              onClick={(event) => {
                if (dirty && !window.confirm(t("flows.leaveUnsaved"))) event.preventDefault();
              }}
            >
              {t("flows.back")}
            </Anchor>
            <Title order={2} size="h3">
              {settings.name}
            </Title>
            {current.version !== null && <Badge variant="light">{t("flows.versionN", { version: current.version })}</Badge>}
            {dirty && (
              <Badge color="yellow" variant="light">
                {t("flows.unsaved")}
              </Badge>
            )}
          </Group>
          <Group gap="sm" wrap="nowrap">
            <Switch
              label={t("flows.active")}
              checked={current.is_active}
              disabled={readOnly || toggle.isPending}
              onChange={(event) => toggle.mutate(event.currentTarget.checked)}
            />
            {!readOnly && (
              <Button loading={save.isPending} onClick={() => save.mutate(toDocument({ nodes, edges, viewport: reactFlow.getViewport() }))}>
                {t("flows.save")}
              </Button>
            )}
          </Group>
        </Group>
        {(generalProblem || toggle.error) && (
          <Alert color="red" variant="light" role="alert">
            {generalProblem?.message ?? problemText(toggle.error, t).text}
          </Alert>
        )}
        {problem?.nodeId && (
          <Alert color="red" variant="light" role="alert">
            {t("flows.nodeProblem", { id: problem.nodeId, message: problem.message })}
          </Alert>
        )}
        <Group align="stretch" gap="xs" wrap="nowrap" style={{ flex: 1, minHeight: 0 }}>
          {!readOnly && (
            <ScrollArea w={190} miw={190}>
              <Palette types={types} onAdd={addInView} />
            </ScrollArea>
          )}
          <Box
            ref={canvas}
            style={{ flex: 1, border: "1px solid var(--mantine-color-gray-3)", borderRadius: 8 }}
            aria-label={t("flows.canvas")}
            role="application"
            onDragOver={(event) => {
              if (event.dataTransfer.types.includes(PALETTE_DRAG)) event.preventDefault();
            }}
            onDrop={drop}
          >
            <ReactFlow<StepNode>
              nodes={nodes}
              edges={shownEdges}
              nodeTypes={NODE_VIEWS}
              defaultViewport={initial.viewport}
              onInit={(instance) => {
                // A saved view that leaves nodes out (the guide's examples start at 0,0 with nodes to the left) would hide part of the flow.
                const box = canvas.current?.getBoundingClientRect();
                const { x, y, zoom } = instance.getViewport();
                const hidden = instance
                  .getNodes()
                  .some(({ position: p }) => p.x * zoom + x < 0 || p.y * zoom + y < 0 || (box && (p.x * zoom + x > box.width || p.y * zoom + y > box.height)));
                if (hidden) instance.fitView({ maxZoom: 1 }).catch(reportError);
              }}
              onNodesChange={changeNodes}
              onEdgesChange={changeEdges}
              onConnect={connect}
              onSelectionChange={({ nodes: picked }) => {
                // React Flow reports the selection again whenever the nodes change: only a new one opens the node's form.
                const only = picked.length === 1 ? (picked[0]?.id ?? null) : null;
                if (only === selectedId) return;
                setSelectedId(only);
                if (only) setTab("node");
              }}
              deleteKeyCode={readOnly ? null : ["Delete", "Backspace"]}
              nodesDraggable={!readOnly}
              nodesConnectable={!readOnly}
              edgesReconnectable={false}
              minZoom={0.2}
            >
              <Background />
              <Controls />
              <MiniMap pannable zoomable />
            </ReactFlow>
          </Box>
          <ScrollArea w={360} miw={360}>
            <Tabs value={tab} onChange={(next) => setTab(next === "node" || next === "test" ? next : "flow")} keepMounted>
              <Tabs.List>
                <Tabs.Tab value="node">{t("flows.tab.node")}</Tabs.Tab>
                <Tabs.Tab value="flow">{t("flows.tab.flow")}</Tabs.Tab>
                <Tabs.Tab value="test">{t("flows.tab.test")}</Tabs.Tab>
              </Tabs.List>
              <Tabs.Panel value="node" pt="sm" pr="sm">
                {selected ? (
                  <NodeForm
                    key={selected.id}
                    node={selected}
                    type={byType.get(selected.data.kind)}
                    problem={problem}
                    variables={variablesOf(nodes)}
                    readOnly={readOnly}
                    onChange={(config) => changeConfig(selected.id, config)}
                    onDelete={() => deleteNode(selected.id)}
                  />
                ) : (
                  <Text size="sm" c="gray.7">
                    {t("flows.selectNode")}
                  </Text>
                )}
              </Tabs.Panel>
              <Tabs.Panel value="flow" pt="sm" pr="sm">
                <Stack gap="sm">
                  <TextInput
                    label={t("flows.name")}
                    value={settings.name}
                    readOnly={readOnly}
                    error={flowFieldError("name")}
                    onChange={(event) => {
                      setSettings({ ...settings, name: event.currentTarget.value });
                      setDirty(true);
                    }}
                  />
                  <Textarea
                    label={t("flows.description")}
                    value={settings.description ?? ""}
                    readOnly={readOnly}
                    autosize
                    minRows={2}
                    error={flowFieldError("description")}
                    onChange={(event) => {
                      setSettings({ ...settings, description: event.currentTarget.value || null });
                      setDirty(true);
                    }}
                  />
                  <TriggerFields
                    value={settings}
                    readOnly={readOnly}
                    errors={{ trigger_type: flowFieldError("trigger_type"), trigger_value: flowFieldError("trigger_value") }}
                    onChange={(trigger) => {
                      setSettings({ ...settings, ...trigger });
                      setDirty(true);
                    }}
                  />
                  <Text size="sm" c="gray.7">
                    {t("flows.versionsHint")}
                  </Text>
                  {warnings.length > 0 && (
                    <Alert color="yellow" variant="light" title={t("flows.warnings")}>
                      <Stack gap={2}>
                        {warnings.map((warning) => (
                          <Text size="sm" key={warning}>
                            {warning}
                          </Text>
                        ))}
                      </Stack>
                    </Alert>
                  )}
                </Stack>
              </Tabs.Panel>
              <Tabs.Panel value="test" pt="sm" pr="sm">
                <SandboxPanel flowId={flow.id} dirty={dirty} onRun={setRun} />
              </Tabs.Panel>
            </Tabs>
          </ScrollArea>
        </Group>
      </Stack>
    </EditorContext.Provider>
  );
}
