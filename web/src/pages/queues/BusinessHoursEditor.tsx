// The week's opening hours: per weekday none (closed), one or several ranges
// (a split shift), each of which may run past midnight. The engine checks the
// times; its refusal shows on the input it names (`field`).
import { Button, Checkbox, CloseButton, Group, Input, Stack, Switch, Text } from "@mantine/core";
import { useId } from "react";
import { READABLE_DESCRIPTION } from "../../components/readable-description";
import { useI18n } from "../../i18n";
import { dayField, NEW_RANGE, rangeField, WEEKDAYS, type HoursDraft, type TimeRange, type Weekday } from "./business-hours";
import type { FieldProblem } from "./form-problem";

interface Props {
  value: HoursDraft;
  onChange: (value: HoursDraft) => void;
  problem: FieldProblem | null;
}

export function BusinessHoursEditor({ value, onChange, problem }: Props) {
  const { t } = useI18n();
  const errorOn = (field: string) => (problem?.field === field ? problem.text : undefined);
  const setDay = (day: Weekday, ranges: TimeRange[]) => onChange({ ...value, week: { ...value.week, [day]: ranges } });

  return (
    <Input.Wrapper label={t("queues.hours.title")} description={t("queues.hours.help")} styles={READABLE_DESCRIPTION} error={errorOn("business_hours")}>
      <Stack gap="sm" mt="xs">
        <Switch
          label={t("queues.hours.alwaysOpen")}
          checked={value.alwaysOpen}
          onChange={(event) => onChange({ ...value, alwaysOpen: event.currentTarget.checked })}
        />
        {!value.alwaysOpen &&
          WEEKDAYS.map((day) => {
            const ranges = value.week[day];
            const dayName = t(`queues.day.${day}`);
            return (
              <Group key={day} align="flex-start" wrap="nowrap" gap="md" role="group" aria-label={dayName}>
                <Text w={100} fw={500} pt={6}>
                  {dayName}
                </Text>
                <Stack gap={6} w={470}>
                  {ranges.length === 0 && (
                    <Text c="gray.7" pt={6}>
                      {t("queues.hours.closed")}
                    </Text>
                  )}
                  {ranges.map((range, index) => {
                    return (
                      <RangeRow
                        key={index}
                        range={range}
                        labels={{ day: dayName, n: index + 1 }}
                        // A day of one range is named by the day itself: that problem shows once, below the day.
                        problem={
                          errorOn(rangeField(day, index, ranges.length, "start")) ??
                          errorOn(rangeField(day, index, ranges.length, "end")) ??
                          (ranges.length > 1 ? errorOn(rangeField(day, index, ranges.length)) : undefined)
                        }
                        invalid={{
                          start: !!errorOn(rangeField(day, index, ranges.length, "start")),
                          end: !!errorOn(rangeField(day, index, ranges.length, "end")),
                        }}
                        onChange={(change) =>
                          setDay(
                            day,
                            ranges.map((other, i) => (i === index ? { ...other, ...change } : other)),
                          )
                        }
                        onRemove={() =>
                          setDay(
                            day,
                            ranges.filter((_, i) => i !== index),
                          )
                        }
                      />
                    );
                  })}
                  {errorOn(dayField(day)) && (
                    <Text size="sm" c="red.8" role="alert">
                      {errorOn(dayField(day))}
                    </Text>
                  )}
                </Stack>
                <Button
                  variant="subtle"
                  size="xs"
                  mt={4}
                  onClick={() => setDay(day, [...ranges, { ...NEW_RANGE }])}
                  aria-label={t("queues.hours.addRangeTo", { day: dayName })}
                >
                  {t("queues.hours.addRange")}
                </Button>
              </Group>
            );
          })}
      </Stack>
    </Input.Wrapper>
  );
}

interface RangeRowProps {
  range: TimeRange;
  labels: { day: string; n: number };
  /** The engine's refusal about this range, shown under it (the inputs are too narrow to hold it). */
  problem: string | undefined;
  invalid: { start: boolean; end: boolean };
  onChange: (change: Partial<TimeRange>) => void;
  onRemove: () => void;
}

function RangeRow({ range, labels, problem, invalid, onChange, onRemove }: RangeRowProps) {
  const { t } = useI18n();
  const problemId = useId();
  const described = problem ? problemId : undefined;
  return (
    <Stack gap={2}>
      <Group gap="xs" wrap="nowrap" align="center">
        <Input
          w={90}
          placeholder="09:00"
          maxLength={5}
          aria-label={t("queues.hours.opens", labels)}
          // Bare inputs (no wrapper): the problem shows under the whole range, and is what describes them.
          withAria={false}
          aria-invalid={invalid.start || undefined}
          aria-describedby={described}
          value={range.start}
          onChange={(event) => onChange({ start: event.currentTarget.value })}
          error={invalid.start}
        />
        <Text aria-hidden>–</Text>
        <Input
          w={90}
          placeholder="18:00"
          maxLength={5}
          aria-label={t("queues.hours.closes", labels)}
          // Bare inputs (no wrapper): the problem shows under the whole range, and is what describes them.
          withAria={false}
          aria-invalid={invalid.end || undefined}
          aria-describedby={described}
          value={range.end}
          onChange={(event) => onChange({ end: event.currentTarget.value })}
          error={invalid.end}
        />
        <Checkbox
          label={t("queues.hours.overnight")}
          aria-label={t("queues.hours.overnightOf", labels)}
          checked={range.overnight}
          onChange={(event) => onChange({ overnight: event.currentTarget.checked })}
        />
        <CloseButton aria-label={t("queues.hours.removeRange", labels)} onClick={onRemove} />
      </Group>
      {problem && (
        <Text size="sm" c="red.8" id={problemId}>
          {problem}
        </Text>
      )}
    </Stack>
  );
}
