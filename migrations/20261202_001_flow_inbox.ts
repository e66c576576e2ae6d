// The flow inbox: every inbound message a flow may have to answer waits here
// until its conversation's actor has consumed it. The row is written in the
// transaction that stores the message and deleted in the one that records
// what the flow did with it, so a message is neither lost (its event died with
// a node, the transporter was down) nor answered twice (a redelivery finds no
// row). Rows nobody consumed are handed over again, with a growing delay.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("flow_inbox", (table) => {
    // Arrival order within a conversation.
    table.bigIncrements("seq").primary();
    table.uuid("message_id").notNullable().unique().references("messages.id").onDelete("CASCADE");
    table.uuid("conversation_id").notNullable().references("conversations.id").onDelete("CASCADE");
    table.integer("attempts").notNullable().defaultTo(0);
    table.timestamp("next_attempt_at", { useTz: true }).notNullable();
    table.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.index(["conversation_id", "seq"]);
    table.index(["next_attempt_at"]);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("flow_inbox");
}
