// One field of a node's form, by its spec (schema.ts): texts (with {{…}} hints
// for templates), numbers, switches, selects, pickers of queues, flows and
// users, lists (of texts, of choices, of objects such as buttons) and, for
// anything else, JSON. `path` names the field as the engine's errors do
// (`buttons[1].text`), so an error lands on the field it is about.
import {
  ActionIcon,
  Button,
  Fieldset,
  Group,
  JsonInput,
  MultiSelect,
  NumberInput,
  Select,
  Stack,
  Switch,
  TagsInput,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { useState } from "react";
import { useI18n } from "../../i18n";
import { useReferenceOptions } from "./queries";
import { newItem, withValue, type FieldSpec, type Property, type Reference } from "./schema";

export interface FieldProps {
  property: Property;
  value: unknown;
  /** `undefined` leaves the field out of the configuration. */
  onChange: (value: unknown) => void;
  path: string;
  /** The engine's refusal of the last save: the field it names and why. */
  problem: { field: string; message: string } | null;
  /** The flow's variables, offered in template hints. */
  variables: readonly string[];
  readOnly: boolean;
}

/** The values every template can use (docs/flow-builder.md#variables-and-templates), before the flow's own. */
const TEMPLATE_VALUES = ["contact.name", "contact.phone_number", "message.text"];

export function FieldEditor(props: FieldProps) {
  const { property, value, onChange, path, problem, readOnly } = props;
  const { spec } = property;
  const error = problem?.field === path ? problem.message : undefined;
  const common = { label: property.name, description: property.description, required: property.required, error, readOnly };
  switch (spec.kind) {
    case "text":
      return <TextField {...props} spec={spec} common={common} />;
    case "reference":
      return <ReferenceField resource={spec.resource} value={value} onChange={onChange} common={common} />;
    case "number":
      return (
        <NumberInput
          {...common}
          value={typeof value === "number" ? value : ""}
          min={spec.minimum}
          max={spec.maximum}
          allowDecimal={!spec.integer}
          onChange={(next) => onChange(typeof next === "number" ? next : undefined)}
        />
      );
    case "boolean":
      return (
        <Switch
          label={property.name}
          description={property.description}
          error={error}
          checked={value === true}
          disabled={readOnly}
          onChange={(event) => onChange(event.currentTarget.checked)}
        />
      );
    case "enum":
      return (
        <Select
          {...common}
          data={spec.values.map(String)}
          value={typeof value === "string" || typeof value === "number" ? String(value) : null}
          clearable={!property.required}
          onChange={(next) => onChange(next === null ? undefined : spec.values.find((option) => String(option) === next))}
        />
      );
    case "list":
      return <ListField {...props} spec={spec} common={common} />;
    case "object":
      return (
        <Fieldset legend={property.name} disabled={readOnly}>
          <ObjectFields {...props} properties={spec.properties} />
        </Fieldset>
      );
    case "json":
      return <JsonField value={value} onChange={onChange} common={common} />;
  }
}

type Common = { label: string; description?: string; required: boolean; error?: string; readOnly: boolean };

function TextField({ spec, value, onChange, variables, common }: FieldProps & { spec: Extract<FieldSpec, { kind: "text" }>; common: Common }) {
  const { t } = useI18n();
  const text = typeof value === "string" ? value : "";
  // An optional text left empty is left out: the engine refuses "" where it wants at least one character.
  const change = (next: string) => onChange(next === "" && !common.required ? undefined : next);
  const input = spec.multiline ? (
    <Textarea {...common} value={text} autosize minRows={2} maxRows={8} maxLength={spec.maxLength} onChange={(event) => change(event.currentTarget.value)} />
  ) : (
    <TextInput {...common} value={text} maxLength={spec.maxLength} onChange={(event) => change(event.currentTarget.value)} />
  );
  if (!spec.template || common.readOnly) return input;
  return (
    <Stack gap={4}>
      {input}
      <Text size="xs" c="gray.7">
        {t("flows.templateHint")}
      </Text>
      <Group gap={4}>
        {[...TEMPLATE_VALUES, ...variables.map((name) => `vars.${name}`)].map((name) => (
          <Button
            key={name}
            size="compact-xs"
            variant="light"
            aria-label={t("flows.insertValue", { value: `{{${name}}}` })}
            onClick={() => change(`${text}{{${name}}}`)}
          >
            {`{{${name}}}`}
          </Button>
        ))}
      </Group>
    </Stack>
  );
}

function ReferenceField({ resource, value, onChange, common }: { resource: Reference; value: unknown; onChange: (value: unknown) => void; common: Common }) {
  const { t } = useI18n();
  const options = useReferenceOptions(resource);
  const current = typeof value === "string" ? value : null;
  // A reference to something since deleted (or not readable) stays visible as its id rather than vanishing.
  const data = [...(options.data ?? []), ...(current && !options.data?.some((option) => option.value === current) ? [{ value: current, label: current }] : [])];
  return (
    <Select
      {...common}
      data={data}
      value={current}
      searchable
      clearable={!common.required}
      placeholder={options.isPending ? t("app.loading") : undefined}
      error={common.error ?? (options.isError ? t("flows.referenceFailed") : undefined)}
      nothingFoundMessage={t("flows.nothingFound")}
      onChange={(next) => onChange(next ?? undefined)}
    />
  );
}

function ListField(props: FieldProps & { spec: Extract<FieldSpec, { kind: "list" }>; common: Common }) {
  const { t } = useI18n();
  const { spec, value, onChange, path, common, property } = props;
  const items: unknown[] = Array.isArray(value) ? value : [];
  const { item } = spec;
  const set = (next: unknown[]) => onChange(next.length === 0 && !property.required ? undefined : next);
  if (item.kind === "text")
    return <TagsInput {...common} value={items.filter((v): v is string => typeof v === "string")} maxTags={spec.maxItems} onChange={set} />;
  if (item.kind === "enum")
    return (
      <MultiSelect
        {...common}
        data={item.values.map(String)}
        value={items.map(String)}
        onChange={(next) => set(item.values.filter((v) => next.includes(String(v))))}
      />
    );
  const full = spec.maxItems !== undefined && items.length >= spec.maxItems;
  return (
    <Fieldset legend={`${property.name}${property.required ? " *" : ""}`}>
      <Stack gap="xs">
        {property.description && (
          <Text size="xs" c="gray.7">
            {property.description}
          </Text>
        )}
        {items.map((entry, i) => {
          const itemPath = `${path}[${i}]`;
          const itemProperty: Property = { name: `${property.name} ${i + 1}`, required: true, spec: item };
          const replace = (next: unknown) => set(items.map((old, j) => (j === i ? next : old)));
          return (
            <Group key={i} align="flex-start" wrap="nowrap" gap="xs">
              <div style={{ flex: 1 }}>
                {item.kind === "object" ? (
                  <Fieldset legend={itemProperty.name} variant="filled" p="xs">
                    <ObjectFields {...props} properties={item.properties} value={entry} onChange={replace} path={itemPath} />
                  </Fieldset>
                ) : (
                  <FieldEditor {...props} property={itemProperty} value={entry} onChange={replace} path={itemPath} />
                )}
              </div>
              {!common.readOnly && (
                <ActionIcon
                  variant="subtle"
                  color="red"
                  aria-label={t("flows.removeItem", { item: itemProperty.name })}
                  onClick={() => set(items.filter((_, j) => j !== i))}
                >
                  ×
                </ActionIcon>
              )}
            </Group>
          );
        })}
        {common.error && (
          <Text size="xs" c="red.8" role="alert">
            {common.error}
          </Text>
        )}
        {!common.readOnly && (
          <Button size="xs" variant="light" disabled={full} onClick={() => set([...items, newItem(item, items)])}>
            {t("flows.addItem", { list: property.name })}
          </Button>
        )}
      </Stack>
    </Fieldset>
  );
}

/** The fields of an object (a node's configuration, a button, a list section). */
export function ObjectFields(props: FieldProps & { properties: readonly Property[] }) {
  const { properties, value, onChange, path } = props;
  const object = value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  return (
    <Stack gap="sm">
      {properties.map((property) => (
        <FieldEditor
          key={property.name}
          {...props}
          property={property}
          value={object[property.name]}
          onChange={(next) => onChange(withValue(object, property.name, next))}
          path={path ? `${path}.${property.name}` : property.name}
        />
      ))}
    </Stack>
  );
}

function JsonField({ value, onChange, common }: { value: unknown; onChange: (value: unknown) => void; common: Common }) {
  const { t } = useI18n();
  const [text, setText] = useState(() => (value === undefined ? "" : JSON.stringify(value, null, 2)));
  const [invalid, setInvalid] = useState(false);
  return (
    <JsonInput
      {...common}
      value={text}
      autosize
      minRows={2}
      formatOnBlur
      error={common.error ?? (invalid ? t("flows.invalidJson") : undefined)}
      onChange={(next) => {
        setText(next);
        try {
          onChange(next.trim() ? (JSON.parse(next) as unknown) : undefined);
          setInvalid(false);
        } catch {
          setInvalid(true);
        }
      }}
    />
  );
}
