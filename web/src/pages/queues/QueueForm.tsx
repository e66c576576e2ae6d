// A queue's settings, to create one (no `queue`) or change it. Admins edit;
// everyone else reads the same form disabled. The engine validates: its
// refusal shows on the field it names, or above the buttons.
import { Alert, Button, Divider, Fieldset, Group, NumberInput, Select, SimpleGrid, Stack, Textarea, TextInput } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useMemo, useState, type FormEvent } from "react";
import { useApi } from "../../auth/context";
import { READABLE_DESCRIPTION } from "../../components/readable-description";
import { useI18n } from "../../i18n";
import { hoursFromApi, hoursToApi, type HoursDraft } from "./business-hours";
import { BusinessHoursEditor } from "./BusinessHoursEditor";
import { fieldProblem, type FieldProblem } from "./form-problem";
import { minutesOf, secondsOf } from "./format";
import { HolidaysEditor } from "./HolidaysEditor";
import type { Queue } from "./queries";

const METHODS = ["least_busy", "round_robin", "manual"] as const satisfies readonly Queue["assignment_method"][];
/** The fields this form shows: a refusal naming another one is shown above the buttons. */
const FIELDS = ["name", "description", "assignment_method", "max_per_agent", "sla_first_response", "sla_resolution", "timezone", "fallback_flow_id"];
const isFormField = (field: string) => FIELDS.includes(field) || field.startsWith("business_hours") || field.startsWith("holidays");

interface Draft {
  name: string;
  description: string;
  assignment_method: Queue["assignment_method"];
  max_per_agent: number | string;
  sla_first_response: number | string;
  sla_resolution: number | string;
  timezone: string;
  hours: HoursDraft;
  holidays: string[];
  fallback_flow_id: string | null;
}

function draftOf(queue: Queue | undefined): Draft {
  return {
    name: queue?.name ?? "",
    description: queue?.description ?? "",
    assignment_method: queue?.assignment_method ?? "least_busy",
    max_per_agent: queue?.max_per_agent ?? 5,
    sla_first_response: minutesOf(queue?.sla_first_response ?? null),
    sla_resolution: minutesOf(queue?.sla_resolution ?? null),
    // A new queue starts in the zone of the person creating it.
    timezone: queue?.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
    hours: hoursFromApi(queue?.business_hours ?? null),
    holidays: queue?.holidays ?? [],
    fallback_flow_id: queue?.fallback_flow_id ?? null,
  };
}

function bodyOf(draft: Draft) {
  return {
    name: draft.name.trim(),
    description: draft.description.trim() || null,
    assignment_method: draft.assignment_method,
    max_per_agent: Number(draft.max_per_agent),
    sla_first_response: secondsOf(draft.sla_first_response),
    sla_resolution: secondsOf(draft.sla_resolution),
    timezone: draft.timezone,
    business_hours: hoursToApi(draft.hours),
    holidays: draft.holidays,
    fallback_flow_id: draft.fallback_flow_id,
  };
}

/** Every IANA zone the browser knows, and the queue's own if the browser lists it under another name. */
function useTimeZones(current: string): string[] {
  return useMemo(() => {
    const zones = Intl.supportedValuesOf("timeZone");
    return zones.includes(current) ? zones : [current, ...zones];
  }, [current]);
}

interface Props {
  queue?: Queue;
  editable: boolean;
  onSaved: (queue: Queue) => void;
  onCancel?: () => void;
}

