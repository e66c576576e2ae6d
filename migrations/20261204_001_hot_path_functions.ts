// Functions for the message path: each does in one round trip what took a
// transaction of several statements (every statement is a round trip, and
// round trips are what a message costs). They hold the rules themselves, and
// the TypeScript callers use them for every case, so the rules live in one
// place: queueing an outbound message (idempotency, the account's state),
// scheduling a timer that replaces the pending one of its key, writing a
// flow's state with its sends, timer and consumed input all or nothing, and
// the WhatsApp id an outbound message goes out with.
//
// Errors they raise carry SQLSTATEs of our own (class CH: CH001 a stale actor,
// CH404 no such conversation, CH409 an account that takes no messages, its
// state in DETAIL), mapped back to the engine's errors by their callers.
import type { Knex } from "knex";

const QUEUE_OUTBOUND = `
CREATE FUNCTION charla_queue_outbound(
  p_conversation uuid, p_type text, p_content text, p_metadata jsonb,
  p_sender_type text, p_sender_user uuid, p_key text,
  OUT message messages, OUT created boolean)
LANGUAGE plpgsql AS $$
DECLARE
  target record;
  new_id uuid := gen_random_uuid();
BEGIN
  IF p_key IS NOT NULL THEN
    SELECT * INTO message FROM messages WHERE idempotency_key = p_key;
    IF FOUND THEN created := false; RETURN; END IF;
  END IF;
  SELECT c.whatsapp_account_id, a.status, a.should_connect, a.deleted_at INTO target
    FROM conversations c JOIN whatsapp_accounts a ON a.id = c.whatsapp_account_id
   WHERE c.id = p_conversation;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'conversation % not found', p_conversation USING ERRCODE = 'CH404';
  END IF;
  -- While the engine keeps the account connected (even mid-reconnect or mid-failover) the message
  -- waits its turn; an account logged out, banned or switched off takes nothing.
  IF target.deleted_at IS NOT NULL OR NOT target.should_connect THEN
    RAISE EXCEPTION 'the account of conversation % takes no messages', p_conversation
      USING ERRCODE = 'CH409', DETAIL = CASE WHEN target.deleted_at IS NOT NULL THEN 'deleted' ELSE target.status END;
  END IF;
  -- The clock, not the transaction's start: messages queued together keep their order (created_at, id).
  -- The WhatsApp id is fixed now, before any send (see charla_wa_message_id).
  INSERT INTO messages (id, wa_message_id, conversation_id, whatsapp_account_id, direction, status, type, content, metadata,
                        sender_type, sender_user_id, idempotency_key, created_at)
  VALUES (new_id, charla_wa_message_id(new_id), p_conversation, target.whatsapp_account_id, 'outbound', 'pending', p_type, p_content,
          coalesce(p_metadata, '{}'), p_sender_type, p_sender_user, p_key, clock_timestamp())
  -- Two requests with one key at the same moment: the second finds the first's row below.
  ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
  RETURNING * INTO message;
  IF NOT FOUND THEN
    SELECT * INTO message FROM messages WHERE idempotency_key = p_key;
    created := false;
    RETURN;
  END IF;
  -- Once per transaction (several sends of one flow write share it): an unchanged row is not written again.
  UPDATE conversations SET last_message_at = now(), updated_at = now() WHERE id = p_conversation AND last_message_at IS DISTINCT FROM now();
  created := true;
END $$`;

// Many flows' writes in one round trip (group commit): each all or nothing on its own (a block with an
// exception handler is a subtransaction), each answered with its result or its error.
const FLOW_WRITE_MANY = `
CREATE FUNCTION charla_flow_write_many(p_writes jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  w jsonb;
  results jsonb := '[]';
  failed_state text;
  failed_detail text;
BEGIN
  FOR w IN SELECT * FROM jsonb_array_elements(p_writes) LOOP
    BEGIN
      results := results || jsonb_build_array(charla_flow_write(
        (w->>'conversation_id')::uuid, (w->>'version')::integer, w->'snapshot', (w->>'flow_version_id')::uuid,
        w->>'owner_node', (w->>'consuming')::uuid, w->'outbox', nullif(w->'timer', 'null'), w->>'timer_key',
        nullif(w->'current_flow', 'null')));
    EXCEPTION WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS failed_state = RETURNED_SQLSTATE, failed_detail = PG_EXCEPTION_DETAIL;
      results := results || jsonb_build_array(jsonb_build_object('code', failed_state, 'detail', failed_detail, 'message', SQLERRM));
    END;
  END LOOP;
  RETURN results;
END $$`;

// Derived from the message's id, so a message sent again (after a crash between the send and its
// record) carries the same id and WhatsApp takes it once.
const WA_MESSAGE_ID = `
CREATE FUNCTION charla_wa_message_id(p_message uuid) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT 'CH' || upper(replace(p_message::text, '-', '')) $$`;

// At most one pending timer per key: the rule's one home (scheduling replaces through it, lib/timers.ts too).
const CANCEL_TIMER = `
CREATE FUNCTION charla_cancel_timer(p_dedupe_key text) RETURNS void
LANGUAGE sql AS $$
  UPDATE timers SET cancelled_at = now() WHERE dedupe_key = p_dedupe_key AND fired_at IS NULL AND cancelled_at IS NULL
$$`;

