// The simulated customer's phone on one connected number: who the customer is,
// the chat (what the engine sent them, polled every second from the
// simulator's record — no socket event tells it — and what they wrote), and
// the box to write more. Choosing a button or a list row sends that reply.
import { Alert, Box, Button, Group, Paper, ScrollArea, Stack, Text, TextInput } from "@mantine/core";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent } from "react";
import type { Account } from "../../api/types";
import { useApi } from "../../auth/context";
import { useFieldProblems } from "../../hooks/useFieldProblems";
import { useTabState } from "../../hooks/useTabState";
import { useI18n } from "../../i18n";
import { EngineMessage } from "./EngineMessage";
import { PHONE, samePhone, type Bubble, type Option } from "./messages";

type CustomerBubble = Extract<Bubble, { from: "customer" }>;

const POLL_MS = 1_000;
const WRITTEN_QUERY = ["simulator-written"] as const;
const NOTHING_WRITTEN: CustomerBubble[] = [];
const FIELDS = ["from", "name", "text"] as const;

type Reply = { type: "text"; text: string } | { type: "button_reply" | "list_reply"; option: Option };

export function Phone({ account }: { account: Account }) {
  const { t } = useI18n();
  const api = useApi();
  const [customer, setCustomer] = useState("+52 55 9876 5432");
  const [name, setName] = useState(t("simulator.defaultCustomer"));
  const [draft, setDraft] = useState("");
  /** What customers wrote from this tab, on every number: the simulator keeps only what the engine sent. */
  const [written, setWritten] = useTabState(WRITTEN_QUERY, NOTHING_WRITTEN);
  const { problems, fail, clear } = useFieldProblems(FIELDS);
  const validPhone = PHONE.test(customer.trim());

  const outbound = useQuery({
    queryKey: ["simulator-outbound", account.id, customer.trim()],
    queryFn: ({ signal }) => api.get("/api/simulator/accounts/{id}/outbound", { path: { id: account.id }, query: { to: customer.trim() }, signal }),
    enabled: validPhone,
    refetchInterval: POLL_MS,
  });

  const send = useMutation({
    mutationFn: (reply: Reply) => {
      const base = { from: customer.trim(), name: name.trim() || undefined };
      const body =
        reply.type === "text"
          ? { ...base, type: reply.type, text: reply.text }
          : {
              ...base,
              type: reply.type,
              text: reply.option.title,
              ...(reply.type === "button_reply" ? { button_id: reply.option.id } : { row_id: reply.option.id }),
            };
      return api.post("/api/simulator/accounts/{id}/inbound", { path: { id: account.id }, body });
    },
    onMutate: clear,
    onError: fail,
    onSuccess: ({ wa_message_id }, reply) => {
      const text = reply.type === "text" ? reply.text : reply.option.title;
      setWritten((all) => [
        ...all,
        { from: "customer", key: wa_message_id, at: new Date().toISOString(), text, customer: customer.trim(), account: account.id },
      ]);
      if (reply.type === "text") setDraft("");
    },
  });

  const bubbles: Bubble[] = [
    ...(outbound.data ?? []).map((sent): Bubble => ({ from: "engine", key: sent.wa_message_id, at: sent.sent_at, sent })),
    ...written.filter((bubble) => bubble.account === account.id && samePhone(bubble.customer, customer)),
  ].sort((a, b) => a.at.localeCompare(b.at));
  const last = bubbles.at(-1);

  // Follows the conversation: the newest message stays in view.
  const viewport = useRef<HTMLDivElement>(null);
  useEffect(() => {
    viewport.current?.scrollTo({ top: viewport.current.scrollHeight });
  }, [bubbles.length]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (draft.trim()) send.mutate({ type: "text", text: draft });
  };

  return (
    <Stack gap="sm" w="100%" maw={420}>
      <Group grow align="flex-start">
        <TextInput
          label={t("simulator.customerPhone")}
          type="tel"
          value={customer}
          onChange={(event) => setCustomer(event.currentTarget.value)}
          error={problems.from ?? (!validPhone && t("simulator.phoneRule"))}
        />
        <TextInput label={t("simulator.customerName")} value={name} onChange={(event) => setName(event.currentTarget.value)} error={problems.name} />
      </Group>
      <Paper withBorder radius="lg" style={{ overflow: "hidden" }}>
        <Box bg="teal.9" c="white" px="md" py="xs">
          <Text fw={600} size="sm">
            {account.name}
          </Text>
          <Text size="xs">{account.phone_number}</Text>
        </Box>
        <ScrollArea h={420} viewportRef={viewport} bg="gray.1">
          <Stack gap="xs" p="sm" role="log" aria-live="polite" aria-label={t("simulator.chat")}>
            {bubbles.length === 0 && (
              <Text size="sm" c="gray.7" ta="center" py="xl">
                {t("simulator.emptyChat")}
              </Text>
            )}
            {bubbles.map((bubble) => (
              <Paper
                key={bubble.key}
                p="xs"
                radius="md"
                shadow="xs"
                maw="85%"
                bg={bubble.from === "customer" ? "green.1" : "white"}
                style={{ alignSelf: bubble.from === "customer" ? "flex-end" : "flex-start" }}
              >
                {bubble.from === "customer" ? (
                  <Text size="sm" style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
                    {bubble.text}
                  </Text>
                ) : (
                  <EngineMessage
                    sent={bubble.sent}
                    onChoose={bubble === last && !send.isPending ? (type, option) => send.mutate({ type, option }) : undefined}
                  />
                )}
                <Text size="xs" c="gray.7" ta="right">
                  {new Date(bubble.at).toLocaleTimeString()}
                </Text>
              </Paper>
            ))}
          </Stack>
        </ScrollArea>
        <form onSubmit={submit} noValidate>
          <Group gap="xs" p="xs" wrap="nowrap" align="flex-start">
            <TextInput
              style={{ flex: 1 }}
              aria-label={t("simulator.message")}
              placeholder={t("simulator.messagePlaceholder")}
              value={draft}
              onChange={(event) => setDraft(event.currentTarget.value)}
              error={problems.text}
              disabled={!validPhone}
            />
            <Button type="submit" loading={send.isPending} disabled={!validPhone || !draft.trim()}>
              {t("simulator.send")}
            </Button>
          </Group>
        </form>
      </Paper>
      {problems.form && (
        <Alert color="red" variant="light" role="alert">
          {problems.form}
        </Alert>
      )}
      {outbound.isError && (
        <Alert color="orange" variant="light" role="status">
          {t("simulator.outboundFailed")}
        </Alert>
      )}
    </Stack>
  );
}
