// Asks before something that cannot be undone (deleting, removing). The action
// runs from the dialog; if the engine refuses, its reason shows in the dialog,
// which stays open.
import { Alert, Button, Group, Modal, Stack, Text } from "@mantine/core";
import { useState, type ReactNode } from "react";
import { ApiError } from "../api/http";
import { useI18n, type MessageKey } from "../i18n";
import { problemText } from "../pages/problem";

interface Props {
  opened: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  cancelLabel: string;
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
  /** Text instead of the engine's message for some error codes. */
  messages?: Partial<Record<string, MessageKey>>;
}

export function ConfirmDialog({ opened, title, children, confirmLabel, onConfirm, onClose, messages = {}, cancelLabel }: Props) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const close = () => {
    setProblem(null);
    onClose();
  };
  const confirm = async () => {
    setBusy(true);
    setProblem(null);
    try {
      await onConfirm();
      close();
    } catch (err) {
      const own = err instanceof ApiError ? messages[err.code] : undefined;
      setProblem(own ? t(own) : problemText(err, t).text);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened={opened} onClose={close} title={title} centered closeButtonProps={{ "aria-label": cancelLabel }}>
      <Stack>
        <Text component="div">{children}</Text>
        {problem && (
          <Alert color="red" variant="light" role="alert">
            {problem}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={close} data-autofocus>
            {cancelLabel}
          </Button>
          <Button
            color="red"
            loading={busy}
            onClick={() => {
              confirm().catch(reportError);
            }}
          >
            {confirmLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
