// A flow's trigger (docs/flow-builder.md#triggers): shown in the list, and set
// when a flow is created and in the builder. Only keyword triggers take a value.
import { Select, Text, TextInput } from "@mantine/core";
import { useI18n } from "../../i18n";
import { TRIGGER_TYPES, type FlowSummary, type TriggerType } from "./model";

export function TriggerText({ flow }: { flow: Pick<FlowSummary, "trigger_type" | "trigger_value"> }) {
  const { t } = useI18n();
  return (
    <Text size="sm">
      {t(`flows.trigger.${flow.trigger_type}`)}
      {flow.trigger_type === "keyword" && flow.trigger_value ? `: ${flow.trigger_value}` : ""}
    </Text>
  );
}

export interface Trigger {
  trigger_type: TriggerType;
  trigger_value: string | null;
}

interface TriggerFieldsProps {
  value: Trigger;
  onChange: (value: Trigger) => void;
  /** The engine's refusal, by the field it names. */
  errors?: Partial<Record<keyof Trigger, string>>;
  readOnly?: boolean;
}

export function TriggerFields({ value, onChange, errors = {}, readOnly }: TriggerFieldsProps) {
  const { t } = useI18n();
  return (
    <>
      <Select
        label={t("flows.trigger")}
        data={TRIGGER_TYPES.map((type) => ({ value: type, label: t(`flows.trigger.${type}`) }))}
        value={value.trigger_type}
        allowDeselect={false}
        readOnly={readOnly}
        error={errors.trigger_type}
        onChange={(type) => {
          const trigger_type = TRIGGER_TYPES.find((known) => known === type) ?? value.trigger_type;
          onChange({ trigger_type, trigger_value: trigger_type === "keyword" ? value.trigger_value : null });
        }}
      />
      {value.trigger_type === "keyword" && (
        <TextInput
          label={t("flows.keywords")}
          description={t("flows.keywordsHint")}
          value={value.trigger_value ?? ""}
          readOnly={readOnly}
          error={errors.trigger_value}
          onChange={(event) => onChange({ ...value, trigger_value: event.currentTarget.value || null })}
        />
      )}
    </>
  );
}