export function QueueForm({ queue, editable, onSaved, onCancel }: Props) {
  const { t } = useI18n();
  const api = useApi();
  const [draft, setDraft] = useState(() => draftOf(queue));
  const [problem, setProblem] = useState<FieldProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const zones = useTimeZones(draft.timezone);
  const flows = useQuery({
    queryKey: ["flows", "list", "all"],
    queryFn: ({ signal }) => api.get("/api/flows", { query: { limit: 100 }, signal }),
    enabled: editable,
  });

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((current) => ({ ...current, [key]: value }));
  const errorOn = (field: string) => (problem?.field === field ? problem.text : undefined);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const body = bodyOf(draft);
      // A new queue leaves "always open" out (the engine's default): the engine refuses business_hours: null.
      const saved = queue
        ? await api.put("/api/queues/{id}", { path: { id: queue.id }, body })
        : await api.post("/api/queues", { body: { ...body, business_hours: body.business_hours ?? undefined } });
      onSaved(saved);
    } catch (err) {
      setProblem(fieldProblem(err, t, isFormField));
    } finally {
      setBusy(false);
    }
  };

  const flowOptions = (flows.data?.items ?? []).map((flow) => ({ value: flow.id, label: flow.name }));
  // A flow the list does not hold (over its first page) still shows by its id.
  if (draft.fallback_flow_id && !flowOptions.some((option) => option.value === draft.fallback_flow_id))
    flowOptions.push({ value: draft.fallback_flow_id, label: draft.fallback_flow_id });

  return (
    <form
      noValidate
      onSubmit={(event) => {
        submit(event).catch(reportError);
      }}
    >
      <Fieldset variant="unstyled" disabled={!editable || busy}>
        <Stack maw={900}>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput
              label={t("queues.field.name")}
              required
              value={draft.name}
              onChange={(e) => set("name", e.currentTarget.value)}
              error={errorOn("name")}
              data-autofocus
            />
            <Select
              label={t("queues.field.method")}
              data={METHODS.map((method) => ({ value: method, label: t(`queues.method.${method}`) }))}
              value={draft.assignment_method}
              onChange={(value) => value && set("assignment_method", value)}
              allowDeselect={false}
              error={errorOn("assignment_method")}
            />
          </SimpleGrid>
          <Textarea
            label={t("queues.field.description")}
            autosize
            minRows={2}
            value={draft.description}
            onChange={(e) => set("description", e.currentTarget.value)}
            error={errorOn("description")}
          />
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <NumberInput
              label={t("queues.field.maxPerAgent")}
              description={t("queues.field.maxPerAgentHelp")}
              styles={READABLE_DESCRIPTION}
              min={1}
              max={1000}
              allowDecimal={false}
              clampBehavior="none"
              value={draft.max_per_agent}
              onChange={(value) => set("max_per_agent", value)}
              error={errorOn("max_per_agent")}
            />
            <NumberInput
              label={t("queues.field.slaFirstResponse")}
              description={t("queues.field.slaHelp")}
              styles={READABLE_DESCRIPTION}
              min={0}
              decimalScale={2}
              clampBehavior="none"
              value={draft.sla_first_response}
              onChange={(value) => set("sla_first_response", value)}
              error={errorOn("sla_first_response")}
            />
            <NumberInput
              label={t("queues.field.slaResolution")}
              description={t("queues.field.slaHelp")}
              styles={READABLE_DESCRIPTION}
              min={0}
              decimalScale={2}
              clampBehavior="none"
              value={draft.sla_resolution}
              onChange={(value) => set("sla_resolution", value)}
              error={errorOn("sla_resolution")}
            />
          </SimpleGrid>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <Select
              label={t("queues.field.timezone")}
              description={t("queues.field.timezoneHelp")}
              styles={READABLE_DESCRIPTION}
              searchable
              data={zones}
              value={draft.timezone}
              onChange={(value) => value && set("timezone", value)}
              allowDeselect={false}
              nothingFoundMessage={t("queues.field.timezoneNone")}
              limit={50}
              error={errorOn("timezone")}
            />
            <Select
              label={t("queues.field.fallbackFlow")}
              description={t("queues.field.fallbackFlowHelp")}
              styles={READABLE_DESCRIPTION}
              placeholder={t("queues.field.fallbackFlowNone")}
              clearable
              searchable
              data={flowOptions}
              value={draft.fallback_flow_id}
              onChange={(value) => set("fallback_flow_id", value)}
              nothingFoundMessage={t("queues.field.fallbackFlowEmpty")}
              error={errorOn("fallback_flow_id")}
            />
          </SimpleGrid>
          <Divider />
          <BusinessHoursEditor value={draft.hours} onChange={(hours) => set("hours", hours)} problem={problem} />
          <Divider />
          <HolidaysEditor value={draft.holidays} onChange={(holidays) => set("holidays", holidays)} problem={problem} />
          {problem && (
            <Alert color="red" variant="light" role="alert">
              {/* A field's problem is said once more by the buttons: the field may be out of sight in a long form. */}
              {problem.field ? t("queues.form.fieldProblem", { text: problem.text }) : problem.text}
            </Alert>
          )}
          {editable && (
            <Group>
              <Button type="submit" loading={busy}>
                {queue ? t("queues.form.save") : t("queues.form.create")}
              </Button>
              {onCancel && (
                <Button variant="default" onClick={onCancel}>
                  {t("queues.cancel")}
                </Button>
              )}
            </Group>
          )}
        </Stack>
      </Fieldset>
    </form>
  );
}
