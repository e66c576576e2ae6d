// Which flow a message starts (flows.md): keyword > welcome > default, among
// active flows of that account (or of all accounts).
import type { Knex } from "knex";
import { keywordsOf } from "./store";

const fold = (text: string) => text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().trim();

/** Whole message, or whole word when the keyword starts with `~`. */
export function matchesKeyword(text: string, keyword: string): boolean {
  const message = fold(text);
  if (!keyword.startsWith("~")) return message === fold(keyword);
  const word = fold(keyword.slice(1));
  return word !== "" && message.split(/[^\p{L}\p{N}]+/u).includes(word);
}

export interface TriggerContext {
  accountId: string;
  contactId: string;
  text: string | null;
  /** No flow ran in this conversation yet. */
  freshConversation: boolean;
}

export async function triggeredFlow(knex: Knex, context: TriggerContext): Promise<string | undefined> {
  const flows: Array<{ id: string; trigger_type: string; trigger_value: string | null }> = await knex("flows")
    .where({ is_active: true })
    .whereNull("deleted_at")
    .whereNotNull("current_version_id")
    .whereIn("trigger_type", ["keyword", "welcome", "default"])
    .where((q) => {
      q.whereNull("whatsapp_account_id").orWhere("whatsapp_account_id", context.accountId);
    })
    .orderBy([{ column: "created_at" }, { column: "id" }])
    .select("id", "trigger_type", "trigger_value");
  const text = context.text ?? "";
  const keyword = flows.find((flow) => flow.trigger_type === "keyword" && keywordsOf(flow.trigger_value).some((k) => matchesKeyword(text, k)));
  if (keyword) return keyword.id;
  const welcome = flows.find((flow) => flow.trigger_type === "welcome");
  if (welcome && context.freshConversation) {
    const earlier = await knex("conversations").where({ contact_id: context.contactId, whatsapp_account_id: context.accountId }).count({ n: "*" }).first();
    if (Number((earlier as { n: string }).n) <= 1) return welcome.id;
  }
  return flows.find((flow) => flow.trigger_type === "default")?.id;
}
