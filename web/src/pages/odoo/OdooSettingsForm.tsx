// The Odoo settings form: save (PUT /api/odoo/settings) and test
// (POST /api/odoo/test-connection with what the form holds, so settings can be
// tried before they are saved; an empty key tests the stored one).
import { Alert, Badge, Button, Group, NativeSelect, NumberInput, PasswordInput, Stack, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useApi } from "../../auth/context";
import { READABLE_DESCRIPTION } from "../../components/readable-description";
import { useFieldProblems } from "../../hooks/useFieldProblems";
import { useI18n } from "../../i18n";
import { ODOO_SETTINGS_QUERY, type OdooSettings } from "./settings";

type Protocol = OdooSettings["protocol"];

const FIELDS = ["url", "database", "username", "api_key", "protocol", "timeout_ms"] as const;
const PROTOCOLS = ["auto", "json2", "jsonrpc", "xmlrpc"] as const satisfies readonly Protocol[];

interface OdooSettingsFormProps {
  settings: OdooSettings;
  /** Whether these settings are the ones this form just saved (the form is refilled, so the page remembers). */
  justSaved: boolean;
  onSaved: (settings: OdooSettings) => void;
}

export function OdooSettingsForm({ settings, justSaved, onSaved }: OdooSettingsFormProps) {
  const { t } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const [url, setUrl] = useState(settings.url ?? "");
  const [database, setDatabase] = useState(settings.database ?? "");
  const [username, setUsername] = useState(settings.username ?? "");
  const [apiKey, setApiKey] = useState("");
  const [protocol, setProtocol] = useState<Protocol>(settings.protocol);
  // People think in seconds; the engine takes milliseconds (500 to 120 000).
  const [timeoutSeconds, setTimeoutSeconds] = useState<number | string>(settings.timeout_ms / 1000);
  const { problems, setProblems, fail, clear } = useFieldProblems(FIELDS);

  const body = () => ({
    url: url.trim(),
    database: database.trim(),
    username: username.trim(),
    protocol,
    timeout_ms: Math.round(Number(timeoutSeconds) * 1000),
    // No key typed: the stored one stays (and is the one tested).
    ...(apiKey ? { api_key: apiKey } : {}),
  });

  const save = useMutation({
    mutationFn: () => api.put("/api/odoo/settings", { body: body() }),
    onMutate: clear,
    onError: fail,
    onSuccess: (answer) => {
      onSaved(answer);
      queryClient.setQueryData(ODOO_SETTINGS_QUERY, answer);
    },
  });
  const test = useMutation({ mutationFn: () => api.post("/api/odoo/test-connection", { body: body() }), onMutate: clear, onError: fail });

  const missingFields = (): boolean => {
    const missing: typeof problems = {};
    if (!url.trim()) missing.url = t("odoo.required");
    if (!database.trim()) missing.database = t("odoo.required");
    if (!username.trim()) missing.username = t("odoo.required");
    setProblems(missing);
    return Object.keys(missing).length > 0;
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!missingFields()) save.mutate();
  };
  const outcome = test.data;

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <TextInput
          label={t("odoo.url")}
          placeholder="https://acme.odoo.com"
          value={url}
          onChange={(event) => setUrl(event.currentTarget.value)}
          error={problems.url}
          required
        />
        <TextInput
          label={t("odoo.database")}
          value={database}
          onChange={(event) => setDatabase(event.currentTarget.value)}
          error={problems.database}
          required
        />
        <TextInput
          label={t("odoo.username")}
          description={t("odoo.usernameHelp")}
          styles={READABLE_DESCRIPTION}
          value={username}
          onChange={(event) => setUsername(event.currentTarget.value)}
          error={problems.username}
          autoComplete="off"
          required
        />
        <PasswordInput
          label={
            <Group gap="xs" component="span">
              {t("odoo.apiKey")}
              <Badge size="sm" variant="dot" color={settings.api_key_set ? "teal" : "gray"} component="span">
                {t(settings.api_key_set ? "odoo.keySet" : "odoo.keyNotSet")}
              </Badge>
            </Group>
          }
          description={t(settings.api_key_set ? "odoo.keyKeepHelp" : "odoo.keyHelp")}
          styles={READABLE_DESCRIPTION}
          value={apiKey}
          onChange={(event) => setApiKey(event.currentTarget.value)}
          error={problems.api_key}
          autoComplete="new-password"
        />
        <NativeSelect
          label={t("odoo.protocol")}
          description={t("odoo.protocolHelp")}
          styles={READABLE_DESCRIPTION}
          value={protocol}
          onChange={(event) => setProtocol(event.currentTarget.value as Protocol)}
          data={PROTOCOLS.map((value) => ({ value, label: t(`odoo.protocol.${value}`) }))}
          error={problems.protocol}
        />
        <NumberInput
          label={t("odoo.timeout")}
          value={timeoutSeconds}
          onChange={setTimeoutSeconds}
          min={0.5}
          max={120}
          step={1}
          decimalScale={1}
          error={problems.timeout_ms}
        />

        {problems.form && (
          <Alert color="red" variant="light" role="alert">
            {problems.form}
          </Alert>
        )}
        {justSaved && (
          <Alert color="teal" variant="light" role="status">
            {t("odoo.saved")}
          </Alert>
        )}
        {outcome?.ok === true && (
          <Alert color="teal" variant="light" role="status" title={t("odoo.testOk")}>
            {t("odoo.testOkText", { version: outcome.server_version, protocol: outcome.protocol })}
          </Alert>
        )}
        {outcome?.ok === false && (
          <Alert color="red" variant="light" role="alert" title={t("odoo.testFailed")}>
            {outcome.message} ({outcome.code})
          </Alert>
        )}

        <Group justify="flex-end">
          <Button
            variant="default"
            loading={test.isPending}
            onClick={() => {
              if (!missingFields()) test.mutate();
            }}
          >
            {t("odoo.test")}
          </Button>
          <Button type="submit" loading={save.isPending}>
            {t("shared.save")}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
