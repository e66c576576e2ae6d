// The dates on which the queue does not open (local dates in its time zone).
// The contract keeps dates only, no names.
import { Button, CloseButton, Group, Input, Stack, Text, TextInput } from "@mantine/core";
import { READABLE_DESCRIPTION } from "../../components/readable-description";
import { useI18n } from "../../i18n";
import type { FieldProblem } from "./form-problem";

interface Props {
  value: string[];
  onChange: (value: string[]) => void;
  problem: FieldProblem | null;
}

export function HolidaysEditor({ value, onChange, problem }: Props) {
  const { t } = useI18n();
  return (
    <Input.Wrapper
      label={t("queues.holidays.title")}
      description={t("queues.holidays.help")}
      styles={READABLE_DESCRIPTION}
      error={problem?.field === "holidays" ? problem.text : undefined}
    >
      <Stack gap={6} mt="xs">
        {value.length === 0 && <Text c="gray.7">{t("queues.holidays.none")}</Text>}
        {value.map((date, index) => {
          const label = t("queues.holidays.date", { n: index + 1 });
          return (
            <Group key={index} gap="xs" align="flex-start" wrap="nowrap">
              <TextInput
                type="date"
                w={180}
                aria-label={label}
                value={date}
                onChange={(event) => onChange(value.map((other, i) => (i === index ? event.currentTarget.value : other)))}
                error={problem?.field === `holidays[${index}]` ? problem.text : undefined}
              />
              <CloseButton mt={4} aria-label={t("queues.holidays.remove", { n: index + 1 })} onClick={() => onChange(value.filter((_, i) => i !== index))} />
            </Group>
          );
        })}
        <Group>
          <Button variant="subtle" size="xs" onClick={() => onChange([...value, ""])}>
            {t("queues.holidays.add")}
          </Button>
        </Group>
      </Stack>
    </Input.Wrapper>
  );
}
