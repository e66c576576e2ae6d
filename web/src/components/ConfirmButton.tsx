// A button for a destructive action, asking first (ConfirmDialog): the action
// runs only from the dialog's confirm button.
import { Button, type ButtonProps } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import type { ReactNode } from "react";
import { useI18n } from "../i18n";
import { ConfirmDialog } from "./ConfirmDialog";

interface ConfirmButtonProps extends Omit<ButtonProps, "children" | "onClick"> {
  /** The button's text (and, when `title` is not given, the dialog's title). */
  label: string;
  "aria-label"?: string;
  title?: string;
  /** What the action does, in words. */
  message: ReactNode;
  confirmLabel: string;
  onConfirm: () => Promise<unknown>;
}

export function ConfirmButton({ label, title, message, confirmLabel, onConfirm, ...button }: ConfirmButtonProps) {
  const { t } = useI18n();
  const [opened, { open, close }] = useDisclosure();
  return (
    <>
      <Button color="red" variant="light" size="xs" {...button} onClick={open}>
        {label}
      </Button>
      <ConfirmDialog opened={opened} onClose={close} title={title ?? label} confirmLabel={confirmLabel} cancelLabel={t("shared.cancel")} onConfirm={onConfirm}>
        {message}
      </ConfirmDialog>
    </>
  );
}