const SCHEDULE_TIMER = `
CREATE FUNCTION charla_schedule_timer(p_kind text, p_due_at timestamptz, p_dedupe_key text, p_conversation uuid, p_payload jsonb)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  -- Scheduling again replaces the pending timer of the key.
  IF p_dedupe_key IS NOT NULL THEN
    PERFORM charla_cancel_timer(p_dedupe_key);
  END IF;
  INSERT INTO timers (kind, due_at, dedupe_key, conversation_id, payload)
  VALUES (p_kind, p_due_at, p_dedupe_key, p_conversation, coalesce(p_payload, '{}'));
END $$`;

// p_version 0: the conversation has no snapshot row yet. p_timer: null leaves
// the flow's timer alone; {"cancel": true} cancels it; {"kind", "due_at",
// "payload"} replaces it. p_current_flow: null leaves the conversation's
// current_flow columns alone; {} clears them; {"flow_id", "flow_version_id"}
// sets them.
const FLOW_WRITE = `
CREATE FUNCTION charla_flow_write(
  p_conversation uuid, p_version integer, p_snapshot jsonb, p_flow_version uuid, p_owner text,
  p_consuming uuid, p_outbox jsonb, p_timer jsonb, p_timer_key text, p_current_flow jsonb)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  written integer;
  send jsonb;
  queued jsonb := '[]';
  result record;
BEGIN
  IF p_version = 0 THEN
    INSERT INTO conversation_actor_snapshots (conversation_id, version, snapshot, flow_version_id, owner_node, updated_at)
    VALUES (p_conversation, 1, p_snapshot, p_flow_version, p_owner, now())
    ON CONFLICT (conversation_id) DO NOTHING
    RETURNING version INTO written;
  ELSE
    UPDATE conversation_actor_snapshots
       SET snapshot = p_snapshot, flow_version_id = p_flow_version, owner_node = p_owner, updated_at = now(), version = p_version + 1
     WHERE conversation_id = p_conversation AND version = p_version
    RETURNING version INTO written;
  END IF;
  IF written IS NULL THEN
    RAISE EXCEPTION 'snapshot of % moved on elsewhere', p_conversation USING ERRCODE = 'CH001';
  END IF;
  -- Another run consumed this input meanwhile: what this one did must not be written (nor sent) twice.
  IF p_consuming IS NOT NULL THEN
    DELETE FROM flow_inbox WHERE message_id = p_consuming;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'input % of % was consumed elsewhere', p_consuming, p_conversation USING ERRCODE = 'CH001';
    END IF;
  END IF;
  IF p_timer IS NOT NULL THEN
    IF p_timer->>'kind' IS NOT NULL THEN
      PERFORM charla_schedule_timer(p_timer->>'kind', (p_timer->>'due_at')::timestamptz, p_timer_key, p_conversation, p_timer->'payload');
    ELSE
      PERFORM charla_cancel_timer(p_timer_key);
    END IF;
  END IF;
  FOR send IN SELECT * FROM jsonb_array_elements(coalesce(p_outbox, '[]')) LOOP
    SELECT * INTO result FROM charla_queue_outbound(p_conversation, send->>'type', send->>'content', send->'metadata', 'bot', NULL, send->>'idempotency_key');
    IF result.created THEN
      queued := queued || jsonb_build_object('id', (result.message).id, 'conversation_id', p_conversation,
                                             'whatsapp_account_id', (result.message).whatsapp_account_id, 'row', to_jsonb(result.message));
    END IF;
  END LOOP;
  IF p_current_flow IS NOT NULL THEN
    UPDATE conversations
       SET current_flow_id = (p_current_flow->>'flow_id')::uuid, current_flow_version_id = (p_current_flow->>'flow_version_id')::uuid
     WHERE id = p_conversation;
  END IF;
  -- Where the conversation sits, for the relay of what was queued (it reads nothing back).
  RETURN jsonb_build_object('version', written, 'queued', queued,
    'placement', (SELECT jsonb_build_object('queue_id', queue_id, 'assigned_to', assigned_to) FROM conversations WHERE id = p_conversation));
END $$`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(WA_MESSAGE_ID);
  // Messages queued before: their WhatsApp id is fixed now, as new ones' are when queued.
  await knex.raw("UPDATE messages SET wa_message_id = charla_wa_message_id(id) WHERE status = 'pending' AND direction = 'outbound' AND wa_message_id IS NULL");
  await knex.raw(QUEUE_OUTBOUND);
  await knex.raw(CANCEL_TIMER);
  await knex.raw(SCHEDULE_TIMER);
  await knex.raw(FLOW_WRITE);
  await knex.raw(FLOW_WRITE_MANY);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("DROP FUNCTION charla_wa_message_id(uuid)");
  await knex.raw("DROP FUNCTION charla_flow_write_many(jsonb)");
  await knex.raw("DROP FUNCTION charla_flow_write(uuid, integer, jsonb, uuid, text, uuid, jsonb, jsonb, text, jsonb)");
  await knex.raw("DROP FUNCTION charla_schedule_timer(text, timestamptz, text, uuid, jsonb)");
  await knex.raw("DROP FUNCTION charla_cancel_timer(text)");
  await knex.raw("DROP FUNCTION charla_queue_outbound(uuid, text, text, jsonb, text, uuid, text)");
}
