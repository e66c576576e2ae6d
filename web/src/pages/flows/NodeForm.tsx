// The side form of the selected node, generated from its type's JSON Schema.
import { Alert, Button, Group, Stack, Text, Title } from "@mantine/core";
import { useEffect, useMemo, useRef } from "react";
import { useI18n } from "../../i18n";
import { ObjectFields } from "./FieldEditor";
import type { Config, NodeType, Problem, StepNode } from "./model";
import { propertiesOf } from "./schema";

interface NodeFormProps {
  node: StepNode;
  type: NodeType | undefined;
  problem: Problem | null;
  variables: readonly string[];
  readOnly: boolean;
  onChange: (config: Config) => void;
  onDelete: () => void;
}

export function NodeForm({ node, type, problem, variables, readOnly, onChange, onDelete }: NodeFormProps) {
  const { t } = useI18n();
  const properties = useMemo(() => (type ? propertiesOf(type.schema) : []), [type]);
  const mine = problem?.nodeId === node.id ? problem : null;
  const form = useRef<HTMLDivElement>(null);
  // The field the engine refused may be far down a long form: bring it into view, and focus it for the keyboard.
  useEffect(() => {
    const invalid = form.current?.querySelector<HTMLElement>('[aria-invalid="true"], [role="alert"]');
    invalid?.scrollIntoView({ block: "center" });
    invalid?.focus();
  }, [mine]);
  return (
    <Stack ref={form} gap="sm" component="section" aria-label={t("flows.nodeForm", { id: node.id })}>
      <div>
        <Title order={3} size="h4">
          {node.data.kind}
        </Title>
        <Text size="sm" c="gray.7">
          {t("flows.nodeId", { id: node.id })}
        </Text>
        {type && <Text size="sm">{type.description}</Text>}
      </div>
      {!type && (
        <Alert color="yellow" variant="light">
          {t("flows.unknownType")}
        </Alert>
      )}
      {/* A problem about the node as a whole (or a field the form does not show) is said here. */}
      {mine && !properties.some((property) => mine.field?.startsWith(property.name)) && (
        <Alert color="red" variant="light" role="alert">
          {mine.message}
        </Alert>
      )}
      {properties.length === 0 ? (
        <Text size="sm" c="gray.7">
          {t("flows.noSettings")}
        </Text>
      ) : (
        <ObjectFields
          property={{ name: "", required: true, spec: { kind: "object", properties } }}
          properties={properties}
          value={node.data.config}
          onChange={(next) => onChange(next as Config)}
          path=""
          problem={mine?.field ? { field: mine.field, message: mine.message } : null}
          variables={variables}
          readOnly={readOnly}
        />
      )}
      {!readOnly && node.deletable !== false && (
        <Group>
          <Button variant="light" color="red" onClick={onDelete}>
            {t("flows.deleteNode")}
          </Button>
        </Group>
      )}
    </Stack>
  );
}
