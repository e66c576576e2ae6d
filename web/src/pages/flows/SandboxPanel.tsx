// A chat with the flow's saved version (POST /api/flows/{id}/test). Each run is
// whole: the engine replays the first message and every reply so far, and
// answers the transcript, the variables and the path taken (shown on the canvas).
import { Alert, Badge, Button, Code, Group, Paper, ScrollArea, Stack, Text, TextInput } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useApi } from "../../auth/context";
import { useI18n } from "../../i18n";
import { problemText } from "../problem";
import type { SandboxRun } from "./model";

interface SandboxPanelProps {
  flowId: string;
  /** Unsaved changes: the sandbox runs the saved version, and says so. */
  dirty: boolean;
  onRun: (run: SandboxRun | null) => void;
}

const STATUS_COLORS = { waiting_input: "blue", completed: "teal", handoff: "grape", error: "red" } as const;

/** The choices an outgoing message offers (buttons, list rows): each can be answered with a click. */
function choicesOf(message: SandboxRun["transcript"][number]): { id: string; title: string }[] {
  const { buttons, sections } = message.metadata;
  const options = Array.isArray(buttons)
    ? (buttons as unknown[])
    : Array.isArray(sections)
      ? (sections as { rows?: unknown[] }[]).flatMap((section) => section.rows ?? [])
      : [];
  return options.flatMap((option) => {
    const { id, text, title } = option as Record<string, unknown>;
    return typeof id === "string" ? [{ id, title: typeof text === "string" ? text : typeof title === "string" ? title : id }] : [];
  });
}

export function SandboxPanel({ flowId, dirty, onRun }: SandboxPanelProps) {
  const { t } = useI18n();
  const api = useApi();
  const [phone, setPhone] = useState("+525550000000");
  const [said, setSaid] = useState<string[]>([]);
  const [draft, setDraft] = useState("");
  const test = useMutation({
    mutationFn: (messages: string[]) =>
      api.post("/api/flows/{id}/test", { path: { id: flowId }, body: { phone_number: phone, initial_message: messages[0] ?? "", replies: messages.slice(1) } }),
    onSuccess: (run, messages) => {
      setSaid(messages);
      onRun(run);
    },
  });
  const run = test.data;
  const over = run !== undefined && run.status !== "waiting_input";

  const say = (text: string) => {
    if (!text.trim()) return;
    setDraft("");
    test.mutate([...said, text]);
  };
  const restart = () => {
    setSaid([]);
    test.reset();
    onRun(null);
  };

  return (
    <Stack gap="sm" component="section" aria-label={t("flows.sandbox")}>
      <Text size="sm" c="gray.7">
        {t("flows.sandboxHint")}
      </Text>
      {dirty && (
        <Alert color="yellow" variant="light">
          {t("flows.sandboxUnsaved")}
        </Alert>
      )}
      <TextInput label={t("flows.sandboxPhone")} value={phone} disabled={said.length > 0} onChange={(event) => setPhone(event.currentTarget.value)} />
      <ScrollArea.Autosize mah={360}>
        <Stack gap={6} role="log" aria-label={t("flows.transcript")}>
          {run?.transcript.map((message, i) => (
            <Paper
              key={i}
              p={6}
              radius="md"
              withBorder
              maw="85%"
              ml={message.direction === "in" ? "auto" : 0}
              bg={message.direction === "in" ? "blue.0" : "gray.0"}
              data-direction={message.direction}
            >
              <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>
                {message.content ?? `[${message.type}]`}
              </Text>
              {message.direction === "out" && i === run.transcript.length - 1 && !over && (
                <Group gap={4} mt={4}>
                  {choicesOf(message).map((choice) => (
                    <Button key={choice.id} size="compact-xs" variant="light" onClick={() => say(choice.title)}>
                      {choice.title}
                    </Button>
                  ))}
                </Group>
              )}
            </Paper>
          ))}
        </Stack>
      </ScrollArea.Autosize>
      {run && (
        <Group gap="xs">
          <Badge color={STATUS_COLORS[run.status]} data-status={run.status}>
            {t(`flows.run.${run.status}`)}
          </Badge>
          {run.error && (
            <Text size="sm" c="red.8" role="alert">
              {run.error}
            </Text>
          )}
        </Group>
      )}
      {run && Object.keys(run.variables).length > 0 && (
        <div>
          <Text size="xs" fw={700}>
            {t("flows.variables")}
          </Text>
          <Code block>{JSON.stringify(run.variables, null, 2)}</Code>
        </div>
      )}
      {test.error && (
        <Alert color="red" variant="light" role="alert">
          {problemText(test.error, t).text}
        </Alert>
      )}
      <form
        noValidate
        onSubmit={(event: FormEvent) => {
          event.preventDefault();
          say(draft);
        }}
      >
        <Group gap="xs" align="flex-end" wrap="nowrap">
          <TextInput
            style={{ flex: 1 }}
            label={said.length === 0 ? t("flows.sandboxFirst") : t("flows.sandboxReply")}
            value={draft}
            disabled={over}
            onChange={(event) => setDraft(event.currentTarget.value)}
          />
          <Button type="submit" loading={test.isPending} disabled={over || !draft.trim()}>
            {t("flows.send")}
          </Button>
        </Group>
      </form>
      <Group>
        <Button variant="default" size="xs" onClick={restart} disabled={said.length === 0 && !run}>
          {t("flows.restart")}
        </Button>
      </Group>
    </Stack>
  );
}
