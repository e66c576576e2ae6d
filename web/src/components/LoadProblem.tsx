// A list or form that could not be read: why, in words, and a way to ask again.
import { Alert, Button, Group, Text } from "@mantine/core";
import { useI18n } from "../i18n";
import { problemText } from "../pages/problem";

export function LoadProblem({ error, onRetry }: { error: unknown; onRetry: () => Promise<unknown> }) {
  const { t } = useI18n();
  return (
    <Alert color="red" variant="light" role="alert" title={t("shared.loadFailed")}>
      <Group justify="space-between">
        <Text size="sm">{problemText(error, t).text}</Text>
        <Button
          size="xs"
          variant="default"
          onClick={() => {
            onRetry().catch(reportError);
          }}
        >
          {t("shared.retry")}
        </Button>
      </Group>
    </Alert>
  );
}
